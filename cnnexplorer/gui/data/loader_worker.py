"""Loads a dataset (`core.datasets.load_dataset`) in a QThread, reporting progress.

Signals are emitted from the worker thread and delivered queued to receivers living in the GUI
thread. `cancel()` is cooperative: the loader's progress callback answers False at the next
step, and the folder loader stops between files.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QThread, Signal

from cnnexplorer.core.data import load_dataset


class DatasetLoader(QThread):
    progress = Signal(int, int, str)  # done, total, message
    loaded = Signal(object)  # Dataset
    errored = Signal(object)  # the exception

    def __init__(self, spec, image_size=None, resize: str = "stretch", parent=None):
        super().__init__(parent)
        self.spec = spec
        self.image_size = image_size
        self.resize = resize
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def _on_progress(self, done: int, total: int, message: str):
        self.progress.emit(int(done), int(total), str(message))
        return not self._cancel.is_set()

    def run(self) -> None:
        try:
            ds = load_dataset(self.spec, image_size=self.image_size, resize=self.resize,
                              progress=self._on_progress)
        except BaseException as exc:  # noqa: BLE001 - every failure goes to the presenter
            self.errored.emit(exc)
            return
        self.loaded.emit(ds)
