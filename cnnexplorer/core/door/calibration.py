"""A calibrated 0.5: Platt scaling of a door model's log-odds, and the calibration error.

A network trained on one kind of face ranks other kinds well but puts its 0.5 in the wrong
place for them (the first real-faces door: ROC AUC 0.87 on the course's small soft faces, yet
a median happy probability of 0.24 for a smiling one). Platt scaling fits two numbers on faces
the model never trained on, `p = sigmoid(a * z + b)` where `z` is the model's log-odds; the
door folds them into its last Dense unit (`fold_into_sigmoid`), so the saved model answers
calibrated probabilities through the ordinary path and nothing else has to know.

The fit weighs each source of faces equally (a sharp crop, a small soft face, a webcam-like
grey face), so no single source's share of the validation mix decides where 0.5 falls.
`expected_calibration_error` measures the result: the mean gap between the probability said
and the share of smiles among faces given that probability (10 equal bins).
"""

from __future__ import annotations

import numpy as np

from cnnexplorer.core.errors import TrainingError

#: log-odds of probabilities this close to 0 or 1 are clipped (float32 sigmoid saturates)
_EPS = 1e-7


def log_odds(p) -> np.ndarray:
    """The log-odds `log(p / (1 - p))` of probabilities, clipped to float32's range."""
    p = np.clip(np.asarray(p, np.float64), _EPS, 1.0 - _EPS)
    return np.log(p) - np.log1p(-p)


def sigmoid(z) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(z, np.float64)))


def fit_platt(logits, labels, weights=None, iterations: int = 50) -> tuple[float, float]:
    """(a, b) minimising the weighted log-loss of `sigmoid(a * z + b)` (Newton's method on
    the two numbers, a little L2 so that separable data still has an answer)."""
    z = np.asarray(logits, np.float64).ravel()
    y = np.asarray(labels, np.float64).ravel()
    w = np.ones_like(z) if weights is None else np.asarray(weights, np.float64).ravel()
    if not (z.shape == y.shape == w.shape) or z.size == 0:
        raise TrainingError(f"fit_platt: {z.size} log-odds, {y.size} labels and {w.size} "
                            f"weights; all must be equal and non-zero")
    if y.min() == y.max():
        raise TrainingError("fit_platt needs both classes among the labels")
    w = w / w.sum()
    theta = np.array([1.0, 0.0])
    ridge = 1e-6
    for _ in range(iterations):
        p = sigmoid(theta[0] * z + theta[1])
        g = p - y
        grad = np.array([(w * g * z).sum(), (w * g).sum()]) + ridge * theta
        s = w * p * (1.0 - p)
        hess = np.array([[(s * z * z).sum(), (s * z).sum()],
                         [(s * z).sum(), s.sum()]]) + ridge * np.eye(2)
        step = np.linalg.solve(hess, grad)
        theta = theta - step
        if np.abs(step).max() < 1e-10:
            break
    return float(theta[0]), float(theta[1])


def source_weights(sources) -> np.ndarray:
    """Weights that give each distinct source (any hashable label per face) the same total."""
    sources = np.asarray(sources)
    names, inverse, counts = np.unique(sources, return_inverse=True, return_counts=True)
    return (1.0 / counts)[inverse] * len(sources) / len(names)


def expected_calibration_error(labels, probabilities, bins: int = 10) -> float:
    """Expected calibration error: over `bins` equal-width probability bins, the mean of
    |share of positives - mean probability| weighted by the share of faces in the bin."""
    y = np.asarray(labels, np.float64).ravel()
    p = np.asarray(probabilities, np.float64).ravel()
    if y.size == 0 or y.shape != p.shape:
        raise TrainingError(f"expected_calibration_error: {y.size} labels and {p.size} "
                            f"probabilities; both must be equal and non-zero")
    which = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            total += inside.mean() * abs(y[inside].mean() - p[inside].mean())
    return float(total)


def fold_into_sigmoid(model, a: float, b: float) -> None:
    """Make `model`'s output `sigmoid(a * z + b)` where it was `sigmoid(z)`: the last layer
    must be a Dense unit with a sigmoid activation; its kernel is scaled by `a` and its bias
    becomes `a * bias + b`. In place.

    Raises:
        TrainingError: the last layer is not a one-unit sigmoid Dense layer with a bias.
    """
    import keras

    last = model.layers[-1]
    activation = getattr(getattr(last, "activation", None), "__name__", "")
    if not isinstance(last, keras.layers.Dense) or last.units != 1 \
            or activation != "sigmoid" or not last.use_bias:
        raise TrainingError(f"calibration folds into a one-unit sigmoid Dense layer with a "
                            f"bias; the last layer is {type(last).__name__} "
                            f"{getattr(last, 'name', '')!r}")
    kernel, bias = last.get_weights()
    last.set_weights([(kernel * a).astype(kernel.dtype), (bias * a + b).astype(bias.dtype)])
