"""Degraded versions of face crops, to check a door model beyond sharp, well-lit crops.

A webcam or a phone photo gives the door faces that are small (upscaled from a few dozen
pixels), soft, dark or bright, tilted, mirrored and JPEG-compressed. `DISTORTIONS` names
each such change; `degrade` applies one to a batch of uint8 crops `(N, H, W, C)`. Used by
`tools/make_door_model` (the figures in resources/door_model.json) and
benchmarks/bench_door_robustness.py (the table in benchmarks/door.md). Pillow and numpy only.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageFilter

from cnnexplorer.core.errors import ConfigError
from cnnexplorer.core.data.augment import warp_batch

#: name -> what it does, in table order
DISTORTIONS = {
    "none": "the held-out crops as they are",
    "brightness x0.5": "every pixel value halved",
    "brightness x1.5": "every pixel value x1.5, clipped at 255",
    "gaussian blur 1.5": "Gaussian blur, standard deviation 1.5 px",
    "jpeg q20": "saved as JPEG at quality 20 and read back",
    "scale 0.5x": "downscaled to half size (32x32) and upscaled back, bilinear",
    "scale 0.35x": "downscaled to 35% (22x22, a face 22 px wide) and upscaled back",
    "rotate +15": "rotated 15 degrees about the centre, borders reflected",
    "rotate -15": "rotated 15 degrees the other way",
    "mirrored": "flipped left to right",
}


def _per_image(x: np.ndarray, fn) -> np.ndarray:
    out = np.empty_like(x)
    c = x.shape[-1]
    for i in range(len(x)):
        img = Image.fromarray(x[i, :, :, 0] if c == 1 else x[i])
        res = np.asarray(fn(img), dtype=np.uint8)
        out[i] = res[:, :, None] if res.ndim == 2 else res
    return out


def _rescale(img: Image.Image, factor: float) -> Image.Image:
    w, h = img.size
    small = img.resize((max(2, round(w * factor)), max(2, round(h * factor))),
                       Image.Resampling.BILINEAR, reducing_gap=2.0)
    return small.resize((w, h), Image.Resampling.BILINEAR)


def _jpeg(img: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=quality)
    buf.seek(0)
    return Image.open(buf).convert(img.mode)


def _rotate(x: np.ndarray, degrees: float) -> np.ndarray:
    n, h, w, _ = x.shape
    a = np.deg2rad(degrees)
    cos, sin = np.cos(a), np.sin(a)
    cx, cy = (w - 1) / 2.0, (h - 1) / 2.0
    # output -> input pixel coordinates, as core.data.augment's transforms
    mat = np.array([cos, -sin, cx - cos * cx + sin * cy, sin, cos, cy - sin * cx - cos * cy,
                    0, 0], np.float32)
    return warp_batch(x, np.repeat(mat[None], n, axis=0))


def degrade(x: np.ndarray, name: str) -> np.ndarray:
    """Apply the distortion `name` (a key of DISTORTIONS) to uint8 images (N, H, W, C).

    Raises:
        ConfigError: an unknown name (the message lists the known ones).
    """
    x = np.asarray(x)
    if name == "none":
        return x
    if name.startswith("brightness x"):
        factor = float(name.split("x")[1])
        return np.clip(np.rint(x.astype(np.float32) * factor), 0, 255).astype(np.uint8)
    if name == "gaussian blur 1.5":
        return _per_image(x, lambda im: im.filter(ImageFilter.GaussianBlur(1.5)))
    if name == "jpeg q20":
        return _per_image(x, lambda im: _jpeg(im, 20))
    if name in ("scale 0.5x", "scale 0.35x"):
        factor = float(name.split()[1].rstrip("x"))
        return _per_image(x, lambda im: _rescale(im, factor))
    if name in ("rotate +15", "rotate -15"):
        return _rotate(x, float(name.split()[1]))
    if name == "mirrored":
        return np.ascontiguousarray(x[:, :, ::-1])
    raise ConfigError(f"unknown distortion {name!r}; known: {', '.join(DISTORTIONS)}")


#: the course's condition: a 64x64 photo of a person holds a face 20 to 30 pixels wide, which
#: the door crops and makes large again
SMALL_FACE_SIDES = (20, 30)


def small_faces(x: np.ndarray, seed: int = 0, sides: tuple[int, int] = SMALL_FACE_SIDES
                ) -> np.ndarray:
    """Each uint8 crop `(N, H, W, C)` downscaled to a random side in `sides` (inclusive, the
    same draw for width and height) and upscaled back to its size, bilinear: a face as a
    64x64 Happy House photo gives it once found and cropped. Seeded, so the same crops come
    out on every call."""
    x = np.asarray(x)
    rng = np.random.default_rng(seed)
    drawn = rng.integers(sides[0], sides[1] + 1, len(x))
    out = np.empty_like(x)
    c = x.shape[-1]
    for i in range(len(x)):
        img = Image.fromarray(x[i, :, :, 0] if c == 1 else x[i])
        w, h = img.size
        s = int(drawn[i])
        small = img.resize((s, s), Image.Resampling.BILINEAR, reducing_gap=2.0)
        res = np.asarray(small.resize((w, h), Image.Resampling.BILINEAR), dtype=np.uint8)
        out[i] = res[:, :, None] if res.ndim == 2 else res
    return out
