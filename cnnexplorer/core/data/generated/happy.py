""""Happy faces": the Happy House task, drawn. 64x64x3, label 1 = smiling ("happy").

The label is decided by the mouth's curvature alone, from frown (-1) through neutral (0) to
broad smile (+1); happy means curvature > 0. As in the course's photos, where people either
smile broadly or do not, almost every mouth is clearly curved (|curvature| >= 0.3): a smile
stretches the mouth wider and often shows teeth, as people's do (and a few frowns too). About
3% of the mouths are nearly neutral and hard on purpose, so a good model is accurate but not
perfect. Everything else (skin, face size and position, tilt, eyes, hair, glasses, light,
clutter, noise, blur) varies independently of the label. Faces are framed like the Happy House
photos: one face, roughly centred.

Version 3 (the cache name carries it): version 2 drew curvatures down to 0 with most mouths
only slightly curved and smiles as narrow as frowns, which HappyModel could not learn in the
course's 10 epochs (test accuracy 0.55-0.67 where the course's photos give about 0.9).
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from cnnexplorer.core.data.generated.common import (
    HAIR_COLOURS,
    background,
    colour,
    darker,
    draw_all,
    finish,
    paste_rotated,
    skin,
)

SIZE = 64
S = 2 * SIZE  # drawing scale
CLASS_NAMES = ["not happy", "happy"]
HARD_SHARE = 0.03  # nearly neutral mouths


def _mouth_points(cx, cy, width, curvature, n=24):
    xs = np.linspace(-0.5, 0.5, n)
    # Corners rise for a smile, fall for a frown; the centre stays put.
    depth = 0.35 * width * curvature
    ys = cy - depth * (4 * xs ** 2 - 1) - depth
    return [(cx + x * width, y) for x, y in zip(xs, ys)]


def _eyes(draw, rng, cx, ey, dx, r, tone):
    style = rng.integers(0, 4)
    iris = colour(rng, 20, 140)
    for side in (-1, 1):
        x = cx + side * dx
        if style == 3:  # closed / squinting eyes: arcs
            draw.arc([x - r, ey - r * 0.6, x + r, ey + r * 0.6], 200, 340,
                     fill=darker(tone, 0.35), width=max(2, int(r * 0.35)))
            continue
        ry = r * rng.uniform(0.55, 0.9)
        draw.ellipse([x - r, ey - ry, x + r, ey + ry], fill=(245, 245, 240))
        pr = r * rng.uniform(0.4, 0.65)
        off = rng.uniform(-0.3, 0.3) * r
        draw.ellipse([x - pr + off, ey - pr, x + pr + off, ey + pr], fill=iris)
        draw.ellipse([x - pr * 0.5 + off, ey - pr * 0.5, x + pr * 0.5 + off, ey + pr * 0.5],
                     fill=(10, 10, 10))
    # eyebrows: their slant varies independently of the label (no shortcut)
    slant = rng.uniform(-0.25, 0.25) * r
    for side in (-1, 1):
        x = cx + side * dx
        draw.line([(x - r, ey - 1.7 * r + side * slant), (x + r, ey - 1.7 * r - side * slant)],
                  fill=darker(tone, 0.4), width=max(2, int(r * 0.3)))


def _hair(draw, rng, cx, cy, rx, ry, behind: bool):
    style = int(rng.integers(0, 5))
    hc = HAIR_COLOURS[int(rng.integers(0, len(HAIR_COLOURS)))]
    if behind and style == 3:  # long hair falling behind the face
        draw.rounded_rectangle([cx - rx * 1.25, cy - ry * 1.15, cx + rx * 1.25,
                                cy + ry * rng.uniform(0.6, 1.3)], radius=rx * 0.6, fill=hc)
    if not behind:
        if style in (1, 3):  # a fringe
            draw.chord([cx - rx * 1.05, cy - ry * 1.1, cx + rx * 1.05, cy + ry * 0.3],
                       180, 360, fill=hc)
        elif style == 2:  # a cap with a peak
            cc = colour(rng, 0, 256)
            draw.chord([cx - rx * 1.1, cy - ry * 1.25, cx + rx * 1.1, cy + ry * 0.1], 180, 360,
                       fill=cc)
            side = rng.choice([-1, 1])
            draw.ellipse([cx + side * rx * 0.2 - rx * 0.9, cy - ry * 0.62,
                          cx + side * rx * 0.2 + rx * 0.9, cy - ry * 0.4], fill=darker(cc))
        elif style == 4:  # curly hair: small circles around the top
            for a in np.linspace(np.pi * 1.05, np.pi * 1.95, 9):
                r = rx * 0.32
                x, y = cx + np.cos(a) * rx * 0.95, cy + np.sin(a) * ry * 0.92
                draw.ellipse([x - r, y - r, x + r, y + r], fill=hc)
    return style


def draw_face(rng: np.random.Generator, curvature: float) -> np.ndarray:
    img = background(rng, S, clutter=4, plain_prob=0.3)
    layer = Image.new("RGBA", (S, S), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    # Framed like the Happy House photos: one face, roughly centred, filling much of the
    # picture; size and position still vary.
    rx = rng.uniform(0.26, 0.33) * S
    ry = rx * rng.uniform(1.1, 1.3)
    cx = S / 2 + rng.uniform(-0.06, 0.06) * S
    cy = S / 2 + rng.uniform(-0.04, 0.08) * S
    tone = skin(rng)
    _hair(draw, rng, cx, cy, rx, ry, behind=True)
    # body/shoulders so the head is not floating
    shirt = colour(rng, 0, 256)
    draw.ellipse([cx - rx * 1.8, cy + ry * 0.85, cx + rx * 1.8, cy + ry * 3.0], fill=shirt)
    for side in (-1, 1):  # ears
        draw.ellipse([cx + side * rx - rx * 0.18, cy - ry * 0.15, cx + side * rx + rx * 0.18,
                      cy + ry * 0.2], fill=darker(tone, 0.9))
    draw.ellipse([cx - rx, cy - ry, cx + rx, cy + ry], fill=tone)
    _hair(draw, rng, cx, cy, rx, ry, behind=False)
    ey = cy - ry * rng.uniform(0.12, 0.3)
    dx = rx * rng.uniform(0.36, 0.5)
    er = rx * rng.uniform(0.14, 0.22)
    _eyes(draw, rng, cx, ey, dx, er, tone)
    if rng.uniform() < 0.3:  # glasses
        frame = colour(rng, 0, 120)
        w = max(2, int(er * 0.3))
        for side in (-1, 1):
            x = cx + side * dx
            box = [x - er * 1.6, ey - er * 1.3, x + er * 1.6, ey + er * 1.3]
            (draw.ellipse if rng.uniform() < 0.5 else draw.rectangle)(box, outline=frame,
                                                                       width=w)
        draw.line([(cx - dx + er * 1.6, ey), (cx + dx - er * 1.6, ey)], fill=frame, width=w)
    # nose
    ny = cy + ry * rng.uniform(0.05, 0.2)
    draw.line([(cx, ey + er), (cx - rx * 0.08, ny), (cx + rx * 0.05, ny)],
              fill=darker(tone, 0.7), width=max(2, int(rx * 0.05)))
    # mouth: curvature decides the label
    my = cy + ry * rng.uniform(0.45, 0.6)
    # a smile stretches the mouth sideways (a frown does not)
    mw = rx * rng.uniform(0.75, 1.05) * (1 + 0.3 * max(curvature, 0.0))
    # lips darker than the skin and reddish, so the mouth shows on every skin tone
    lip = tuple(int(v * rng.uniform(0.35, 0.6)) for v in tone)
    lip = (min(255, lip[0] + int(rng.uniform(20, 60))), lip[1], lip[2])
    pts = _mouth_points(cx, my, mw, curvature)
    # People who smile broadly often show their teeth; a few unhappy ones do too (a grimace).
    teeth_p = 0.9 if curvature > 0.3 else 0.3 if curvature > 0.1 else 0.05
    if rng.uniform() < teeth_p:  # open mouth with teeth
        opening = mw * rng.uniform(0.25, 0.4) * max(abs(curvature), 0.4)
        xs = np.linspace(-0.5, 0.5, len(pts))
        lower = [(px, py + opening * (1 - 4 * t ** 2)) for (px, py), t in zip(pts, xs)]
        draw.polygon(pts + lower[::-1], fill=(245, 240, 230), outline=lip)
    draw.line(pts, fill=lip, width=max(3, int(rx * rng.uniform(0.09, 0.15))), joint="curve")
    if rng.uniform() < 0.2:  # beard/stubble below the mouth, either class
        draw.chord([cx - rx * 0.9, cy + ry * 0.2, cx + rx * 0.9, cy + ry * 1.02], 0, 180,
                   fill=darker(tone, 0.55) + (120,))
    paste_rotated(img, layer, float(rng.uniform(-10, 10)), (cx, cy))
    return finish(img, rng, SIZE, noise=6.0, blur=0.6)


def generate(seed: int = 1, n_train: int = 600, n_test: int = 150):
    """(x_train, y_train, x_test, y_test, class_names)."""
    rng = np.random.default_rng(seed)
    n = n_train + n_test
    # Most mouths clearly up or down (|curvature| 0.3..1, more of them near 1); 3% within 0.3
    # of neutral, where even a person hesitates.
    clear = 0.3 + 0.7 * rng.uniform(0.0, 1.0, n) ** 0.5
    subtle = rng.uniform(0.03, 0.3, n)
    magnitude = np.where(rng.uniform(0.0, 1.0, n) < HARD_SHARE, subtle, clear)
    curvature = rng.choice([-1.0, 1.0], n) * magnitude
    x = draw_all(lambda r, c: draw_face(r, float(c)), curvature, seed)
    y = (curvature > 0).astype(np.int64)
    return x[:n_train], y[:n_train], x[n_train:], y[n_train:], list(CLASS_NAMES)
