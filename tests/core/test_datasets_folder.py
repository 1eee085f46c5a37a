"""Image folders: odd files are converted, bad ones skipped and listed, bad layouts explained."""

import os

import numpy as np
import pytest
from PIL import Image

from cnnexplorer.core.data import Dataset, load_dataset, save_image_folder
from cnnexplorer.core.data.folder import LoadCancelled
from cnnexplorer.core.errors import DatasetError


def _img(colour, size=(16, 12)):
    return Image.new("RGB", size, colour)


@pytest.fixture
def messy(tmp_path):
    """Three classes of good and bad files, one empty class folder, one loose file."""
    root = tmp_path / "pets"
    cat, dog, fox, empty = (root / n for n in ("cat", "dog", "fox", "zebra"))
    for d in (cat, dog, fox, empty):
        d.mkdir(parents=True)
    _img((200, 10, 10)).save(cat / "a.jpg")
    _img((200, 10, 10)).save(cat / "b.bmp")
    _img((10, 200, 10)).convert("CMYK").save(cat / "cmyk.jpg")
    g16 = (np.linspace(0, 65535, 12 * 16).reshape(12, 16)).astype(np.uint16)
    Image.fromarray(g16).save(cat / "deep.png")
    good = (cat / "a.jpg").read_bytes()
    (cat / "corrupt.jpg").write_bytes(good[: len(good) // 3])
    (cat / "text.png").write_text("I am not a picture")
    (cat / "notes.txt").write_text("hello")
    (cat / ".DS_Store").write_bytes(b"\0\0")
    rgba = np.zeros((12, 16, 4), np.uint8)
    rgba[..., 2] = 255
    rgba[:6, :, 3] = 255
    Image.fromarray(rgba).save(dog / "rgba.png")
    photo = _img((10, 10, 200), size=(16, 12))
    exif = photo.getexif()
    exif[0x0112] = 6
    photo.save(dog / "phone.jpg", exif=exif)
    frames = [_img((0, 200, 0)), _img((200, 0, 0))]
    frames[0].save(fox / "anim.gif", save_all=True, append_images=frames[1:])
    _img((0, 0, 0)).convert("P").save(fox / "pal.png")
    (fox / "x.webp").write_bytes(b"")
    _img((1, 2, 3)).save(root / "loose.png")
    return root


def test_messy_folder_loads_skips_and_explains(messy):
    ds = load_dataset(messy, image_size=(8, 8))
    assert ds.class_names == ["cat", "dog", "fox"]  # the empty 'zebra' is left out
    assert ds.counts("train").tolist() == [4, 2, 2]
    assert ds.input_shape == (8, 8, 3) and ds.x_test is None
    skipped = {os.path.relpath(p, messy): why for p, why in ds.skipped}
    assert skipped == {
        "loose.png": "not inside a class folder",
        os.path.join("cat", "notes.txt"): "not an image file (extension '.txt')",
        os.path.join("cat", "corrupt.jpg"): skipped[os.path.join("cat", "corrupt.jpg")],
        os.path.join("cat", "text.png"): ("not an image file this program reads (formats: PNG, JPEG, BMP, GIF, "
                                          "WEBP; unknown, unsupported or refused format)"),
        os.path.join("fox", "x.webp"): "the file is empty (0 bytes), not an image",
        "zebra": "class folder has no readable images; class left out",
    }
    assert skipped[os.path.join("cat", "corrupt.jpg")].startswith(
        "the image data is corrupt or truncated")
    cat = ds.x_train[ds.y_train == 0]
    # a.jpg, b.bmp, cmyk.jpg, deep.png in natural order: red, red, green, gray gradient
    assert cat[1, 4, 4].tolist() == [200, 10, 10]
    assert cat[2, 4, 4, 1] > 150 and cat[2, 4, 4, 0] < 60  # CMYK converted, not inverted
    assert cat[3, ..., 0].max() > 200 and cat[3, ..., 0].min() < 40  # 16-bit scaled, not clipped
    dog = ds.x_train[ds.y_train == 1]
    assert dog[1, 0, 4].tolist() == [0, 0, 255] and dog[1, 7, 4].tolist() == [255, 255, 255]
    fox = ds.x_train[ds.y_train == 2]
    assert fox[0, 4, 4].tolist() == [0, 200, 0]  # the GIF's first frame


def test_exif_rotation_reaches_the_dataset(tmp_path):
    for cls in ("a", "b"):
        (tmp_path / cls).mkdir()
        photo = Image.new("RGB", (16, 12), (10, 10, 200))
        photo.paste((250, 250, 0), (0, 0, 4, 12))  # a yellow band on the stored left edge
        exif = photo.getexif()
        exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
        photo.save(tmp_path / cls / "phone.jpg", exif=exif)
    ds = load_dataset(tmp_path)  # native size: the first image's, as displayed
    assert ds.input_shape == (16, 12, 3)
    # Rotated clockwise, the stored left edge becomes the top rows.
    assert ds.x_train[0, 0, 6, 0] > 200 and ds.x_train[0, 15, 6, 0] < 60


@pytest.mark.parametrize("mode", ["stretch", "crop", "pad"])
def test_resize_modes_apply(tmp_path, mode):
    for cls in ("a", "b"):
        (tmp_path / cls).mkdir()
        _img((250, 250, 250), size=(40, 20)).save(tmp_path / cls / "wide.png")
    ds = load_dataset(tmp_path, image_size=16, resize=mode)
    corner = ds.x_train[0, 0, 0, 0]
    assert corner == (0 if mode == "pad" else 250)


def test_train_test_layout_and_class_mismatch(tmp_path):
    for split, classes in (("train", ("no", "yes")), ("test", ("yes", "maybe"))):
        for cls in classes:
            (tmp_path / split / cls).mkdir(parents=True)
            _img((9, 9, 9)).save(tmp_path / split / cls / "1.png")
    ds = load_dataset(tmp_path)
    assert ds.class_names == ["no", "yes"]
    assert ds.counts("train").tolist() == [1, 1] and ds.counts("test").tolist() == [0, 1]
    assert [(os.path.basename(p), why) for p, why in ds.skipped] == [
        ("1.png", "test class 'maybe' has no training folder")]


def test_folder_errors(tmp_path):
    with pytest.raises(DatasetError) as info:
        load_dataset(tmp_path)
    assert str(info.value).startswith(f"{tmp_path}: no class folders found; put each class's "
                                      f"images in its own subfolder")
    (tmp_path / "only").mkdir()
    (tmp_path / "other").mkdir()
    with pytest.raises(DatasetError) as info:
        load_dataset(tmp_path)
    assert str(info.value) == (f"{tmp_path}: the class folders hold no images (looked for .jpg "
                               f".jpeg .png .bmp .gif .webp)")
    _img((1, 1, 1)).save(tmp_path / "only" / "1.png")
    (tmp_path / "other" / "bad.png").write_text("x")
    with pytest.raises(DatasetError) as info:
        load_dataset(tmp_path)
    assert str(info.value) == (f"{tmp_path}: a classifier needs at least 2 classes with images; "
                               f"found 1 ('only')")


def test_progress_and_cancel(tmp_path):
    for cls in ("a", "b"):
        (tmp_path / cls).mkdir()
        for i in range(40):
            _img((i, i, i)).save(tmp_path / cls / f"{i}.png")
    calls = []
    ds = load_dataset(tmp_path, progress=lambda d, t, m: calls.append((d, t)))
    assert ds.counts().tolist() == [40, 40]
    assert calls[-1] == (80, 80) and all(t == 80 for _, t in calls)
    # natural order: 2.png before 10.png
    assert ds.x_train[2, 0, 0, 0] == 2 and ds.x_train[10, 0, 0, 0] == 10
    with pytest.raises(LoadCancelled, match="loading cancelled after 32 of 80 files"):
        load_dataset(tmp_path, progress=lambda d, t, m: False)


@pytest.mark.parametrize("channels", [1, 3])
def test_image_folder_round_trip(tmp_path, channels):
    rng = np.random.default_rng(0)
    ds = Dataset(name="t", class_names=["not happy", "happy", "a/b"],
                 x_train=rng.integers(0, 256, (6, 8, 8, channels), dtype=np.uint8),
                 y_train=np.array([0, 1, 2, 2, 1, 0]),
                 x_test=rng.integers(0, 256, (2, 8, 8, channels), dtype=np.uint8),
                 y_test=np.array([1, 0]))
    save_image_folder(ds, tmp_path / "out")
    back = load_dataset(tmp_path / "out")
    assert back.class_names == ["not happy", "happy", "a_b"]  # order kept by classes.txt
    assert back.input_shape == (8, 8, channels)
    order = np.argsort(ds.y_train, kind="stable")
    np.testing.assert_array_equal(back.x_train, ds.x_train[order])
    np.testing.assert_array_equal(back.y_train, ds.y_train[order])
    np.testing.assert_array_equal(back.x_test, ds.x_test[np.argsort(ds.y_test, kind="stable")])
    with pytest.raises(DatasetError, match="the folder is not empty"):
        save_image_folder(ds, tmp_path / "out")


def test_real_signs_folder(shared_data_dir):
    path = os.path.join(shared_data_dir, "signs-64x64")
    if not os.path.isdir(path):
        pytest.skip("signs-64x64 is not present")
    ds = load_dataset(path)
    assert ds.class_names == ["0", "1", "2", "3", "4", "5"]
    assert ds.input_shape == (64, 64, 3)
    assert ds.counts().tolist() == [180] * 6 and not ds.skipped
