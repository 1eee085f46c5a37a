"""Qt objects die on the GUI thread: Python's cyclic garbage collector runs only there.

CPython runs the cyclic collector in whichever thread happens to allocate when a generation
threshold is crossed. If that is a worker thread (TensorFlow allocates a lot) and the garbage
holds a QObject, the worker destroys it; PySide6 then waits for the GIL inside ~QObject while
the GUI thread holds the GIL waiting on a Qt mutex: a deadlock (seen in the suite, issue 12
item 15). So automatic collection is switched off and a GUI-thread timer collects instead,
as pyqtgraph's `pyqtgraph.util.garbage_collector.GarbageCollector` does; ours avoids importing
pyqtgraph at start-up (it costs 0.7 s of launch time).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer

INTERVAL_MS = 1000


class GuiThreadCollector(QObject):
    """Disables automatic collection; collects from a timer on the GUI thread."""

    def __init__(self, interval_ms: int = INTERVAL_MS, parent: QObject | None = None):
        super().__init__(parent)
        if QThread.currentThread() is not QCoreApplication.instance().thread():
            raise RuntimeError("GuiThreadCollector must be created on the GUI thread")
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._threshold = gc.get_threshold()
        gc.disable()
        self._timer.start()

    def check(self) -> None:
        """Collect the generations whose counts passed their thresholds (cheap when none)."""
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self._threshold[generation]:
                gc.collect(generation)
                break

    def stop(self) -> None:
        """Stop the timer and give collection back to Python."""
        self._timer.stop()
        gc.enable()


_collector: GuiThreadCollector | None = None


def install(app) -> GuiThreadCollector:
    """Install the collector once for `app` (a QCoreApplication); returns it."""
    global _collector
    if _collector is None:
        _collector = GuiThreadCollector(parent=app)
    return _collector
