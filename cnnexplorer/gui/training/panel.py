"""The Training panel: train the Architecture panel's network on the Data panel's dataset,
watch live curves, compare saved runs, evaluate, and do transfer learning.

Every slow step (loading a built-in set, building and training the model, evaluating,
exporting, loading a model for transfer) runs in a `TrainingWorker` thread; the GUI thread
only appends events to buffers and redraws on timers. Closing the window during training
stops the run after the current batch and saves it as stopped (`shutdown()`).
"""

from __future__ import annotations

import logging
import math
import time

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QMessageBox, QProgressBar,
                               QPushButton, QSplitter, QTabWidget, QVBoxLayout, QWidget)

from cnnexplorer.core.train.events import BatchEnd, EpochEnd, TrainFinished, TrainStarted
from cnnexplorer.gui.errors import present_error
from cnnexplorer.gui.training.live_curves import LiveCurves
from cnnexplorer.gui.training.worker import TrainingWorker
from cnnexplorer.gui.training import jobs as jobs
from cnnexplorer.gui.training.evaluation_view import EvaluationView
from cnnexplorer.gui.training.form import DATA_PANEL, TrainingForm
from cnnexplorer.gui.training.runs_list import RunsList
from cnnexplorer.gui.training.transfer_view import TransferView

log = logging.getLogger(__name__)

DEFAULT_ARCH = "happymodel"


