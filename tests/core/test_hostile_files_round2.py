"""Hostile files of the second round (issue 19, severe 2-3 and the file defects): HDF5 that
reads other files, a fill-value bomb, boolean images, labels beyond int64. Each is refused
(or converted as documented) with a message naming the file and the key."""

from __future__ import annotations

import os
import threading
import tracemalloc

import numpy as np
import pytest
from hostile_round2 import (
    external_link_h5,
    external_storage_h5,
    fill_value_bomb_h5,
    virtual_h5,
)

from cnnexplorer.core.data import load_dataset
from cnnexplorer.core.data import arrays
from cnnexplorer.core.errors import DatasetError, ModelFileError
from cnnexplorer.core.keras.model_io import check_model_file


# -- severe 2: HDF5 that reads other files -------------------------------------------------------
def test_external_storage_naming_another_file_is_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"root:x:0:0:root:/root:/bin/bash\n" * 4)
    path = external_storage_h5(tmp_path / "train_p.h5", secret)
    with pytest.raises(DatasetError, match=r"train_p\.h5: key 'train_set_x' keeps its data in "
                                           r"other files \('.*secret\.txt'\)"):
        load_dataset(path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_external_storage_in_a_fifo_is_refused_without_opening_it(tmp_path):
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    path = external_storage_h5(tmp_path / "f.h5", pipe, count=20)
    # before the fix this read blocked forever on the FIFO (repro #2: timeout rc 124)
    out = {}

    def load():
        try:
            load_dataset(path)
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            out["error"] = exc

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    thread.join(60)
    if thread.is_alive():
        with open(pipe, "wb") as writer:  # free the reader
            writer.write(bytes(20 * 48))
        thread.join(30)
        pytest.fail("still reading after 60 s: blocked on the named pipe")
    assert isinstance(out.get("error"), DatasetError)
    assert "external storage is refused" in str(out["error"])


def test_external_device_storage_is_refused(tmp_path):
    path = external_storage_h5(tmp_path / "z.h5", "/dev/zero")
    with pytest.raises(DatasetError, match="'/dev/zero'"):
        load_dataset(path)


@pytest.mark.parametrize("key", ["train_set_x", "list_classes"])
def test_an_external_link_is_refused(tmp_path, key):
    path = external_link_h5(tmp_path / "train_l.h5", tmp_path / "other.h5", key)
    with pytest.raises(DatasetError, match=rf"key '{key}' is a link to '.*other\.h5' \(an "
                                           rf"external link\)"):
        load_dataset(path)


def test_a_virtual_dataset_is_refused(tmp_path):
    path = virtual_h5(tmp_path / "v.h5", tmp_path / "source.h5")
    with pytest.raises(DatasetError, match=r"key 'train_set_x' is a virtual dataset reading "
                                           r"other files \('.*source\.h5'\)"):
        load_dataset(path)


def test_a_model_h5_with_an_external_link_is_refused_before_keras(tmp_path):
    import h5py

    path = tmp_path / "m.h5"
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = "{}"
        weights = f.create_group("model_weights")
        weights["dense"] = h5py.ExternalLink("/etc/passwd", "/x")
    with pytest.raises(ModelFileError, match=r"key 'model_weights/dense' is a link to "
                                             r"'/etc/passwd'"):
        check_model_file(path)


def test_a_self_contained_file_with_an_internal_soft_link_still_loads(tmp_path):
    import h5py

    path = tmp_path / "s.h5"
    with h5py.File(path, "w") as f:
        f["data/x"] = np.full((4, 5, 5, 3), 100, np.uint8)
        f["train_set_x"] = h5py.SoftLink("/data/x")
        f["train_set_y"] = np.array([0, 1, 0, 1])
    ds = load_dataset(path)
    assert ds.x_train.shape == (4, 5, 5, 3) and int(ds.x_train.max()) == 100


# -- severe 3: fill-value bomb, lengths before reading, conversion in chunks ---------------------
def test_a_fill_value_bomb_is_refused_from_what_the_file_stores(tmp_path):
    path = fill_value_bomb_h5(tmp_path / "b.h5")
    assert path.stat().st_size < 64 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(DatasetError, match=r"key 'train_set_x' declares shape \(12000, 64, "
                                               r"64, 3\) \(float64\) = 1,179,648,000 bytes but "
                                               r"the file stores 0 bytes"):
            load_dataset(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20  # before the fix: 1.2 GB of 0.5, then more


def test_image_and_label_counts_are_compared_before_reading(tmp_path):
    import h5py

    path = tmp_path / "n.h5"
    with h5py.File(path, "w") as f:
        f["train_set_x"] = np.full((300, 32, 32, 3), 0.5, "f8")  # 7.4 MB stored
        f["train_set_y"] = np.zeros((1, 3), "i8")
    tracemalloc.start()
    try:
        with pytest.raises(DatasetError, match="has 300 images but key 'train_set_y' has 3 "
                                               "labels"):
            load_dataset(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 * 2**20, peak  # nothing read: no 7 MB float array


def test_float_images_convert_a_chunk_at_a_time(tmp_path, monkeypatch):
    import h5py

    rng = np.random.default_rng(1)
    x = rng.random((64, 32, 32, 3))  # float64 in 0..1, 1.5 MB
    path = tmp_path / "c.h5"
    with h5py.File(path, "w") as f:
        f["train_set_x"] = x
        f["train_set_y"] = np.arange(64) % 2
    monkeypatch.setattr(arrays, "CONVERT_CHUNK_BYTES", 100_000)
    tracemalloc.start()
    try:
        ds = load_dataset(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert np.array_equal(ds.x_train, np.clip(np.rint(x * 255), 0, 255).astype(np.uint8))
    # the whole float64 array once is 1.5 MB; in chunks: the uint8 result and a chunk or two
    assert peak < x.nbytes, peak


def test_integer_images_in_chunks_keep_the_0_255_rule(tmp_path, monkeypatch):
    monkeypatch.setattr(arrays, "CONVERT_CHUNK_BYTES", 1000)
    x = np.arange(8 * 4 * 4 * 3).reshape(8, 4, 4, 3) % 256
    out = arrays.as_images(x.astype(np.int32), "x")
    assert np.array_equal(out, x.astype(np.uint8))
    bad = x.astype(np.int32)
    bad[7, 0, 0, 0] = 300  # only in the last chunk
    with pytest.raises(DatasetError, match=r"pixel values in 0\.\.255 .* found 0\.\.300"):
        arrays.as_images(bad, "x")


# -- defects: boolean images, labels beyond int64 ------------------------------------------------
def test_boolean_images_become_black_and_white(tmp_path):
    import h5py

    path = tmp_path / "bool.h5"
    mask = np.zeros((2, 4, 4, 1), bool)
    mask[0, :2] = True
    with h5py.File(path, "w") as f:
        f["train_set_x"] = mask
        f["train_set_y"] = np.array([0, 1])
    ds = load_dataset(path)
    assert ds.x_train.dtype == np.uint8
    assert set(np.unique(ds.x_train).tolist()) == {0, 255}  # before: pixels 0 and 1
    assert np.array_equal(ds.x_train == 255, mask)


def test_a_label_of_2_to_the_64_minus_1_is_reported_as_it_is(tmp_path):
    import h5py

    path = tmp_path / "u.h5"
    with h5py.File(path, "w") as f:
        f["train_set_x"] = np.zeros((2, 4, 4, 3), np.uint8)
        f["train_set_y"] = np.array([0, 2**64 - 1], np.uint64)
        f["list_classes"] = np.array([b"a", b"b"])
    with pytest.raises(DatasetError, match=r"labels 0\.\.18446744073709551615") as info:
        load_dataset(path)
    assert "-1.." not in str(info.value)
