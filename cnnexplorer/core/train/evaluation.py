"""Evaluating a classifier on a test set: loss, accuracy, confusion matrix, per-class
precision and recall, and the misclassified images with their probabilities (no Qt).

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


@dataclass
class EvaluationResult:
    loss: float
    accuracy: float
    class_names: list
    confusion_matrix: np.ndarray  # rows: true class, columns: predicted class
    precision: np.ndarray
    recall: np.ndarray
    support: np.ndarray
    probabilities: np.ndarray  # (N, classes)
    misclassified: list = field(default_factory=list)  # most confident mistakes first
    split: str = "test"

    def per_class(self) -> list[dict]:
        return [{"class": name, "precision": float(p), "recall": float(r), "support": int(s)}
                for name, p, r, s in zip(self.class_names, self.precision, self.recall,
                                         self.support)]

    def to_dict(self) -> dict:
        """The CLI's JSON: loss, accuracy, per_class, confusion_matrix."""
        return {"loss": float(self.loss), "accuracy": float(self.accuracy),
                "split": self.split, "per_class": self.per_class(),
                "confusion_matrix": self.confusion_matrix.astype(int).tolist(),
                "misclassified": len(self.misclassified)}


def class_probabilities(raw: np.ndarray) -> np.ndarray:
    """A model's outputs as (N, classes) probabilities: one sigmoid unit -> [1-p, p]."""
    raw = np.asarray(raw, dtype=np.float64)
    if raw.ndim == 1:
        raw = raw[:, None]
    if raw.shape[1] == 1:
        p = raw[:, 0]
        return np.stack([1 - p, p], axis=1)
    return raw


def metrics_from_probabilities(probs: np.ndarray, y: np.ndarray, class_names, split="test",
                               max_misclassified: int = 200) -> EvaluationResult:
    y = np.asarray(y, dtype=np.int64)
    k = len(class_names)
    if probs.shape != (len(y), k):
        raise TrainingError(f"the model gives {probs.shape[1]} class scores and the dataset has "
                            f"{k} classes ({', '.join(map(str, class_names))})")
    clipped = np.clip(probs, _EPS, 1 - _EPS)
    if k == 2 and np.allclose(probs.sum(axis=1), 1):
        p1 = clipped[:, 1]  # binary cross-entropy, as Keras computes it for a sigmoid unit
        loss = float(-np.mean(y * np.log(p1) + (1 - y) * np.log(1 - p1))) if len(y) else 0.0
    else:
        loss = float(-np.mean(np.log(clipped[np.arange(len(y)), y]))) if len(y) else 0.0
    pred = probs.argmax(axis=1)
    cm = np.zeros((k, k), dtype=np.int64)
    np.add.at(cm, (y, pred), 1)
    tp = np.diag(cm).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(cm.sum(0) > 0, tp / cm.sum(0), 0.0)
        recall = np.where(cm.sum(1) > 0, tp / cm.sum(1), 0.0)
    wrong = np.flatnonzero(pred != y)
    order = wrong[np.argsort(-probs[wrong, pred[wrong]], kind="stable")][:max_misclassified]
    mis = [Misclassified(int(i), int(y[i]), int(pred[i]), float(probs[i, pred[i]]),
                         float(probs[i, y[i]])) for i in order]
    acc = float(np.mean(pred == y)) if len(y) else 0.0
    return EvaluationResult(loss, acc, list(class_names), cm, precision, recall,
                            cm.sum(1), probs, mis, split)


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
    xf = scale_pixels(adapt_images(x, tuple(shape)))
    raw = model.predict(xf, batch_size=batch_size, verbose=0)
    return metrics_from_probabilities(class_probabilities(raw), y, dataset.class_names, name)
