"""Hostile input files for the reliability tests (issue 12), made in tmp_path.

Not a test module: imported by tests/core/test_hostile_*.py, tests/test_cli_hostile.py and
tests/gui/test_hostile_gui.py (pytest puts tests/ on sys.path through its conftest.py).
Each maker writes a small file that used to hang, blow up memory or crash something.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image


def png_bytes(arr: np.ndarray | None = None, fmt: str = "PNG") -> bytes:
    if arr is None:
        arr = np.full((16, 16, 3), 120, np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format=fmt)
    return buf.getvalue()


def image_folder(root: Path, classes=("cat", "dog"), per_class: int = 3, size: int = 16) -> Path:
    """A small good class-per-folder tree."""
    rng = np.random.default_rng(0)
    for ci, cls in enumerate(classes):
        (root / cls).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            arr = rng.integers(0, 255, (size, size, 3), dtype=np.uint8)
            arr[..., ci % 3] = 250
            (root / cls / f"{i + 1}.png").write_bytes(png_bytes(arr))
    return root


def fifo(path: Path) -> Path:
    """A named pipe (opening it for reading waits for a writer forever)."""
    os.mkfifo(path)
    return path


def release_fifo(path: Path) -> None:
    """Open the FIFO for writing once, so that a reader stuck in open() returns."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:
        return  # no reader waiting: nothing to release
    os.close(fd)


def malformed_dds(path: Path) -> Path:
    """A DDS header with an unknown FourCC: Pillow's DDS plugin raises NotImplementedError."""
    header = struct.pack("<4s7I", b"DDS ", 124, 0x1007, 16, 16, 0, 0, 0) + b"\0" * 44
    pixel_format = struct.pack("<2I4s5I", 32, 0x4, b"ZZZZ", 0, 0, 0, 0, 0)
    caps = struct.pack("<5I", 0x1000, 0, 0, 0, 0)
    path.write_bytes(header + pixel_format + caps + b"\0" * 256)
    return path


def eps_as_png(path: Path) -> Path:
    """Encapsulated PostScript named .png (Pillow's EPS plugin runs Ghostscript on it)."""
    path.write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 16 16\n"
                     b"0 0 moveto 16 16 lineto stroke\nshowpage\n%%EOF\n")
    return path


def huge_label_npz(path: Path, top: int = 10**6) -> Path:
    """An .npz without class names whose labels reach `top` (one class per value before)."""
    x = np.zeros((2, 8, 8, 3), np.uint8)
    np.savez(path, x_train=x, y_train=np.array([0, top]))
    return path


def huge_label_h5(path: Path, top: int = 10**6) -> Path:
    import h5py

    with h5py.File(path, "w") as f:
        f["train_set_x"] = np.zeros((2, 8, 8, 3), np.uint8)
        f["train_set_y"] = np.array([0, top])
    return path


def terabyte_h5(path: Path) -> Path:
    """A few KB declaring a 3 TB image array (chunked, never written: read as fill value)."""
    import h5py

    with h5py.File(path, "w") as f:
        f.create_dataset("train_set_x", shape=(1_000_000, 1000, 1000, 3), dtype=np.uint8,
                         chunks=(1, 100, 100, 3), compression="gzip")
        f["train_set_y"] = np.zeros(1_000_000, np.int64)
    return path


def group_h5(path: Path) -> Path:
    """`train_set_x` is an HDF5 group, not an array."""
    import h5py

    with h5py.File(path, "w") as f:
        f.create_group("train_set_x")
        f["train_set_y"] = np.array([0, 1])
    return path


def npy_named_npz(path: Path) -> Path:
    """A plain .npy array renamed .npz."""
    with open(path, "wb") as fh:
        np.save(fh, np.zeros((2, 8, 8, 3), np.uint8))
    return path


def nan_npz(path: Path, scale: float = 1.0, bad: int = 5) -> Path:
    """Float images in 0..scale with `bad` NaN pixels."""
    x = np.full((4, 8, 8, 3), 0.5 * scale, np.float32)
    x.reshape(-1)[:bad] = np.nan
    np.savez(path, x_train=x, y_train=np.array([0, 1, 0, 1]))
    return path


def keras_zip_bomb(path: Path, member_mb: int = 80) -> Path:
    """A .keras archive whose config.json unpacks to `member_mb` MB of spaces."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("metadata.json", '{"keras_version": "3.0.0"}')
        with zf.open("config.json", "w", force_zip64=True) as member:
            block = b" " * 2**20
            for _ in range(member_mb):
                member.write(block)
        zf.writestr("model.weights.h5", b"\x89HDF\r\n\x1a\n")
    return path
