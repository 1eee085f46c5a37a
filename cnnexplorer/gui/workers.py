"""The one way the GUI runs work off its thread: `Worker`, and the one wait when the app closes.

A `Worker` runs a job `job(on_event, stop) -> result` on its own Python thread. The job
calls `on_event(x)` to report progress and checks `stop.is_set()` (a `threading.Event`)
between steps: stopping is cooperative, a job is never killed. Everything a panel sees
arrives on the GUI thread, in order: `reported` for each report (or, with `queue_events=True`,
a queue the panel drains from its own timer with `take_events()`), then `returned` with the
result or `errored` with the exception, then `finished`.

Errors are never lost: a failed job's exception goes to the `on_error` callable given to the
worker (the panel words it its own way: an inline message, a form error), or, when none was
given, to the one error presenter (`gui/errors.present_error`).

Qt objects live and die on the GUI thread (docs/gui.md, "The worker model"):
- a Worker is a QObject created on the GUI thread (checked) and never given a Qt parent, so
  deleting a panel can never destroy it under its running thread;
- the thread itself is a plain `threading.Thread`: no QThread object exists whose
  destruction while running aborts the process ("QThread: Destroyed while thread is still
  running", benchmarks/gui.md);
- the thread only emits private signals, queued to the worker's own slots on the GUI
  thread, which re-emit the public ones; so every receiver (lambdas included) runs on the
  GUI thread;
- the module's registry holds every started worker until its thread has been joined, and
  releases it from a GUI-thread timer, so the last reference never drops on the thread.

`stop_and_wait()` is the one wait: the main window (and `aboutToQuit`) asks every live worker
to stop and waits for all of them within one deadline, and says which did not end. A thread
still running then is not abandoned: it is a non-daemon thread, so the interpreter waits for
it (a training run saves itself as stopped after its current batch) instead of aborting.

Why not superqt's `create_worker`: it runs on `QThreadPool.globalInstance()`, whose size is
the number of cores (2 on the project's machine), so a training run plus the door's
long-lived inference loop would leave later requests queued with no word; and its pool's
`waitForDone` cannot ask a particular job to stop.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, QTimer, Signal

from cnnexplorer.gui.errors import present_error

log = logging.getLogger(__name__)

#: how long closing the window waits for every worker to stop (a training run stops after
#: its current batch and saves: seconds for the course's networks on 2 cores)
CLOSE_WAIT_MS = 120_000

Job = Callable[[Callable[[object], None], threading.Event], object]

_live: set[Worker] = set()  # started and not yet joined (GUI thread only)
_ended: list[Worker] = []  # joined; released by _release_ended on a later event-loop turn


def on_gui_thread() -> bool:
    app = QCoreApplication.instance()
    return app is None or QThread.currentThread() is app.thread()


class Worker(QObject):
    """Runs `job(on_event, stop)` on a thread; see the module docstring.

    Args:
        job: the work; called once on the worker's thread.
        name: what it does, for the thread's name, logs and error titles ("evaluate the run").
        on_error: called on the GUI thread with the job's exception; None: the presenter.
        queue_events: keep `on_event` reports in a queue for `take_events()` instead of
            emitting `reported` for each (a fast model's 40 batches a second then cost no Qt
            event and no GUI wake-up each).
        wake: called (on the GUI thread) by `request_stop()`, for a job that sleeps on its own
            condition and must be woken to see the stop.
    """

    # Not named `event`: a signal by that name hides QObject.event(), and PySide6 then leaks
    # a reference to the object for every queued call delivered to it (measured on 6.12.0
    # and 6.11.3; the old TrainingWorker was never freed).
    reported = Signal(object)  # each on_event(x), in order (queue_events=False)
    returned = Signal(object)  # the job's result
    errored = Signal(object)  # the job's exception (after on_error / the presenter saw it)
    finished = Signal()  # last: the thread has ended and has been joined

    _thread_event = Signal(object)
    _thread_done = Signal(bool, object)

    def __init__(self, job: Job, name: str, *, on_error: Callable | None = None,
                 queue_events: bool = False, wake: Callable[[], None] | None = None):
        if not on_gui_thread():
            raise RuntimeError("a Worker must be created on the GUI thread")
        super().__init__()  # no Qt parent: see the module docstring
        self.setObjectName(name)
        self.name = name
        self._job: Job | None = job
        self._on_error = on_error
        self._wake = wake
        self._queue: deque | None = deque() if queue_events else None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._ended = False
        self.result = None
        #: "Type: message" of the job's exception, if it failed; not the exception itself,
        #: whose traceback would hold frames that refer back to this worker (a cycle)
        self.error: str | None = None
        self._thread_event.connect(self._on_thread_event, Qt.ConnectionType.QueuedConnection)
        self._thread_done.connect(self._on_thread_done, Qt.ConnectionType.QueuedConnection)

    @classmethod
    def call(cls, fn: Callable, *args, name: str, **kwargs) -> Worker:
        """A worker for a plain function `fn(*args)` that reports nothing (not started)."""
        return cls(lambda on_event, stop: fn(*args), name, **kwargs)

    # -- GUI thread ------------------------------------------------------------------------
    def start(self) -> None:
        """Start the thread (once; a second call does nothing)."""
        if self._thread is not None:
            return
        _live.add(self)
        self._thread = threading.Thread(target=self._run, name=f"worker: {self.name}",
                                        daemon=False)
        self._thread.start()

    def request_stop(self) -> None:
        """Ask the job to stop at its next check (thread-safe, returns at once)."""
        self._stop.set()
        if self._wake is not None:
            self._wake()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    def is_started(self) -> bool:
        return self._thread is not None

    def is_running(self) -> bool:
        """Started and not yet finished (`finished` not emitted yet)."""
        return self._thread is not None and not self._ended

    def is_finished(self) -> bool:
        return self._ended

    def take_events(self) -> list:
        """The queued reports, oldest first (queue_events=True only)."""
        out = []
        while self._queue:
            out.append(self._queue.popleft())
        return out

    def wait(self, timeout_ms: int) -> bool:
        """Block until the thread ends (at most `timeout_ms`); True when it has ended.

        Prefer `stop_and_wait()`; this is its building block. `finished` is still delivered
        later by the event loop.
        """
        thread = self._thread
        if thread is None:
            return True
        thread.join(max(0.0, timeout_ms / 1000))
        return not thread.is_alive()

    def _on_thread_event(self, item) -> None:
        self.reported.emit(item)

    def _on_thread_done(self, ok: bool, value) -> None:
        thread = self._thread
        if thread is not None:
            thread.join()  # it only has to return from _run: the last thing it does
        self._ended = True
        self._job = None  # usually closes over the panel that owns this worker (a cycle)
        try:
            if ok:
                self.result = value
                self.returned.emit(value)
            else:
                # the traceback's frames hold this worker (`self` in _run): free their locals
                # now that the thread has returned; its text (file, line, code) stays
                traceback.clear_frames(value.__traceback__)
                self._report(value)
                self.errored.emit(value)
        finally:
            self._on_error = self._wake = None  # they too may close over the panel
            self.finished.emit()
            _retire(self)

    def _report(self, exc: BaseException) -> None:
        if self._on_error is not None:
            self._on_error(exc)
            return

        present_error(None, f"Could not {self.name}", exc)

    # -- the worker's thread ---------------------------------------------------------------
    def _deliver(self, item) -> None:
        if self._queue is not None:
            self._queue.append(item)  # deque.append is atomic: no lock needed
        else:
            self._thread_event.emit(item)

    def _run(self) -> None:
        job = self._job
        try:
            value = job(self._deliver, self._stop)
            ok = True
        except BaseException as exc:  # noqa: BLE001 - every failure goes to the GUI
            ok, value = False, exc
            self.error = f"{type(exc).__name__}: {exc}"
            if not type(exc).__module__.startswith("cnnexplorer"):
                log.error("%s failed:\n%s", self.name, "".join(
                    traceback.format_exception(type(exc), exc, exc.__traceback__)))
        del job
        self._thread_done.emit(ok, value)


def _retire(worker: Worker) -> None:
    """Drop the registry's reference on a later turn of the GUI event loop, not inside the
    worker's own slot (a QObject must not be deleted while it is delivering an event)."""
    _live.discard(worker)
    _ended.append(worker)
    QTimer.singleShot(0, _release_ended)


