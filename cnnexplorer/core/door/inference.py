"""The Happy door's prediction path: preprocessing, a fast single-frame call, the decision.

`DoorModel` wraps a Keras model that answers one question, "is this a smiling face?". It
checks once that the model fits (an `(H, W, C)` image input; one sigmoid unit or a 2-class
softmax) and then predicts frames through a `tf.function` traced for the model's input shape:
on this kind of machine that is about 1-2 ms per 64x64 frame against ~50 ms for
`model.predict`, whose per-call set-up (a data adapter, a callback list, a fresh iterator)
dominates for a single image. See benchmarks/door.md.

The preprocessing is the training pipeline's: every face goes through
`core.door.prepare.prepare_face` (the model's channels, then its size) and is scaled to
[0, 1] (`core.data.images.scale_pixels`), so a frame reaches the model exactly as a training
image did.
Keras and TensorFlow are imported inside functions only.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cnnexplorer.core.door.prepare import prepare_face
from cnnexplorer.core.door.threshold import DEFAULT_THRESHOLD
from cnnexplorer.core.errors import ModelFileError
from cnnexplorer.paths import bundled_door_model
from cnnexplorer.core.data.images import (
    ImageReadError,
    read_image,
    read_image_reduced,
    scale_pixels,
)

from cnnexplorer.core.keras.model_io import load_model

#: frames smaller than this on either side carry no face to judge
MIN_SIDE = 8
#: what a door model must look like, quoted in every "does not fit" message
EXPECTED = ("an image input (height, width, 1 or 3 channels) and one output: a single sigmoid "
            "unit (the happy probability) or 2 softmax units (not happy, happy)")


def decide(probability: float, threshold: float = DEFAULT_THRESHOLD) -> str:
    """'open' when the happy probability reaches the threshold, else 'closed'."""
    return "open" if probability >= threshold else "closed"


def check_threshold(threshold: float) -> float:
    try:
        t = float(threshold)
    except (TypeError, ValueError):
        raise ModelFileError(f"threshold must be a number in [0, 1]; received {threshold!r}") \
            from None
    if not 0.0 <= t <= 1.0:
        raise ModelFileError(f"threshold must be in [0, 1]; received {threshold!r}")
    return t


def read_door_image(source, input_shape: tuple[int, int, int] | None = None) -> np.ndarray:
    """Read an image file for the door, refusing images too small.

    Args:
        input_shape: the model's (h, w, c): the image is reduced to it as it is decoded
            (a large JPEG at a fraction of its size), so only the model-size array is kept;
            None keeps the image's own size, RGB.

    Raises:
        ImageReadError: the file is not a readable image, or is under MIN_SIDE pixels a side.
    """
    if input_shape is not None:
        h, w, c = input_shape
        return read_image(source, size=(h, w), resize="stretch", channels=c, min_side=MIN_SIDE)
    image = read_image(source, channels=3)
    check_frame(image, source)
    return image


#: the long side a photo is decoded at for face finding: well above the side the detector
#: searches at (core.door.faces.STILL_SIDE) and enough for a small face's crop, far below a
#: phone photo's (a 9000x9000 PNG would otherwise hold 240 MB while it is judged)
PHOTO_SIDE = 1600
#: the bundled door's network: the zoo's `doornet` with these options (two CONV units per
#: block; the zoo's default stays one, so DoorNet runs saved before build as they were).
#: A door trained afresh (make_door_model, Teach the door from scratch) takes them too.
BUNDLED_DOORNET = {"filters": 32, "convs": 2}


def read_door_photo(source, max_side: int | None = None) -> tuple[np.ndarray, float]:
    """Read a photo for face finding, reduced as it is decoded to at most `max_side` a side.

    Returns the RGB uint8 image and the factor that takes its pixel coordinates back to the
    file's own (boxes are reported in the original image's pixels: `DoorVerdict.scaled`).
    """
    image, factor = read_image_reduced(source, max_side or PHOTO_SIDE, channels=3,
                                       min_side=MIN_SIDE)
    check_frame(image, source)
    return image, factor


def check_frame(image: np.ndarray, name="frame") -> None:
    """Raise ImageReadError for arrays that are not an image the door can judge."""
    label = name if isinstance(name, str) else str(name)
    if not isinstance(image, np.ndarray) or image.ndim not in (2, 3):
        raise ImageReadError(f"{label}: expected an image array (H, W) or (H, W, C); received "
                             f"{getattr(image, 'shape', type(image).__name__)}")
    h, w = image.shape[:2]
    if h < MIN_SIDE or w < MIN_SIDE:
        raise ImageReadError(f"{label}: the image is {w}x{h} pixels; at least "
                             f"{MIN_SIDE}x{MIN_SIDE} is needed to judge a face")


def preprocess(image: np.ndarray, input_shape: tuple[int, int, int]) -> np.ndarray:
    """One frame -> float32 batch (1, h, w, c) in [0, 1], ready for the model
    (`core.door.prepare.prepare_face`, then x / 255)."""
    return scale_pixels(prepare_face(image, input_shape))[None]


@dataclass(frozen=True)
class Prediction:
    """A door verdict for one image."""

    probability: float  # of "happy"
    threshold: float

    @property
    def decision(self) -> str:
        return decide(self.probability, self.threshold)

    def as_dict(self) -> dict:
        return {"probability": round(self.probability, 6), "threshold": self.threshold,
                "decision": self.decision}


def _activation_name(layer) -> str:
    act = getattr(layer, "activation", None)
    return getattr(act, "__name__", str(act)) if act is not None else ""


def inspect_door_model(model, source: str = "model") -> tuple[tuple[int, int, int], str]:
    """Check a Keras model fits the door; return (input_shape, output_kind).

    output_kind: "sigmoid" (1 unit, a probability), "logit" (1 linear unit), "softmax"
    (2 units, probabilities) or "logits2" (2 linear units).

    Raises:
        ModelFileError: naming the source, what it has and what a door model needs.
    """
    inputs = getattr(model, "inputs", None) or []
    outputs = getattr(model, "outputs", None) or []
    if len(inputs) != 1:
        raise ModelFileError(f"{source}: the model has {len(inputs)} inputs; the door needs "
                             f"{EXPECTED}")
    shape = tuple(inputs[0].shape)
    if len(shape) != 4 or any(d is None for d in shape[1:]) or shape[3] not in (1, 3):
        raise ModelFileError(f"{source}: the model's input is {shape[1:]}; the door needs "
                             f"{EXPECTED}")
    if len(outputs) != 1:
        raise ModelFileError(f"{source}: the model has {len(outputs)} outputs; the door needs "
                             f"{EXPECTED}")
    out = tuple(outputs[0].shape)
    units = out[-1] if len(out) == 2 else None
    if units not in (1, 2):
        what = f"{units} classes" if len(out) == 2 else f"an output of shape {out[1:]}"
        raise ModelFileError(f"{source}: the model predicts {what}; the door needs {EXPECTED}")
    act = _activation_name(model.layers[-1])
    if units == 1:
        kinds = {"sigmoid": "sigmoid", "linear": "logit"}
    else:
        kinds = {"softmax": "softmax", "linear": "logits2"}
    if act not in kinds:
        raise ModelFileError(f"{source}: the output layer's activation is {act or 'unknown'!r}; "
                             f"the door needs {EXPECTED}")
    return (int(shape[1]), int(shape[2]), int(shape[3])), kinds[act]


class DoorModel:
    """A model the door can use, with its fast single-frame call. Thread-safe to predict."""

    def __init__(self, model, source: str = "model", name: str | None = None):
        self.model = model
        self.source = str(source)
        self.name = name or Path(self.source).name
        self.input_shape, self.output_kind = inspect_door_model(model, self.source)
        self._fast = None
        self._lock = threading.Lock()

    @classmethod
    def load(cls, path, name: str | None = None) -> "DoorModel":
        """Open a .keras/.h5 file in Keras' safe mode and check it fits the door."""
        model = load_model(path)
        return cls(model, str(path), name)

    @classmethod
    def bundled(cls) -> "DoorModel":
        """The door model shipped in resources/ (DoorNet trained on real face crops)."""
        path = bundled_door_model()
        if not path.is_file():
            raise ModelFileError(f"{path}: the bundled door model is missing; regenerate it "
                                 f"with `python -m cnnexplorer.tools.make_door_model`")
        return cls.load(path, name="bundled door model")

    # -- the fast path ---------------------------------------------------------------------
    def _fast_fn(self):
        if self._fast is None:
            with self._lock:
                if self._fast is None:
                    import tensorflow as tf

                    spec = tf.TensorSpec((None, *self.input_shape), tf.float32)
                    model = self.model
                    # One trace for any batch size; training=False keeps BN/Dropout in
                    # inference mode, as model.predict would. The concrete function skips
                    # tf.function's per-call signature matching.
                    self._fast = tf.function(lambda x: model(x, training=False)
                                             ).get_concrete_function(spec)
        return self._fast

    def _to_probability(self, raw: np.ndarray) -> np.ndarray:
        raw = np.asarray(raw, dtype=np.float64)
        if self.output_kind == "sigmoid":
            return raw[:, 0]
        if self.output_kind == "logit":
            return 1.0 / (1.0 + np.exp(-raw[:, 0]))
        if self.output_kind == "softmax":
            return raw[:, 1]
        e = np.exp(raw - raw.max(axis=1, keepdims=True))
        return e[:, 1] / e.sum(axis=1)

    def predict_batch(self, batch: np.ndarray) -> np.ndarray:
        """Happy probabilities of a preprocessed float32 batch (n, h, w, c)."""
        import tensorflow as tf

        raw = self._fast_fn()(tf.constant(batch, dtype=tf.float32))
        return self._to_probability(raw.numpy())

    def probability(self, image: np.ndarray) -> float:
        """The happy probability of one uint8 frame of any size."""
        return float(self.predict_batch(preprocess(image, self.input_shape))[0])

    def predict(self, image: np.ndarray, threshold: float = DEFAULT_THRESHOLD) -> Prediction:
        return Prediction(self.probability(image), float(threshold))

    def predict_images(self, images: list[np.ndarray], threshold: float = DEFAULT_THRESHOLD,
                       batch_size: int = 64) -> list[Prediction]:
        """Many frames in batches (the CLI's path for many files)."""
        out: list[Prediction] = []
        for i in range(0, len(images), batch_size):
            batch = np.concatenate([preprocess(im, self.input_shape)
                                    for im in images[i:i + batch_size]])
            out.extend(Prediction(float(p), float(threshold))
                       for p in self.predict_batch(batch))
        return out

    def warm_up(self) -> None:
        """Trace the fast call now, so the first real frame is not the slow one."""
        self.predict_batch(np.zeros((1, *self.input_shape), np.float32))


def load_door_model(path=None) -> DoorModel:
    """The model at `path`, or the bundled one when `path` is None."""
    return DoorModel.bundled() if path is None else DoorModel.load(path)
