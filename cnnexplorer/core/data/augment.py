"""Data augmentation of the course notes: mirroring, random cropping, rotation, shearing, colour
shifting and PCA colour augmentation (AlexNet), each with its own strength; plus the
photographic ones a camera adds (brightness, contrast, blur, low resolution), which a model
trained on sharp, well-lit crops needs before it can judge a small, soft face in a webcam frame.

One implementation, `augment_batch_numpy`, used twice:
- `pipeline.make_tf_dataset` (training) runs it on whole batches inside `tf.data` parallel map
  calls, then prefetches, so the CPU prepares the next batches while the model trains on the
  current one (the notes' "implementing distortion during training").
- `augment_preview` (GUI): numpy and Pillow only, instant, without importing TensorFlow.

Mirror, crop, rotation and shear are composed into ONE affine transform per image and applied by
one bilinear resampling: chaining Keras' RandomFlip/RandomCrop/RandomRotation/RandomZoom layers
would resample every image several times (slower, and blurrier). Written in TF ops (the op
behind those layers, `ImageProjectiveTransformV3`, plus colour ops) the same augmentation cost
more CPU per image than this numpy/Pillow version in a same-run measurement
(benchmarks/datasets.md). Transforms map output pixels to input pixels; borders are filled by
reflection.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from PIL import Image

from cnnexplorer.core.errors import ConfigError, refuse_unknown_fields

# (field, lowest, highest, meaning) - the GUI builds its sliders from this table.
STRENGTHS = (
    ("mirror", 0.0, 1.0, "probability of a left-right flip"),
    ("crop", 0.0, 0.5, "largest fraction cut off by a random crop (resized back)"),
    ("rotation", 0.0, 180.0, "largest rotation, degrees either way"),
    ("shear", 0.0, 45.0, "largest shear angle, degrees either way"),
    ("color_shift", 0.0, 128.0, "largest per-channel offset, in pixel levels (0-255)"),
    ("pca_color", 0.0, 1.0, "standard deviation of AlexNet's PCA colour weights"),
    ("brightness", 0.0, 0.9, "largest relative brightness change (0.5: x0.5 to x1.5)"),
    ("contrast", 0.0, 0.9, "largest relative contrast change about the image's mean"),
    ("blur", 0.0, 4.0, "largest Gaussian blur, standard deviation in pixels (half the images)"),
    ("low_res", 0.0, 0.9, "largest fraction of resolution lost, downscaled then upscaled back "
                          "(half the images)"),
)
#: the strength a bare name in `--augment` gives the kinds the course setting leaves off
TYPICAL = {"brightness": 0.4, "contrast": 0.4, "blur": 1.5, "low_res": 0.6}

# How `AugmentConfig.describe` and the Data panel's sliders name and show each strength.
STRENGTH_WORDS = {"mirror": "mirror", "crop": "crop", "rotation": "rotation",
                  "shear": "shear", "color_shift": "colour shift", "pca_color": "PCA colour",
                  "brightness": "brightness", "contrast": "contrast", "blur": "blur",
                  "low_res": "low resolution"}
STRENGTH_TEXT = {"mirror": "p={:.2f}", "crop": "{:.0%}", "rotation": "±{:.0f}°",
                 "shear": "±{:.0f}°", "color_shift": "±{:.0f}", "pca_color": "σ={:.2f}",
                 "brightness": "±{:.0%}", "contrast": "±{:.0%}", "blur": "σ≤{:.1f}px",
                 "low_res": "≤{:.0%}"}


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
    brightness: float = 0.0
    contrast: float = 0.0
    blur: float = 0.0
    low_res: float = 0.0

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

    def describe(self) -> str:
        """The strengths in words, as the Data panel's sliders show them ("off" for none)."""
        if not self.enabled:
            return "off"
        return ", ".join(f"{STRENGTH_WORDS[n]} {STRENGTH_TEXT[n].format(getattr(self, n))}"
                         for n, *_ in STRENGTHS if getattr(self, n) > 0)

    @classmethod
    def from_dict(cls, data: dict) -> "AugmentConfig":
        refuse_unknown_fields(cls, data, "augmentation option")
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
        gain=u(1.0 - cfg.brightness, 1.0 + cfg.brightness),
        contrast=u(1.0 - cfg.contrast, 1.0 + cfg.contrast),
        # blur and low resolution touch half the images, so sharp faces stay in every batch
        sigma=u(0.0, cfg.blur) * (rng.uniform(0, 1, n) < 0.5),
        keep=np.where(rng.uniform(0, 1, n) < 0.5, u(1.0 - cfg.low_res, 1.0), 1.0),
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


