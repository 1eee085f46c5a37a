"""The Happy door panel: the course's Happy House, on photos, a webcam, and your own face.

Sources (files, a dropped folder, the clipboard, a webcam, a video file or image sequence)
feed one InferenceWorker that judges the newest frame off the GUI thread. The door, the
probability, the threshold and the strip of recent decisions show its verdicts; the "Look
inside" tab shows Grad-CAM and feature maps; the "Teach the door" tab captures frames and
trains a door model on them. Problems (bad files, no camera, a model that does not fit) are
shown in the panel's message line, never as a crash.
"""

from __future__ import annotations

import time
from collections import deque
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QApplication, QComboBox, QFileDialog, QHBoxLayout, QLabel,
                               QProgressBar, QPushButton, QSizePolicy, QSlider, QSplitter,
                               QTabWidget, QVBoxLayout, QWidget)

from cnnexplorer.core.data.images import is_image_name
from cnnexplorer.core.door.inference import DEFAULT_THRESHOLD
from cnnexplorer.gui.door.door_view import DecisionStrip, DoorView
from cnnexplorer.gui.door.frame_view import FrameView
from cnnexplorer.gui.door.camera_source import (
    CameraSource,
    ImageSequenceSource,
    VideoFileSource,
    list_cameras,
    qimage_to_rgb,
)
from cnnexplorer.gui.door.inference_worker import InferenceWorker
from cnnexplorer.gui.door.inside import LookInside
from cnnexplorer.gui.door.models import ModelPicker
from cnnexplorer.gui.door.teach import TeachBox

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp);;All files (*)"
VIDEO_FILTER = "Videos and animations (*.mp4 *.webm *.mkv *.avi *.mov *.gif);;All files (*)"
#: a streaming source adds to the strip when the decision flips, or at most this often
STRIP_EVERY_S = 1.5


def expand_paths(paths) -> tuple[list[Path], list[str]]:
    """Files as given and the image files inside given folders (sorted); plus problems."""
    files: list[Path] = []
    problems: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and is_image_name(p))
            if not found:
                problems.append(f"{path}: the folder holds no images (jpg, png, bmp, gif, webp)")
            files.extend(found)
        else:
            files.append(path)  # read_image says what is wrong with a non-image
    return files, problems


