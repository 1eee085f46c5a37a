"""The Training panel: pick what trains (its own architecture choice, the Architecture
panel's by default) and on which data, watch live curves, compare saved runs, evaluate, and
do transfer learning.

Every slow step (loading a built-in set, building and training the model, evaluating,
exporting, loading a model for transfer) runs in a `gui.workers.Worker`; the GUI thread
only appends events to buffers and redraws on timers. Closing the window during training
asks the run to stop after the current batch (`shutdown()`); the window's one wait
(`workers.stop_and_wait`) lets it save itself as stopped.
"""

from __future__ import annotations

import logging
import math

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea,
                               QSizePolicy, QSplitter, QTabWidget, QVBoxLayout, QWidget)

from cnnexplorer.core.train.events import BatchEnd, EpochEnd, TrainFinished, TrainStarted
from cnnexplorer.gui.errors import present_error
from cnnexplorer.core.door.face_data import faces_for_model
from cnnexplorer.core.train import jobs
from cnnexplorer.gui.training.evaluation_view import EvaluationView
from cnnexplorer.gui.training.form import DATA_PANEL, TrainingForm
from cnnexplorer.gui.training.live_curves import LiveCurves
from cnnexplorer.gui.training.progress_view import ProgressView
from cnnexplorer.gui.training.run_actions import RunActions
from cnnexplorer.gui.training.runs_list import RunsList
from cnnexplorer.gui.training.transfer_view import TransferView
from cnnexplorer.gui.workers import Worker
from cnnexplorer.core.keras.model_setup import ArchSpec
from cnnexplorer.core.train import recommended

log = logging.getLogger(__name__)

DEFAULT_ARCH = "happymodel"
PRESET_KEYS = ("plain_net", "residual_net")


def _preset_tooltip() -> str:
    preset = recommended.PLAIN_VS_RESIDUAL
    return ("Train plain_net and residual_net of the same depth one after the other, with "
            f"the preset's settings (filled in: {preset.dataset}, {preset.epochs} epochs), "
            f"and overlay their curves. Expect {preset.expect} ({preset.time_text()} on a "
            "2-core CPU). The Architecture panel's depth and width apply when it shows either "
            "network.")


class _FittingScrollArea(QScrollArea):
    """Asks for the height of its contents (no more): the settings take what they need and
    the saved runs below take the rest; on a short screen the settings scroll instead."""

    def __init__(self):
        super().__init__()
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    def setWidget(self, widget: QWidget) -> None:  # noqa: N802 (Qt override)
        super().setWidget(widget)
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt override)
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()  # the settings grew or shrank (a note shown, hidden)
        return super().eventFilter(watched, event)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        inner = self.widget()
        hint = inner.sizeHint() if inner is not None else QSize(0, 0)
        frame = 2 * self.frameWidth()
        return QSize(hint.width() + frame, hint.height() + frame)