def warp_batch(x: np.ndarray, mats: np.ndarray) -> np.ndarray:
    """Bilinear warp of uint8 images `(N, H, W, C)` by output->input affines `(N, 8)`.

    Pillow's C code does the work, one image at a time (`transform`, affine, bilinear); it
    releases the GIL, so tf.data's parallel map calls run in parallel. TensorFlow's
    ImageProjectiveTransformV3 (behind Keras' RandomRotation) costs at least as much CPU per
    image and cannot serve the Qt-free preview. Borders reflect (symmetric padding as far as
    needed, at most half an image; black beyond that, which only extreme settings reach).
    """
    n, h, w, c = x.shape
    # Pad only as far as any source coordinate reaches (the corners' images bound it), so a
    # mild setting pads a few pixels rather than half an image.
    corners = np.array([[0, 0, 1], [w - 1, 0, 1], [0, h - 1, 1], [w - 1, h - 1, 1]],
                       np.float32)
    sx = corners @ mats[:, [0, 1, 2]].T
    sy = corners @ mats[:, [3, 4, 5]].T
    reach = max(-sx.min(), sx.max() - (w - 1), -sy.min(), sy.max() - (h - 1), 0.0)
    pad = int(min(np.ceil(reach) + 2, max(h, w) // 2))
    big = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="symmetric")
    out = np.empty_like(x)
    for i in range(n):
        a00, a01, tx, a10, a11, ty = (float(v) for v in mats[i, :6])
        # Pillow samples at pixel centres (x + 0.5); our matrices use integer centres.
        data = (a00, a01, tx + 0.5 - 0.5 * (a00 + a01) + pad,
                a10, a11, ty + 0.5 - 0.5 * (a10 + a11) + pad)
        img = Image.fromarray(big[i, :, :, 0] if c == 1 else big[i])
        res = np.asarray(img.transform((w, h), Image.Transform.AFFINE, data,
                                       resample=Image.Resampling.BILINEAR))
        out[i] = res[:, :, None] if c == 1 else res
    return out


def soften_batch(x: np.ndarray, sigma: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Per image: downscale to `keep` of its size and back (bilinear), then a Gaussian blur of
    standard deviation `sigma` pixels; what a small or out-of-focus face looks like once found
    and cropped to the model's size. Pillow per image (it releases the GIL)."""
    from PIL import ImageFilter

    n, h, w, c = x.shape
    out = np.array(x, copy=True)
    for i in range(n):
        small = (max(2, int(round(w * keep[i]))), max(2, int(round(h * keep[i]))))
        if small == (w, h) and sigma[i] < 0.05:
            continue
        img = Image.fromarray(x[i, :, :, 0] if c == 1 else x[i])
        if small != (w, h):
            img = img.resize(small, Image.Resampling.BILINEAR, reducing_gap=2.0).resize(
                (w, h), Image.Resampling.BILINEAR)
        if sigma[i] >= 0.05:
            img = img.filter(ImageFilter.GaussianBlur(float(sigma[i])))
        res = np.asarray(img)
        out[i] = res[:, :, None] if c == 1 else res
    return out


def light_batch(x: np.ndarray, gain: np.ndarray, contrast: np.ndarray) -> np.ndarray:
    """Per image: contrast scaled about the image's mean grey level, then brightness scaled."""
    f = x.astype(np.float32)
    mean = f.mean(axis=(1, 2, 3), keepdims=True)
    f = (mean + (f - mean) * contrast[:, None, None, None]) * gain[:, None, None, None]
    return np.clip(np.rint(f), 0, 255).astype(np.uint8)


def augment_batch_numpy(x: np.ndarray, cfg: AugmentConfig, rng: np.random.Generator,
                        basis: np.ndarray | None = None) -> np.ndarray:
    """Augment uint8 images `(N, H, W, C)`; returns uint8 of the same shape.

    The training pipeline and the GUI preview both call this, so what the preview shows is
    exactly what training sees.
    """
    n, h, w, c = x.shape
    p = _sample_params(rng, n, cfg, c)
    mats = affine_matrices(p, h, w) if cfg.geometric else None
    offsets = None
    if cfg.color_shift > 0 or cfg.pca_color > 0:
        offsets = p["shift"].astype(np.float32)
        if cfg.pca_color > 0:
            basis = pca_basis(x) if basis is None else basis
            offsets = offsets + (p["alpha"] @ basis.T).astype(np.float32)
    out = warp_batch(x, mats) if mats is not None else x
    if cfg.low_res > 0 or cfg.blur > 0:
        out = soften_batch(out, p["sigma"], p["keep"])
    if cfg.brightness > 0 or cfg.contrast > 0:
        out = light_batch(out, p["gain"], p["contrast"])
    if offsets is None:
        return np.ascontiguousarray(out)
    # Whole-pixel offsets in int16: the images are integers, so rounding the offset first
    # gives the same result as rounding after a float addition, at a third of the cost.
    shift = np.rint(offsets).astype(np.int16)[:, None, None, :]
    return np.clip(out.astype(np.int16) + shift, 0, 255).astype(np.uint8)


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
