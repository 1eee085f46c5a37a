"""Evaluating a classifier on a test set: loss, accuracy, confusion matrix, per-class
precision and recall, and the misclassified images with their probabilities (no Qt).

The confusion matrix is kept whole up to FULL_MATRIX_CLASSES classes; above, only the
confusions that occurred (at most one per image) are kept, so memory grows with the images
and the classes, not with the square of the classes.

One `predict` pass gives everything; the loss is computed from the probabilities with the
same formula Keras uses (probabilities clipped to [1e-7, 1 - 1e-7]).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cnnexplorer.core.errors import TrainingError
from cnnexplorer.core.data.images import scale_pixels
from cnnexplorer.core.data.adapt import adapt_images
from cnnexplorer.core.keras.model_io import model_task

_EPS = 1e-7


@dataclass
class Misclassified:
    index: int  # into the evaluated images
    true: int
    predicted: int
    probability: float  # of the predicted class
    true_probability: float


#: up to this many classes a result keeps (and prints, and writes in JSON) the whole confusion
#: matrix; above it only the confusions that occurred (a sparse list, at most one entry per
#: image): 10,000 classes made a 10^8-cell matrix, 7 GB, 46 s and 300 MB of JSON
FULL_MATRIX_CLASSES = 50
#: the most frequent confusions listed in the text and the JSON
TOP_CONFUSIONS = 20


@dataclass
class EvaluationResult:
    loss: float
    accuracy: float
    class_names: list
    #: rows: true class, columns: predicted class; None above FULL_MATRIX_CLASSES classes
    confusion_matrix: np.ndarray | None
    precision: np.ndarray
    recall: np.ndarray
    support: np.ndarray
    probabilities: np.ndarray  # (N, classes)
    misclassified: list = field(default_factory=list)  # most confident mistakes first
    split: str = "test"
    #: (true, predicted, count) for every pair that occurred, true != predicted, the most
    #: frequent first (ties: by true, then predicted class)
    confusions: list = field(default_factory=list)

    @property
    def images(self) -> int:
        return int(self.support.sum())

    def per_class(self) -> list[dict]:
        return [{"class": name, "precision": float(p), "recall": float(r), "support": int(s)}
                for name, p, r, s in zip(self.class_names, self.precision, self.recall,
                                         self.support)]

    def top_confusions(self, n: int = TOP_CONFUSIONS) -> list[dict]:
        """The `n` most frequent confusions as {true, predicted, count} with class names."""
        return [{"true": self.class_names[t], "predicted": self.class_names[p], "count": int(c)}
                for t, p, c in self.confusions[:n]]

    def to_dict(self) -> dict:
        """The CLI's JSON: loss, accuracy, per_class, the confusion matrix (None above
        FULL_MATRIX_CLASSES classes) and the most frequent confusions."""
        return {"loss": float(self.loss), "accuracy": float(self.accuracy),
                "split": self.split, "images": self.images, "per_class": self.per_class(),
                "confusion_matrix": None if self.confusion_matrix is None
                else self.confusion_matrix.astype(int).tolist(),
                "confusions": self.top_confusions(), "distinct_confusions": len(self.confusions),
                "misclassified": len(self.misclassified)}


def class_probabilities(raw: np.ndarray) -> np.ndarray:
    """A model's outputs as (N, classes) probabilities: one sigmoid unit -> [1-p, p].

    Kept in the model's float type (float32): a float64 copy of 20,000 x 10,000 scores is
    1.6 GB."""
    raw = np.asarray(raw)
    if raw.dtype.kind != "f":
        raw = raw.astype(np.float64)
    if raw.ndim == 1:
        raw = raw[:, None]
    if raw.shape[1] == 1:
        p = raw[:, 0]
        return np.stack([1 - p, p], axis=1)
    return raw


def _confusions(y: np.ndarray, pred: np.ndarray, k: int) -> list[tuple[int, int, int]]:
    """Every (true, predicted, count) with true != predicted, from the N pairs (no k x k)."""
    wrong = pred != y
    pairs, counts = np.unique(y[wrong] * k + pred[wrong], return_counts=True)
    order = np.argsort(-counts, kind="stable")  # pairs are sorted: ties by true, predicted
    return [(int(pairs[i] // k), int(pairs[i] % k), int(counts[i])) for i in order]


def metrics_from_probabilities(probs: np.ndarray, y: np.ndarray, class_names, split="test",
                               max_misclassified: int = 200) -> EvaluationResult:
    """Everything from one pass of probabilities, in O(N + classes) memory beyond them (the
    full confusion matrix only up to FULL_MATRIX_CLASSES classes)."""
    y = np.asarray(y, dtype=np.int64)
    k = len(class_names)
    if probs.shape != (len(y), k):
        raise TrainingError(f"the model gives {probs.shape[1]} class scores and the dataset has "
                            f"{k} classes ({', '.join(map(str, class_names[:20]))}"
                            f"{', ...' if k > 20 else ''})")
    rows = np.arange(len(y))
    if k == 2 and np.allclose(probs.sum(axis=1), 1):
        p1 = np.clip(probs[:, 1].astype(np.float64), _EPS, 1 - _EPS)
        # binary cross-entropy, as Keras computes it for a sigmoid unit
        loss = float(-np.mean(y * np.log(p1) + (1 - y) * np.log(1 - p1))) if len(y) else 0.0
    else:
        true_p = np.clip(probs[rows, y].astype(np.float64), _EPS, 1 - _EPS)
        loss = float(-np.mean(np.log(true_p))) if len(y) else 0.0
    pred = probs.argmax(axis=1)
    right = pred == y
    support = np.bincount(y, minlength=k)
    predicted = np.bincount(pred, minlength=k)
    tp = np.bincount(y[right], minlength=k).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(predicted > 0, tp / np.maximum(predicted, 1), 0.0)
        recall = np.where(support > 0, tp / np.maximum(support, 1), 0.0)
    cm = None
    if k <= FULL_MATRIX_CLASSES:
        cm = np.zeros((k, k), dtype=np.int64)
        np.add.at(cm, (y, pred), 1)
    wrong = np.flatnonzero(~right)
    order = wrong[np.argsort(-probs[wrong, pred[wrong]], kind="stable")][:max_misclassified]
    mis = [Misclassified(int(i), int(y[i]), int(pred[i]), float(probs[i, pred[i]]),
                         float(probs[i, y[i]])) for i in order]
    acc = float(np.mean(right)) if len(y) else 0.0
    return EvaluationResult(loss, acc, list(class_names), cm, precision, recall,
                            support, probs, mis, split, _confusions(y, pred, k))


def evaluation_split(dataset):
    """The test split, or all the images when the dataset has none."""
    if dataset.x_test is not None and len(dataset.y_test):
        return dataset.x_test, dataset.y_test, "test"
    return dataset.x_train, dataset.y_train, "all (the dataset has no test split)"


def image_classifier_task(model) -> tuple[tuple[int, ...], int]:
    """(input shape, classes) of a model that takes images; TrainingError for any other."""
    shape, classes, _binary = model_task(model)
    if len(shape) != 3 or not all(isinstance(d, int) for d in shape) or shape[-1] not in (1, 3):
        raise TrainingError(f"model {model.name!r} takes inputs of shape {tuple(shape)}, not "
                            f"images (height, width, 1 or 3 channels): it cannot be evaluated "
                            f"on an image dataset")
    return tuple(shape), classes


def evaluate(model, dataset, batch_size: int = 64, split: str | None = None) -> EvaluationResult:
    """Evaluate a Keras classifier on a dataset's test split (or all of it).

    The images are adapted to the model's input (channels, size) when sound; a model whose
    class count differs from the dataset's is refused with a message.
    """
    shape, classes = image_classifier_task(model)
    if classes != dataset.num_classes:
        raise TrainingError(f"model {model.name!r} predicts {classes} classes but "
                            f"{dataset.name} has {dataset.num_classes}")
    if split == "train":
        x, y, name = dataset.x_train, dataset.y_train, "train"
    else:
        x, y, name = evaluation_split(dataset)
    if len(y) == 0:
        raise TrainingError(f"{dataset.name}: the {name} split holds no images; nothing to "
                            f"evaluate")
    raw = predict_in_chunks(model, x, tuple(shape), batch_size)
    return metrics_from_probabilities(class_probabilities(raw), y, dataset.class_names, name)


#: images adapted, scaled and predicted at a time by `predict_in_chunks`
PREDICT_CHUNK = 4096


def predict_in_chunks(model, x: np.ndarray, shape: tuple, batch_size: int,
                      chunk: int = PREDICT_CHUNK) -> np.ndarray:
    """The model's outputs for uint8 images `x`, PREDICT_CHUNK images at a time, written into
    one array: neither the float32 copy of every image nor Keras' list of batch outputs
    beside their concatenation (20,000 images x 10,000 classes: 800 MB each) is ever whole."""
    out = None
    for start in range(0, len(x), chunk):
        part = model.predict(scale_pixels(adapt_images(x[start:start + chunk], shape)),
                             batch_size=batch_size, verbose=0)
        if out is None:
            out = np.empty((len(x),) + tuple(part.shape[1:]), part.dtype)
        out[start:start + len(part)] = part
    if out is None:  # no images: no outputs, in the model's output shape
        return np.empty((0,) + tuple(model.output_shape[1:]), np.float32)
    return out
