"""Training panel: the worker's events reach the curves in order; closing mid-run stops it
cleanly (saved as stopped, no thread left); the evaluation gallery opens images in the door."""

import numpy as np
import pytest

from cnnexplorer.core.train import runs
from cnnexplorer.core.train.evaluation import metrics_from_probabilities
from cnnexplorer.core.train.events import BatchEnd, EpochEnd, TrainFinished, TrainStarted
from cnnexplorer.gui.training.evaluation_view import EvaluationView
from cnnexplorer.gui import workers
from cnnexplorer.gui.session import ArchitectureChoice, DoorImage, Session
from training_samples import tiny_dataset
from waits import THREAD_MS, UI_MS


@pytest.fixture
def panel(training_panel):
    return training_panel


def test_worker_events_arrive_in_order_and_reach_the_curves(panel, qtbot):
    panel.form.epochs.setValue(3)
    panel.form.batch_size.setValue(16)
    seen = []
    panel.event_received.connect(seen.append)
    panel.start_training()
    assert panel.is_training() and panel.stop_button.isEnabled()
    qtbot.waitUntil(lambda: panel.worker is None, timeout=THREAD_MS)  # the run ended
    assert isinstance(seen[0], TrainStarted) and isinstance(seen[-1], TrainFinished)
    assert seen[-1].status == "finished"
    batches = [e for e in seen if isinstance(e, BatchEnd)]
    epochs = [e for e in seen if isinstance(e, EpochEnd)]
    assert [e.epoch for e in epochs] == [0, 1, 2]
    assert [e.global_step for e in batches] == list(range(len(batches)))
    assert len(batches) == 3 * seen[0].steps_per_epoch
    # the curves' buffers hold every batch and every epoch; the timer redraws them
    assert panel.curves.batches.n == len(batches)
    assert panel.curves.epochs.n == 3
    with qtbot.waitSignal(panel.curves.redrawn, timeout=UI_MS):
        panel.curves._dirty = True
    x, y = panel.curves._loss.getData()
    assert len(x) == len(batches) and np.isfinite(y).all()
    assert panel.progress.bar.value() == panel.progress.bar.maximum()
    assert panel.progress.bar.format() == "finished" and "time left" not in \
        panel.progress.label.text()
    assert "finished" in panel.status_label.text()
    assert panel.runs_list.count() == 1
    assert panel.session.last_model_path.endswith("best.keras")
    assert panel.start_button.isEnabled() and not panel.stop_button.isEnabled()


def test_closing_the_window_during_training_stops_and_saves(panel, qtbot):
    panel.form.epochs.setValue(500)
    panel.form.batch_size.setValue(8)
    panel.start_training()
    worker = panel.worker
    qtbot.waitUntil(lambda: panel.curves.batches.n >= 3, timeout=THREAD_MS)
    panel.window().close()  # the panel's event filter sees the window close: stop asked
    assert worker.stop_requested
    assert workers.stop_and_wait()  # the one wait, as the main window's close does
    qtbot.waitUntil(lambda: panel.worker is None, timeout=UI_MS)
    assert workers.live_workers() == []
    saved = runs.list_runs()
    assert len(saved) == 1
    status = saved[0].status()
    assert status["status"] == "stopped" and "stopped by the user" in status["message"]
    assert saved[0].last_model_path.is_file()


def test_evaluation_shows_the_matrix_and_a_k_class_mistake_stays_out_of_the_door(qtbot):
    session = Session()
    view = EvaluationView(session)
    qtbot.addWidget(view)
    y = np.array([0, 1, 1, 0, 2])
    probs = np.array([[.9, .05, .05], [.7, .2, .1], [.1, .8, .1], [.2, .2, .6], [.1, .1, .8]])
    images = np.arange(5 * 8 * 8 * 3, dtype=np.uint8).reshape(5, 8, 8, 3)
    result = metrics_from_probabilities(probs, y, ["a", "b", "c"])
    view.show_result(result, images, "test", "/runs/r/best.keras", "run r")
    assert view.confusion.item(1, 0).text() == "1" and view.confusion.item(0, 2).text() == "1"
    assert view.per_class.item(0, 1).text() == "0.500"  # precision of a: 1 of 2
    assert view.gallery.count() == 2  # the two mistakes, most confident first
    first = view.gallery.item(0)
    assert first.text().startswith("b → a")
    sent = []
    session.open_in_door.connect(sent.append)
    view.gallery.itemClicked.emit(first)  # the door judges happy / not happy only
    assert sent == [] and "two-class" in view.gallery_title.text()


