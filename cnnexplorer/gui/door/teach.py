"""The door's "Teach the door" box: capture happy / not happy frames, train on them.

Captures are saved by core.door.captures as an image folder (happy/, not_happy/) under the
user's data directory. "Train the door on my captures" runs core.door.captures.train_door in
a `gui.workers.Worker` (fine-tuning the bundled model or from scratch, with augmentation) and,
when it finishes, switches the door to the new model and shows its validation accuracy.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QTimer, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QGroupBox, QHBoxLayout,
                               QLabel, QProgressBar, QPushButton, QSpinBox, QVBoxLayout,
                               QWidget)

from cnnexplorer.core.door.captures import (TEACH_EPOCHS, capture_counts, captures_dir,
                                            final_val_accuracy, save_capture, train_door)
from cnnexplorer.core.door.inference import DoorModel
from cnnexplorer.core.door.verdict import capture_crop
from cnnexplorer.core.errors import CnnExplorerError
from cnnexplorer.gui.workers import Worker

BURST_FRAMES = 10
BURST_INTERVAL_MS = 150


def face_icon(smile: bool, side: int = 32) -> QIcon:
    """A small painted face, smiling or flat-mouthed: an emoji in the button text shows as a
    missing-glyph box wherever the system font has no colour emoji (most Linux installs)."""
    pix = QPixmap(side, side)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(QPen(QColor(120, 90, 20), side / 16))
    p.setBrush(QColor(255, 205, 60) if smile else QColor(200, 200, 200))
    p.drawEllipse(QRectF(1, 1, side - 2, side - 2))
    p.setBrush(QColor(60, 40, 20))
    for x in (0.35, 0.65):
        p.drawEllipse(QPointF(side * x, side * 0.4), side / 16, side / 16)
    mouth = QPainterPath()
    mouth.moveTo(side * 0.3, side * 0.62)
    if smile:
        mouth.quadTo(side * 0.5, side * 0.85, side * 0.7, side * 0.62)
    else:
        mouth.lineTo(side * 0.7, side * 0.66)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawPath(mouth)
    p.end()
    return QIcon(pix)


class TeachBox(QWidget):
    """Capture buttons (with burst), counts, and the train-on-my-captures job."""

    trained = Signal(object)  # (DoorModel, validation accuracy or None, run folder)

    def __init__(self, session, panel, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.panel = panel  # gives current_frame(), is_streaming(), show_message(), models
        self.worker = None
        self._burst_left = 0
        self._burst_label = ""
        self._burst_timer = QTimer(self)
        self._burst_timer.setInterval(BURST_INTERVAL_MS)
        self._burst_timer.timeout.connect(self._on_burst_timer_timeout)

        self.happy_btn = QPushButton(face_icon(True), "Capture happy")
        self.sad_btn = QPushButton(face_icon(False), "Capture not happy")
        self.burst = QCheckBox(f"Burst ({BURST_FRAMES} frames)")
        self.burst.setToolTip("While the camera or a video runs, capture several frames in a "
                              "row: vary your pose a little")
        self.counts = QLabel()
        self.folder = QLabel()
        self.folder.setWordWrap(True)
        cap = QGroupBox("1. Capture examples")
        cv = QVBoxLayout(cap)
        row = QHBoxLayout()
        row.addWidget(self.happy_btn)
        row.addWidget(self.sad_btn)
        cv.addLayout(row)
        cv.addWidget(self.burst)
        cv.addWidget(self.counts)
        cv.addWidget(self.folder)

        self.start_from = QComboBox()
        self.start_from.addItem("the bundled door model (fine-tune)", "bundled")
        self.start_from.addItem("scratch (a new DoorNet)", "scratch")
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 200)
        self.epochs.setValue(TEACH_EPOCHS)
        self.augment = QCheckBox("Augment (mirror, crop, rotate, shear, colour)")
        self.augment.setChecked(True)
        self.train_btn = QPushButton("Train the door on my captures")
        self.stop_btn = QPushButton("Stop")
        self.stop_btn.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setFormat("%p%")
        self.result = QLabel("")
        self.result.setWordWrap(True)
        tr = QGroupBox("2. Train")
        form = QFormLayout(tr)
        form.addRow("Start from", self.start_from)
        form.addRow("Epochs", self.epochs)
        form.addRow(self.augment)
        brow = QHBoxLayout()
        brow.addWidget(self.train_btn, 1)
        brow.addWidget(self.stop_btn)
        form.addRow(brow)
        form.addRow(self.progress)
        form.addRow(self.result)

        layout = QVBoxLayout(self)
        layout.addWidget(cap)
        layout.addWidget(tr)
        layout.addStretch(1)
        self.happy_btn.clicked.connect(self._on_happy_clicked)
        self.sad_btn.clicked.connect(self._on_sad_clicked)
        self.train_btn.clicked.connect(self.start_training)
        self.stop_btn.clicked.connect(self._on_stop_clicked)
        self.refresh_counts()

    # -- capture ---------------------------------------------------------------------------
    def refresh_counts(self) -> dict:
        counts = capture_counts()
        self.counts.setText(f"{counts['happy']} happy · {counts['not_happy']} not happy "
                            f"(at least 3 of each to train)")
        self.folder.setText(f"<small>Saved in {captures_dir()}</small>")
        return counts

    def capture(self, label: str) -> bool:
        """Save the current frame's most prominent face (cropped as the door crops it) under
        `label` ("happy"/"not_happy"); False if there is no frame or no face."""
        frame = self.panel.current_frame()
        if frame is None:
            self.panel.show_message("Nothing to capture yet: start the camera, play a video, "
                                    "or open a photo first.", error=True)
            return False
        # Saved as the door sees it: the most prominent face, cropped brow to chin.
        crop = capture_crop(frame)
        if crop is None:
            self.panel.show_message("No face found in the frame: nothing captured.",
                                    error=True)
            return False
        try:
            save_capture(crop, label)
        except (CnnExplorerError, OSError) as exc:
            self.panel.show_message(f"Could not save the capture: {exc}", error=True)
            return False
        self.refresh_counts()
        return True

    def _start(self, label: str) -> None:
        if self.burst.isChecked() and self.panel.is_streaming():
            self._burst_label, self._burst_left = label, BURST_FRAMES
            self._on_burst_timer_timeout()
            self._burst_timer.start()
        else:
            self.capture(label)

    def _on_happy_clicked(self) -> None:
        self._start("happy")

    def _on_sad_clicked(self) -> None:
        self._start("not_happy")

    def _on_burst_timer_timeout(self) -> None:
        if self._burst_left <= 0 or not self.capture(self._burst_label):
            self._burst_timer.stop()
            self._burst_left = 0
            return
        self._burst_left -= 1
        if self._burst_left == 0:
            self._burst_timer.stop()

    # -- training --------------------------------------------------------------------------
    def start_training(self) -> bool:
        if self.worker is not None:
            return False
        start_from = self.start_from.currentData()
        epochs, augment = self.epochs.value(), self.augment.isChecked()

        def job(on_event, stop):
            result = train_door(start_from, epochs, on_event=on_event, stop=stop,
                                augment=augment)
            if result.status == "failed":
                raise CnnExplorerError(result.message)
            path = result.run.model_path("best")
            door = DoorModel.load(path, name=f"my captures ({result.run.name})")
            door.warm_up()
            return door, final_val_accuracy(result), str(result.run.path), result.message

        self.worker = Worker(job, "teach the door", on_error=self._on_worker_failed)
        self.worker.reported.connect(self._on_worker_event)
        self.worker.returned.connect(self._on_worker_succeeded)
        self.worker.finished.connect(self._on_worker_finished)
        self.train_btn.setEnabled(False)
        self.stop_btn.setEnabled(True)
        self.progress.setValue(0)
        self.result.setText("Training…")
        self.worker.start()
        return True

    def _on_stop_clicked(self) -> None:
        if self.worker is not None:
            self.worker.request_stop()

    def _on_worker_event(self, event) -> None:
        kind = type(event).__name__
        if kind == "TrainStarted":
            self.progress.setRange(0, max(1, event.epochs - event.initial_epoch))
            self.result.setText(f"Training on {event.train_samples} captures, validating on "
                                f"{event.val_samples}…")
        elif kind == "EpochEnd":
            self.progress.setValue(event.epoch + 1)
            va = event.metrics.get("val_accuracy")
            if va is not None:
                self.result.setText(f"Epoch {event.epoch + 1}/{event.epochs}: validation "
                                    f"accuracy {va:.0%}")

    def _on_worker_succeeded(self, value) -> None:
        door, val_acc, run_dir, message = value
        acc = "n/a" if val_acc is None else f"{val_acc:.0%}"
        # the best epoch's model is the one loaded, and the model menu quotes the same figure
        self.result.setText(f"<b>Done.</b> The door now uses your model, its best epoch: "
                            f"validation accuracy <b>{acc}</b> ({message})."
                            f"<br><small>{run_dir}</small>")
        self.panel.models.use_door(door, door.name)
        self.session.announce_model(door.source)
        self.trained.emit((door, val_acc, run_dir))

    def _on_worker_failed(self, exc) -> None:
        text = str(exc) if isinstance(exc, CnnExplorerError) else \
            f"training failed: {type(exc).__name__}: {exc}"
        self.result.setText(f"<span style='color:#b42318'>{text}</span>")
        self.panel.show_message(text, error=True)

    def _on_worker_finished(self) -> None:
        self.worker = None
        self.train_btn.setEnabled(True)
        self.stop_btn.setEnabled(False)

    def shutdown(self) -> None:
        """Stop capturing and ask a training to stop (the window's one wait waits for it)."""
        self._burst_timer.stop()
        if self.worker is not None:
            self.worker.request_stop()
