"""The training tests' tiny network and data: a HappyModel small enough to train in seconds
and images it can separate.

Not a test module: imported by tests/core/test_training_engine.py, test_transfer_learning.py,
test_disk_full.py and test_resume_backup.py (pytest puts tests/ on sys.path through its
conftest.py).
"""

from __future__ import annotations

import numpy as np

from cnnexplorer.core.data.base import Dataset
from cnnexplorer.core.train.engine import ArchSpec

TINY = ArchSpec("happymodel", {"filters": 4, "kernel": 3, "padding": 1})


def separable(n=160, size=16, classes=2, channels=3, seed=0, test=40):
    """Class c has a bright square in quadrant c on noise: separable by a small conv net."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n + test)
    x = (rng.random((n + test, size, size, channels)) * 60).astype(np.uint8)
    h = size // 2
    for c in range(classes):
        r, q = divmod(c % 4, 2)
        x[y == c, r * h + 2:r * h + h - 2, q * h + 2:q * h + h - 2, :] += 160
    names = [f"class{c}" for c in range(classes)]
    return Dataset("separable", names, x[:n], y[:n], x[n:], y[n:])
