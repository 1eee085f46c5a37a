"""Where the door's images come from: files and folders (opened, dropped, pasted), still
images sent by other panels, and streams (camera, video file, image sequence).

`DoorSources` is mixed into DoorPanel (it uses the panel's widgets, worker and messages);
it keeps the panel module about showing verdicts, this one about feeding frames.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtWidgets import QApplication, QFileDialog

from cnnexplorer.core.data.images import is_image_name
from cnnexplorer.gui.door.camera_source import (
    CameraSource,
    ImageSequenceSource,
    VideoFileSource,
    list_cameras,
    qimage_to_rgb,
)
from cnnexplorer.gui.file_filters import IMAGE_FILTER
from cnnexplorer.gui.session import DoorImage

VIDEO_FILTER = "Videos and animations (*.mp4 *.webm *.mkv *.avi *.mov *.gif);;All files (*)"


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



class DoorSources:
    """Opening, pasting, dropping and streaming for DoorPanel (a mixin: no state of its own
    beyond the panel's `source`, `_files`, `_file_in_flight`, `_still_*` and `_live_frame`)."""

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
        self._still_judged_by = None
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
        self.camera_btn.setEnabled(self._camera_count > 0)
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
        # Nothing to start without a camera; a checked button stays usable to stop one.
        self._camera_count = len(cams)
        self.camera_btn.setEnabled(bool(cams) or self.camera_btn.isChecked())
        self.camera_btn.setToolTip("" if cams else "No camera found on this computer")

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
        device = self.camera_combo.currentData()
        self.start_source(CameraSource(device, self.camera_combo.currentText()
                                       if device is not None else None))
        if self.source is not None:
            self.camera_btn.setText("Stop camera")

    def _on_video_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Play a video", "", VIDEO_FILTER)
        if path:
            self.play_video(path, loop=True)

    def _on_source_frame(self, frame: np.ndarray) -> None:
        self._live_frame = frame
        if self.worker.door is None:  # judged frames (with their boxes) are shown as they come
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
        if isinstance(item, DoorImage):
            if item.model_path:  # judged by the model that was evaluated (loaded first)
                self.models.open_model(item.model_path)
            self.judge_image(np.asarray(item.image),
                             f"judged by {item.model_name}" if item.model_name
                             else "from another panel")
            # the caption names that model only while it is the one loaded
            self._still_judged_by = str(item.model_path) if item.model_path else None
        elif isinstance(item, np.ndarray):
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
