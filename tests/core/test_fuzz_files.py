"""Fuzzing the readers with Hypothesis (issue 12): random bytes and mutated PNG, JPEG, GIF,
HDF5, NPZ and .keras files through the image reader, the dataset loaders and the model-file
check; since issue 19 also HDF5 storage kinds (chunked, compressed, compact, unwritten, and
the external storage, external links and virtual datasets that must be refused), PNG and JPEG
headers (sizes, bit depths, colour types, repeated progressive scans) and model
configurations (the declared-size check). Each must either return a valid result or raise the project's own error (a
`CnnExplorerError` subclass): never another exception, never a hang.

Fast by default (about 50 examples a target, seconds). For a deeper run, as a benchmark:

    CNNEXPLORER_FUZZ_PROFILE=deep python -m pytest -q tests/core/test_fuzz_files.py

("deep": 2,000 examples a target; CNNEXPLORER_FUZZ_EXAMPLES=N sets any other count.)
"""

from __future__ import annotations

import io
import json
import os
import struct
import tempfile
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from cnnexplorer.core.data import Dataset, images, load_dataset
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


# -- issue 19: HDF5 storage kinds, PNG/JPEG headers, model configurations ------------------------
_H5_DTYPES = ["u1", "i2", "u8", "f4", "f8", "?"]
#: storage kinds that read outside the file: each must be refused, never followed
_READS_OUTSIDE = ("external", "external_link", "virtual")


@st.composite
def h5_storage(draw):
    """(kind, shape, dtype, fill, label count, label dtype) of a train_set_x to write."""
    kind = draw(st.sampled_from(["contiguous", "chunked", "gzip", "lzf", "compact", "unwritten",
                                 *_READS_OUTSIDE]))
    rank = draw(st.sampled_from([2, 3, 4, 5]))
    shape = tuple(draw(st.integers(0 if i == 0 else 1, 24)) for i in range(rank))
    if kind == "unwritten" and draw(st.booleans()):
        shape = (draw(st.integers(1000, 40_000)),) + (64, 64, 3)  # a fill-value bomb
    return (kind, shape, draw(st.sampled_from(_H5_DTYPES)), draw(st.sampled_from([0, 0.5, 255])),
            draw(st.one_of(st.just(None), st.integers(0, 30))),
            draw(st.sampled_from(["i8", "u8", "f8", "u1"])))


def _write_h5_storage(folder: Path, spec) -> Path:
    import h5py

    kind, shape, dtype, fill, labels, label_dtype = spec
    rng = np.random.default_rng(len(shape))
    path = folder / "train_s.h5"
    other = folder / "other.h5"
    count = shape[0]
    nbytes = int(np.prod(shape)) * np.dtype(dtype).itemsize
    data = (rng.random(shape) * (1 if dtype[0] == "f" else 2 if dtype == "?" else 200)
            ).astype(dtype) if kind != "unwritten" else None
    with h5py.File(path, "w") as f:
        if kind == "contiguous" or kind == "compact" and not 0 < nbytes < 30_000:
            f.create_dataset("train_set_x", data=data)
        elif kind == "compact":  # the data kept in the object header
            dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
            dcpl.set_layout(h5py.h5d.COMPACT)
            f.create_dataset("train_set_x", data=data, dcpl=dcpl)
        elif kind in ("chunked", "gzip", "lzf") and count:
            f.create_dataset("train_set_x", data=data, chunks=True,
                             compression=None if kind == "chunked" else kind)
        elif kind == "external":
            raw = folder / "raw.bin"
            raw.write_bytes(bytes(max(1, nbytes)))
            f.create_dataset("train_set_x", shape=shape, dtype=dtype,
                             external=[(str(raw), 0, max(1, nbytes))])
        elif kind == "external_link":
            with h5py.File(other, "w") as g:
                g["x"] = data
            f["train_set_x"] = h5py.ExternalLink(str(other), "/x")
        elif kind == "virtual":
            with h5py.File(other, "w") as g:
                g["x"] = data
            layout = h5py.VirtualLayout(shape=shape, dtype=dtype)
            layout[...] = h5py.VirtualSource(str(other), "x", shape=shape)
            f.create_virtual_dataset("train_set_x", layout, fillvalue=0)
        else:  # unwritten: declared, never stored (reads as the fill value)
            f.create_dataset("train_set_x", shape=shape, dtype=dtype,
                             fillvalue=None if dtype == "?" else fill,
                             chunks=tuple(min(d, 16) or 1 for d in shape) if count else None)
        n = count if labels is None else labels
        y = np.arange(n) % 2
        if label_dtype == "u8" and n:
            y = y.astype("u8")
            y[-1] = 2**64 - 1 if labels is not None else y[-1]
        f["train_set_y"] = y.astype(label_dtype)
    return path


@FUZZ
@given(h5_storage())
def test_hdf5_storage_kinds_through_the_loader(spec):
    with tempfile.TemporaryDirectory() as folder:
        path = _write_h5_storage(Path(folder), spec)
        try:
            result = load_dataset(path)
        except CnnExplorerError as exc:
            if spec[0] in _READS_OUTSIDE:
                assert "refused" in str(exc) or "not an array" in str(exc)
            return
        assert spec[0] not in _READS_OUTSIDE, "read data from another file"
        _check_dataset(result)
        if spec[2] == "?":  # booleans are black and white
            assert set(np.unique(result.x_train).tolist()) <= {0, 255}


