"""The training input pipeline: `make_tf_dataset` (tf.data, augmentation on the CPU, in
parallel with training). TensorFlow is imported inside the functions only.

The augmentation maths is the numpy one of `augment.py` written with TF ops, applied per batch
(one projective transform op for a whole batch is much cheaper than per image).
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import DatasetError
from .augment import AugmentConfig, pca_basis


def _tf_affine(tf, flip, angle, shear, zoom, off_x, off_y, h: int, w: int):
    """TF twin of `augment.affine_matrices`: (n, 8) float32 transforms."""
    cos, sin, tan = tf.cos(angle), tf.sin(angle), tf.tan(shear)
    sx = tf.where(flip, -1.0, 1.0)
    a00, a01 = cos * zoom * sx, (cos * tan - sin) * zoom
    a10, a11 = sin * zoom * sx, (sin * tan + cos) * zoom
    cx, cy = (w - 1) / 2.0, (h - 1) / 2.0
    tx = cx + off_x * (1.0 - zoom) * w - (a00 * cx + a01 * cy)
    ty = cy + off_y * (1.0 - zoom) * h - (a10 * cx + a11 * cy)
    zero = tf.zeros_like(zoom)
    return tf.stack([a00, a01, tx, a10, a11, ty, zero, zero], axis=1)


def make_augment_fn(cfg: AugmentConfig, shape: tuple[int, int, int],
                    basis: np.ndarray | None):
    """A function (float32 batch (n,H,W,C) in 0..255, seed pair) -> augmented batch."""
    import tensorflow as tf

    h, w, c = shape
    basis_t = tf.constant(basis if basis is not None else np.zeros((c, c), np.float32))

    def augment(x, seed):
        n = tf.shape(x)[0]
        seeds = tf.random.experimental.stateless_split(seed, num=8)

        def uniform(i, lo, hi, shape=None):
            return tf.random.stateless_uniform(shape if shape is not None else [n], seeds[i],
                                               minval=lo, maxval=hi)

        if cfg.geometric:
            flip = uniform(0, 0.0, 1.0) < cfg.mirror
            angle = uniform(1, -1.0, 1.0) * math.radians(cfg.rotation)
            shear = uniform(2, -1.0, 1.0) * math.radians(cfg.shear)
            zoom = uniform(3, 1.0 - cfg.crop, 1.0) if cfg.crop > 0 else tf.ones([n])
            off_x, off_y = uniform(4, -0.5, 0.5), uniform(5, -0.5, 0.5)
            mats = _tf_affine(tf, flip, angle, shear, zoom, off_x, off_y, h, w)
            x = tf.raw_ops.ImageProjectiveTransformV3(
                images=x, transforms=mats, output_shape=[h, w], fill_value=0.0,
                interpolation="BILINEAR", fill_mode="REFLECT")
        offset = tf.zeros([n, c])
        if cfg.color_shift > 0:
            offset += uniform(6, -cfg.color_shift, cfg.color_shift, [n, c])
        if cfg.pca_color > 0:
            alpha = tf.random.stateless_normal([n, c], seeds[7]) * cfg.pca_color
            offset += tf.linalg.matmul(alpha, basis_t, transpose_b=True)
        if cfg.color_shift > 0 or cfg.pca_color > 0:
            x = x + offset[:, None, None, :]
        return tf.clip_by_value(x, 0.0, 255.0)

    return augment


def make_tf_dataset(x: np.ndarray, y: np.ndarray, batch_size: int,
                    augment: AugmentConfig | None = None, shuffle: bool = True, seed: int = 0,
                    scale: float = 1.0 / 255.0, basis: np.ndarray | None = None,
                    drop_remainder: bool = False):
    """A `tf.data.Dataset` of `(images float32 * scale, labels int32)` batches.

    Shuffles every epoch (deterministic for `seed`), augments each batch with fresh random
    draws every epoch in parallel map calls, and prefetches. Pass the result to `model.fit`.

    Args:
        x: uint8 images `(N, H, W, C)`; y: integer labels `(N,)`.
        augment: strengths, or None / all zero for no augmentation (validation, test).
        scale: multiplies the 0..255 pixels at the end (the course feeds X / 255).
        basis: colour PCA basis (`augment.pca_basis`); computed from `x` when needed and None.
    """
    import tensorflow as tf

    x = np.asarray(x)
    y = np.asarray(y)
    if x.ndim != 4 or x.dtype != np.uint8:
        raise DatasetError(f"make_tf_dataset needs uint8 images (N, H, W, C); received "
                           f"{x.dtype} {x.shape}")
    if y.shape != (len(x),):
        raise DatasetError(f"make_tf_dataset: {len(x)} images but labels of shape {y.shape}")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise DatasetError(f"batch_size must be a positive integer; received {batch_size!r}")
    augment = augment if augment is not None and augment.enabled else None
    if augment is not None and augment.pca_color > 0 and basis is None:
        basis = pca_basis(x, seed=seed)

    ds = tf.data.Dataset.from_tensor_slices((x, y.astype(np.int32)))
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size, drop_remainder=drop_remainder)
    scale_f = float(scale)
    if augment is None:
        ds = ds.map(lambda xb, yb: (tf.cast(xb, tf.float32) * scale_f, yb),
                    num_parallel_calls=tf.data.AUTOTUNE)
    else:
        fn = make_augment_fn(augment, x.shape[1:], basis)
        # A stream of fresh seeds that changes each epoch, so each epoch sees new distortions
        # yet a run is reproducible for `seed`.
        seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2)
        ds = tf.data.Dataset.zip((ds, seeds)).map(
            lambda batch, s: (fn(tf.cast(batch[0], tf.float32), s) * scale_f, batch[1]),
            num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)
