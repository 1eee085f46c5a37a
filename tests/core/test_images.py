"""read_image: every kind of file a user may drop gives uint8 (H, W, C) or a clear error."""

import numpy as np
import pytest
from PIL import Image

from cnnexplorer.core.errors import DatasetError
from cnnexplorer.core.data.images import ImageReadError, read_image, resize_array, scale_pixels


def _gradient(h=20, w=30):
    y, x = np.mgrid[0:h, 0:w]
    return np.stack([x * 255 // (w - 1), y * 255 // (h - 1), np.full_like(x, 128)],
                    axis=2).astype(np.uint8)


def test_rgb_png_round_trips_exactly(tmp_path):
    a = _gradient()
    Image.fromarray(a).save(tmp_path / "a.png")
    out = read_image(tmp_path / "a.png")
    assert out.dtype == np.uint8 and out.shape == (20, 30, 3)
    np.testing.assert_array_equal(out, a)


def test_bytes_source(tmp_path):
    Image.fromarray(_gradient()).save(tmp_path / "a.png")
    out = read_image((tmp_path / "a.png").read_bytes())
    assert out.shape == (20, 30, 3)


def test_sixteen_bit_png_is_scaled_not_clipped(tmp_path):
    g16 = np.linspace(0, 65535, 20 * 30).reshape(20, 30).astype(np.uint16)
    Image.fromarray(g16).save(tmp_path / "g16.png")
    out = read_image(tmp_path / "g16.png")
    assert out.shape == (20, 30, 3)
    assert out.min() == 0 and out.max() == 255
    # Clipping would make everything above 255/65535 white: most pixels would be 255.
    assert 100 < out[..., 0].mean() < 155
    assert out[10, 15, 0] == g16[10, 15] >> 8


def test_rgba_is_composited_on_white(tmp_path):
    rgba = np.zeros((10, 10, 4), np.uint8)
    rgba[..., 0] = 255
    rgba[:5, :, 3] = 255  # top half opaque red, bottom half fully transparent
    Image.fromarray(rgba).save(tmp_path / "rgba.png")
    out = read_image(tmp_path / "rgba.png")
    assert out[0, 0].tolist() == [255, 0, 0]
    assert out[9, 9].tolist() == [255, 255, 255]


def test_cmyk_palette_grayscale_and_one_bit(tmp_path):
    a = _gradient()
    Image.fromarray(a).convert("CMYK").save(tmp_path / "c.jpg")
    Image.fromarray(a).convert("P").save(tmp_path / "p.png")
    Image.fromarray(a).convert("L").save(tmp_path / "l.png")
    Image.fromarray(a).convert("1").save(tmp_path / "b.bmp")
    for name in ("c.jpg", "p.png", "l.png", "b.bmp"):
        out = read_image(tmp_path / name)
        assert out.shape == (20, 30, 3) and out.dtype == np.uint8, name
    cmyk = read_image(tmp_path / "c.jpg").astype(int)
    assert np.abs(cmyk - a).mean() < 12  # same picture, not inverted
    gray = read_image(tmp_path / "l.png")
    assert (gray[..., 0] == gray[..., 1]).all()


def test_exif_orientation_is_applied(tmp_path):
    img = Image.fromarray(_gradient(20, 30))
    exif = img.getexif()
    exif[0x0112] = 6  # "rotate 90 CW to display"
    img.save(tmp_path / "phone.jpg", exif=exif)
    assert read_image(tmp_path / "phone.jpg").shape == (30, 20, 3)


def test_animated_gif_first_frame(tmp_path):
    frames = [Image.new("RGB", (8, 8), (255, 0, 0)), Image.new("RGB", (8, 8), (0, 0, 255))]
    frames[0].save(tmp_path / "a.gif", save_all=True, append_images=frames[1:])
    out = read_image(tmp_path / "a.gif")
    assert out[0, 0].tolist() == [255, 0, 0]


@pytest.mark.parametrize("resize, expect_corner", [("stretch", None), ("crop", None),
                                                    ("pad", 0)])
def test_resize_modes(tmp_path, resize, expect_corner):
    a = np.full((20, 40, 3), 200, np.uint8)
    out = resize_array(a, (16, 16), resize)
    assert out.shape == (16, 16, 3)
    if expect_corner is not None:
        assert out[0, 0, 0] == 0 and out[8, 8, 0] == 200  # black bars above and below
    else:
        assert out[0, 0, 0] == 200


def test_grayscale_output_and_size(tmp_path):
    Image.fromarray(_gradient()).save(tmp_path / "a.png")
    out = read_image(tmp_path / "a.png", size=8, channels=1)
    assert out.shape == (8, 8, 1)


def test_error_messages(tmp_path):
    Image.fromarray(_gradient()).save(tmp_path / "ok.jpg")
    data = (tmp_path / "ok.jpg").read_bytes()
    (tmp_path / "trunc.jpg").write_bytes(data[: len(data) // 2])
    (tmp_path / "text.png").write_text("this is not a picture")
    (tmp_path / "empty.png").write_bytes(b"")
    cases = {
        "trunc.jpg": "the image data is corrupt or truncated",
        "text.png": "not an image file this program reads (formats: PNG, JPEG, BMP, GIF, WEBP; unknown, unsupported or refused format)",
        "empty.png": "the file is empty (0 bytes), not an image",
        "missing.png": "no such file",
    }
    for name, expected in cases.items():
        with pytest.raises(ImageReadError) as info:
            read_image(tmp_path / name)
        assert str(info.value).startswith(f"{tmp_path / name}: {expected}"), str(info.value)
        assert isinstance(info.value, DatasetError)
    with pytest.raises(ImageReadError, match="is a folder"):
        read_image(tmp_path)
    with pytest.raises(ImageReadError, match="empty"):
        read_image(b"")


def test_decompression_bomb_guard(tmp_path, recwarn):
    Image.new("1", (10000, 9000)).save(tmp_path / "bomb.png")  # 90 M pixels, tiny file
    with pytest.raises(ImageReadError, match="too large to open safely"):
        read_image(tmp_path / "bomb.png")
    # one clear error, without Pillow's two-line warning ahead of it (issue 12, item 14)
    assert not [w for w in recwarn if issubclass(w.category, Image.DecompressionBombWarning)]


def test_bad_arguments():
    with pytest.raises(DatasetError, match="resize must be one of stretch, crop, pad; "
                                           "received 'zoom'"):
        read_image(b"x", resize="zoom")
    with pytest.raises(DatasetError, match="channels must be 1 or 3; received 4"):
        read_image(b"x", channels=4)


def test_scale_pixels_maps_0_255_to_0_1_in_float32():
    x = np.array([[0, 1, 128, 255]], np.uint8)
    out = scale_pixels(x)
    assert out.dtype == np.float32 and out.shape == x.shape
    np.testing.assert_array_equal(out, np.array([[0, 1, 128, 255]], np.float32) / np.float32(255))
    assert out[0, 0] == 0.0 and out[0, -1] == 1.0
    cached = np.full((2, 3), 0.5, np.float32)  # cached activations are already scaled
    assert scale_pixels(cached) is cached


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_read_image_reduced_keeps_only_the_reduced_copy(tmp_path, fmt):
    from PIL import Image

    from cnnexplorer.core.data.images import read_image_reduced

    rng = np.random.default_rng(0)
    big = rng.integers(0, 255, (1500, 2400, 3), dtype=np.uint8)
    path = tmp_path / f"big.{fmt.lower()}"
    Image.fromarray(big).save(path, fmt)
    image, factor = read_image_reduced(path, 600)
    assert image.dtype == np.uint8 and image.shape == (375, 600, 3)
    assert factor == pytest.approx(4.0)
    small, same = read_image_reduced(path, 5000)  # nothing to reduce
    assert small.shape == (1500, 2400, 3) and same == 1.0
