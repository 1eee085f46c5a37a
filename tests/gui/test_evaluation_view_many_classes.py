"""The evaluation view with more classes than the result keeps a matrix for (issue 19,
severe 6): the most frequent confusions are listed instead, and the per-class table is whole."""

from __future__ import annotations

import numpy as np

from cnnexplorer.core.train.evaluation import FULL_MATRIX_CLASSES, metrics_from_probabilities
from cnnexplorer.gui.session import Session
from cnnexplorer.gui.training.evaluation_view import EvaluationView


def test_over_the_bound_the_view_lists_the_top_confusions(qtbot):
    k = FULL_MATRIX_CLASSES + 10
    y = np.arange(3 * k) % k
    pred = y.copy()
    pred[:4] = 5  # classes 0..3 once each taken for class 5 (class 5's own image is right)
    pred[k:k + 2] = 9  # classes 0 and 1 once more taken for class 9
    pred[0 + 2 * k] = 5  # class 0 a second time for class 5
    probs = np.full((len(y), k), 0.001, np.float32)
    probs[np.arange(len(y)), pred] = 0.9
    result = metrics_from_probabilities(probs, y, [f"class {i}" for i in range(k)])
    view = EvaluationView(Session())
    qtbot.addWidget(view)
    view.show_result(result, None, "test")
    assert result.confusion_matrix is None
    assert view.confusion.columnCount() == 3 and view.confusion.rowCount() == 6
    first = [view.confusion.item(0, j).text() for j in range(3)]
    assert first == ["class 0", "class 5", "2"]
    assert "Most frequent confusions" in view.confusion_title.text()
    assert view.per_class.rowCount() == k
    assert f"{3 * k} images" in view.summary.text()
    # back to a small result: the matrix again
    small = metrics_from_probabilities(np.array([[.9, .1], [.2, .8]]), np.array([0, 0]),
                                       ["a", "b"])
    view.show_result(small, None, "test")
    assert view.confusion.columnCount() == 2 and view.confusion.item(0, 1).text() == "1"
    assert view.confusion_title.text() == "<b>Confusion matrix</b>"
