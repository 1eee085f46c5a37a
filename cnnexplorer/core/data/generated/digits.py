""""Digits": 32x32x1 handwritten-looking digits for LeNet-5, rendered from Pillow's bundled
font (works offline) with random size, stroke width, affine distortion (rotation, shear, scale,
shift), a little stroke wobble, blur and noise. Light strokes on dark, like MNIST.
"""

from __future__ import annotations

import threading

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from cnnexplorer.core.data.generated.common import balanced_labels, draw_all

SIZE = 32
S = 64  # drawing canvas
CLASS_NAMES = [str(i) for i in range(10)]

# One font cache per thread: a FreeType face must not render in two threads at once.
_LOCAL = threading.local()


def _font(size: int):
    fonts = _LOCAL.__dict__.setdefault("fonts", {})
    if size not in fonts:
        try:
            fonts[size] = ImageFont.load_default(size=size)  # Pillow >= 10.1: FreeType
        except TypeError:  # older Pillow: the fixed bitmap font, scaled up by the affine
            fonts[size] = ImageFont.load_default()
    return fonts[size]


def _glyph(digit: int, size: int, stroke: int) -> Image.Image:
    """The digit, white on black, centred on the drawing canvas (cached per thread)."""
    glyphs = _LOCAL.__dict__.setdefault("glyphs", {})
    key = (digit, size, stroke)
    if key not in glyphs:
        canvas = Image.new("L", (S, S), 0)
        draw = ImageDraw.Draw(canvas)
        font = _font(size)
        text = str(digit)
        box = draw.textbbox((0, 0), text, font=font, stroke_width=stroke)
        x = (S - (box[2] - box[0])) / 2 - box[0]
        y = (S - (box[3] - box[1])) / 2 - box[1]
        draw.text((x, y), text, fill=255, font=font, stroke_width=stroke, stroke_fill=255)
        glyphs[key] = canvas
    return glyphs[key]


def draw_digit(rng: np.random.Generator, digit: int) -> np.ndarray:
    size = int(rng.integers(30, 46))
    stroke = int(rng.choice([0, 0, 1, 1, 2]))
    ink = rng.uniform(0.65, 1.0)
    glyph = _glyph(digit, size, stroke)
    # Random affine about the centre, straight from the 64 px canvas to 32 px (output ->
    # input coordinates, as Image.transform expects; the factor S / SIZE does the reduction).
    angle = np.deg2rad(rng.uniform(-15, 15))
    shear = rng.uniform(-0.35, 0.35)
    zoom = rng.uniform(0.85, 1.2)
    sx = zoom * rng.uniform(0.85, 1.15)
    c, s = np.cos(angle), np.sin(angle)
    a = np.array([[c, -s], [s, c]]) @ np.array([[1, shear], [0, 1]]) * np.array([[sx], [zoom]])
    a = a * (S / SIZE)
    shift = rng.uniform(-4, 4, 2)
    out_centre = np.array([SIZE / 2, SIZE / 2])
    t = np.array([S / 2, S / 2]) - a @ out_centre - shift
    img = glyph.transform((SIZE, SIZE), Image.Transform.AFFINE,
                          (a[0, 0], a[0, 1], t[0], a[1, 0], a[1, 1], t[1]),
                          resample=Image.Resampling.BILINEAR)
    if rng.uniform() < 0.6:
        img = img.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.3, 0.8))))
    arr = np.asarray(img).astype(np.float32) * ink
    arr += rng.standard_normal(arr.shape, dtype=np.float32) * rng.uniform(0, 14)
    if rng.uniform() < 0.15:  # a stray pen mark
        yy, xx = rng.integers(0, SIZE, 2)
        arr[max(0, yy - 1):yy + 1, max(0, xx - 3):xx + 3] += rng.uniform(60, 160)
    return np.clip(np.rint(arr), 0, 255).astype(np.uint8)[:, :, None]


def generate(seed: int = 3, n_train: int = 6000, n_test: int = 1000):
    """(x_train, y_train, x_test, y_test, class_names); classes balanced in both splits."""
    rng = np.random.default_rng(seed)
    y = balanced_labels(rng, 10, n_train, n_test)
    x = draw_all(lambda r, d: draw_digit(r, int(d)), y, seed)
    return x[:n_train], y[:n_train], x[n_train:], y[n_train:], list(CLASS_NAMES)
