"""Runs a training job in a QThread and forwards the engine's events to the GUI thread.

The job is any callable `job(on_event, stop) -> result`; the engine calls `on_event` from the
worker thread. By default each event is re-emitted as `event` (a queued signal, so slots run
in the GUI thread, in order). With `queue_events=True` events go into a queue instead, which
the GUI drains on its own timer with `take_events()`: a fast model's 40 batches a second then
cost no Qt event posting and no GUI wake-up each (on 2 cores, those are taken from training).
`request_stop()` sets the stop flag the engine checks after every batch. Nothing here touches
widgets.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections import deque

from PySide6.QtCore import QThread, Signal

log = logging.getLogger(__name__)


class TrainingWorker(QThread):
    event = Signal(object)  # core.events.* dataclasses, in the order the engine sent them
    succeeded = Signal(object)  # the job's return value
    failed = Signal(object)  # the exception (a CnnExplorerError carries a user message)

    def __init__(self, job, parent=None, name: str = "training", queue_events: bool = False):
        super().__init__(parent)
        self._job = job
        self._queue: deque | None = deque() if queue_events else None
        self._stop = threading.Event()
        self.setObjectName(name)
        self.result = None
        #: "Type: message" of the job's exception, if it failed. Not the exception itself: its
        #: traceback holds run()'s frame, whose `self` is this QObject (a reference cycle only
        #: the cyclic collector could free, issue 12 item 15).
        self.error: str | None = None
        # The job usually closes over the panel that owns this worker (panel -> worker -> job
        # -> panel): let go of it when the run has ended, on the GUI thread, where this
        # QThread object lives (`finished` is delivered there, queued).
        self.finished.connect(self._release_job)

    def request_stop(self) -> None:
        """Ask the run to stop after the current batch (thread-safe, returns at once)."""
        self._stop.set()

    def run(self) -> None:  # the worker thread
        try:
            self.result = self._job(self._deliver, self._stop)
        except BaseException as exc:  # reported to the GUI, never lost in the thread
            self.error = f"{type(exc).__name__}: {exc}"
            if not getattr(exc, "__module__", "").startswith("cnnexplorer"):
                log.error("training job failed:\n%s", "".join(
                    traceback.format_exception(type(exc), exc, exc.__traceback__)))
            self.failed.emit(exc)
            return
        self.succeeded.emit(self.result)

    def _release_job(self) -> None:  # the GUI thread
        self._job = None

    def _deliver(self, event) -> None:  # the worker thread
        if self._queue is not None:
            self._queue.append(event)  # deque.append is atomic: no lock needed
        else:
            self.event.emit(event)

    def take_events(self) -> list:
        """The queued events, oldest first (GUI thread; queue_events=True only)."""
        out = []
        while self._queue:
            out.append(self._queue.popleft())
        return out

    def stop_and_wait(self, timeout_ms: int = 120_000) -> bool:
        """Stop and wait for the thread to end (closing the window); True when it ended."""
        self.request_stop()
        return self.wait(timeout_ms)