class TrainingPanel(QWidget):
    event_received = Signal(object)  # each engine event, after the panel handled it

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.worker: TrainingWorker | None = None  # training (one at a time)
        self.aux_worker: TrainingWorker | None = None  # evaluate / export / load model
        self.events_seen = 0
        self._progress = None  # (done, total, images/s, t0) updated from events
        self._transfer_source = None  # (keras model, blocks, name)
        self._watched_window = None
        self._cached_mode = None
        self._overlay_finished = False
        self._epochs = (0, 1, 1)
        self._epoch_text = ""

        self.arch_label = QLabel()
        self.arch_label.setWordWrap(True)
        self.form = TrainingForm()
        self.start_button = QPushButton("Start")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setEnabled(False)
        self.preset_button = QPushButton("Preset: plain vs residual")
        self.preset_button.setToolTip(
            "Train plain_net and residual_net of the same depth on the chosen dataset, one "
            "after the other, and overlay their curves: the notes' claim is that the plain "
            "network's training error is higher.")
        self.progress = QProgressBar()
        self.progress.setFormat("idle")
        self.progress_label = QLabel("")
        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)
        self.runs_list = RunsList()
        self.evaluate_button = QPushButton("Evaluate")
        self.continue_button = QPushButton("Continue")
        self.export_button = QPushButton("Export...")
        self.delete_button = QPushButton("Delete")
        self.refresh_button = QPushButton("Refresh")
        self.curves = LiveCurves()
        self.evaluation = EvaluationView(session)
        self.transfer = TransferView(self.runs_list)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.curves, "Curves")
        self.tabs.addTab(self.evaluation, "Evaluation")
        self.tabs.addTab(self.transfer, "Transfer learning")
        self._layout()
        self._connect()
        self._on_session_architecture_changed(session.architecture)
        self.form.set_session_dataset(session.dataset)
        self.label_timer = QTimer(self)
        self.label_timer.setInterval(100)  # 10 Hz: drains the worker's events, updates text
        self.label_timer.timeout.connect(self._on_label_timer_timeout)
        self.label_timer.start()
        self.runs_list.refresh()
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    def _layout(self) -> None:
        buttons = QHBoxLayout()
        for b in (self.start_button, self.stop_button):
            buttons.addWidget(b)
        run_buttons = QHBoxLayout()
        for b in (self.evaluate_button, self.continue_button, self.export_button,
                  self.delete_button, self.refresh_button):
            run_buttons.addWidget(b)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.addWidget(self.arch_label)
        lv.addWidget(self.form)
        lv.addLayout(buttons)
        lv.addWidget(self.preset_button)
        lv.addWidget(self.progress)
        lv.addWidget(self.progress_label)
        lv.addWidget(self.status_label)
        lv.addWidget(QLabel("<b>Saved runs</b> (tick to overlay)"))
        lv.addWidget(self.runs_list, 1)
        lv.addLayout(run_buttons)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(self.tabs)
        split.setStretchFactor(1, 1)
        split.setSizes([380, 1000])
        layout = QVBoxLayout(self)
        layout.addWidget(split)

    def _connect(self) -> None:
        self.session.architecture_changed.connect(self._on_session_architecture_changed)
        self.session.dataset_changed.connect(self._on_session_dataset_changed)
        self.start_button.clicked.connect(self._on_start_button_clicked)
        self.stop_button.clicked.connect(self._on_stop_button_clicked)
        self.preset_button.clicked.connect(self._on_preset_button_clicked)
        self.runs_list.overlays_changed.connect(self.curves.set_overlays)
        self.evaluate_button.clicked.connect(self._on_evaluate_button_clicked)
        self.continue_button.clicked.connect(self._on_continue_button_clicked)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        self.refresh_button.clicked.connect(lambda: self.runs_list.refresh())
        self.transfer.load_requested.connect(self._on_transfer_load_requested)
        self.transfer.start_requested.connect(self._on_transfer_start_requested)

    # ----- session
    def arch_spec(self):
        from cnnexplorer.core.keras.model_setup import ArchSpec

        choice = self.session.architecture
        return ArchSpec.from_choice(choice) if choice is not None else ArchSpec(DEFAULT_ARCH)

    def _on_session_architecture_changed(self, choice) -> None:
        spec = self.arch_spec()
        opts = ", ".join(f"{k}={v}" for k, v in spec.options.items())
        self.arch_label.setText(f"<b>Architecture</b>: {spec.key}" + (f" ({opts})" if opts
                                                                      else "")
                                + ("" if choice else " (default; choose another in the "
                                                     "Architecture panel)"))

    def _on_session_dataset_changed(self, dataset) -> None:
        self.form.set_session_dataset(dataset)

    def dataset_source(self):
        key = self.form.dataset_key()
        return self.session.dataset if key == DATA_PANEL else key

    # ----- training
    def is_training(self) -> bool:
        return self.worker is not None and self.worker.isRunning()

    def _launch(self, job, what: str) -> None:
        if self.is_training():
            self.status_label.setText("A run is already training: stop it first.")
            return
        self.curves.reset()
        self._progress = None
        self.status_label.setText(f"{what}: preparing (loading TensorFlow and the data)...")
        # events are queued and drained by the 10 Hz label timer (and once more at the end)
        worker = TrainingWorker(job, self, name=what, queue_events=True)
        worker.succeeded.connect(self._on_worker_succeeded)
        worker.failed.connect(self._on_worker_failed)
        worker.finished.connect(self._on_worker_finished)
        self.worker = worker
        self._set_running(True)
        worker.start()

    def _set_running(self, running: bool) -> None:
        for w in (self.start_button, self.preset_button, self.continue_button,
                  self.delete_button, self.transfer.start):
            w.setEnabled(not running)
        if not running and not self.transfer.blocks:
            self.transfer.start.setEnabled(False)
        self.stop_button.setEnabled(running)

    def start_training(self, config=None) -> None:
        """Start training the session's architecture on the chosen dataset (Start button)."""
        try:
            config = config or self.form.config(self.session.augment)
        except Exception as exc:
            present_error(self, "Cannot start training", exc)
            return
        self._launch(jobs.train_job(self.arch_spec(), self.dataset_source(), config),
                     "training")

    def _on_start_button_clicked(self) -> None:
        self.start_training()

    def _on_stop_button_clicked(self) -> None:
        if self.worker is not None:
            self.worker.request_stop()
            self.status_label.setText("Stopping after the current batch...")

    def _on_preset_button_clicked(self) -> None:
        try:
            config = self.form.config(self.session.augment)
            # the depth and width chosen for either network in the Architecture panel apply
            # to both, so the pair always differs by the shortcuts alone
            spec = self.arch_spec()
            options = spec.options if spec.key in ("plain_net", "residual_net") else {}
            job = jobs.plain_vs_residual_job(self.dataset_source(), config, options)
        except Exception as exc:
            present_error(self, "Cannot start the plain vs residual comparison", exc)
            return
        self.runs_list.refresh()
        self._launch(job, "plain vs residual")
        self._overlay_finished = True

    def _on_worker_event(self, e) -> None:
        self.events_seen += 1
        if isinstance(e, BatchEnd):
            self.curves.add_batch(e.epoch, e.batch, e.steps, e.loss, e.accuracy)
            if self._progress is not None:
                done, total, rate, t0, initial = self._progress
                rate = e.images_per_s if rate == 0 else 0.9 * rate + 0.1 * e.images_per_s
                self._progress = (e.global_step - initial + 1, total, rate, t0, initial)
        elif isinstance(e, EpochEnd):
            self.curves.add_epoch(e.epoch, e.metrics)
            self._epoch_text = (f"epoch {e.epoch + 1}/{e.epochs}: loss "
                                f"{e.metrics.get('loss', math.nan):.4f}, accuracy "
                                f"{e.metrics.get('accuracy', math.nan):.3f}"
                                + (f", val {e.metrics['val_accuracy']:.3f}"
                                   if "val_accuracy" in e.metrics else ""))
            if self._cached_mode is not None:
                self.transfer.record_epoch_time(self._cached_mode, e.seconds)
        elif isinstance(e, TrainStarted):
            self.curves.reset()
            self.curves.set_epoch_range(e.initial_epoch, e.epochs)
            total = (e.epochs - e.initial_epoch) * e.steps_per_epoch
            self._progress = (0, total, 0.0, time.monotonic(), e.initial_epoch * e.steps_per_epoch)
            self._epochs = (e.initial_epoch, e.epochs, e.steps_per_epoch)
            self._epoch_text = ""
            notes = "; ".join(e.notes)
            self.status_label.setText(f"Training {e.model_name} ({e.params:,} parameters) on "
                                      f"{e.train_samples} images, {e.device}. {notes}")
        elif isinstance(e, TrainFinished):
            self.status_label.setText(f"{e.status}: {e.message}")
            # a comparison preset ticks its runs so their curves stay overlaid
            self.runs_list.refresh(check=[e.run_dir] if self._overlay_finished else [])
            if e.best_model and e.status in ("finished", "stopped"):
                self.session.announce_model(e.best_model)
            self.session.status_message.emit(f"Training {e.status}: {e.message}")
        self.event_received.emit(e)

    def _drain_events(self) -> None:
        worker = self.worker
        if worker is not None:
            for e in worker.take_events():
                self._on_worker_event(e)

    def _on_label_timer_timeout(self) -> None:
        self._drain_events()
        if self._progress is None:
            return
        done, total, rate, t0, _initial = self._progress
        self.progress.setMaximum(max(1, total))
        self.progress.setValue(min(done, total))
        initial, last, steps = self._epochs
        epoch = min(last, initial + 1 + done // max(1, steps))
        elapsed = time.monotonic() - t0
        left = (total - done) * elapsed / done if done else math.nan
        left_text = "?" if not math.isfinite(left) else time.strftime(
            "%M:%S" if left < 3600 else "%H:%M:%S", time.gmtime(left))
        self.progress.setFormat(f"epoch {epoch}/{last}  %p%")
        self.progress_label.setText(f"{rate:.0f} images/s, time left {left_text}"
                                    + (f"\n{self._epoch_text}" if self._epoch_text else ""))

    def _on_worker_succeeded(self, result) -> None:
        pass  # TrainFinished already reported; jobs return for tests and scripts

    def _on_worker_failed(self, exc) -> None:
        self.status_label.setText(f"failed: {exc}")
        present_error(self, "Training could not run", exc)

    def _on_worker_finished(self) -> None:
        self._drain_events()
        self._on_label_timer_timeout()
        self._set_running(False)
        self._cached_mode = None
        self._overlay_finished = False
        self.runs_list.refresh()
        self.curves.redraw()
        sender = self.worker
        if sender is not None and not sender.isRunning():
            sender.deleteLater()
            self.worker = None

    # ----- saved runs
    def _run_aux(self, job, on_done, what: str) -> None:
        if self.aux_worker is not None and self.aux_worker.isRunning():
            self.status_label.setText("Still busy with the previous request.")
            return
        worker = TrainingWorker(job, self, name=what)
        worker.succeeded.connect(on_done)
        worker.failed.connect(lambda exc: present_error(self, f"Could not {what}", exc))
        worker.finished.connect(worker.deleteLater)
        self.aux_worker = worker
        self.status_label.setText(f"{what}...")
        worker.start()

    def _selected_run_or_say(self):
        run = self.runs_list.selected_run()
        if run is None:
            self.status_label.setText("Select a run in the list first.")
        return run

    def _on_evaluate_button_clicked(self) -> None:
        run = self._selected_run_or_say()
        if run is not None:
            self._run_aux(jobs.evaluate_job(run, self.session.dataset, self.dataset_source()),
                          self._on_evaluation_done, "evaluate the run")

    def _on_evaluation_done(self, out) -> None:
        result, images, title, model_path, model_name = out
        self.evaluation.show_result(result, images, title, model_path, model_name)
        self.tabs.setCurrentWidget(self.evaluation)
        self.status_label.setText(f"Evaluated: accuracy {result.accuracy:.1%}")

    def _on_continue_button_clicked(self) -> None:
        run = self._selected_run_or_say()
        if run is not None:
            self._launch(jobs.continue_job(run, self.session.dataset, self.dataset_source(),
                                           self.form.epochs.value()), "continue")

    def _on_export_button_clicked(self) -> None:
        run = self._selected_run_or_say()
        if run is None:
            return
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export the run's best model", run.name,
            "Keras (*.keras);;Keras HDF5, as the course (*.h5);;TensorFlow Lite (*.tflite);;"
            "SavedModel folder (*)")
        if not path:
            return
        fmt = ("keras" if "*.keras" in chosen else "h5" if "*.h5" in chosen else
               "tflite" if "tflite" in chosen else "savedmodel")
        self._run_aux(lambda on_event, stop: run.export(path, fmt),
                      lambda dest: self.status_label.setText(f"Exported to {dest}"),
                      "export the model")

    def _on_delete_button_clicked(self) -> None:
        run = self._selected_run_or_say()
        if run is None:
            return
        answer = QMessageBox.question(self, "Delete run", f"Delete the run {run.name} and its "
                                      f"models? This cannot be undone.")
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            run.delete()
        except Exception as exc:
            present_error(self, "Could not delete the run", exc)
        self.runs_list.refresh()

    # ----- transfer learning
    def _on_transfer_load_requested(self, source) -> None:
        self._run_aux(jobs.load_transfer_source_job(source), self._on_transfer_source_loaded,
                      "load the source model")

    def _on_transfer_source_loaded(self, out) -> None:
        model, blocks, network, name = out
        self._transfer_source = (model, network, name)
        self.transfer.set_source(name, blocks)
        self.status_label.setText(f"Transfer source: {name}")

    def _on_transfer_start_requested(self, freeze: int, cache: bool) -> None:
        if self._transfer_source is None:
            return
        model, network, name = self._transfer_source
        try:
            config = self.form.config(None)
        except Exception as exc:
            present_error(self, "Cannot start transfer learning", exc)
            return
        self._cached_mode = cache
        self._launch(jobs.transfer_job(model, network, name, self.dataset_source(), freeze,
                                       cache, config), "transfer learning")

    # ----- closing
    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self.label_timer.isActive():  # a cancelled close may have stopped it
            self.label_timer.start()
        window = self.window()
        if window is not self and window is not self._watched_window:
            window.installEventFilter(self)
            self._watched_window = window

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self._watched_window and event.type() == QEvent.Type.Close:
            self.shutdown()
        return super().eventFilter(obj, event)

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self, timeout_ms: int = 120_000) -> bool:
        """Stop a running training after its current batch and wait for it: the run is saved
        as stopped. Called when the window closes; returns True when no thread is left."""
        ok = True
        for worker in (self.worker, self.aux_worker):
            try:
                if worker is not None and worker.isRunning():
                    ok = worker.stop_and_wait(timeout_ms) and ok
            except RuntimeError:  # the C++ object is already gone
                continue
        self.label_timer.stop()
        return ok
