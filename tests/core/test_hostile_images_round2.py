"""Bounded decoding (issue 19, severe 4 and 7 and the image defects): a 16-bit PNG of
thousands of pixels a side is reduced before it is converted, a thin image is refused from
its header, a very long strip keeps its real size, a progressive-JPEG scan bomb is refused."""

from __future__ import annotations

import io
import tracemalloc

import numpy as np
import pytest
from hostile_round2 import blank_png, jpeg_scan_bomb
from PIL import Image, ImageFile

from cnnexplorer.core.data import images
from cnnexplorer.core.data.images import ImageReadError, read_image, read_image_reduced
from cnnexplorer.core.door.inference import PHOTO_SIDE, read_door_photo


def _peak(fn):
    """(result, peak bytes NumPy and Python allocated while fn ran)."""
    tracemalloc.start()
    try:
        result = fn()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture(scope="module")
def big_16bit_png() -> bytes:
    return blank_png(6400, 6400, bit_depth=16)  # 41 megapixels in ~110 KB


def test_a_16_bit_png_is_reduced_before_it_is_converted(big_16bit_png):
    arr, peak = _peak(lambda: read_image(big_16bit_png, size=64, channels=3))
    assert arr.shape == (64, 64, 3) and arr.dtype == np.uint8
    # the 8-bit grey image (41 MB) is the only full-size array; before: int64 copies of
    # the 16-bit pixels, 328 MB each (1.5 GB for 9400x9400, repro #6)
    assert peak < 64 * 2**20, f"{peak:,} bytes"


def test_a_16_bit_grey_png_of_6400_pixels_goes_through_face_finding(big_16bit_png):
    # before: "image has wrong mode" (Pillow cannot reduce I;16)
    arr, factor = read_image_reduced(big_16bit_png, PHOTO_SIDE, channels=3, min_side=8)
    assert arr.shape == (PHOTO_SIDE, PHOTO_SIDE, 3)
    assert factor == pytest.approx(6400 / PHOTO_SIDE)


def test_16_bit_pixels_keep_their_scaling():
    arr = np.array([[0, 256, 65535, 32768]] * 4, np.uint16)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "PNG")
    out = read_image(buf.getvalue(), channels=1)
    assert out[0, :, 0].tolist() == [0, 1, 255, 128]


def test_a_thin_image_is_refused_from_its_header_without_decoding(monkeypatch):
    data = blank_png(400_000, 1)

    def no_decoding(self):
        raise AssertionError("decoded before the size check")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    with pytest.raises(ImageReadError, match=r"the image is 400000x1 pixels; at least 8x8 is "
                                             r"needed"):
        read_image(data, size=64, min_side=8)


def test_a_long_strip_keeps_its_real_size_for_face_finding(tmp_path):
    path = tmp_path / "strip.png"
    path.write_bytes(blank_png(20000, 20, colour=2))
    # before: refused as "1600x2 pixels", its reduced size
    image, factor = read_door_photo(path)
    assert min(image.shape[:2]) >= 8
    assert image.shape[1] * factor == pytest.approx(20000, rel=0.01)


def test_a_progressive_jpeg_scan_bomb_is_refused_before_decoding():
    bomb = jpeg_scan_bomb(150)  # 300 extra scans
    with pytest.raises(ImageReadError, match=r"a progressive JPEG with more than \d+ scans"):
        read_image(bomb, size=32)


def test_the_scan_limit_is_the_documented_one():
    assert 2 * 150 > images.MAX_JPEG_SCANS >= 50


def test_an_ordinary_progressive_jpeg_still_reads():
    buf = io.BytesIO()
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (40, 30, 3), dtype=np.uint8)).save(
        buf, "JPEG", progressive=True, quality=90)
    assert read_image(buf.getvalue()).shape == (40, 30, 3)
    assert read_image(jpeg_scan_bomb(20)).shape == (64, 64, 3)  # a few repeats: still read


def test_rgba_reduced_then_composited_matches_composited_then_resized():
    rng = np.random.default_rng(2)
    rgba = rng.integers(0, 255, (512, 512, 4), dtype=np.uint8)
    rgba[..., 3] = np.where(rng.random((512, 512)) < 0.5, 0, 255)
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, "PNG")
    got = read_image(buf.getvalue(), size=32).astype(int)
    white = Image.alpha_composite(Image.new("RGBA", (512, 512), (255,) * 4),
                                  Image.fromarray(rgba, "RGBA")).convert("RGB")
    want = np.asarray(white.resize((32, 32), Image.Resampling.BOX)).astype(int)
    assert np.abs(got - want).mean() < 6  # premultiplied: no dark fringes from hidden colours
