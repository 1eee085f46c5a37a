"""Data augmentation of the course notes: mirroring, random cropping, rotation, shearing, colour
shifting and PCA colour augmentation (AlexNet), each with its own strength.

Two implementations of the same maths:
- `make_tf_dataset` (training): a `tf.data` pipeline that shuffles, batches and augments whole
  batches in parallel map calls, then prefetches, so the CPU prepares the next batches while the
  model trains on the current one (the notes' "implementing distortion during training").
- `augment_preview` (GUI): numpy only, instant, so the Data panel can show what a setting does
  without importing TensorFlow.

Mirror, crop, rotation and shear are composed into ONE affine transform per image, applied by
the op behind Keras' RandomRotation/RandomZoom layers (`ImageProjectiveTransformV3`): chaining
four Keras preprocessing layers would resample every image four times (slower, and blurrier).
Transforms map output pixels to input pixels; borders are filled by reflection.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

import numpy as np

from ..errors import ConfigError

# (field, lowest, highest, meaning) - the GUI builds its sliders from this table.
STRENGTHS = (
    ("mirror", 0.0, 1.0, "probability of a left-right flip"),
    ("crop", 0.0, 0.5, "largest fraction cut off by a random crop (resized back)"),
    ("rotation", 0.0, 180.0, "largest rotation, degrees either way"),
    ("shear", 0.0, 45.0, "largest shear angle, degrees either way"),
    ("color_shift", 0.0, 128.0, "largest per-channel offset, in pixel levels (0-255)"),
    ("pca_color", 0.0, 1.0, "standard deviation of AlexNet's PCA colour weights"),
)


@dataclass(frozen=True)
class AugmentConfig:
    """Strengths of each augmentation; 0 turns one off. All zero = no augmentation.

    `AugmentConfig.course_default()` is a moderate setting for the course's 64x64 sets.
    """

    mirror: float = 0.0
    crop: float = 0.0
    rotation: float = 0.0
    shear: float = 0.0
    color_shift: float = 0.0
    pca_color: float = 0.0

    def __post_init__(self):
        for name, lo, hi, meaning in STRENGTHS:
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) \
                    or not math.isfinite(value) or not lo <= value <= hi:
                raise ConfigError(f"augmentation {name} ({meaning}) must be a number in "
                                  f"{lo:g}..{hi:g}; received {value!r}")

    @classmethod
    def course_default(cls) -> "AugmentConfig":
        return cls(mirror=0.5, crop=0.1, rotation=10.0, shear=5.0, color_shift=20.0,
                   pca_color=0.1)

    @property
    def enabled(self) -> bool:
        return any(getattr(self, name) > 0 for name, *_ in STRENGTHS)

    @property
    def geometric(self) -> bool:
        return self.mirror > 0 or self.crop > 0 or self.rotation > 0 or self.shear > 0

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "AugmentConfig":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"unknown augmentation option(s) {', '.join(unknown)}; "
                              f"known: {', '.join(sorted(known))}")
        return cls(**{k: float(v) for k, v in data.items()})


def pca_basis(x: np.ndarray, max_pixels: int = 200_000, seed: int = 0) -> np.ndarray:
    """AlexNet's colour PCA of a set of uint8 images `(N, H, W, C)` or one `(H, W, C)`.

    Returns a `(C, C)` matrix whose columns are the eigenvectors scaled by the square root of
    their eigenvalue (in pixel levels), so that `basis @ alpha`, alpha ~ N(0, sigma), is the
    colour offset of one image. (AlexNet writes the eigenvalue itself; its square root keeps the
    offset in pixel units, as common implementations do.)
    """
    pixels = np.asarray(x).reshape(-1, np.asarray(x).shape[-1]).astype(np.float64)
    if len(pixels) > max_pixels:
        pixels = pixels[np.random.default_rng(seed).choice(len(pixels), max_pixels,
                                                           replace=False)]
    if len(pixels) < 2:
        return np.zeros((pixels.shape[1], pixels.shape[1]), np.float32)
    cov = np.atleast_2d(np.cov(pixels, rowvar=False))
    eigval, eigvec = np.linalg.eigh(cov)
    return (eigvec * np.sqrt(np.clip(eigval, 0, None))[None, :]).astype(np.float32)


def _sample_params(rng: np.random.Generator, n: int, cfg: AugmentConfig, channels: int):
    """Random draws for n images (numpy); the tf pipeline draws the same quantities."""
    u = lambda lo, hi: rng.uniform(lo, hi, n)  # noqa: E731
    return dict(
        flip=rng.uniform(0, 1, n) < cfg.mirror,
        angle=np.deg2rad(u(-cfg.rotation, cfg.rotation)),
        shear=np.deg2rad(u(-cfg.shear, cfg.shear)),
        zoom=u(1.0 - cfg.crop, 1.0),
        off_x=u(-0.5, 0.5), off_y=u(-0.5, 0.5),
        shift=rng.uniform(-cfg.color_shift, cfg.color_shift, (n, channels)),
        alpha=rng.normal(0.0, 1.0, (n, channels)) * cfg.pca_color,
    )


def affine_matrices(p: dict, h: int, w: int) -> np.ndarray:
    """(n, 8) projective transforms (output -> input pixel coordinates) from drawn params.

    The linear part is flip * rotation * shear * zoom about the image centre; a crop of scale
    `zoom` may then move anywhere that keeps it inside the image (`off_x/off_y` in -0.5..0.5).
    """
    cos, sin, tan = np.cos(p["angle"]), np.sin(p["angle"]), np.tan(p["shear"])
    z = p["zoom"]
    sx = np.where(p["flip"], -1.0, 1.0)
    # rotation @ shear(x by y) @ zoom, then the flip on the output x axis (right-multiplied).
    a00, a01 = cos * z, (cos * tan - sin) * z
    a10, a11 = sin * z, (sin * tan + cos) * z
    a00, a10 = a00 * sx, a10 * sx
    cx, cy = (w - 1) / 2.0, (h - 1) / 2.0
    tx = cx + p["off_x"] * (1.0 - z) * w - (a00 * cx + a01 * cy)
    ty = cy + p["off_y"] * (1.0 - z) * h - (a10 * cx + a11 * cy)
    zero = np.zeros_like(z)
    return np.stack([a00, a01, tx, a10, a11, ty, zero, zero], axis=1).astype(np.float32)


def _reflect(idx: np.ndarray, size: int) -> np.ndarray:
    period = 2 * size
    idx = np.mod(idx, period)
    return np.where(idx >= size, period - 1 - idx, idx)


def _warp(img: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Bilinear warp of one float `(H, W, C)` image by an output->input affine (8 numbers)."""
    h, w = img.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    src_x = m[0] * xs + m[1] * ys + m[2]
    src_y = m[3] * xs + m[4] * ys + m[5]
    x0, y0 = np.floor(src_x).astype(np.int64), np.floor(src_y).astype(np.int64)
    fx, fy = (src_x - x0)[..., None], (src_y - y0)[..., None]
    x0r, x1r = _reflect(x0, w), _reflect(x0 + 1, w)
    y0r, y1r = _reflect(y0, h), _reflect(y0 + 1, h)
    top = img[y0r, x0r] * (1 - fx) + img[y0r, x1r] * fx
    bottom = img[y1r, x0r] * (1 - fx) + img[y1r, x1r] * fx
    return top * (1 - fy) + bottom * fy


