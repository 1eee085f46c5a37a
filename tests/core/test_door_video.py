"""Video files, animated GIFs and cameras read by OpenCV for the door (core/door/video.py):
frames in RGB order at the file's rate, loop and stop, and a sentence for what cannot be read.
The test videos (tests/video_samples.py): an MP4 by OpenCV's VideoWriter, a GIF by Pillow."""

from __future__ import annotations

import threading

import cv2
import numpy as np
import pytest

from cnnexplorer.core.door.video import (VideoError, list_cameras, open_camera, play_capture,
                                         video_fps)
from video_samples import H, N, W, write_gif, write_mp4

@pytest.fixture(params=["mp4", "gif"])
def video(request, tmp_path):
    make = write_mp4 if request.param == "mp4" else write_gif
    return make(tmp_path / f"clip.{request.param}")


class FakeClock:
    """Time that moves only when the job sleeps: pacing is checked without waiting."""

    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def test_every_frame_in_rgb_order_at_the_files_rate(video):
    got = []
    fake = FakeClock()
    n = play_capture(got.append, threading.Event(), path=video, clock=fake.clock,
                     sleep=fake.sleep)
    assert n == len(got) == N
    first = got[0]
    assert first.shape == (H, W, 3) and first.dtype == np.uint8
    red, ground = first[240, 80], first[10, 10]
    assert red[0] > 180 and red[2] < 60  # red stays red (not BGR)
    assert ground[2] > 150 and ground[0] < 60
    # the square has moved by the last frame: frames come in order
    assert got[-1][240, 80][0] < 60 and got[-1][240, 40 + 20 * (N - 1) + 40][0] > 180
    rate = video_fps(cv2.VideoCapture(str(video)))
    assert sum(fake.sleeps) == pytest.approx(N / rate, rel=0.05)


def test_loop_plays_again_until_stopped(video):
    stop = threading.Event()
    got = []

    def on_frame(frame):
        got.append(frame)
        if len(got) == 2 * N + 5:
            stop.set()
    fake = FakeClock()
    n = play_capture(on_frame, stop, path=video, loop=True, clock=fake.clock, sleep=fake.sleep)
    assert n == 2 * N + 5
    assert np.array_equal(got[N], got[0])  # the second pass starts at the first frame


def test_what_cannot_be_played_says_so(tmp_path):
    junk = tmp_path / "clip.mp4"
    junk.write_text("not a video")
    with pytest.raises(VideoError, match="clip.mp4: cannot be played as a video"):
        play_capture(lambda f: None, threading.Event(), path=junk)
    with pytest.raises(VideoError, match="no such video file"):
        play_capture(lambda f: None, threading.Event(), path=tmp_path / "missing.mp4")
    with pytest.raises(ValueError):
        play_capture(lambda f: None, threading.Event())


def test_a_missing_camera_says_what_to_do():
    with pytest.raises(VideoError, match="No camera found.*open a video file"):
        open_camera(99)


def test_cameras_are_listed_from_sysfs_without_opening_them(tmp_path, monkeypatch):
    monkeypatch.setattr("sys.platform", "linux")
    for name, index, label in (("video0", "0", "Integrated Webcam"), ("video1", "1", "meta"),
                               ("video10", "0", "USB Camera"), ("video2", "0", "")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "index").write_text(index + "\n")
        (tmp_path / name / "name").write_text(label + "\n")
    assert list_cameras(tmp_path) == [("Integrated Webcam", 0), ("video2", 2),
                                      ("USB Camera", 10)]
    assert list_cameras(tmp_path / "none") == []
