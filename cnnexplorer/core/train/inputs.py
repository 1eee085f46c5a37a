"""Fitting a dataset to a model's input: channel and size adaptation, scaling, pipelines.

Models in this project take float images scaled to [0, 1] (the course divides by 255), so a
saved model works the same in the Happy door, the CLI and the course's own notebooks.
"""

from __future__ import annotations

import numpy as np

from cnnexplorer.core.errors import TrainingError

#: how far the aspect ratios of images and model input may differ before resizing is refused
MAX_ASPECT_CHANGE = 1.25
#: (image channels, model channels) -> what `adapt_channels` does, in the user's words
CHANNEL_RULES = {
    (1, 3): "grayscale images repeated into 3 channels",
    (3, 1): "colour images converted to grayscale (luminance)",
    (4, 3): "alpha channel dropped",
    (4, 1): "alpha channel dropped, colour converted to grayscale (luminance)",
}
#: ITU-R 601 luma weights, the ones Pillow uses for its "L" mode (the smile crops' grey)
LUMA = np.array([0.299, 0.587, 0.114], np.float32)


def adapt_channels(x: np.ndarray, channels: int) -> np.ndarray:
    """uint8 images `(..., H, W, C)` (or one `(H, W)` grey image) -> `channels` channels.

    The one channel rule of the project: training, evaluation and the door's inference all
    call it, so a colour webcam frame reaches a greyscale model exactly as the greyscale
    training images did (and grey crops reach a colour model as repeated channels).

    Raises:
        TrainingError: for a conversion with no sound rule (2 channels into 3, say).
    """
    if x.ndim == 2:
        x = x[:, :, None]
    c = x.shape[-1]
    if c == channels:
        return x
    if (c, channels) not in CHANNEL_RULES:
        raise TrainingError(f"images of shape {tuple(x.shape)} have {c} channels and the model "
                            f"takes {channels}: no sound way to convert them")
    if c == 4:
        x, c = x[..., :3], 3
        if channels == 3:
            return np.ascontiguousarray(x)
    if channels == 3:  # c == 1
        return np.repeat(x, 3, axis=-1)
    lum = x.astype(np.float32) @ LUMA
    return np.clip(np.rint(lum), 0, 255).astype(np.uint8)[..., None]


def adaptation_notes(src: tuple, dst: tuple) -> list[str]:
    """What `adapt_images` will do to go from image shape `src` to model input `dst`.

    Raises:
        TrainingError: when no sound conversion exists (say 2 channels into 3, or a
            64x32 image into a 64x64 network).
    """
    (h, w, c), (th, tw, tc) = tuple(src), tuple(dst)
    notes = []
    if c != tc:
        if (c, tc) not in CHANNEL_RULES:
            raise TrainingError(f"the model takes {th}x{tw}x{tc} images and the dataset has "
                                f"{h}x{w}x{c}: no sound way to turn {c} channels into {tc}")
        notes.append(CHANNEL_RULES[(c, tc)])
    if (h, w) != (th, tw):
        ratio = (h / w) / (th / tw)
        if max(ratio, 1 / ratio) > MAX_ASPECT_CHANGE:
            raise TrainingError(f"the model takes {th}x{tw} images and the dataset's are "
                                f"{h}x{w}: resizing would distort them; resize or crop the "
                                f"dataset to the model's proportions first")
        notes.append(f"images resized from {h}x{w} to {th}x{tw}")
    return notes


def adapt_images(x: np.ndarray, dst: tuple, chunk: int = 512) -> np.ndarray:
    """uint8 `(N, H, W, C)` -> uint8 `(N, *dst)` following `adaptation_notes`' rules.

    Float arrays (cached activations) pass through unchanged when their shape fits.
    """
    if x.dtype != np.uint8:
        if tuple(x.shape[1:]) != tuple(dst):
            raise TrainingError(f"the model takes {tuple(dst)} inputs; received {x.shape[1:]}")
        return x
    adaptation_notes(x.shape[1:], dst)  # refuse before any work
    th, tw, tc = dst
    x = adapt_channels(x, tc)
    if x.shape[1:3] != (th, tw):
        import tensorflow as tf

        parts = [tf.image.resize(x[i:i + chunk], (th, tw), antialias=True).numpy()
                 for i in range(0, len(x), chunk)]
        x = np.clip(np.rint(np.concatenate(parts)), 0, 255).astype(np.uint8)
    return x


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
