"""Hostile input files of the second round (issue 19), made in tmp_path.

Not a test module: imported by tests/core/test_hostile_files_round2.py and the fuzz test.
Each maker writes a small file that used to read other files, hang, or cost gigabytes.
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np
from PIL import Image


def external_storage_h5(path: Path, source: Path, count: int = 2) -> Path:
    """train_set_x's raw bytes live in `source` (any file, a device, a FIFO)."""
    import h5py

    with h5py.File(path, "w") as f:
        f.create_dataset("train_set_x", shape=(count, 4, 4, 3), dtype="u1",
                         external=[(str(source), 0, count * 48)])
        f["train_set_y"] = np.arange(count) % 2
    return path


def external_link_h5(path: Path, target: Path, key: str = "train_set_x") -> Path:
    """`key` is an external link into another HDF5 file."""
    import h5py

    with h5py.File(target, "w") as f:
        f["x"] = np.full((2, 4, 4, 3), 7, np.uint8)
    with h5py.File(path, "w") as f:
        f[key] = h5py.ExternalLink(str(target), "/x")
        if key != "train_set_x":
            f["train_set_x"] = np.zeros((2, 4, 4, 3), np.uint8)
        f["train_set_y"] = np.arange(2) % 2
    return path


def virtual_h5(path: Path, source: Path) -> Path:
    """train_set_x is a virtual dataset mapping `source`'s dataset 'x'."""
    import h5py

    with h5py.File(source, "w") as f:
        f["x"] = np.full((2, 4, 4, 3), 9, np.uint8)
    with h5py.File(path, "w") as f:
        layout = h5py.VirtualLayout(shape=(2, 4, 4, 3), dtype="u1")
        layout[:] = h5py.VirtualSource(str(source), "x", shape=(2, 4, 4, 3))
        f.create_virtual_dataset("train_set_x", layout, fillvalue=0)
        f["train_set_y"] = np.arange(2) % 2
    return path


def fill_value_bomb_h5(path: Path, images: int = 12000, labels: int = 3) -> Path:
    """A 2 KB file declaring `images` x 64x64x3 float64 that it never stores (fill 0.5)."""
    import h5py

    with h5py.File(path, "w") as f:
        f.create_dataset("train_set_x", shape=(images, 64, 64, 3), dtype="f8",
                         chunks=(16, 64, 64, 3), fillvalue=0.5)
        f["train_set_y"] = np.zeros(labels, "i8")
    return path


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def blank_png(width: int, height: int, bit_depth: int = 8, colour: int = 0) -> bytes:
    """A PNG of zeros of any size, compressed row by row (a 9400x9400 16-bit one is ~170 KB):
    colour 0 = grey, 2 = RGB."""
    channels = {0: 1, 2: 3}[colour]
    row = b"\0" * (1 + width * channels * bit_depth // 8)
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", data)
            + png_chunk(b"IEND", b""))


def jpeg_scan_bomb(repeats: int, side: int = 64) -> bytes:
    """A progressive JPEG whose last two scans are repeated `repeats` times (libjpeg decodes
    every scan again: time linear in the scans)."""
    buf = io.BytesIO()
    Image.new("L", (side, side)).save(buf, "JPEG", progressive=True)
    data = buf.getvalue()
    at, segments = 2, []
    while data[at + 1] != 0xD9:
        marker = data[at + 1]
        end = at + 2 + struct.unpack(">H", data[at + 2:at + 4])[0]
        if marker == 0xDA:  # the entropy-coded data runs to the next real marker
            while not (data[end] == 0xFF and data[end + 1] and not 0xD0 <= data[end + 1] <= 0xD7):
                end += 1
        segments.append(data[at:end])
        at = end
    return data[:2] + b"".join(segments) + (segments[-2] + segments[-1]) * repeats + b"\xff\xd9"


def keras_declaring(path: Path, units: int, side: int = 64) -> Path:
    """A small .keras whose config declares Flatten -> Dense(units) on side x side x 3 inputs,
    while its weights file holds a 16x16x3 -> Dense(1) model (repro #5 of issue 19)."""
    import keras

    small = path.with_name("small.keras")
    inputs = keras.Input((16, 16, 3))
    keras.Model(inputs, keras.layers.Dense(1)(keras.layers.Flatten()(inputs))).save(small)
    with zipfile.ZipFile(small) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    text = members["config.json"].decode()
    text = text.replace("16, 16, 3", f"{side}, {side}, 3").replace(", 768]", f", {side * side * 3}]")
    config = json.loads(text)
    config["config"]["layers"][2]["config"]["units"] = units
    members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    small.unlink()
    return path
