"""Test videos for the door, made on the spot: an MP4 written by OpenCV's VideoWriter and an
animated GIF written by Pillow, 640x480, 24 frames (the sizes of issue 17's crash). Not a
test module: imported by tests/core/test_door_video.py and tests/gui/test_door_playback.py."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

W, H, N = 640, 480, 24


def _frames():
    """24 RGB frames: a red square moving right on a blue ground (colour order checkable)."""
    out = []
    for i in range(N):
        f = np.zeros((H, W, 3), np.uint8)
        f[:] = (0, 0, 200)  # blue, in RGB
        f[200:280, 40 + 20 * i:120 + 20 * i] = (230, 0, 0)  # red
        out.append(f)
    return out


def write_mp4(path, frames=None, fps=24):
    frames = _frames() if frames is None else frames
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (W, H))
    assert writer.isOpened()
    for f in frames:
        writer.write(cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
    writer.release()
    return path


def write_gif(path, frames=None, ms=40):
    images = [Image.fromarray(f) for f in (_frames() if frames is None else frames)]
    images[0].save(path, save_all=True, append_images=images[1:], duration=ms, loop=0)
    return path
