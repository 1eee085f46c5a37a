"""Hostile files through the image reader and the dataset loaders (issue 12, items 1-3, 8,
11, 13, 14): each is refused or skipped with a message naming it; nothing hangs or blows up."""

from __future__ import annotations

import os
import threading

import numpy as np
import pytest
from hostile_samples import (
    eps_as_png,
    fifo,
    group_h5,
    huge_label_h5,
    huge_label_npz,
    image_folder,
    malformed_dds,
    nan_npz,
    npy_named_npz,
    png_bytes,
    release_fifo,
    terabyte_h5,
)

from cnnexplorer.core.data import load_dataset
from cnnexplorer.core.data.images import ImageReadError, read_image
from cnnexplorer.core.errors import DatasetError
from cnnexplorer.core.safe_files import check_regular, display_name, open_regular

#: a generous bound for a loader that must finish at once (a hang is forever)
NO_HANG_S = 120


def _in_thread(fn, stuck_fifos=()):
    """Run fn in a thread; if it does not return in time, free it and fail."""
    out = {}

    def target():
        try:
            out["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            out["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(NO_HANG_S)
    if thread.is_alive():
        for path in stuck_fifos:
            release_fifo(path)
        thread.join(30)
        pytest.fail(f"still running after {NO_HANG_S} s: hung on a named pipe")
    if "error" in out:
        raise out["error"]
    return out.get("value")


# -- item 1: non-regular files -------------------------------------------------------------
def test_a_folder_whose_first_file_is_a_fifo_loads_without_it(tmp_path):
    root = image_folder(tmp_path / "pets")
    pipe = fifo(root / "cat" / "0-fifo.png")
    ds = _in_thread(lambda: load_dataset(root), [pipe])
    assert ds.num_classes == 2 and len(ds.y_train) == 6
    reasons = dict(ds.skipped)
    assert "named pipe" in reasons[str(pipe)]


@pytest.mark.parametrize("name", ["set.npz", "train_set.h5"])
def test_a_fifo_named_as_a_dataset_file_is_refused(tmp_path, name):
    pipe = fifo(tmp_path / name)
    with pytest.raises(DatasetError, match="named pipe"):
        _in_thread(lambda: load_dataset(pipe), [pipe])


def test_guarded_open_refuses_devices_folders_and_long_names(tmp_path):
    with pytest.raises(DatasetError, match="is a device"):
        open_regular("/dev/zero", DatasetError)
    with pytest.raises(DatasetError, match="is a folder"):
        check_regular(tmp_path, DatasetError)
    with pytest.raises(DatasetError, match="too long"):
        check_regular(tmp_path / ("a" * 300 + ".png"), DatasetError)
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * 100)
    with pytest.raises(DatasetError, match="100 bytes"):
        open_regular(big, DatasetError, max_bytes=10)
    with pytest.raises(ImageReadError, match="is a device"):
        read_image("/dev/zero")


# -- item 3: whatever one file raises, it alone is skipped ---------------------------------
def test_a_malformed_dds_named_png_is_skipped_and_named(tmp_path):
    root = image_folder(tmp_path / "pets")
    dds = malformed_dds(root / "dog" / "0-bad.png")
    with pytest.raises(ImageReadError, match="0-bad.png"):
        read_image(dds)
    ds = load_dataset(root)
    assert len(ds.y_train) == 6
    assert str(dds) in dict(ds.skipped)


def test_any_exception_from_one_file_skips_only_that_file(tmp_path, monkeypatch):
    import cnnexplorer.core.data.folder as folder

    root = image_folder(tmp_path / "pets")
    real = folder.read_image

    def flaky(path, **kw):
        if path.name == "2.png":
            raise NotImplementedError("a decoder nobody wrote")
        return real(path, **kw)
    monkeypatch.setattr(folder, "read_image", flaky)
    ds = load_dataset(root)
    assert len(ds.y_train) == 4
    reasons = dict(ds.skipped)
    assert "NotImplementedError" in reasons[str(root / "cat" / "2.png")]


# -- item 13: only the allowed Pillow formats ----------------------------------------------
def test_eps_content_never_reaches_pillows_eps_plugin(tmp_path, monkeypatch):
    from PIL import EpsImagePlugin

    calls = []
    monkeypatch.setattr(EpsImagePlugin.EpsImageFile, "_open",
                        lambda self: calls.append(1) or (_ for _ in ()).throw(SyntaxError()))
    path = eps_as_png(tmp_path / "drawing.png")
    with pytest.raises(ImageReadError, match="not an image file this program reads"):
        read_image(path)
    assert calls == []


