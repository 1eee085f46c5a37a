"""Evaluation in memory linear in the classes (issue 19, severe 6): the whole confusion matrix
up to FULL_MATRIX_CLASSES classes, above it the confusions that occurred and a top-N, in text
and JSON; class names printed safely."""

from __future__ import annotations

import json
import tracemalloc

import numpy as np

from cnnexplorer.commands.evaluate import render_result
from cnnexplorer.core.train.evaluation import (
    FULL_MATRIX_CLASSES,
    TOP_CONFUSIONS,
    metrics_from_probabilities,
)


def _probs(y_pred: np.ndarray, k: int) -> np.ndarray:
    probs = np.full((len(y_pred), k), 0.1 / k, np.float32)
    probs[np.arange(len(y_pred)), y_pred] += 0.9
    return probs


def test_many_classes_keep_no_square_matrix():
    k, n = 4000, 800
    rng = np.random.default_rng(0)
    y = rng.integers(0, k, n)
    pred = np.where(rng.random(n) < 0.5, y, (y + 1 + (np.arange(n) % 3 == 0)) % k)
    pred[:30] = 7  # one frequent confusion: 30 images (some right) predicted as class 7
    y[:30] = 3
    probs = _probs(pred, k)
    tracemalloc.start()
    try:
        result = metrics_from_probabilities(probs, y, [f"c{i}" for i in range(k)])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.confusion_matrix is None
    assert peak < k * k  # a k x k int64 matrix alone was 8 k^2 bytes (128 MB here)
    # the same numbers the dense matrix gave
    wrong = pred != y
    assert result.top_confusions(1) == [{"true": "c3", "predicted": "c7", "count": 30}]
    assert sum(c for _, _, c in result.confusions) == int(wrong.sum())
    assert result.accuracy == float(np.mean(~wrong))
    for cls in (3, 7, int(y[500])):
        tp = int(np.sum((y == cls) & (pred == cls)))
        assert result.recall[cls] == (tp / np.sum(y == cls) if np.sum(y == cls) else 0.0)
        assert result.precision[cls] == (tp / np.sum(pred == cls) if np.sum(pred == cls) else 0.0)
    data = result.to_dict()
    assert data["confusion_matrix"] is None and len(data["confusions"]) == TOP_CONFUSIONS
    assert data["distinct_confusions"] == len(result.confusions) and data["images"] == n
    assert len(json.dumps(data)) < 200 * k  # the per-class list: linear (was 300 MB at 10k)
    text = render_result("many", result)
    assert f"(the {TOP_CONFUSIONS} most frequent of" in text and "c3 -> c7: 30" in text
    assert "confusion matrix" not in text


def test_up_to_the_bound_the_whole_matrix_is_kept_and_printed():
    k = FULL_MATRIX_CLASSES
    y = np.arange(2 * k) % k
    pred = y.copy()
    pred[0] = 1  # one image of class 0 taken for class 1
    result = metrics_from_probabilities(_probs(pred, k), y, [str(i) for i in range(k)])
    cm = result.confusion_matrix
    assert cm.shape == (k, k) and cm[0, 1] == 1 and cm[0, 0] == 1 and cm.sum() == 2 * k
    assert result.to_dict()["confusion_matrix"][0][1] == 1
    assert result.to_dict()["confusions"] == [{"true": "0", "predicted": "1", "count": 1}]
    assert "confusion matrix (rows: true class" in render_result("set", result)


def test_class_names_with_terminal_escapes_are_printed_as_text():
    names = ["\x1b[31mred\x1b[0m", "two\nlines"]
    y = np.array([0, 1, 1, 0])
    result = metrics_from_probabilities(_probs(np.array([0, 0, 1, 0]), 2), y, names)
    text = render_result("set\x1b]0;title\x07", result)
    assert "\x1b" not in text and "\x07" not in text
    assert "\\x1b[31mred\\x1b[0m" in text and "two\\nlines" in text
    assert len(text.splitlines()) == len(render_result("set", metrics_from_probabilities(
        _probs(np.array([0, 0, 1, 0]), 2), y, ["a", "b"])).splitlines())


def test_predict_in_chunks_writes_each_chunk_in_place():
    from cnnexplorer.core.train.evaluation import predict_in_chunks

    calls = []

    class Model:  # outputs the mean pixel of each image, as 3 "class scores"
        def predict(self, x, batch_size, verbose):
            calls.append(len(x))
            assert x.dtype == np.float32 and x.max() <= 1.0
            mean = x.reshape(len(x), -1).mean(axis=1)
            return np.stack([mean, 1 - mean, mean * 0], axis=1).astype(np.float32)

    x = np.arange(10 * 4 * 4 * 3, dtype=np.int64).reshape(10, 4, 4, 3) % 256
    out = predict_in_chunks(Model(), x.astype(np.uint8), (4, 4, 3), batch_size=2, chunk=4)
    assert calls == [4, 4, 2]
    expected = (x.astype(np.float32) / 255).reshape(10, -1).mean(axis=1)
    np.testing.assert_allclose(out[:, 0], expected, rtol=1e-6)
