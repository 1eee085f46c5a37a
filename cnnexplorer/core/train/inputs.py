"""Feeding a dataset to fit: labels, shuffled batches and augmented pipelines.

Channel and size adaptation live in core.data.adapt (the door and the Keras side use it too).

Models in this project take float images scaled to [0, 1] (the course divides by 255), so a
saved model works the same in the Happy door, the CLI and the course's own notebooks.
"""

from __future__ import annotations

import numpy as np

from cnnexplorer.core.errors import TrainingError


def labels_for(y: np.ndarray, binary: bool) -> np.ndarray:
    """Binary tasks: float (N, 1) targets for the sigmoid unit; else int (N,) class indices."""
    return y.astype(np.float32).reshape(-1, 1) if binary else y.astype(np.int32)


def shuffled_batches(x: np.ndarray, y: np.ndarray, batch_size: int, seed: int):
    """A `tf.data` pipeline of (images, labels) batches, reshuffled every epoch with a seed
    (so every worker of a distributed run draws the same order), prefetched."""
    import tensorflow as tf

    return (tf.data.Dataset.from_tensor_slices((x, y))
            .shuffle(len(y), seed=seed, reshuffle_each_iteration=True)
            .batch(batch_size).prefetch(tf.data.AUTOTUNE))


def augmented_dataset(x_uint8: np.ndarray, y: np.ndarray, batch_size: int, augment, seed: int,
                      binary: bool):
    """The datasets package's shuffled, augmented, prefetched `tf.data` pipeline (float
    images in [0, 1]); binary tasks get float (batch, 1) targets for the sigmoid unit."""
    try:
        from cnnexplorer.core.data import make_tf_dataset
    except ImportError:
        raise TrainingError("augmentation needs the datasets package's make_tf_dataset, "
                            "which this installation lacks; train without --augment") from None
    import tensorflow as tf

    ds = make_tf_dataset(x_uint8, np.asarray(y, np.int64), batch_size, augment, shuffle=True,
                         seed=seed)
    if binary:
        ds = ds.map(lambda a, b: (a, tf.reshape(tf.cast(b, tf.float32), (-1, 1))),
                    num_parallel_calls=tf.data.AUTOTUNE)
    return ds