# -- item 2: memory from a tiny file -------------------------------------------------------
@pytest.mark.parametrize("maker,name", [(huge_label_npz, "labels.npz"),
                                        (huge_label_h5, "train_labels.h5")])
def test_labels_up_to_a_million_without_class_names_are_refused(tmp_path, maker, name):
    path = maker(tmp_path / name)
    with pytest.raises(DatasetError, match="1000000"):
        load_dataset(path)


def test_a_declared_terabyte_hdf5_array_is_refused_before_reading(tmp_path):
    path = terabyte_h5(tmp_path / "train_tb.h5")
    with pytest.raises(DatasetError, match="train_set_x.*refused"):
        load_dataset(path)


# -- item 8: NaN and infinity --------------------------------------------------------------
@pytest.mark.parametrize("scale", [1.0, 255.0])
def test_nan_pixels_are_refused_with_how_many(tmp_path, scale):
    path = nan_npz(tmp_path / "nan.npz", scale=scale, bad=5)
    with pytest.raises(DatasetError, match=r"5 .*NaN"):
        load_dataset(path)


def test_infinite_pixels_are_refused(tmp_path):
    x = np.full((2, 8, 8, 1), 0.5, np.float64)
    x[0, 0, 0, 0] = np.inf
    np.savez(tmp_path / "inf.npz", x_train=x, y_train=np.array([0, 1]))
    with pytest.raises(DatasetError, match="1 .*infinite"):
        load_dataset(tmp_path / "inf.npz")


def test_a_float_tiff_like_image_with_nan_is_refused():
    from PIL import Image

    arr = np.full((8, 8), 0.5, np.float32)
    arr[0, :3] = np.nan
    img = Image.fromarray(arr, mode="F")
    from cnnexplorer.core.data.images import _to_array

    with pytest.raises(ImageReadError, match="3 of 64 pixels are NaN"):
        _to_array(img, 3, "float.tif")


# -- item 11: bad input is a clear DatasetError, not our bug --------------------------------
def test_hdf5_images_stored_as_a_group(tmp_path):
    with pytest.raises(DatasetError, match="train_set_x.*group"):
        load_dataset(group_h5(tmp_path / "train_g.h5"))


def test_a_plain_npy_renamed_npz(tmp_path):
    with pytest.raises(DatasetError, match=r"\.npy"):
        load_dataset(npy_named_npz(tmp_path / "array.npz"))


def test_a_classes_txt_that_is_not_utf8(tmp_path):
    root = image_folder(tmp_path / "pets")
    (root / "classes.txt").write_bytes(b"dog\n\xff\xfecat\n")
    with pytest.raises(DatasetError, match="classes.txt.*UTF-8"):
        load_dataset(root)


def test_a_path_component_over_255_characters(tmp_path):
    with pytest.raises(DatasetError, match="too long"):
        load_dataset(str(tmp_path / ("x" * 300)))


# -- item 14 (minor): link loops, large-image warnings ---------------------------------------
def test_a_class_folder_linking_to_an_ancestor_is_left_out(tmp_path):
    root = image_folder(tmp_path / "pets")
    os.symlink("..", root / "everything")
    ds = load_dataset(root)
    assert ds.class_names == ["cat", "dog"]
    assert len(ds.y_train) == 6
    assert any("link" in why for path, why in ds.skipped if path.endswith("everything"))


def test_a_90_megapixel_image_gives_one_clear_error_and_no_warning(tmp_path, recwarn):
    from door_samples import bomb_png

    path = bomb_png(tmp_path / "wide.png", side=9500)  # 90.25 M pixels
    with pytest.raises(ImageReadError, match="too large"):
        read_image(path)
    assert not [w for w in recwarn if "DecompressionBomb" in type(w.message).__name__]


# -- item 7 helper: names that are not UTF-8 ------------------------------------------------
def test_display_name_replaces_undecodable_bytes(tmp_path):
    raw = os.fsencode(str(tmp_path)) + b"/bad\xff.png"
    name = os.fsdecode(raw)
    shown = display_name(name)
    shown.encode("utf-8")  # printable on a strict UTF-8 stream
    assert shown.endswith("bad\ufffd.png")
    with pytest.raises(ImageReadError) as info:
        read_image(name)
    str(info.value).encode("utf-8")


def test_bytes_in_memory_still_read():
    assert read_image(png_bytes()).shape == (16, 16, 3)
