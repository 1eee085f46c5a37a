"""The Training panel tests' tiny dataset and the panel they open on it.

Not a test module: imported by tests/gui/conftest.py (the `training_panel` fixture) and the
training panel tests (pytest puts tests/gui on sys.path).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QMainWindow

from cnnexplorer.core.data.base import Dataset
from cnnexplorer.gui.session import ArchitectureChoice, Session
from cnnexplorer.gui.training.panel import TrainingPanel

#: a HappyModel small enough to train an epoch of the tiny set in a second or two
TINY_HAPPY = {"filters": 4, "kernel": 3, "padding": 1}


def tiny_dataset(n: int = 96, size: int = 12) -> Dataset:
    """Two classes a small conv net separates: class 1 has a bright square in the middle."""
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, n)
    x = (rng.random((n, size, size, 3)) * 60).astype(np.uint8)
    x[y == 1, size // 4:3 * size // 4, size // 4:3 * size // 4] += 150
    return Dataset("tiny", ["no", "yes"], x, y, x[:16], y[:16])


def open_training_panel(qtbot, dataset: Dataset, options: dict | None = None) -> TrainingPanel:
    """A Training panel in a shown 1200x800 window, on `dataset`, with HappyModel chosen
    (TINY_HAPPY unless `options`). The caller shuts it down (`panel.shutdown()`)."""
    session = Session()
    session.set_architecture(ArchitectureChoice("happymodel",
                                                options=dict(options or TINY_HAPPY)))
    session.set_dataset(dataset)
    window = QMainWindow()
    panel = TrainingPanel(session)
    window.setCentralWidget(panel)
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    return panel