def test_evaluation_click_sends_the_image_with_the_evaluated_model(qtbot):
    """Issue 13 defect 2: the door judged the image with the bundled model, not the run's."""
    session = Session()
    view = EvaluationView(session)
    qtbot.addWidget(view)
    y = np.array([0, 1, 1, 0])
    probs = np.array([[.9, .1], [.8, .2], [.3, .7], [.35, .65]])
    images = np.arange(4 * 8 * 8 * 3, dtype=np.uint8).reshape(4, 8, 8, 3)
    view.show_result(metrics_from_probabilities(probs, y, ["not happy", "happy"]), images,
                     "test", "/runs/r/best.keras", "run r")
    with qtbot.waitSignal(session.open_in_door, timeout=UI_MS) as sig:
        view.gallery.itemClicked.emit(view.gallery.item(0))
    sent = sig.args[0]
    assert isinstance(sent, DoorImage)
    assert sent.model_path == "/runs/r/best.keras" and sent.model_name == "run r"
    np.testing.assert_array_equal(sent.image, images[1])  # the most confident mistake


def test_plain_vs_residual_preset_trains_both_and_overlays_them(panel, qtbot, monkeypatch):
    from cnnexplorer.core.train import recommended

    # the preset's own settings, shrunk: one epoch on the Data panel's tiny set
    monkeypatch.setattr(recommended, "PLAIN_VS_RESIDUAL", recommended.Recommendation(
        "plain_net", "tiny", {"epochs": 1, "batch_size": 32, "validation_split": 0.0},
        expected_accuracy=0.5, seconds=10, measured="test", options={"depth": 3, "width": 4},
        expect="the plain network's training loss stays above the residual one's"))
    panel.form.set_dataset("digits")  # the preset picks its own data
    panel.session.set_architecture(ArchitectureChoice("plain_net", options={
        "depth": 2, "width": 4}))
    overlays, headers = [], []
    panel.runs_list.overlays_changed.connect(overlays.append)
    panel.event_received.connect(lambda e: headers.append(panel.arch_label.text())
                                 if isinstance(e, TrainStarted) else None)
    panel.preset_button.click()
    assert panel.form.dataset_name() == "tiny" and panel.form.epochs.value() == 1
    assert "Preset" in panel.form.expectation.text()
    assert "training loss stays above" in panel.form.expectation.text()
    qtbot.waitUntil(lambda: panel.worker is None, timeout=THREAD_MS)  # the run ended
    archs = sorted((r.config()["architecture"]["key"], r.config()["architecture"]["options"])
                   for r in runs.list_runs())
    # the Architecture panel's depth and width, since it shows one of the pair
    assert archs == [("plain_net", {"depth": 2, "width": 4}),
                     ("residual_net", {"depth": 2, "width": 4})]
    assert len(panel.runs_list.checked_paths()) == 2
    assert len(overlays[-1]) == 2 and all(len(hist) == 1 for _, hist in overlays[-1])
    # the header named the network training, not the picker's choice (issue 13)
    assert "Training now</b>: PlainNet" in headers[0] and "run 1 of 2" in headers[0]
    assert "Training now</b>: ResidualNet" in headers[1] and "run 2 of 2" in headers[1]
    assert "Will train</b>: plain_net" in panel.arch_label.text()


def test_the_preset_button_trains_the_measured_preset(panel, qtbot, monkeypatch):
    """What docs/training.md measured (issue 20) is what the button hands the job, through
    the form's boxes (a learning rate of 3e-3 survives the spin box)."""
    from cnnexplorer.core.train import jobs

    asked = []

    def job_for(source, config, options):
        asked.append((source, config, options))
        return lambda on_event, stop: []

    monkeypatch.setattr(jobs, "plain_vs_residual_job", job_for)
    panel.preset_button.click()  # the Architecture panel shows happymodel: the preset's options
    qtbot.waitUntil(lambda: panel.worker is None, timeout=THREAD_MS)
    [(source, config, options)] = asked
    assert source == "hand-signs" and options == {"depth": 20, "width": 16, "stem_stride": 2}
    assert (config.epochs, config.batch_size, config.optimizer, config.validation_split,
            config.augment, config.lr_schedule) == (20, 16, "adam", 0.0, {}, "constant")
    assert config.learning_rate == pytest.approx(3e-3)


