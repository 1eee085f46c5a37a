"""Shared GUI fixtures."""

import pytest
from PySide6.QtWidgets import QMessageBox


@pytest.fixture
def error_boxes(monkeypatch):
    """Capture every QMessageBox that would open (a modal box would block an offscreen test):
    a list of (icon, title, text, informative text, detailed text)."""
    shown = []

    def fake_exec(box):
        shown.append((box.icon(), box.windowTitle(), box.text(), box.informativeText(),
                      box.detailedText()))
        return QMessageBox.StandardButton.Ok
    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return shown