@st.composite
def png_header(draw):
    """A PNG whose IHDR is drawn (size, bit depth, colour type, interlace) and whose image
    data is a little zlib stream, often too short for what the header declares."""
    from hostile_round2 import png_chunk

    width = draw(st.one_of(st.integers(1, 3000), st.integers(1, 2**31 - 1)))
    height = draw(st.one_of(st.integers(1, 3000), st.integers(1, 2**31 - 1)))
    if width * height > 4_000_000 and width * height <= images.MAX_PIXELS:
        height = max(1, 4_000_000 // width)  # keep real decodes small; bombs stay bombs
    depth = draw(st.sampled_from([1, 2, 4, 8, 16]))
    colour = draw(st.sampled_from([0, 2, 3, 4, 6]))
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0,
                         draw(st.sampled_from([0, 1])))
    rows = draw(st.integers(0, 64))
    data = zlib.compress(bytes(draw(st.integers(0, 2048))) * max(1, rows // 32))
    chunks = [png_chunk(b"IHDR", header)]
    if colour == 3:
        chunks.append(png_chunk(b"PLTE", bytes(range(48))))
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks) + png_chunk(b"IDAT", data) + \
        png_chunk(b"IEND", b"")


@st.composite
def jpeg_header(draw):
    """The seed JPEG (baseline or progressive) with its frame size rewritten and its last
    scans repeated a drawn number of times."""
    from hostile_round2 import jpeg_scan_bomb

    data = bytearray(jpeg_scan_bomb(draw(st.integers(0, 80)), side=16)
                     if draw(st.booleans()) else SEEDS["jpg"])
    sof = max(data.find(b"\xff\xc0"), data.find(b"\xff\xc2"))
    if sof > 0:
        data[sof + 5:sof + 9] = struct.pack(">HH", draw(st.integers(0, 65535)),
                                            draw(st.integers(0, 65535)))
    return bytes(data)


@FUZZ
@given(st.one_of(png_header(), jpeg_header()), st.sampled_from([None, 16]),
       st.sampled_from([0, 8]))
def test_png_and_jpeg_headers_through_the_image_reader(data, size, min_side):
    _expect_valid_or_ours(lambda: read_image(data, size=size, min_side=min_side), _check_image)
    _expect_valid_or_ours(lambda: images.read_image_reduced(data, 64, min_side=min_side)[0],
                          _check_image)


_LAYER = st.fixed_dictionaries({
    "class_name": st.sampled_from(["Dense", "Conv2D", "Flatten", "BatchNormalization",
                                   "Embedding", "DepthwiseConv2D", "MaxPooling2D", "Add",
                                   "Unknown", "Sequential"]),
    "name": st.text("abc", min_size=1, max_size=3),
    "config": st.fixed_dictionaries({}, optional={
        "units": st.one_of(st.integers(-5, 10**7), st.text(max_size=3), st.none()),
        "filters": st.one_of(st.integers(-5, 10**5), st.none()),
        "kernel_size": st.one_of(st.integers(-1, 9), st.lists(st.integers(0, 9), max_size=3)),
        "input_dim": st.integers(-5, 10**6), "output_dim": st.integers(-5, 10**4),
        "use_bias": st.booleans(), "padding": st.sampled_from(["same", "valid", "x"]),
        "layers": st.just([{"class_name": "Dense", "config": {"units": 3}}])}),
    "build_config": st.one_of(st.none(), st.fixed_dictionaries({"input_shape": st.lists(
        st.one_of(st.none(), st.integers(-2, 5000)), max_size=5)})),
})


@st.composite
def model_config(draw):
    sequential = draw(st.booleans())
    layers = [{"class_name": "InputLayer", "name": "in", "config": {
        "batch_shape": [None] + draw(st.lists(st.integers(-1, 512), min_size=1, max_size=4))}}]
    for layer in draw(st.lists(_LAYER, max_size=6)):
        if not sequential:
            layer["inbound_nodes"] = [{"args": [{"class_name": "__keras_tensor__", "config": {
                "keras_history": [layers[-1].get("name", "in"), 0, 0]}}]}]
        layers.append(layer)
    return {"class_name": "Sequential" if sequential else "Functional",
            "config": {"name": "m", "layers": layers}}


@FUZZ
@given(model_config(), st.integers(0, 10**8))
def test_model_configurations_through_the_declared_size_check(config, stored):
    from cnnexplorer.core.keras.declared_size import check_declared_weights, declared_weights

    count = declared_weights(config)
    assert isinstance(count, int) and count >= 0
    _expect_valid_or_ours(lambda: check_declared_weights(config, stored, "m.keras"),
                          lambda result: result == count)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "m.keras"
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("metadata.json", json.dumps({"keras_version": "3.0.0"}))
            zf.writestr("config.json", json.dumps(config))
            zf.writestr("model.weights.h5", SEEDS["h5"])
        _expect_valid_or_ours(lambda: check_model_file(path), lambda result: result == ".keras")
