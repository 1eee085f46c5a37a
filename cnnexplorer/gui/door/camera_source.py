"""Frame sources for the Happy door: a webcam, a video file, an image sequence.

Each source is a QObject that emits `frame_ready(np.ndarray)` (uint8 RGB, H x W x 3) on the
GUI thread, `errored(str)` with a sentence a user can act on, and `stopped()`. The door panel
does not care which one it has: the webcam path and the test/demo paths (video file, image
sequence) feed the same inference worker.

QtMultimedia is imported lazily: a PySide6 without it, or a system without its libraries
(libpulse), still runs the rest of the door; `multimedia_problem()` says what is missing.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage


def multimedia_problem() -> str | None:
    """None when QtMultimedia can be used, else the reason in one sentence."""
    try:
        from PySide6 import QtMultimedia  # noqa: F401
    except ImportError as exc:
        text = str(exc)
        if "libpulse" in text:
            return ("the webcam needs the PulseAudio client library (Debian/Ubuntu: "
                    "apt install libpulse0)")
        return f"the webcam needs Qt Multimedia (pip install PySide6-Addons): {text}"
    return None


def qimage_to_rgb(image: QImage) -> np.ndarray:
    """A QImage of any format -> a uint8 (H, W, 3) RGB array that owns its memory."""
    img = image.convertToFormat(QImage.Format.Format_RGB888)
    h, w, stride = img.height(), img.width(), img.bytesPerLine()
    buf = np.frombuffer(img.constBits(), dtype=np.uint8, count=stride * h)
    return buf.reshape(h, stride)[:, :w * 3].reshape(h, w, 3).copy()


def rgb_to_qimage(arr: np.ndarray) -> QImage:
    """A uint8 (H, W[, 1|3]) array -> a QImage holding its own copy."""
    arr = np.ascontiguousarray(arr)
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    h, w = arr.shape[:2]
    if arr.ndim == 2:
        return QImage(arr.data, w, h, w, QImage.Format.Format_Grayscale8).copy()
    return QImage(arr.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class FrameSource(QObject):
    """Base: a stream of RGB frames."""

    frame_ready = Signal(object)  # np.ndarray uint8 (H, W, 3)
    errored = Signal(str)
    stopped = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.frames_delivered = 0

    def description(self) -> str:
        return type(self).__name__

    # Abstract: CameraSource, VideoFileSource and ImageSequenceSource each implement both.
    # (abc.ABC cannot be mixed into a QObject subclass: their metaclasses conflict.)
    def start(self) -> None:
        """Begin delivering frames through `frame_ready` (errors through `errored`)."""
        raise NotImplementedError(f"{type(self).__name__} must implement start()")

    def stop(self) -> None:
        """Stop delivering frames and emit `stopped`."""
        raise NotImplementedError(f"{type(self).__name__} must implement stop()")

    def _deliver(self, arr: np.ndarray) -> None:
        self.frames_delivered += 1
        self.frame_ready.emit(arr)


class _SinkMixin:
    """Turns a QVideoSink's frames into `frame_ready` arrays."""

    def _make_sink(self):
        from PySide6.QtMultimedia import QVideoSink

        sink = QVideoSink(self)
        sink.videoFrameChanged.connect(self._on_sink_frame)
        return sink

    def _on_sink_frame(self, frame) -> None:
        if not frame.isValid():
            return
        image = frame.toImage()
        if image.isNull():
            return
        self._deliver(qimage_to_rgb(image))


def list_cameras() -> list[tuple[str, object]]:
    """(description, QCameraDevice) of each camera Qt sees; [] without QtMultimedia."""
    if multimedia_problem():
        return []
    from PySide6.QtMultimedia import QMediaDevices

    return [(dev.description() or "camera", dev) for dev in QMediaDevices.videoInputs()]


