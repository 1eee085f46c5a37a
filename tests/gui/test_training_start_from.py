"""Training panel, "Start from": fine-tune a saved run (frozen layers kept) or the door model."""

import numpy as np
import pytest

from cnnexplorer.core.train import runs
from cnnexplorer.core.train.events import TrainStarted
from training_samples import open_training_panel, tiny_dataset


@pytest.fixture
def panel(qtbot):
    panel = open_training_panel(qtbot, tiny_dataset(n=64, size=16))
    yield panel
    panel.shutdown()


def _train_and_wait(panel, qtbot):
    seen = []
    panel.event_received.connect(seen.append)
    panel.start_training()
    with qtbot.waitSignal(panel.worker.finished, timeout=240_000):
        pass
    return seen


def test_start_from_a_saved_run_freezes_its_first_layers(panel, qtbot):
    from cnnexplorer.core.train.config import TrainConfig
    from cnnexplorer.core.train.engine import ArchSpec, train

    base = train(ArchSpec("happymodel", {"filters": 4, "kernel": 3, "padding": 1}),
                 tiny_dataset(), TrainConfig(epochs=1, batch_size=16, validation_split=0))
    assert not panel.form.freeze.isEnabled()  # scratch: nothing to freeze
    panel.form.start_from.setCurrentIndex(panel.form.start_from.findData("run"))
    assert panel.form.freeze.isEnabled()
    panel.start_training()  # no run selected yet: says so, starts nothing
    assert not panel.is_training() and "Select a run" in panel.status_label.text()
    panel.runs_list.refresh()
    panel.runs_list.setCurrentRow(0)
    panel.form.freeze.setValue(2)
    panel.form.epochs.setValue(1)
    seen = _train_and_wait(panel, qtbot)
    started = next(e for e in seen if isinstance(e, TrainStarted))
    assert any("fine-tuning run" in n for n in started.notes)
    assert any("frozen: the first 2 layers" in n for n in started.notes)
    tuned = [r for r in runs.list_runs() if r.path != base.run.path]
    assert len(tuned) == 1
    arch = tuned[0].config()["architecture"]
    assert arch["freeze_layers"] == 2 and arch["from"].endswith(".keras")
    start, end = base.run.load_model("best"), tuned[0].load_model("last")
    for a, b in zip(start.get_layer("conv0").get_weights(), end.get_layer("conv0").get_weights()):
        np.testing.assert_array_equal(a, b)


def test_start_from_the_door_model_trains_the_doors_own_network(panel, qtbot):
    panel.form.start_from.setCurrentIndex(panel.form.start_from.findData("door"))
    panel.form.epochs.setValue(1)
    seen = _train_and_wait(panel, qtbot)
    started = next(e for e in seen if isinstance(e, TrainStarted))
    assert any("fine-tuning the bundled door model" in n for n in started.notes)
    assert any("not happymodel" in n for n in started.notes)  # says the architecture used
    assert seen[-1].status == "finished"
