""""Hand signs": the SIGNS task, drawn. 64x64x3, 6 classes = number of raised fingers (0..5).

A hand is a palm, a wrist reaching the image edge, and five fingers that are either raised
(long capsules, fanned) or folded (short knuckles on the palm). Which fingers make a count
varies (three can be index-middle-ring or thumb-index-middle), as in people's real signs.
Pose, size, position, rotation, skin tone, sleeve, background, light and noise all vary.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from cnnexplorer.core.data.generated.common import (
    background,
    balanced_labels,
    colour,
    darker,
    draw_all,
    finish,
    paste_rotated,
    skin,
)

SIZE = 64
S = 2 * SIZE
CLASS_NAMES = [str(i) for i in range(6)]

# Finger order: thumb, index, middle, ring, little.
_CHOICES: dict[int, list[tuple[int, ...]]] = {
    0: [()],
    1: [(1,), (1,), (2,)],
    2: [(1, 2), (1, 2), (0, 1)],
    3: [(1, 2, 3), (0, 1, 2)],
    4: [(1, 2, 3, 4)],
    5: [(0, 1, 2, 3, 4)],
}


def _capsule(draw, p0, p1, width, fill, outline):
    """A finger: a thick line with round ends, outlined so fingers stay apart."""
    r = width / 2
    draw.line([p0, p1], fill=outline, width=int(width + 3))
    for x, y in (p0, p1):
        draw.ellipse([x - r - 1.5, y - r - 1.5, x + r + 1.5, y + r + 1.5], fill=outline)
    draw.line([p0, p1], fill=fill, width=int(width))
    for x, y in (p0, p1):
        draw.ellipse([x - r, y - r, x + r, y + r], fill=fill)


def draw_hand(rng: np.random.Generator, count: int) -> np.ndarray:
    img = background(rng, S, clutter=4, plain_prob=0.35)
    layer = Image.new("RGBA", (S, S), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    tone = skin(rng)
    edge = darker(tone, rng.uniform(0.6, 0.78))
    scale = rng.uniform(0.65, 1.0) * S
    pw, ph = 0.34 * scale * rng.uniform(0.9, 1.1), 0.3 * scale * rng.uniform(0.9, 1.1)
    cx = S / 2 + rng.uniform(-0.12, 0.12) * S
    cy = S * 0.62 + rng.uniform(-0.08, 0.1) * S
    raised = set(_CHOICES[count][int(rng.integers(0, len(_CHOICES[count])))])
    # wrist and sleeve down to the bottom edge
    ww = pw * 0.62
    draw.rectangle([cx - ww / 2, cy, cx + ww / 2, S * 1.5], fill=tone)
    sleeve = colour(rng, 0, 256)
    sy = cy + ph * rng.uniform(0.8, 1.4)
    draw.rectangle([cx - ww * 0.75, sy, cx + ww * 0.75, S * 1.5], fill=sleeve)
    fw = pw * rng.uniform(0.2, 0.25)  # finger width
    lengths = np.array([0.55, 0.8, 0.9, 0.82, 0.62]) * scale * 0.5 * rng.uniform(0.9, 1.15)
    spread = rng.uniform(4, 14)  # degrees between neighbouring raised fingers
    top = cy - ph / 2
    for i in range(1, 5):
        bx = cx - pw / 2 + fw * 0.6 + (i - 1) * (pw - fw * 1.2) / 3
        if i in raised:
            a = np.deg2rad((i - 2.5) * spread + rng.normal(0, 3))
            tip = (bx + np.sin(a) * lengths[i], top - np.cos(a) * lengths[i])
            _capsule(draw, (bx, top + fw * 0.3), tip, fw, tone, edge)
    draw.rounded_rectangle([cx - pw / 2, cy - ph / 2, cx + pw / 2, cy + ph / 2],
                           radius=pw * 0.25, fill=tone, outline=edge, width=2)
    for i in range(1, 5):  # folded fingers: knuckles across the top of the palm
        if i not in raised:
            bx = cx - pw / 2 + fw * 0.6 + (i - 1) * (pw - fw * 1.2) / 3
            draw.ellipse([bx - fw * 0.55, top - fw * 0.45, bx + fw * 0.55, top + fw * 0.75],
                         fill=tone, outline=edge, width=2)
    # thumb on the left (a right hand seen from the palm side), raised or across the palm
    tx, ty = cx - pw / 2 + fw * 0.2, cy + ph * 0.15
    if 0 in raised:
        a = np.deg2rad(-50 - rng.uniform(0, 25))
        tip = (tx + np.sin(a) * lengths[0], ty - np.cos(a) * lengths[0])
        _capsule(draw, (tx, ty), tip, fw * 1.1, tone, edge)
    else:
        _capsule(draw, (tx, ty), (cx + rng.uniform(-0.05, 0.15) * pw, cy + ph * 0.05),
                 fw * 1.05, tone, edge)
    if rng.uniform() < 0.5:  # mirror: left hands too
        layer = layer.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        cx = S - 1 - cx
    paste_rotated(img, layer, float(rng.uniform(-30, 30)), (cx, cy))
    return finish(img, rng, SIZE, noise=8.0, blur=1.0, light=0.3)


def generate(seed: int = 2, n_train: int = 1080, n_test: int = 120):
    """(x_train, y_train, x_test, y_test, class_names); classes balanced in both splits."""
    rng = np.random.default_rng(seed)
    y = balanced_labels(rng, 6, n_train, n_test)
    x = draw_all(lambda r, c: draw_hand(r, int(c)), y, seed)
    return x[:n_train], y[:n_train], x[n_train:], y[n_train:], list(CLASS_NAMES)