def augment_batch_numpy(x: np.ndarray, cfg: AugmentConfig, rng: np.random.Generator,
                        basis: np.ndarray | None = None) -> np.ndarray:
    """Augment uint8 images `(N, H, W, C)` with numpy; returns uint8 of the same shape."""
    n, h, w, c = x.shape
    p = _sample_params(rng, n, cfg, c)
    out = x.astype(np.float32)
    if cfg.geometric:
        mats = affine_matrices(p, h, w)
        out = np.stack([_warp(out[i], mats[i]) for i in range(n)])
    offset = p["shift"].astype(np.float32)
    if cfg.pca_color > 0:
        basis = pca_basis(x) if basis is None else basis
        offset = offset + (p["alpha"] @ basis.T).astype(np.float32)
    out = out + offset[:, None, None, :]
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def augment_preview(image: np.ndarray, config: AugmentConfig, n: int = 8, seed: int = 0,
                    basis: np.ndarray | None = None) -> list[np.ndarray]:
    """`n` augmented versions of one uint8 `(H, W, C)` image, for the GUI's preview grid.

    Args:
        basis: the dataset's `pca_basis`; None uses the image's own colours.
    """
    image = np.asarray(image)
    if image.ndim != 3 or image.dtype != np.uint8:
        raise ConfigError(f"augment_preview needs a uint8 (H, W, C) image; received "
                          f"{image.dtype} {image.shape}")
    batch = np.repeat(image[None], n, axis=0)
    out = augment_batch_numpy(batch, config, np.random.default_rng(seed), basis)
    return list(out)
