"""The status bar's compute-device label: "TensorFlow not loaded yet" until asked or loaded.

TensorFlow is never imported at start-up (the window must show within 1.5 s); `check()`
imports it in a worker thread and shows the device it will use (`core.keras.device.configure`).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel, QWidget

from cnnexplorer.gui.errors import present_error
from cnnexplorer.core.keras import device
from cnnexplorer.gui.workers import Worker

log = logging.getLogger(__name__)

NOT_LOADED = "Compute device: TensorFlow not loaded yet"


def detect_device() -> str:
    """Import TensorFlow (slow, run it in a worker) and describe the device it will use."""
    return device.configure().describe()


class DeviceStatus(QObject):
    """Owns the label; `check()` runs `detect_device` in a worker, at most once at a time."""
    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.label = QLabel(NOT_LOADED)
        self.label.setToolTip("View > Check compute device loads TensorFlow and shows the "
                              "device training will use")
        self._worker = None
        self.result: str | None = None

    def check(self) -> None:
        if self._worker is not None:
            return

        self.label.setText("Compute device: loading TensorFlow...")
        self._worker = Worker.call(detect_device, name="load TensorFlow",
                                   on_error=self._on_worker_errored)
        self._worker.returned.connect(self._on_worker_returned)
        self._worker.finished.connect(self._on_worker_finished)
        self._worker.start()

    def _on_worker_returned(self, text: str) -> None:
        self.result = text
        self.label.setText(f"Compute device: {text}")

    def _on_worker_errored(self, exc: BaseException) -> None:
        self.label.setText("Compute device: unknown (TensorFlow failed to load)")
        present_error(self.parent(), "Could not load TensorFlow", exc,
                      hint="Training and the Happy door need TensorFlow; the Architecture "
                           "panel works without it. Reinstall the app's dependencies.")

    def _on_worker_finished(self) -> None:
        self._worker = None
