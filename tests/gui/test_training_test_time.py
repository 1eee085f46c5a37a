"""The Evaluation tab's test-time tricks: the ticked runs compared alone, as an ensemble and
with their crops, the table and the best row's confusion matrix shown (issue 21)."""

import pytest
from PySide6.QtCore import Qt

from cnnexplorer.core.keras.model_setup import ArchSpec
from cnnexplorer.core.train.config import TrainConfig
from cnnexplorer.core.train.engine import train
from training_samples import open_training_panel, tiny_dataset
from waits import THREAD_MS


@pytest.fixture
def panel_with_two_runs(qtbot):
    dataset = tiny_dataset()
    spec = ArchSpec("happymodel", {"filters": 2, "kernel": 3, "padding": 1})
    for seed in (0, 1):
        train(spec, dataset, TrainConfig(epochs=1, batch_size=16, validation_split=0.0,
                                          seed=seed))
    panel = open_training_panel(qtbot, dataset, spec.options)
    yield panel
    panel.shutdown()


def test_ticked_runs_are_compared_alone_as_an_ensemble_and_with_crops(panel_with_two_runs,
                                                                      qtbot):
    panel = panel_with_two_runs
    assert panel.runs_list.count() == 2
    for i in range(2):
        panel.runs_list.item(i).setCheckState(Qt.CheckState.Checked)
    tricks = panel.evaluation.tricks
    tricks.crops.setCurrentIndex(tricks.crops.findData(2))
    tricks.compare_button.click()
    qtbot.waitUntil(lambda: tricks.table.rowCount() == 6, timeout=THREAD_MS)
    labels = [tricks.table.item(i, 0).text() for i in range(6)]
    assert labels[2] == "ensemble of 2" and labels[5] == "ensemble of 2, 2 crops"
    assert [tricks.table.item(i, 2).text() for i in range(6)] == ["1", "1", "2", "2", "2", "4"]
    assert "images" in tricks.verdict.text() and "Best" in tricks.verdict.text()
    # the best row's result fills the confusion matrix below
    assert panel.evaluation.result is not None
    assert int(panel.evaluation.result.confusion_matrix.sum()) == 16
    assert panel.tabs.currentWidget() is panel.evaluation


def test_with_nothing_ticked_the_selected_run_is_compared(panel_with_two_runs, qtbot):
    panel = panel_with_two_runs
    panel.runs_list.setCurrentRow(0)
    tricks = panel.evaluation.tricks
    tricks.crops.setCurrentIndex(tricks.crops.findData(10))
    tricks.compare_button.click()
    qtbot.waitUntil(lambda: tricks.table.rowCount() == 2, timeout=THREAD_MS)
    assert tricks.table.item(1, 1).text() == "10" and tricks.table.item(1, 2).text() == "10"