class DoorPanel(QWidget):
    """The Happy door. `DoorPanel(session)`; the main window adds it as a tab."""

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.setAcceptDrops(True)
        self.worker = InferenceWorker(self)
        self.source = None
        self.messages: deque[str] = deque(maxlen=50)
        self.last_result = None
        self._files: deque[Path] = deque()
        self._file_in_flight: int | None = None
        self._still_frame: np.ndarray | None = None
        self._live_frame: np.ndarray | None = None
        self._last_strip = (0.0, None)
        self._reruns: set[int] = set()  # still images judged again (new model or layer)
        self._still_tag = "image"
        self._still_judged = False  # False while the still image waits for its first verdict
        self._fps_times: deque[float] = deque(maxlen=30)
        self._build()
        self._connect()
        app = QApplication.instance()
        if app is not None:  # a tab is not closed with the window: stop threads on quit
            app.aboutToQuit.connect(self.shutdown)
        # The bundled model (and with it TensorFlow) loads when the door is first shown or
        # first given an image, not while the window starts.

    # -- layout ----------------------------------------------------------------------------
    def _build(self) -> None:
        self.open_files_btn = QPushButton("Open images…")
        self.open_folder_btn = QPushButton("Open folder…")
        self.paste_btn = QPushButton("Paste")
        self.paste_btn.setToolTip("Judge the image on the clipboard (Ctrl+V)")
        self.camera_combo = QComboBox()
        self.camera_btn = QPushButton("Start camera")
        self.camera_btn.setCheckable(True)
        self.video_btn = QPushButton("Play video…")
        self.video_btn.setToolTip("A video file or animated GIF through the same pipeline as "
                                  "the camera")
        self.models = ModelPicker(self.session, self.worker, self)
        self.camera_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.camera_combo.setMinimumContentsLength(14)
        bar = QHBoxLayout()
        for w in (self.open_files_btn, self.open_folder_btn, self.paste_btn):
            bar.addWidget(w)
        bar.addSpacing(12)
        bar.addWidget(QLabel("Camera"))
        bar.addWidget(self.camera_combo, 1)
        bar.addWidget(self.camera_btn)
        bar.addWidget(self.video_btn)
        bar.addSpacing(12)
        bar.addWidget(self.models, 2)

        self.frame_view = FrameView()
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.stats = QLabel("")
        # Labels whose text changes with every frame must not change their size hint: a
        # relayout would repaint every sibling (the pyqtgraph view costs ~30 ms a paint).
        for label in (self.message, self.stats):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.message.setFixedHeight(self.fontMetrics().height() * 2 + 4)
        self.stats.setFixedHeight(self.fontMetrics().height() + 4)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(self.frame_view, 1)
        lv.addWidget(self.stats)
        lv.addWidget(self.message)

        self.door = DoorView()
        self.prob_bar = QProgressBar()
        self.prob_bar.setRange(0, 1000)
        self.prob_bar.setFormat("happy: —")
        self.threshold = QSlider(Qt.Orientation.Horizontal)
        self.threshold.setRange(1, 99)
        self.threshold.setValue(int(round(DEFAULT_THRESHOLD * 100)))
        self.threshold_label = QLabel()
        self.threshold_label.setFixedWidth(self.fontMetrics().horizontalAdvance("0.000"))
        self.decision_label = QLabel("")
        self.decision_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.decision_label.setFixedHeight(self.fontMetrics().height() * 2 + 8)
        self.decision_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        mid = QWidget()
        mv = QVBoxLayout(mid)
        mv.setContentsMargins(0, 0, 0, 0)
        mv.addWidget(self.door, 1)
        mv.addWidget(self.decision_label)
        mv.addWidget(self.prob_bar)
        trow = QHBoxLayout()
        trow.addWidget(QLabel("Threshold"))
        trow.addWidget(self.threshold, 1)
        trow.addWidget(self.threshold_label)
        mv.addLayout(trow)

        self.inside = LookInside()
        self.teach = TeachBox(self.session, self, self)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.inside, "Look inside")
        self.tabs.addTab(self.teach, "Teach the door")

        split = QSplitter(Qt.Orientation.Horizontal)
        for w in (left, mid, self.tabs):
            split.addWidget(w)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setStretchFactor(2, 3)
        self.strip = DecisionStrip(12)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        layout.addWidget(self.strip)
        self._refresh_cameras()
        self._on_threshold_changed(self.threshold.value())

    def _connect(self) -> None:
        self.open_files_btn.clicked.connect(self._on_open_files_clicked)
        self.open_folder_btn.clicked.connect(self._on_open_folder_clicked)
        self.paste_btn.clicked.connect(self.paste)
        QShortcut(QKeySequence.StandardKey.Paste, self, activated=self.paste)
        self.camera_btn.toggled.connect(self._on_camera_toggled)
        self.video_btn.clicked.connect(self._on_video_clicked)
        self.threshold.valueChanged.connect(self._on_threshold_changed)
        self.worker.result.connect(self._on_worker_result)
        self.worker.errored.connect(self._on_worker_errored)
        self.worker.model_loaded.connect(self._on_worker_model_loaded)
        self.worker.model_failed.connect(self._on_worker_model_failed)
        self.inside.settings_changed.connect(self._on_inside_settings_changed)
        self.session.open_in_door.connect(self._on_session_open_in_door)

    # -- messages --------------------------------------------------------------------------
    def show_message(self, text: str, error: bool = False) -> None:
        self.messages.append(text)
        colour = "#b42318" if error else "#344054"
        self.message.setText(f"<span style='color:{colour}'>{text}</span>")
        self.message.setToolTip("\n".join(self.messages))

    # -- sources ---------------------------------------------------------------------------
    def open_paths(self, paths) -> int:
        """Judge image files and the images inside folders, one after another."""
        self.stop_source()
        files, problems = expand_paths(paths)
        for problem in problems:
            self.show_message(problem, error=True)
        self._files.extend(files)
        self._pump_files()
        return len(files)

    def _pump_files(self) -> None:
        if self._file_in_flight is None and self._files:
            path = self._files.popleft()
            self.models.load_initial()
            self._file_in_flight = self.worker.submit(str(path), tag=str(path))

    def judge_image(self, image: np.ndarray, tag: str = "image") -> None:
        """Judge one still image (pasted, captured, sent by another panel)."""
        self.stop_source()
        self._still_frame, self._still_tag = image, tag
        self._still_judged = False
        self.frame_view.set_frame(image, tag)
        self.models.load_initial()
        self.worker.submit(image, tag=tag)

    def paste(self) -> None:
        data = QApplication.clipboard().mimeData()
        if data is not None and data.hasUrls() and any(u.isLocalFile() for u in data.urls()):
            self.open_paths([u.toLocalFile() for u in data.urls() if u.isLocalFile()])
            return
        image = QApplication.clipboard().image()
        if image.isNull():
            self.show_message("The clipboard holds no image: copy a picture or an image file "
                              "first.", error=True)
            return
        self.judge_image(qimage_to_rgb(image), "pasted image")

    def start_source(self, source) -> None:
        """Stream frames from a FrameSource (camera, video file, image sequence)."""
        self.stop_source()
        self._files.clear()
        self.source = source
        source.setParent(self)
        source.frame_ready.connect(self._on_source_frame)
        source.errored.connect(self._on_source_errored)
        source.stopped.connect(self._on_source_stopped)
        self.show_message(f"Streaming from {source.description()}…")
        source.start()

    def stop_source(self) -> None:
        if self.source is not None:
            src, self.source = self.source, None
            src.frame_ready.disconnect(self._on_source_frame)
            src.stop()
            src.deleteLater()
        self.camera_btn.blockSignals(True)
        self.camera_btn.setChecked(False)
        self.camera_btn.setText("Start camera")
        self.camera_btn.blockSignals(False)

    def play_sequence(self, frames, fps: float = 30.0, loop: bool = False) -> None:
        self.start_source(ImageSequenceSource(frames, fps, loop))

    def play_video(self, path, loop: bool = False) -> None:
        self.start_source(VideoFileSource(path, loop))

    def current_frame(self) -> np.ndarray | None:
        """What "capture" saves: the live frame when streaming, else the still image."""
        if self.source is not None and self._live_frame is not None:
            return self._live_frame
        return self._still_frame

    def is_streaming(self) -> bool:
        return self.source is not None

    def _refresh_cameras(self) -> None:
        self.camera_combo.clear()
        cams = list_cameras()
        for name, dev in cams:
            self.camera_combo.addItem(name, dev)
        if not cams:
            self.camera_combo.addItem("no camera found", None)

    # -- slots: buttons and sources ---------------------------------------------------------
    def _on_open_files_clicked(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Open images", "", IMAGE_FILTER)
        if files:
            self.open_paths(files)

    def _on_open_folder_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open a folder of images")
        if folder:
            self.open_paths([folder])

    def _on_camera_toggled(self, on: bool) -> None:
        if not on:
            self.stop_source()
            return
        self._refresh_cameras()
        self.start_source(CameraSource(self.camera_combo.currentData()))
        if self.source is not None:
            self.camera_btn.setText("Stop camera")

    def _on_video_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Play a video", "", VIDEO_FILTER)
        if path:
            self.play_video(path, loop=True)

    def _on_source_frame(self, frame: np.ndarray) -> None:
        self._live_frame = frame
        if not (self.inside.show_cam.isChecked() and self.last_result is not None
                and self.last_result.overlay is not None):
            self.frame_view.set_frame(frame, self.source.description() if self.source else "")
        self.models.load_initial()
        self.worker.submit(frame, tag="live")

    def _on_source_errored(self, text: str) -> None:
        self.show_message(text, error=True)
        self.stop_source()

    def _on_source_stopped(self) -> None:
        if self.source is self.sender():
            self.show_message(f"{self.source.description()} ended.")
            self.stop_source()

    def _on_session_open_in_door(self, item) -> None:
        if isinstance(item, np.ndarray):
            self.judge_image(item, "from another panel")
        else:
            self.open_paths([item])

    # -- drag and drop ---------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        data = event.mimeData()
        if data.hasUrls() or data.hasImage():
            event.acceptProposedAction()
            self.frame_view.set_drag_hover(True)

    def dragLeaveEvent(self, event) -> None:
        self.frame_view.set_drag_hover(False)

    def dropEvent(self, event) -> None:
        self.frame_view.set_drag_hover(False)
        data = event.mimeData()
        paths = [u.toLocalFile() for u in data.urls() if u.isLocalFile()] if data.hasUrls() \
            else []
        if paths:
            self.open_paths(paths)
        elif data.hasImage():
            self.judge_image(qimage_to_rgb(data.imageData()), "dropped image")
        else:
            self.show_message("Only local files, folders and images can be dropped here.",
                              error=True)
            return
        event.acceptProposedAction()

    # -- results ---------------------------------------------------------------------------
    def _on_worker_result(self, res) -> None:
        self.last_result = res
        live = res.tag == "live"
        rerun = res.seq in self._reruns
        self._reruns.discard(res.seq)
        if not live:
            self._still_frame, self._still_tag = res.frame, str(res.tag)
            self._still_judged = True
        if live and self.source is None:
            return  # a frame judged after its stream was stopped
        with_heat = self.inside.show_cam.isChecked() and res.overlay is not None
        caption = "" if live else Path(str(res.tag)).name
        if with_heat or not live:  # a live frame without heat was shown when it arrived
            self.frame_view.set_frame(res.overlay if with_heat else res.frame, caption)
        self._show_verdict(res.probability)
        self.inside.show_result(res)
        now = time.perf_counter()
        self._fps_times.append(now)
        is_open = res.probability >= self.threshold_value()
        last_t, last_open = self._last_strip
        if (not live and not rerun) or (live and (is_open != last_open or
                                                  now - last_t > STRIP_EVERY_S)):
            self.strip.add(res.frame, res.probability, is_open, caption)
            self._last_strip = (now, is_open)
        self._update_stats(res)
        if res.seq == self._file_in_flight:
            self._file_in_flight = None
            self._pump_files()

    def _on_worker_errored(self, text: str, tag) -> None:
        self.show_message(text, error=True)
        self.session.status_message.emit(text)
        if self._file_in_flight is not None and tag is not None and tag != "live":
            self._file_in_flight = None
            self._pump_files()

    def _on_worker_model_loaded(self, door) -> None:
        from cnnexplorer.core.door.gradcam import spatial_layers

        self.models.on_loaded(door)
        self.inside.set_layers(spatial_layers(door.model))
        self.show_message(f"Door model: {door.name} (input {door.input_shape[0]}x"
                          f"{door.input_shape[1]}x{door.input_shape[2]}, {door.output_kind})")
        self._resubmit_still()

    def _on_worker_model_failed(self, text: str) -> None:
        self.models.on_failed(text)
        self.show_message(text, error=True)

    def _on_inside_settings_changed(self) -> None:
        self.worker.explain = self.inside.explain_wanted()
        self.worker.cam_layer = self.inside.cam_layer_name()
        self.worker.cam_method = self.inside.cam_method_name()
        self.worker.feature_layer = self.inside.map_layer_name()
        self._resubmit_still()

    def _resubmit_still(self) -> None:
        if (self.source is None and self._still_frame is not None and self._still_judged
                and not self._files and self._file_in_flight is None):
            self._reruns.add(self.worker.submit(self._still_frame, tag=self._still_tag))

    def threshold_value(self) -> float:
        return self.threshold.value() / 100.0

    def _on_threshold_changed(self, value: int) -> None:
        t = value / 100.0
        self.threshold_label.setText(f"{t:.2f}")
        self.worker.threshold = t
        if self.last_result is not None:
            self._show_verdict(self.last_result.probability)

    def _show_verdict(self, probability: float) -> None:
        t = self.threshold_value()
        is_open = probability >= t
        self.door.set_probability(probability, t)
        self.door.set_open(is_open)
        permille = int(round(probability * 1000))
        if permille != self.prob_bar.value():  # QProgressBar repaints at once on a change
            self.prob_bar.setValue(permille)
            self.prob_bar.setFormat(f"happy: {probability:.1%}")
        colour = "#2ea043" if is_open else "#cf222e"
        text = (f"<span style='font-size:16pt; font-weight:600; color:{colour}'>"
                f"{'OPEN — welcome!' if is_open else 'CLOSED'}</span>")
        if text != self.decision_label.text():
            self.decision_label.setText(text)

    def _update_stats(self, res) -> None:
        fps = 0.0
        if len(self._fps_times) >= 2:
            span = self._fps_times[-1] - self._fps_times[0]
            fps = (len(self._fps_times) - 1) / span if span > 0 else 0.0
        parts = [f"{res.latency_ms:.1f} ms per frame"]
        if self.source is not None:
            parts.append(f"{fps:.1f} fps judged")
            parts.append(f"{self.worker.dropped} stale frames dropped")
        self.stats.setText(" · ".join(parts))

    # -- lifecycle -------------------------------------------------------------------------
    def showEvent(self, event) -> None:
        self.models.load_initial()
        super().showEvent(event)

    def shutdown(self) -> None:
        """Stop the stream, any training and the inference thread (window closing).

        Safe to call more than once (closeEvent, aboutToQuit, the main window).
        """
        self.stop_source()
        self.teach.shutdown()
        self.worker.shutdown()

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)
