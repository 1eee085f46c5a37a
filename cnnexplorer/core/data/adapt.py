"""Fitting images to a model's input: the channel rule and size adaptation, refused when unsound.

One rule for every consumer: training, evaluation, transfer learning, the door's inference and
the checks that a model suits a dataset all adapt images here, so a colour webcam frame reaches
a greyscale model exactly as the greyscale training images did.
"""

from __future__ import annotations

import numpy as np

from cnnexplorer.core.data.images import luma
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
    return luma(x)


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
