"""Frames from a video file, an animated GIF or a webcam, decoded by OpenCV (no Qt).

Why OpenCV and not QtMultimedia (issue 17, item 2): QtMultimedia turns each frame into an
image through Qt's rendering hardware interface, which on a machine without a GPU driver
(Xvfb, a remote desktop, a VM) is Mesa's software rasterizer. That rasterizer compiles its
shaders with LLVM, and in a process that has loaded TensorFlow its LLVM calls bind to the
LLVM copy inside libtensorflow_framework (loaded first, with its symbols global): the door
segfaulted in `QVideoFrame.toImage()` within two seconds of "Play video…" (gdb:
`llvm::FixedVectorType::get` in libtensorflow_framework.so.2, called from swrast_dri.so).
OpenCV's `VideoCapture` decodes to plain arrays in memory, with no GPU and no LLVM, and is
already a dependency (face finding); the same reader serves the webcam (V4L2 on Linux).

`play_capture` is a job in the shape of the GUI's workers, `job(on_event, stop)`: it runs
on a worker thread, hands each RGB frame to `on_event` at the video's own rate, checks
`stop` (a `threading.Event`) between frames, and raises `VideoError` with a sentence a user
can act on.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from cnnexplorer.core.errors import CnnExplorerError

#: the rate assumed when a file does not say its own (some GIFs, raw streams)
DEFAULT_FPS = 25.0
#: a rate outside this is a container's placeholder, not the real one
FPS_RANGE = (1.0, 120.0)
#: camera frames that may fail in a row before the camera counts as gone (USB hiccups)
CAMERA_MISSES = 30


class VideoError(CnnExplorerError):
    """A video, animation or camera that cannot be read."""


def list_cameras(sysfs: Path = Path("/sys/class/video4linux")) -> list[tuple[str, int]]:
    """(name, index for `cv2.VideoCapture`) of each camera the system lists, without
    opening any (opening one can take seconds and switch on its light).

    Linux: the V4L2 capture nodes in /sys/class/video4linux (a webcam also has a metadata
    node, with index 1, that yields no picture). Elsewhere the system offers no list without
    opening the devices, so the default camera is offered and opening it says whether it
    is there. `sysfs`: where Linux lists them (a test's folder).
    """
    if not sys.platform.startswith("linux"):
        return [("default camera", 0)]
    cameras = []
    for node in sorted(sysfs.glob("video*"),
                       key=lambda p: int(p.name[5:]) if p.name[5:].isdigit() else 1 << 30):
        if not node.name[5:].isdigit():
            continue
        try:
            if (node / "index").read_text().strip() not in ("", "0"):
                continue
            name = (node / "name").read_text().strip()
        except OSError:
            continue  # unplugged while listed, or no permission: not usable
        cameras.append((name or node.name, int(node.name[5:])))
    return cameras


def video_fps(capture) -> float:
    """The capture's frame rate, or DEFAULT_FPS when it gives none that is plausible."""
    fps = capture.get(cv2.CAP_PROP_FPS)
    low, high = FPS_RANGE
    return float(fps) if fps and low <= fps <= high else DEFAULT_FPS


def to_rgb(frame: np.ndarray) -> np.ndarray:
    """OpenCV's BGR (or grey, or BGRA) frame -> uint8 RGB (H, W, 3)."""
    if frame.ndim == 2:
        return cv2.cvtColor(frame, cv2.COLOR_GRAY2RGB)
    if frame.shape[2] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2RGB)
    return cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)


def open_video(path: str | Path):
    """A `cv2.VideoCapture` on a video file or animated GIF; VideoError says why not."""
    path = Path(path)
    if not path.is_file():
        raise VideoError(f"{path}: no such video file")
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        capture.release()
        raise VideoError(f"{path.name}: cannot be played as a video (not a video format "
                         f"OpenCV can read)")
    return capture


def open_camera(index: int):
    """A `cv2.VideoCapture` on camera `index`; VideoError with what to do when none."""
    capture = cv2.VideoCapture(int(index))
    if not capture.isOpened():
        capture.release()
        raise VideoError("No camera found (or it is in use by another program, or access "
                         "was denied). Connect a webcam, or drop photos on the door, or "
                         "open a video file instead.")
    return capture


def play_capture(on_event: Callable[[np.ndarray], None], stop: threading.Event, *,
                 path: str | Path | None = None, camera: int | None = None,
                 loop: bool = False, clock=time.monotonic, sleep=None) -> int:
    """Read frames until the end (or forever with `loop`, or from a camera) or `stop`.

    Exactly one of `path` (a video file, paced at its own frame rate) and `camera` (an
    index, paced by the camera itself). Returns the number of frames handed to `on_event`.
    A video without a single frame, or a camera that stops giving frames, is a VideoError.
    `clock` and `sleep` are for tests; `sleep` defaults to waiting on `stop`, so a stop
    request ends the wait at once.
    """
    if (path is None) == (camera is None):
        raise ValueError("play_capture needs exactly one of path= and camera=")
    wait = sleep or (lambda seconds: stop.wait(seconds))
    delivered = 0
    if path is not None:
        capture = open_video(path)
    else:
        assert camera is not None  # exactly one of the two, checked above
        capture = open_camera(camera)
    try:
        interval = 1.0 / video_fps(capture) if path is not None else 0.0
        due = clock()
        misses = 0
        while not stop.is_set():
            ok, frame = capture.read()
            if not ok or frame is None:
                if camera is not None:
                    misses += 1
                    if misses >= CAMERA_MISSES:
                        raise VideoError(f"The camera {camera} stopped giving pictures "
                                         f"(unplugged, or taken by another program).")
                    wait(0.03)
                    continue
                assert path is not None  # not a camera: a video file
                if delivered == 0:
                    raise VideoError(f"{Path(path).name}: holds no frame that can be decoded")
                if not loop:
                    break
                capture.release()  # from the start again: reopening works for every format
                capture = open_video(path)
                continue
            misses = 0
            on_event(to_rgb(frame))
            delivered += 1
            if interval:
                due += interval
                late = due - clock()
                if late > 0:
                    wait(late)
                else:
                    due = clock()  # behind (a slow machine): do not rush to catch up
    finally:
        capture.release()
    return delivered
