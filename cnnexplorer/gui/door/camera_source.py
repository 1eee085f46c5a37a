"""Frame sources for the Happy door: a webcam, a video file, an image sequence.

Each source is a QObject that emits `frame_ready(np.ndarray)` (uint8 RGB, H x W x 3) on the
GUI thread, `errored(str)` with a sentence a user can act on, and `stopped()`. The door panel
does not care which one it has: the webcam path and the test/demo paths (video file, image
sequence) feed the same inference worker.

The webcam and video files are decoded by OpenCV in a `gui.workers.Worker` (`core/door/
video.py` says why not QtMultimedia: its frame conversion segfaulted in a process with
TensorFlow). The decoder's frames wait in the worker's event queue; the source's timer on
the GUI thread takes the newest and drops the rest, so a frame the door has no time for is
never judged late.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage

from cnnexplorer.core.door.video import VideoError, play_capture
from cnnexplorer.core.door.video import list_cameras as list_camera_devices
from cnnexplorer.core.data.images import ImageReadError, read_image
from cnnexplorer.gui.workers import Worker

#: how often the GUI thread looks for a decoded frame (a 60 fps source at most waits this)
POLL_MS = 10
#: how long stop() waits for the decoder (one camera read; a video frame is ~1 ms)
STOP_WAIT_MS = 2000


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


class CaptureSource(FrameSource):
    """Base of the OpenCV sources: runs `self.job()` (a `play_capture` partial, in the shape
    `job(on_event, stop)` of gui.workers) in a `Worker` and delivers its newest frame."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._worker: Worker | None = None
        self._error: str | None = None
        self.replaced = 0  # frames decoded while the GUI thread was busy: never shown
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._on_poll_timeout)

    def job(self):
        raise NotImplementedError(f"{type(self).__name__} must implement job()")

    def start(self) -> None:
        if self._worker is not None:
            return
        self._error = None
        # queue_events: the decoder's frames wait in the worker's queue (no Qt event per
        # frame); the timer takes the newest and drops the rest
        worker = Worker(self.job(), f"play {self.description()}",
                        on_error=self._on_job_failed, queue_events=True)
        worker.finished.connect(self._on_worker_finished)
        self._worker = worker
        worker.start()
        self._timer.start()

    def _on_poll_timeout(self) -> None:
        worker = self._worker
        frames = worker.take_events() if worker is not None else []
        if frames:
            self.replaced += len(frames) - 1
            self._deliver(frames[-1])

    def _on_job_failed(self, exc: BaseException) -> None:
        self._error = str(exc) if isinstance(exc, VideoError) else \
            f"{self.description()} stopped: {type(exc).__name__}: {exc}"

    def _on_worker_finished(self) -> None:
        """The video ended, or the decoder failed: the last frame, then the news."""
        self._on_poll_timeout()
        self._timer.stop()
        if self._error:
            self.errored.emit(self._error)
        self.stop()

    def is_running(self) -> bool:
        return self._worker is not None and self._worker.is_running()

    def stop(self) -> None:
        worker, self._worker = self._worker, None
        if worker is None:
            return
        self._timer.stop()
        worker.finished.disconnect(self._on_worker_finished)
        worker.request_stop()
        worker.wait(STOP_WAIT_MS)  # one camera read at most; gui.workers joins it anyway
        self.stopped.emit()


def list_cameras() -> list[tuple[str, int]]:
    """(name, OpenCV index) of each camera the system lists (see core/door/video.py)."""
    return list_camera_devices()


class CameraSource(CaptureSource):
    """A webcam through OpenCV's VideoCapture (V4L2 on Linux). `device`: its index, or None
    when no camera was found (start() then says so)."""

    def __init__(self, device: int | None = None, name: str | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self._device = device
        self._name = name

    def description(self) -> str:
        if self._name:
            return self._name
        return "default camera" if self._device in (None, 0) else f"camera {self._device}"

    def start(self) -> None:
        if self._device is None:
            self.errored.emit("No camera found. Connect a webcam, or drop photos on the door, "
                              "or open a video file instead.")
            return
        super().start()

    def job(self):
        return functools.partial(play_capture, camera=self._device)


class VideoFileSource(CaptureSource):
    """Frames of a video file (or an animated GIF) at the file's own rate."""

    def __init__(self, path, loop: bool = False, parent: QObject | None = None):
        super().__init__(parent)
        self.path = Path(path)
        self.loop = loop

    def description(self) -> str:
        return self.path.name

    def job(self):
        return functools.partial(play_capture, path=self.path, loop=self.loop)


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

        try:
            self._deliver(read_image(item))
        except ImageReadError as exc:
            self.errored.emit(str(exc))

    def stop(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
            self.stopped.emit()
