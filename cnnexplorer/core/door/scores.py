"""What a door model scores on labelled faces: accuracy, ROC AUC and the constant answer.

Smiles are the minority (about 28% of the real crops), so accuracy alone flatters a model
that mostly says "no smile"; the figures always come with the accuracy of the constant
answer and with the ROC AUC, which does not depend on the threshold.
"""

from __future__ import annotations

import numpy as np

from cnnexplorer.core.door.threshold import DEFAULT_THRESHOLD
from cnnexplorer.core.errors import DatasetError
from cnnexplorer.core.door.inference import preprocess


def roc_auc(labels, scores) -> float:
    """Area under the ROC curve: the chance that a random positive scores above a random
    negative (ties count one half), by the rank-sum (Mann-Whitney) formula.

    Raises:
        DatasetError: when the labels hold only one class (the area is undefined).
    """
    y = np.asarray(labels).astype(bool).ravel()
    s = np.asarray(scores, dtype=np.float64).ravel()
    if y.shape != s.shape:
        raise DatasetError(f"roc_auc: {y.size} labels but {s.size} scores")
    pos, neg = int(y.sum()), int((~y).sum())
    if pos == 0 or neg == 0:
        raise DatasetError(f"roc_auc needs both classes; received {pos} positives and {neg} "
                           f"negatives")
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s), np.float64)
    sorted_s = s[order]
    # average ranks over ties (1-based)
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_s)) + 1]
    ends = np.r_[starts[1:], len(s)]
    for a, b in zip(starts, ends):
        ranks[order[a:b]] = (a + b + 1) / 2.0
    return float((ranks[y].sum() - pos * (pos + 1) / 2.0) / (pos * neg))


def binary_scores(labels, probabilities, threshold: float = DEFAULT_THRESHOLD) -> dict:
    """accuracy, ROC AUC, the constant answer's accuracy and the count, rounded to 4 places."""
    y = np.asarray(labels).astype(int).ravel()
    p = np.asarray(probabilities, dtype=np.float64).ravel()
    accuracy = float(((p >= threshold).astype(int) == y).mean())
    constant = float(max(y.mean(), 1.0 - y.mean()))
    return {"accuracy": round(accuracy, 4), "roc_auc": round(roc_auc(y, p), 4),
            "constant_answer_accuracy": round(constant, 4), "images": int(len(y)),
            "positives": int(y.sum())}


def door_probabilities(door, images: np.ndarray, batch: int = 256) -> np.ndarray:
    """Happy probabilities of uint8 images `(N, H, W, C)` through a `DoorModel`'s own
    preprocessing (channels by core.data.adapt, resize, scaling): what the door does with
    each crop, in batches."""
    out = [np.zeros(0)]
    for i in range(0, len(images), batch):
        b = np.concatenate([preprocess(im, door.input_shape) for im in images[i:i + batch]])
        out.append(door.predict_batch(b))
    return np.concatenate(out)
