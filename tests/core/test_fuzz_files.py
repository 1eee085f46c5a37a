"""Fuzzing the readers with Hypothesis (issue 12): random bytes and mutated PNG, JPEG, GIF,
HDF5, NPZ and .keras files through the image reader, the dataset loaders and the model-file
check. Each must either return a valid result or raise the project's own error (a
`CnnExplorerError` subclass): never another exception, never a hang.

Fast by default (about 50 examples a target, seconds). For a deeper run, as a benchmark:

    CNNEXPLORER_FUZZ_PROFILE=deep python -m pytest -q tests/core/test_fuzz_files.py

("deep": 2,000 examples a target; CNNEXPLORER_FUZZ_EXAMPLES=N sets any other count.)
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from cnnexplorer.core.data import Dataset, load_dataset
from cnnexplorer.core.data.images import read_image
from cnnexplorer.core.errors import CnnExplorerError
from cnnexplorer.core.keras.model_io import check_model_file

_PROFILES = {"fast": 50, "deep": 2000}
EXAMPLES = int(os.environ.get("CNNEXPLORER_FUZZ_EXAMPLES") or
               _PROFILES.get(os.environ.get("CNNEXPLORER_FUZZ_PROFILE", "fast"), 50))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 50,
                print_blob=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# -- valid seeds the mutations start from --------------------------------------------------------
def _image_bytes(fmt: str) -> bytes:
    rng = np.random.default_rng(0)
    arr = rng.integers(0, 255, (12, 10, 3), dtype=np.uint8)
    buf = io.BytesIO()
    if fmt == "GIF":
        frames = [Image.fromarray(arr), Image.fromarray(255 - arr)]
        frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:])
    else:
        Image.fromarray(arr).save(buf, format=fmt)
    return buf.getvalue()


def _hdf5_bytes() -> bytes:
    import h5py

    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        f["train_set_x"] = np.zeros((4, 6, 6, 3), np.uint8)
        f["train_set_y"] = np.array([0, 1, 0, 1])
        f["list_classes"] = np.array([b"no", b"yes"])
    return buf.getvalue()


def _npz_bytes() -> bytes:
    buf = io.BytesIO()
    np.savez(buf, x_train=np.zeros((4, 6, 6, 3), np.uint8), y_train=np.array([0, 1, 0, 1]))
    return buf.getvalue()


def _keras_bytes() -> bytes:
    """The layout of a .keras archive (what the model-file check looks at), without Keras."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("metadata.json", json.dumps({"keras_version": "3.0.0"}))
        zf.writestr("config.json", json.dumps({"class_name": "Sequential", "config": {}}))
        zf.writestr("model.weights.h5", _hdf5_bytes())
    return buf.getvalue()


SEEDS = {"png": _image_bytes("PNG"), "jpg": _image_bytes("JPEG"), "gif": _image_bytes("GIF"),
         "h5": _hdf5_bytes(), "npz": _npz_bytes(), "keras": _keras_bytes()}


@st.composite
def mutated(draw, kind: str):
    """A seed file with a few bytes changed, inserted or cut, mostly in its first 512 bytes
    (the headers), sometimes truncated."""
    data = bytearray(SEEDS[kind])
    for _ in range(draw(st.integers(1, 8))):
        region = len(data) if draw(st.booleans()) and len(data) > 512 else min(512, len(data))
        at = draw(st.integers(0, max(0, region - 1)))
        op = draw(st.sampled_from(["set", "insert", "delete"]))
        if op == "set" and data:
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif data:
            del data[at:at + draw(st.integers(1, 16))]
    if draw(st.booleans()):
        data = data[:draw(st.integers(0, len(data)))]
    return bytes(data)


def _file(folder: str, name: str, data: bytes) -> Path:
    path = Path(folder) / name
    path.write_bytes(data)
    return path


def _check_image(result) -> None:
    assert isinstance(result, np.ndarray) and result.dtype == np.uint8
    assert result.ndim == 3 and result.shape[2] == 3 and min(result.shape[:2]) >= 1


def _check_dataset(result) -> None:
    assert isinstance(result, Dataset)
    assert result.x_train.dtype == np.uint8 and len(result.x_train) == len(result.y_train)
    assert result.num_classes >= 2


def _expect_valid_or_ours(fn, check):
    try:
        result = fn()
    except CnnExplorerError:
        return
    check(result)


# -- the image reader ----------------------------------------------------------------------------
@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes_through_the_image_reader(data):
    _expect_valid_or_ours(lambda: read_image(data), _check_image)


@pytest.mark.parametrize("kind", ["png", "jpg", "gif"])
def test_mutated_images_through_the_image_reader(kind):
    @FUZZ
    @given(mutated(kind))
    def run(data):
        _expect_valid_or_ours(lambda: read_image(data, size=8), _check_image)
        with tempfile.TemporaryDirectory() as folder:
            path = _file(folder, f"x.{kind}", data)
            _expect_valid_or_ours(lambda: read_image(path), _check_image)
    run()


# -- the dataset loaders -------------------------------------------------------------------------
@pytest.mark.parametrize("kind,name", [("h5", "train_fuzz.h5"), ("npz", "fuzz.npz"),
                                       ("png", "folder")])
def test_mutated_dataset_files_through_the_loaders(kind, name):
    @FUZZ
    @given(mutated(kind), st.binary(max_size=512))
    def run(data, noise):
        with tempfile.TemporaryDirectory() as folder:
            if name == "folder":  # a class folder with a mutated image beside good ones
                for cls, colour in (("a", 30), ("b", 220)):
                    (Path(folder) / cls).mkdir()
                    Image.new("RGB", (10, 12), (colour,) * 3).save(Path(folder) / cls / "0.png")
                _file(folder, "a/1.png", data)
                _file(folder, "b/1.jpg", noise)
                path = Path(folder)
            else:
                path = _file(folder, name, data)
            _expect_valid_or_ours(lambda: load_dataset(path), _check_dataset)
    run()


@FUZZ
@given(st.binary(max_size=4096), st.sampled_from(["x.h5", "x.npz"]))
def test_random_bytes_through_the_loaders(data, name):
    with tempfile.TemporaryDirectory() as folder:
        path = _file(folder, name, data)
        _expect_valid_or_ours(lambda: load_dataset(path), _check_dataset)


# -- the model-file check ------------------------------------------------------------------------
@pytest.mark.parametrize("kind,suffix", [("keras", ".keras"), ("h5", ".h5")])
def test_mutated_model_files_through_the_model_check(kind, suffix):
    @FUZZ
    @given(st.one_of(mutated(kind), st.binary(max_size=2048)))
    def run(data):
        with tempfile.TemporaryDirectory() as folder:
            path = _file(folder, "model" + suffix, data)
            _expect_valid_or_ours(lambda: check_model_file(path),
                                  lambda result: result == suffix)
    run()


def test_the_seeds_themselves_are_valid(tmp_path):
    """The fuzzing starts from files that read: a mutation is what breaks them."""
    for kind in ("png", "jpg", "gif"):
        _check_image(read_image(SEEDS[kind]))
    _check_dataset(load_dataset(_file(str(tmp_path), "train_s.h5", SEEDS["h5"])))
    _check_dataset(load_dataset(_file(str(tmp_path), "s.npz", SEEDS["npz"])))
    with pytest.raises(CnnExplorerError, match="without a model configuration"):
        check_model_file(_file(str(tmp_path), "m.h5", SEEDS["h5"]))
    assert check_model_file(_file(str(tmp_path), "m.keras", SEEDS["keras"])) == ".keras"