class TrainingPanel(RunActions, QWidget):
    event_received = Signal(object)  # each engine event, after the panel handled it

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.worker: Worker | None = None  # training (one at a time)
        self.aux_worker: Worker | None = None  # evaluate / export / load model
        self.events_seen = 0
        self._transfer_source = None  # (keras model, blocks, name)
        self._watched_window = None
        self._cached_mode = None
        self._overlay_finished = False
        self._preset_runs = None  # [runs started, options] while the preset trains
        self._running_header = False  # the header names the network training now

        self.arch_label = QLabel()
        self.arch_label.setWordWrap(True)
        self.form = TrainingForm()
        self.start_button = QPushButton("Start")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setEnabled(False)
        self.preset_button = QPushButton("Preset: plain vs residual")
        self.preset_button.setToolTip(_preset_tooltip())
        self.progress = ProgressView()
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
        self.form.show_augment(session.augment)
        self.form.set_session_dataset(session.dataset)
        self._on_session_architecture_changed(session.architecture)
        self.label_timer = QTimer(self)
        self.label_timer.setInterval(100)  # 10 Hz: drains the worker's events, updates text
        self.label_timer.timeout.connect(self._on_label_timer_timeout)
        self.label_timer.start()
        self.runs_list.refresh()
        # which devices a run will use: looked up (importing TensorFlow, seconds of CPU) in
        # a worker thread when the panel is first shown, not while the window opens
        self.devices_worker = Worker(jobs.devices_job(), "look up the training devices")
        self.devices_worker.returned.connect(self.form.set_gpus)
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
        # The settings scroll on their own: at 1024x700 the form alone is taller than the
        # window, and the saved runs with Evaluate below it fell off the screen (issue 17).
        settings_page = QWidget()
        sv = QVBoxLayout(settings_page)
        sv.setContentsMargins(0, 0, 0, 0)
        sv.addWidget(self.arch_label)
        sv.addWidget(self.form)
        sv.addStretch(1)
        self.settings_scroll = _FittingScrollArea()
        self.settings_scroll.setObjectName("training_settings")
        self.settings_scroll.setWidgetResizable(True)
        self.settings_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.settings_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.settings_scroll.setWidget(settings_page)
        self.settings_scroll.setMinimumHeight(120)
        self.runs_list.setMinimumHeight(4 * self.runs_list.fontMetrics().height() + 12)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.addWidget(self.settings_scroll)
        lv.addLayout(buttons)
        lv.addWidget(self.preset_button)
        lv.addWidget(self.progress)
        lv.addWidget(self.status_label)
        lv.addWidget(QLabel("<b>Saved runs</b> (tick to overlay)"))
        lv.addWidget(self.runs_list, 1)
        lv.addLayout(run_buttons)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        split.setSizes([450, 1000])
        layout = QVBoxLayout(self)
        layout.addWidget(split)

    def _connect(self) -> None:
        self.session.architecture_changed.connect(self._on_session_architecture_changed)
        self.session.dataset_changed.connect(self._on_session_dataset_changed)
        self.session.augment_changed.connect(self.form.show_augment)
        self.form.augment_requested.connect(self.session.set_augment)
        self.form.choice_changed.connect(self._show_choice)
        self.start_button.clicked.connect(self._on_start_button_clicked)
        self.stop_button.clicked.connect(self._on_stop_button_clicked)
        self.preset_button.clicked.connect(self._on_preset_button_clicked)
        self.runs_list.overlays_changed.connect(self.curves.set_overlays)
        self.evaluate_button.clicked.connect(self._on_evaluate_button_clicked)
        self.evaluation.tricks.compare_requested.connect(self._on_evaluation_compare_requested)
        self.continue_button.clicked.connect(self._on_continue_button_clicked)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        self.refresh_button.clicked.connect(lambda: self.runs_list.refresh())
        self.transfer.load_requested.connect(self._on_transfer_load_requested)
        self.transfer.start_requested.connect(self._on_transfer_start_requested)

    # ----- what trains
    def arch_spec(self):
        """The picked network, with the Architecture panel's options and input size when it
        shows the same network (else the zoo's defaults)."""
        key = self.form.architecture_key() or DEFAULT_ARCH
        choice = self.session.architecture
        if choice is not None and choice.key == key:
            return ArchSpec.from_choice(choice)
        return ArchSpec(key)

    def _on_session_architecture_changed(self, choice) -> None:
        # the picker follows the Architecture panel; a pick here overrides it until then
        self.form.set_architecture(choice.key if choice is not None else DEFAULT_ARCH)
        self._show_choice()

    def _show_choice(self) -> None:
        if self._running_header:
            return  # the header names what is training until the run ends
        spec = self.arch_spec()
        opts = ", ".join(f"{k}={v}" for k, v in spec.options.items())
        where = ("options from the Architecture panel" if spec.options else "zoo defaults")
        self.arch_label.setText(f"<b>Will train</b>: {spec.key}" + (f" ({opts})" if opts else
                                                                      "") + f"; {where}")

    def _on_session_dataset_changed(self, dataset) -> None:
        self.form.set_session_dataset(dataset)

    def dataset_source(self):
        key = self.form.dataset_key()
        return self.session.dataset if key == DATA_PANEL else key

    # ----- training
    def is_training(self) -> bool:
        return self.worker is not None and self.worker.is_running()

    def _launch(self, job, what: str) -> None:
        if self.is_training():
            self.status_label.setText("A run is already training: stop it first.")
            return
        self.curves.reset()
        self.progress.reset()
        self.status_label.setText(f"{what}: preparing (loading TensorFlow and the data)...")
        # events are queued and drained by the 10 Hz label timer (and once more at the end)
        worker = Worker(job, what, on_error=self._on_worker_failed, queue_events=True)
        worker.finished.connect(self._on_worker_finished)
        self.worker = worker
        self._set_running(True)
        worker.start()

    def _set_running(self, running: bool) -> None:
        for w in (self.start_button, self.preset_button, self.continue_button,
                  self.delete_button, self.transfer.start, self.form.arch_combo,
                  self.form.dataset_combo):
            w.setEnabled(not running)
        if not running and not self.transfer.blocks:
            self.transfer.start.setEnabled(False)
        self.stop_button.setEnabled(running)

    def start_training(self, config=None) -> None:
        """Start training the picked architecture on the chosen dataset (Start button)."""
        try:
            config = config or self.form.config()
        except Exception as exc:  # noqa: BLE001 - a bad setting or a bug: shown, app goes on
            present_error(self, "Cannot start training", exc)
            return
        start = self.form.start_from_key()
        source = None
        if start == "door":
            source = "door"
        elif start == "run":
            run = self._selected_run_or_say()
            if run is None:
                return
            source = str(run.path)
        self._launch(jobs.train_job(self.arch_spec(), self.dataset_source(), config,
                                    start_from=source, freeze=self.form.freeze.value(),
                                    faces_for_model=faces_for_model),
                     "training" if source is None else "fine-tuning")

    def _on_start_button_clicked(self) -> None:
        self.start_training()

    def _on_stop_button_clicked(self) -> None:
        if self.worker is not None:
            self.worker.request_stop()
            self.progress.stopping()
            self.status_label.setText("Stopping after the current batch...")

    def _on_preset_button_clicked(self) -> None:
        """Train plain_net then residual_net with the preset's measured settings (filled in
        the form, so they show), at the Architecture panel's depth and width when it shows
        either network, else the preset's."""
        preset = recommended.PLAIN_VS_RESIDUAL
        choice = self.session.architecture
        options = (dict(choice.options) if choice is not None and choice.key in PRESET_KEYS
                   else dict(preset.options))
        self.form.show_preset(preset, options)
        try:
            config = self.form.config()
            job = jobs.plain_vs_residual_job(self.dataset_source(), config, options)
        except Exception as exc:  # noqa: BLE001 - a bad setting or a bug: shown, app goes on
            present_error(self, "Cannot start the plain vs residual comparison", exc)
            return
        self.runs_list.refresh()
        self._launch(job, "plain vs residual")
        self._overlay_finished = True
        self._preset_runs = [0, options]

    def _on_worker_event(self, e) -> None:
        self.events_seen += 1
        if isinstance(e, BatchEnd):
            self.curves.add_batch(e.epoch, e.batch, e.steps, e.loss, e.accuracy)
            self.progress.batch(e)
        elif isinstance(e, EpochEnd):
            self.curves.add_epoch(e.epoch, e.metrics)
            self.progress.epoch_text = (
                f"epoch {e.epoch + 1}/{e.epochs}: loss {e.metrics.get('loss', math.nan):.4f}, "
                f"accuracy {e.metrics.get('accuracy', math.nan):.3f}"
                + (f", val {e.metrics['val_accuracy']:.3f}" if "val_accuracy" in e.metrics
                   else ""))
            if self._cached_mode is not None:
                self.transfer.record_epoch_time(self._cached_mode, e.seconds)
        elif isinstance(e, TrainStarted):
            self.curves.reset()
            self.curves.set_epoch_range(e.initial_epoch, e.epochs)
            self.progress.started(e)
            self._show_training_header(e)
            notes = "; ".join(e.notes)
            self.status_label.setText(f"Training {e.model_name} ({e.params:,} parameters) on "
                                      f"{e.train_samples} images, {e.device}. {notes}")
        elif isinstance(e, TrainFinished):
            self.progress.finished(e.status)
            self.status_label.setText(f"{e.status}: {e.message}")
            # a comparison preset ticks its runs so their curves stay overlaid
            self.runs_list.refresh(check=[e.run_dir] if self._overlay_finished else [])
            if e.best_model and e.status in ("finished", "stopped"):
                self.session.announce_model(e.best_model)
            self.session.status_message.emit(f"Training {e.status}: {e.message}")
        self.event_received.emit(e)

    def _show_training_header(self, e) -> None:
        """Name what is training now (the preset trains two networks in turn)."""
        text = f"<b>Training now</b>: {e.model_name}"
        if self._preset_runs is not None:
            self._preset_runs[0] += 1
            opts = ", ".join(f"{k}={v}" for k, v in self._preset_runs[1].items())
            text += (f" ({opts}), run {self._preset_runs[0]} of 2 of the plain vs residual "
                     f"preset")
        self.arch_label.setText(text)
        self._running_header = True

    def _drain_events(self) -> None:
        worker = self.worker
        if worker is not None:
            for e in worker.take_events():
                self._on_worker_event(e)

    def _on_label_timer_timeout(self) -> None:
        self._drain_events()
        self.progress.tick()

    def _on_worker_failed(self, exc) -> None:
        self.progress.finished("failed")
        self.status_label.setText(f"failed: {exc}")
        present_error(self, "Training could not run", exc)

    def _on_worker_finished(self) -> None:
        self._drain_events()
        self.progress.finished_if_counting()
        self._set_running(False)
        self._cached_mode = None
        self._overlay_finished = False
        self._preset_runs = None
        self._running_header = False
        self.runs_list.refresh()
        self.curves.redraw()
        if self.worker is not None and self.worker.is_finished():
            self.worker = None  # freed here, on the GUI thread (gui/workers.py)
        self._show_choice()

    # ----- closing
    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.devices_worker.start()  # once: later calls do nothing
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

    def shutdown(self) -> None:
        """Ask a running training (and any other job of the panel) to stop after its current
        batch; the run then saves itself as stopped. Returns at once: the window's one wait
        (`workers.stop_and_wait`) waits for it."""
        for worker in (self.worker, self.aux_worker, self.devices_worker):
            if worker is not None:
                worker.request_stop()
        self.label_timer.stop()