def test_the_picker_follows_the_architecture_panel_and_trains_its_own_choice(panel, qtbot):
    assert panel.form.architecture_key() == "happymodel"  # the Architecture panel's choice
    assert "filters=4" in panel.arch_label.text()
    panel.session.set_architecture(ArchitectureChoice("googlenet"))  # browsing on
    assert panel.form.architecture_key() == "googlenet"
    panel.form.arch_combo.setCurrentIndex(panel.form.arch_combo.findData("happymodel3"))
    panel.form.arch_combo.activated.emit(panel.form.arch_combo.currentIndex())
    assert panel.arch_spec().key == "happymodel3" and panel.arch_spec().options == {}
    assert "Will train</b>: happymodel3" in panel.arch_label.text()
    panel.form.epochs.setValue(1)
    panel.form.validation.setValue(0.0)
    panel.start_training()
    qtbot.waitUntil(lambda: panel.worker is None, timeout=THREAD_MS)  # the run ended
    assert [r.config()["architecture"]["key"] for r in runs.list_runs()] == ["happymodel3"]


def test_picking_a_measured_pair_fills_in_the_recommended_settings(panel):
    from cnnexplorer.core.train.recommended import recommended

    rec = recommended("happymodel", "happy-faces")
    panel.form.epochs.setValue(99)
    panel.form.set_dataset("happy-faces")  # happymodel is picked (the fixture's choice)
    assert panel.form.config() == rec.config()
    assert panel.form.epochs.value() == rec.epochs
    text = panel.form.expectation.text()
    assert f"{rec.accuracy_text()} after {rec.epochs} epochs" in text
    assert "2-core CPU" in text
    panel.form.set_dataset("digits")  # no measurement for this pair: settings kept
    assert panel.form.epochs.value() == rec.epochs
    assert "No measured recommendation" in panel.form.expectation.text()


def test_augmentation_is_one_setting_with_the_data_panel(panel, qtbot):
    """Issue 13: 'Augment' was off in Training while the Data panel showed active sliders."""
    from cnnexplorer.core.data.augment import AugmentConfig
    from cnnexplorer.gui.data.panel import DataPanel

    from cnnexplorer.core.train.recommended import SMALL_SET

    data = DataPanel(panel.session)
    qtbot.addWidget(data)
    # the fixture's 96 images are a small set: its augmentation is on, in both panels
    small = AugmentConfig.from_dict(SMALL_SET["augment"])
    assert panel.session.augment == small and panel.form.augment.isChecked()
    assert data.augment.config() == small
    panel.form.augment.setChecked(False)  # off in Training
    assert panel.session.augment is None and not panel.form.augment.isChecked()
    assert not data.augment.config().enabled  # the sliders agree: all off
    data.augment.set_config(AugmentConfig.course_default())  # the Data panel's button
    assert panel.form.augment.isChecked()
    assert panel.form.augment_text.text() == AugmentConfig.course_default().describe()
    assert panel.form.config().augment == AugmentConfig.course_default().to_dict()
    panel.form.augment.setChecked(False)  # off in Training: the sliders go to 0
    assert panel.session.augment is None and not data.augment.config().enabled
    assert panel.form.config().augment == {}
    panel.form.augment.setChecked(True)  # back on: the strengths the user had set
    assert data.augment.config() == AugmentConfig.course_default()


def test_stop_resets_the_progress_bar_and_time_left(panel, qtbot):
    """Issue 13: after Stop the bar and 'time left' kept counting (02:01 -> 06:58)."""
    panel.form.epochs.setValue(500)
    panel.form.batch_size.setValue(8)
    panel.start_training()
    qtbot.waitUntil(lambda: panel.events_seen > 5 and panel.progress.counting,
                    timeout=THREAD_MS)
    panel._on_label_timer_timeout()
    assert "time left" in panel.progress.label.text()
    panel.stop_button.click()
    assert not panel.progress.counting and "stopping" in panel.progress.label.text()
    # the thread may end before a waitSignal could connect: wait for the panel's own slot
    qtbot.waitUntil(lambda: panel.worker is None, timeout=THREAD_MS)
    for _ in range(3):  # the 10 Hz timer keeps firing after the run
        panel._on_label_timer_timeout()
    assert "time left" not in panel.progress.label.text()
    assert panel.progress.bar.value() == 0
    assert panel.progress.bar.format().startswith("stopped after")


@pytest.mark.parametrize("queued", [False, True])
def test_worker_delivers_events_in_order_both_ways(qtbot, queued):
    def job(on_event, stop):
        for i in range(200):
            on_event(i)
        return "done"

    worker = workers.Worker(job, "count", queue_events=queued)
    got = []
    worker.reported.connect(got.append)
    with qtbot.waitSignal(worker.finished, timeout=UI_MS):
        worker.start()
    assert not worker.is_running()
    if queued:
        assert got == [] and worker.take_events() == list(range(200))
    else:  # every event is delivered before `finished`
        assert got == list(range(200))
    assert worker.result == "done" and worker.take_events() == []


