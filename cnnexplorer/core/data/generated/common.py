"""Drawing helpers shared by the generated sets: cluttered backgrounds, skin tones, lighting,
noise and blur. Everything draws from a numpy Generator, so a seed gives the same images.

Scenes are drawn at 2x and reduced with a box filter: Pillow's primitives are not antialiased,
and the reduction gives soft edges like a photo's.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

# From very light to very dark (RGB); a jitter is added per image.
SKIN_TONES = np.array([
    (255, 224, 196), (241, 194, 158), (224, 172, 135), (198, 142, 104), (176, 120, 84),
    (141, 85, 58), (110, 66, 44), (84, 50, 34),
], dtype=np.float64)

HAIR_COLOURS = [(20, 16, 14), (60, 40, 25), (110, 75, 40), (200, 160, 90), (150, 60, 30),
                (140, 140, 140), (230, 225, 210)]


def colour(rng: np.random.Generator, lo: int = 0, hi: int = 256) -> tuple[int, ...]:
    return tuple(int(v) for v in rng.integers(lo, hi, 3))


def skin(rng: np.random.Generator) -> tuple[int, ...]:
    i = rng.uniform(0, len(SKIN_TONES) - 1)
    a, b = SKIN_TONES[int(i)], SKIN_TONES[min(int(i) + 1, len(SKIN_TONES) - 1)]
    c = a + (b - a) * (i - int(i)) + rng.normal(0, 6, 3)
    return tuple(int(v) for v in np.clip(c, 0, 255))


def darker(c, f: float = 0.7) -> tuple[int, ...]:
    return tuple(int(v * f) for v in c)


def background(rng: np.random.Generator, size: int, clutter: int = 6,
               plain_prob: float = 0.15) -> Image.Image:
    """A room-like backdrop: a vertical gradient (wall/floor) with furniture-like shapes."""
    top, bottom = np.array(colour(rng, 40, 240)), np.array(colour(rng, 20, 220))
    t = np.linspace(0, 1, size)[:, None, None]
    grad = top * (1 - t) + bottom * t
    img = Image.fromarray(np.broadcast_to(grad, (size, size, 3)).astype(np.uint8))
    if rng.uniform() < plain_prob:
        return img
    draw = ImageDraw.Draw(img)
    for _ in range(rng.integers(1, clutter + 1)):
        x0, y0 = rng.uniform(-0.2, 1.0, 2) * size
        w, h = rng.uniform(0.08, 0.6, 2) * size
        fill = colour(rng, 0, 256)
        kind = rng.integers(0, 4)
        box = [x0, y0, x0 + w, y0 + h]
        if kind == 0:
            draw.rectangle(box, fill=fill)
        elif kind == 1:
            draw.ellipse(box, fill=fill)
        elif kind == 2:
            draw.line([(x0, y0), (x0 + w, y0 + h * rng.choice([-1, 1]))], fill=fill,
                      width=int(rng.integers(1, max(2, size // 16))))
        else:
            # a framed picture / window
            draw.rectangle(box, outline=fill, width=int(rng.integers(1, max(2, size // 24))))
    return img


def finish(img: Image.Image, rng: np.random.Generator, out_size: int, noise: float = 10.0,
           blur: float = 1.0, light: float = 0.35) -> np.ndarray:
    """Reduce a 2x scene to `out_size`, then add directional light, blur and sensor noise."""
    img = img.resize((out_size, out_size), Image.Resampling.BOX)
    if rng.uniform() < 0.5 and blur > 0:
        img = img.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.2, blur))))
    arr = np.asarray(img).astype(np.float32)
    # Light from a random direction: a brightness ramp, plus an overall exposure and tint.
    ang = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:out_size, 0:out_size] / max(1, out_size - 1) - 0.5
    ramp = 1.0 + light * rng.uniform(0, 1) * (np.cos(ang) * xx + np.sin(ang) * yy) * 2
    gain = rng.uniform(0.7, 1.2) * (1 + rng.normal(0, 0.05, 3))
    arr = arr * ramp[..., None] * gain[None, None, :]
    if noise > 0:
        arr += rng.standard_normal(arr.shape, dtype=np.float32) * rng.uniform(0, noise)
    return np.clip(np.rint(arr), 0, 255).astype(np.uint8)


def balanced_labels(rng: np.random.Generator, n_classes: int, *split_sizes: int) -> np.ndarray:
    """Labels for consecutive splits, each with the classes as equal as its size allows,
    shuffled within the split."""
    labels = []
    for n in split_sizes:
        y = np.arange(n) % n_classes
        rng.shuffle(y)
        labels.append(y)
    return np.concatenate(labels).astype(np.int64)


def draw_all(draw_one, labels, seed: int, workers: int = 4) -> np.ndarray:
    """Draw one image per label in threads; each image has its own seed, so the result is the
    same whatever the thread count (Pillow releases the GIL while it draws and resamples)."""
    from concurrent.futures import ThreadPoolExecutor

    children = np.random.SeedSequence(seed).spawn(len(labels))
    jobs = [(np.random.default_rng(c), lab) for c, lab in zip(children, labels)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return np.stack(list(pool.map(lambda job: draw_one(job[0], job[1]), jobs)))


def paste_rotated(base: Image.Image, layer: Image.Image, angle: float, centre) -> None:
    """Composite an RGBA layer onto `base`, rotated by `angle` degrees about `centre`."""
    # Bilinear is enough: the scene is reduced 2x afterwards, which hides the difference.
    rotated = layer.rotate(angle, resample=Image.Resampling.BILINEAR, center=centre)
    base.paste(rotated, (0, 0), rotated)
