"""The one way a face reaches the door model, whoever holds it.

A face crop read from a training folder, a face cut from a webcam frame or a dropped photo,
a Teach-the-door capture and a face found in a fine-tuning set all become the model's input
through `prepare_face`: uint8 pixels -> the model's channels by the channel rule
(`core.data.adapt.adapt_channels`, whose grey is `core.data.images.luma`) -> resized to
the model's height and width (`core.data.images.resize_array`, Pillow's bilinear "stretch",
the dataset loaders' default). The model then sees `scale_pixels` of that (x / 255).

Grey first, then resize: a frame's face and a training file's crop of the same pixels give
equal arrays (tests/core/test_door_prepare.py). Before this module the training crops went
grey (float64) and were resized by the image reader, while a live face was resized by OpenCV
at the model's size and made grey afterwards (float32): the same face came out a level or
two apart, more on a small face made large.

`face_square` cuts a found face's square out of an image at the image's own resolution (a
square reaching past the edge repeats the edge pixels), so the only resize a face ever gets
is `prepare_face`'s.
"""

from __future__ import annotations

import numpy as np

from cnnexplorer.core.data.images import ImageReadError, resize_array, scale_pixels
from cnnexplorer.core.errors import TrainingError
from cnnexplorer.core.data.adapt import adapt_channels


def prepare_face(image: np.ndarray, input_shape) -> np.ndarray:
    """uint8 `(H, W[, C])` face (or whole frame) -> uint8 at the model's `(h, w, c)`.

    Raises:
        ImageReadError: NaN pixels, or channels with no sound conversion (2 into 3).
    """
    if image.dtype != np.uint8:
        if image.dtype.kind == "f" and not np.isfinite(image).all():
            bad = int(image.size - np.count_nonzero(np.isfinite(image)))
            raise ImageReadError(f"frame: {bad:,} pixel values are NaN or infinite")
        image = np.clip(image, 0, 255).astype(np.uint8)
    h, w, c = (int(v) for v in input_shape)
    try:
        image = adapt_channels(image, c)
    except TrainingError as exc:
        raise ImageReadError(f"frame: {exc}") from None
    return resize_array(np.ascontiguousarray(image), (h, w), "stretch")


def prepare_faces(images, input_shape) -> np.ndarray:
    """Many faces (a list or an `(N, H, W, C)` array, any sizes) -> uint8 `(N, h, w, c)`."""
    h, w, c = (int(v) for v in input_shape)
    out = np.empty((len(images), h, w, c), np.uint8)
    for i, image in enumerate(images):
        out[i] = prepare_face(image, (h, w, c))
    return out


def model_batch(images, input_shape) -> np.ndarray:
    """Faces -> the float32 batch the model takes: `scale_pixels(prepare_faces(...))`."""
    return scale_pixels(prepare_faces(images, input_shape))


def face_square(image: np.ndarray, crop_box) -> np.ndarray:
    """The square `crop_box` (x, y, side, side) of `image` at the image's own resolution.

    A square that reaches past the image's edge (a face at the border) is filled by repeating
    the edge pixels, so the face keeps its place and size in the square.

    Raises:
        ValueError: the square lies wholly outside the image.
    """
    x, y, side, _ = (int(v) for v in crop_box)
    img = image if image.ndim == 3 else image[:, :, None]
    h, w = img.shape[:2]
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + side, w), min(y + side, h)
    if x1 <= x0 or y1 <= y0 or side < 1:
        raise ValueError(f"crop box {tuple(crop_box)} lies outside the {w}x{h} image")
    part = img[y0:y1, x0:x1]
    pads = ((y0 - y, y + side - y1), (x0 - x, x + side - x1), (0, 0))
    if any(a or b for a, b in pads):
        part = np.pad(part, pads, mode="edge")
    return np.ascontiguousarray(part)