def test_transfer_tab_from_a_saved_run_with_cached_activations(panel, qtbot):
    from cnnexplorer.core.train.config import TrainConfig
    from cnnexplorer.core.train.engine import ArchSpec, train

    base = train(ArchSpec("happymodel", {"filters": 4, "kernel": 3, "padding": 1}),
                 tiny_dataset(), TrainConfig(epochs=1, batch_size=16, validation_split=0))
    panel.runs_list.refresh()
    panel.runs_list.setCurrentRow(0)
    view = panel.transfer
    view.from_run.click()
    qtbot.waitUntil(lambda: view.start.isEnabled(), timeout=THREAD_MS)
    assert view.slider.maximum() == len(view.blocks) == 1  # conv block; the head is replaced
    assert view.cache.isEnabled()  # every block frozen: caching is offered
    view.cache.setChecked(True)
    view.slider.setValue(0)
    assert not view.cache.isEnabled() and not view.cache.isChecked()
    view.slider.setValue(1)
    view.cache.setChecked(True)
    panel.form.epochs.setValue(2)
    panel.form.validation.setValue(0.0)
    view.start.click()
    qtbot.waitUntil(lambda: panel.worker is None, timeout=THREAD_MS)  # the run ended
    assert "cached:" in view.times.text()
    transfer_runs = [r for r in runs.list_runs() if r.path != base.run.path]
    assert len(transfer_runs) == 1
    cfg = transfer_runs[0].config()["architecture"]
    assert cfg["key"] == "transfer" and cfg["cached_activations"].endswith(".h5")


def test_devices_label_says_what_a_run_will_use(panel, qtbot):
    label = panel.form.devices_label
    qtbot.waitUntil(lambda: "per replica" in label.text(), timeout=60_000)
    from cnnexplorer.core.train.distribute import local_gpus

    gpus = local_gpus()
    panel.form.batch_size.setValue(16)
    if gpus <= 1:
        device = "GPU" if gpus else "CPU"
        assert label.text() == f"{device}: batch 16 per replica, 16 per step"
    else:
        assert label.text() == f"{gpus} x GPU, mirrored: batch 16 per replica, " \
                               f"{16 * gpus} per step"
    panel.form.devices.setCurrentText("none")
    assert label.text().endswith("batch 16 per replica, 16 per step")
    assert panel.form.config().distribute == "none"


def test_runs_list_quotes_the_best_models_validation_accuracy_not_the_last_epochs(qapp):
    """Issue 17: the list said "acc 82%" (last epoch) while Evaluate loads the best model."""
    from cnnexplorer.core.train import runs
    from cnnexplorer.gui.training.runs_list import RunsList

    run = runs.create_run({"architecture": {"key": "happymodel"},
                           "dataset": {"name": "happy-faces"}}, name="happymodel_faces")
    run.write_history([{"loss": 0.9, "accuracy": 0.6, "val_loss": 0.8, "val_accuracy": 0.6},
                       {"loss": 0.5, "accuracy": 0.8, "val_loss": 0.5, "val_accuracy": 0.72},
                       {"loss": 0.2, "accuracy": 0.9, "val_loss": 0.7, "val_accuracy": 0.82}])
    run.set_status("finished", "3 epochs")
    view = RunsList()
    view.refresh()
    text = view.item(0).text()
    assert "val acc 72% at best epoch 2" in text and "82%" not in text
    tip = view.item(0).toolTip()
    assert "epoch 2 of 3 (lowest validation loss)" in tip and "82.0%" in tip


def test_evaluate_works_every_time_and_across_a_run_switch(panel, qtbot, error_boxes):
    """Issue 17, crash 3: the first Evaluate worked; every later click raised "Internal C++
    object (TrainingWorker) already deleted" (the worker deleted itself while the panel
    still named it)."""
    from cnnexplorer.core.train.config import TrainConfig
    from cnnexplorer.core.train.engine import ArchSpec, train

    spec = ArchSpec("happymodel", {"filters": 4, "kernel": 3, "padding": 1})
    for seed in (0, 1):
        train(spec, tiny_dataset(), TrainConfig(epochs=1, batch_size=16, validation_split=0,
                                                seed=seed))
    panel.runs_list.refresh()
    assert panel.runs_list.count() == 2
    titles = []
    for row in (0, 0, 0, 1, 1, 0):  # three times the same run, then switch, and back
        panel.runs_list.setCurrentRow(row)
        panel.evaluate_button.click()
        assert panel.status_label.text() == "evaluate the run..."  # started, no exception
        qtbot.waitUntil(lambda: panel.status_label.text().startswith("Evaluated"),
                        timeout=THREAD_MS)
        titles.append(panel.evaluation._model[1])
        assert panel.aux_worker is None  # forgotten as soon as it finished
    assert error_boxes == []
    assert titles[0] == titles[1] == titles[2] == titles[5] != titles[3] == titles[4]
