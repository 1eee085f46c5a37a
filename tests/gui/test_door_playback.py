"""The door's "Play video…" and webcam path (issue 17, item 2).

Before: QtMultimedia decoded, and `QVideoFrame.toImage()` went through Qt's rendering
hardware interface into Mesa's software rasterizer, whose LLVM calls landed in TensorFlow's
LLVM copy: a segfault within 2 s under Xvfb/xcb for a GIF and an MP4 (640x480, 24 frames).
Now OpenCV decodes on a thread and QtMultimedia is never loaded. The whole-app check runs in
a child process (a segfault would end the test run): offscreen always, and on the real xcb
platform too when an X display is there (CI runs the suite under Xvfb as well).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from video_samples import N, write_gif, write_mp4

from cnnexplorer.gui.door.camera_source import CameraSource, VideoFileSource
from waits import THREAD_MS

PLAY_AT_THE_DOOR = """
import sys
from PySide6.QtCore import QTimer
from cnnexplorer.gui.app import create_application
from cnnexplorer.gui.door.panel import DoorPanel
from cnnexplorer.gui.session import Session

app = create_application()
door = DoorPanel(Session())
door.resize(1024, 700)
videos = sys.argv[1:]
judged = []
door.worker.result.connect(lambda r: judged.append(r.tag))

def next_video():
    if not videos:
        print("QtMultimedia loaded:", "PySide6.QtMultimedia" in sys.modules, flush=True)
        door.shutdown()
        app.quit()
        return
    judged.clear()
    door.play_video(videos.pop(0))  # to its end, as "Play video…" does but without looping
    poll.start()

def check_ended():
    if door.source is None:
        poll.stop()
        print("played", door.messages[-1], "judged", judged.count("live") > 0, flush=True)
        next_video()

poll = QTimer()
poll.setInterval(50)
poll.timeout.connect(check_ended)
door.worker.model_loaded.connect(lambda d: next_video())
door.show()
app.exec()
"""


def _platforms():
    yield "offscreen"
    if os.environ.get("DISPLAY"):
        yield "xcb"


@pytest.mark.slow  # loads TensorFlow and the door model in a child process: 10-30 s
@pytest.mark.parametrize("platform", list(_platforms()))
def test_a_gif_and_an_mp4_play_at_the_door_with_tensorflow_loaded(platform, tmp_path):
    gif, mp4 = write_gif(tmp_path / "clip.gif"), write_mp4(tmp_path / "clip.mp4")
    env = dict(os.environ, QT_QPA_PLATFORM=platform, TF_CPP_MIN_LOG_LEVEL="3")
    out = subprocess.run([sys.executable, "-c", PLAY_AT_THE_DOOR, str(gif), str(mp4)],
                         capture_output=True, text=True, env=env, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.splitlines() == ["played clip.gif ended. judged True",
                                       "played clip.mp4 ended. judged True",
                                       "QtMultimedia loaded: False"]


def test_a_video_file_source_delivers_every_frame_then_stops(qtbot, tmp_path):
    source = VideoFileSource(write_mp4(tmp_path / "clip.mp4"))
    frames, errors = [], []
    source.frame_ready.connect(frames.append)
    source.errored.connect(errors.append)
    with qtbot.waitSignal(source.stopped, timeout=THREAD_MS):
        source.start()
    assert errors == []
    # newest frame wins: a busy GUI thread may skip some, never reorder or invent them
    assert 1 <= len(frames) <= N and source.frames_delivered == len(frames)
    assert frames[0].shape == (480, 640, 3)
    assert not source.is_running()


def test_a_looping_video_stops_when_asked(qtbot, tmp_path):
    source = VideoFileSource(write_gif(tmp_path / "clip.gif"), loop=True)
    with qtbot.waitSignal(source.stopped, timeout=THREAD_MS):
        source.start()
        qtbot.waitUntil(lambda: source.frames_delivered > N, timeout=THREAD_MS)  # looped
        source.stop()
    assert not source.is_running()


def test_not_a_video_says_so_and_stops(qtbot, tmp_path):
    junk = tmp_path / "clip.webm"
    junk.write_bytes(b"\x00" * 64)
    source = VideoFileSource(junk)
    errors = []
    source.errored.connect(errors.append)
    with qtbot.waitSignal(source.stopped, timeout=THREAD_MS):
        source.start()
    assert errors and errors[0].startswith("clip.webm: cannot be played as a video")


def test_no_camera_listed_says_so_without_a_thread(qtbot):
    source = CameraSource(None)
    errors = []
    source.errored.connect(errors.append)
    source.start()
    assert errors and errors[0].startswith("No camera found")
    assert not source.is_running()
