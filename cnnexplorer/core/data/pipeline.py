"""The training input pipeline: `make_tf_dataset` (tf.data, augmentation on the CPU, in
parallel with training). TensorFlow is imported inside the function only.

Batches are built from shuffled *indices*: gathering 32 rows of the image array is much cheaper
than shuffling and batching 12 KB elements one by one (and keeps the images out of the graph,
so a large folder does not hit the 2 GB graph-constant limit). Augmentation runs the numpy /
Pillow `augment_batch_numpy` in parallel map calls; Pillow releases the GIL while resampling.
"""

from __future__ import annotations

import numpy as np

from cnnexplorer.core.errors import DatasetError
from cnnexplorer.core.data.augment import AugmentConfig, augment_batch_numpy, pca_basis
from cnnexplorer.core.data.images import scale_pixels


def make_tf_dataset(x: np.ndarray, y: np.ndarray, batch_size: int,
                    augment: AugmentConfig | None = None, shuffle: bool = True, seed: int = 0,
                    basis: np.ndarray | None = None, drop_remainder: bool = False):
    """A `tf.data.Dataset` of `(images float32 in [0, 1], labels int32)` batches.

    Shuffles every epoch (deterministic for `seed`), augments each batch with fresh random
    draws every epoch in parallel map calls, and prefetches. Pass the result to `model.fit`.

    Args:
        x: uint8 images `(N, H, W, C)`; y: integer labels `(N,)`.
        augment: strengths, or None / all zero for no augmentation (validation, test).
        basis: colour PCA basis (`augment.pca_basis`); computed from `x` when needed and None.
    """
    import tensorflow as tf

    x = np.ascontiguousarray(x)
    y = np.asarray(y)
    if x.ndim != 4 or x.dtype != np.uint8:
        raise DatasetError(f"make_tf_dataset needs uint8 images (N, H, W, C); received "
                           f"{x.dtype} {x.shape}")
    if y.shape != (len(x),):
        raise DatasetError(f"make_tf_dataset: {len(x)} images but labels of shape {y.shape}")
    if not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, bool) \
            or batch_size < 1:
        raise DatasetError(f"batch_size must be a positive integer; received {batch_size!r}")
    if len(x) == 0:
        raise DatasetError("make_tf_dataset: there are no images")
    augment = augment if augment is not None and augment.enabled else None
    if augment is not None and augment.pca_color > 0 and basis is None:
        basis = pca_basis(x, seed=seed)

    shape = x.shape[1:]
    labels = y.astype(np.int32)
    ds = tf.data.Dataset.range(len(x))
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(int(batch_size), drop_remainder=drop_remainder)

    def typed(xb, yb):
        xb.set_shape((None,) + shape)
        yb.set_shape((None,))
        return xb, yb

    # Pixels are scaled by `scale_pixels`, the application's one scaling, in numpy.
    if augment is None:
        def plain_batch(idx):
            return scale_pixels(x[idx]), labels[idx]

        def gather(idx):
            return typed(*tf.numpy_function(plain_batch, [idx], (tf.float32, tf.int32),
                                            stateful=False))

        ds = ds.map(gather, num_parallel_calls=tf.data.AUTOTUNE)
    else:
        def numpy_batch(idx, s):
            rng = np.random.default_rng([int(s[0]) & 0xFFFFFFFF, int(s[1]) & 0xFFFFFFFF])
            return scale_pixels(augment_batch_numpy(x[idx], augment, rng, basis)), labels[idx]

        def augmented(idx, s):
            return typed(*tf.numpy_function(numpy_batch, [idx, s], (tf.float32, tf.int32),
                                            stateful=False))

        # A stream of fresh seeds that changes each epoch, so each epoch sees new distortions
        # yet a run is reproducible for `seed`.
        seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2)
        ds = tf.data.Dataset.zip((ds, seeds)).map(augmented,
                                                  num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)
