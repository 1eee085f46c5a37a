"""Open a saved Keras model (.keras/.h5) in the Architecture panel: off the GUI thread.

`ModelFileOpener` is the panel's helper for File > Open model and for drag and drop of a
model file onto the panel. Loading imports Keras (seconds the first time) and reads the file,
so it runs in a `gui.workers.Worker`; the newest request wins, progress shows in the panel's busy
line and the status bar, and every failure (not a model, truncated, a Lambda layer refused
by safe mode) reaches the error presenter with the core's one-sentence message.

The opened model is shown through a `ZooEntry` made for it ("Opened models"): the panel's
table, totals, charts and diagram then work exactly as for a zoo entry, and the controls
show the file's fixed input and classes (changing them says why it cannot be done).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Signal

from cnnexplorer.core.arch.cost import cost_report
from cnnexplorer.core.errors import ConfigError
from cnnexplorer.core.arch.zoo.registry import ZooEntry
from cnnexplorer.core.keras.model_io import is_model_path
from cnnexplorer.core.formatting import shape_text
from cnnexplorer.gui.errors import present_error
from cnnexplorer.gui.workers import Worker
from cnnexplorer.core.keras.sources import load_network

log = logging.getLogger(__name__)

FAMILY = "Opened models"


def load_model_file(path: str):
    """(network, meta, report) of a model file: the core's work, run in the worker."""
    network, meta = load_network(path)
    return network, meta, cost_report(network)


def entry_for_model(network, meta) -> ZooEntry:
    """A zoo-like entry for an opened model whose configuration cannot change."""
    shape, classes = tuple(network.input_shape), meta.classes

    def build(cfg):
        if tuple(cfg.input_shape) != shape or cfg.classes != classes:
            raise ConfigError(f"{meta.path}: a saved model's input ({shape_text(shape)})"
                              f" and classes ({classes}) are fixed; open the file again or "
                              f"pick a zoo entry to reshape a network")
        return network

    layers = len(network.nodes)
    description = (f"Opened from {meta.path}: {layers} layers read from the Keras file (safe "
                   f"mode). Layer kinds the core does not model show their output shape and "
                   f"Keras' parameter count, with MACs 'not counted'.")
    return ZooEntry(key=Path(meta.path).name, title=meta.title, family=FAMILY,
                    description=description, default_input=shape, default_classes=classes,
                    build=build)


def model_path_of(mime) -> str | None:
    """The first local model file (by `MODEL_SUFFIXES`) in drag-and-drop data, or None."""
    if mime is None or not mime.hasUrls():
        return None
    for url in mime.urls():
        path = url.toLocalFile()
        if path and is_model_path(path):
            return path
    return None


class ModelFileOpener(QObject):
    """Loads model files for a panel; see the module docstring.

    The panel provides `busy` (a QLabel), `session` and `show_opened_model(entry, network,
    report)`.
    """
    opened = Signal(object, object, object)  # network, meta, report
    failed = Signal(str, object)  # path, exception

    def __init__(self, panel, session):
        super().__init__(panel)
        self._panel = panel
        self._session = session
        self._generation = 0
        self._workers: set = set()
        panel.setAcceptDrops(True)
        panel.installEventFilter(self)

    def busy_workers(self) -> int:
        return len(self._workers)

    def open(self, path: str) -> None:
        """Start loading `path`; the result arrives through `opened` or `failed`."""
        path = str(path)
        self._generation += 1
        generation = self._generation
        name = Path(path).name
        self._panel.busy.setText(f"Opening {name} (Keras loads the first time: a few "
                                 f"seconds)...")
        self._panel.busy.show()
        self._session.status_message.emit(f"Opening model {name}...")
        worker = Worker.call(load_model_file, path, name=f"open {name}",
                             on_error=lambda exc: self._on_worker_errored(generation, path,
                                                                          exc))
        worker.returned.connect(lambda result: self._on_worker_returned(generation, result))
        worker.finished.connect(self._on_worker_finished)
        self._workers.add(worker)
        worker.start()

    def _on_worker_finished(self) -> None:
        self._workers = {w for w in self._workers if not w.is_finished()}

    def _on_worker_returned(self, generation: int, result) -> None:
        if generation != self._generation:
            return  # a newer file was asked for meanwhile
        self._panel.busy.hide()
        network, meta, report = result
        self._panel.show_opened_model(entry_for_model(network, meta), network, report)
        self._session.status_message.emit(f"Opened {meta.path}: {len(network.nodes)} layers")
        self.opened.emit(network, meta, report)

    def _on_worker_errored(self, generation: int, path: str, exc: BaseException) -> None:
        if generation != self._generation:
            return

        self._panel.busy.hide()
        log.info("could not open model %s: %s", path, exc)
        self.failed.emit(path, exc)
        present_error(self._panel, f"Could not open {Path(path).name}", exc)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt override)
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            if model_path_of(event.mimeData()):
                event.acceptProposedAction()
                return True
        elif kind == QEvent.Type.Drop:
            path = model_path_of(event.mimeData())
            if path:
                event.acceptProposedAction()
                self.open(path)
                return True
        return super().eventFilter(obj, event)