class CameraSource(_SinkMixin, FrameSource):
    """A webcam through QCamera -> QMediaCaptureSession -> QVideoSink."""

    def __init__(self, device=None, parent: QObject | None = None):
        super().__init__(parent)
        self._device = device
        self._camera = None
        self._session = None
        self._sink = None

    def description(self) -> str:
        return self._device.description() if self._device is not None else "default camera"

    def start(self) -> None:
        problem = multimedia_problem()
        if problem:
            self.errored.emit(f"Cannot start the camera: {problem}.")
            return
        from PySide6.QtMultimedia import QCamera, QMediaCaptureSession, QMediaDevices

        if not QMediaDevices.videoInputs():
            self.errored.emit("No camera found. Connect a webcam, or drop photos on the door, "
                              "or open a video file instead.")
            return
        self._camera = QCamera(self._device) if self._device is not None else QCamera(self)
        self._camera.errorOccurred.connect(self._on_camera_error)
        self._session = QMediaCaptureSession(self)
        self._session.setCamera(self._camera)
        self._sink = self._make_sink()
        self._session.setVideoSink(self._sink)
        self._camera.start()

    def _on_camera_error(self, error, text: str) -> None:
        from PySide6.QtMultimedia import QCamera

        reason = {
            QCamera.Error.CameraError: "it may be in use by another program, or access was "
                                       "denied (check the system's camera permission)",
        }.get(error, "")
        msg = f"The camera '{self.description()}' stopped: {text or 'unknown error'}"
        self.errored.emit(f"{msg}; {reason}." if reason else f"{msg}.")
        self.stop()

    def stop(self) -> None:
        if self._camera is not None:
            self._camera.stop()
            self._camera = None
            self.stopped.emit()


class VideoFileSource(_SinkMixin, FrameSource):
    """Frames of a video file (or an animated GIF) through QMediaPlayer -> QVideoSink."""

    def __init__(self, path, loop: bool = False, parent: QObject | None = None):
        super().__init__(parent)
        self.path = Path(path)
        self.loop = loop
        self._player = None
        self._sink = None

    def description(self) -> str:
        return self.path.name

    def start(self) -> None:
        problem = multimedia_problem()
        if problem:
            self.errored.emit(f"Cannot play {self.path.name}: {problem}.")
            return
        if not self.path.is_file():
            self.errored.emit(f"{self.path}: no such video file.")
            return
        from PySide6.QtCore import QUrl
        from PySide6.QtMultimedia import QMediaPlayer

        self._player = QMediaPlayer(self)
        self._sink = self._make_sink()
        self._player.setVideoSink(self._sink)
        self._player.errorOccurred.connect(self._on_player_error)
        self._player.mediaStatusChanged.connect(self._on_player_status)
        if self.loop:
            self._player.setLoops(QMediaPlayer.Loops.Infinite)
        self._player.setSource(QUrl.fromLocalFile(str(self.path.resolve())))
        self._player.play()

    def _on_player_error(self, _error, text: str) -> None:
        if self._player is None:
            return  # already reported and stopped (error and status both fire)
        self.errored.emit(f"{self.path.name}: cannot be played as a video "
                          f"({text or 'unknown error'}).")
        self.stop()

    def _on_player_status(self, status) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        if self._player is None:
            return
        if status == QMediaPlayer.MediaStatus.EndOfMedia:
            self.stop()
        elif status == QMediaPlayer.MediaStatus.InvalidMedia:
            self._on_player_error(None, "not a video format the player knows")

    def stop(self) -> None:
        if self._player is not None:
            player, self._player = self._player, None
            player.stop()
            player.deleteLater()
            self.stopped.emit()


class ImageSequenceSource(FrameSource):
    """Arrays or image files played at a fixed rate by a QTimer (tests and demos)."""

    def __init__(self, frames, fps: float = 30.0, loop: bool = False,
                 parent: QObject | None = None):
        super().__init__(parent)
        self._frames = list(frames)
        self._index = 0
        self.loop = loop
        self._timer = QTimer(self)
        self._timer.setInterval(max(1, int(round(1000.0 / fps))))
        self._timer.timeout.connect(self._on_timer_timeout)

    def description(self) -> str:
        return f"{len(self._frames)} images"

    def start(self) -> None:
        if not self._frames:
            self.errored.emit("The image sequence is empty.")
            return
        self._index = 0
        self._timer.start()

    def _on_timer_timeout(self) -> None:
        if self._index >= len(self._frames):
            if not self.loop:
                self.stop()
                return
            self._index = 0
        item = self._frames[self._index]
        self._index += 1
        if isinstance(item, np.ndarray):
            self._deliver(item)
            return
        from cnnexplorer.core.data.images import ImageReadError, read_image

        try:
            self._deliver(read_image(item))
        except ImageReadError as exc:
            self.errored.emit(str(exc))

    def stop(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
            self.stopped.emit()