def _release_ended() -> None:
    _ended.clear()


def live_workers() -> list[Worker]:
    """Workers started and not yet finished, oldest first by name (GUI thread)."""
    return sorted((w for w in _live if not w.is_finished()), key=lambda w: w.name)


def stop_and_wait(workers: Iterable[Worker] | None = None,
                  timeout_ms: int = CLOSE_WAIT_MS) -> bool:
    """Ask `workers` (None: every live one) to stop, then wait for all within one deadline.

    Returns True when every one has ended. When some have not, their names are logged; they
    stay referenced (never destroyed under their running thread) and, being non-daemon
    threads, the interpreter waits for them at exit rather than aborting.
    """
    chosen = list(_live) if workers is None else [w for w in workers if w is not None]
    for w in chosen:
        w.request_stop()
    deadline = time.monotonic() + timeout_ms / 1000
    left = [w for w in chosen if not w.wait(int((deadline - time.monotonic()) * 1000))]
    if left:
        log.warning("still running after %.0f s: %s; the app ends when they do",
                    timeout_ms / 1000, ", ".join(w.name for w in left))
        return False
    return True


_installed = False


def install(app) -> None:
    """Wait for every worker when `app` quits (a window other than the main window, a
    script); the main window already waited on close, so this one returns at once. Once."""
    global _installed
    if not _installed:
        app.aboutToQuit.connect(_on_app_about_to_quit)
        _installed = True


def _on_app_about_to_quit() -> None:
    stop_and_wait()
