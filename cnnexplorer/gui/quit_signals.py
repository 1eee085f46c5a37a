"""Ctrl-C in the terminal and SIGTERM (a logout, `kill`, a service manager) close the window as
its close button does: settings saved, workers stopped (a training run keeps what it saved),
and the run marked as a clean exit (gui/crash_log.py), so the next start reports no crash.

Without this, SIGTERM killed the process on the spot (the next start said "closed
unexpectedly", and settings changed since the last save were lost), and Ctrl-C did nothing
until some Python slot ran, then raised KeyboardInterrupt inside it.

How: Python runs its signal handlers only when the interpreter gets control, and Qt's event
loop is C++, so `signal.set_wakeup_fd` makes the C-level handler write the signal's number
into a socket pair that a QSocketNotifier watches: the event loop wakes at once, with no
polling timer. A signal the process was started with ignored (`nohup` ignores SIGHUP) is
left ignored. The first signal asks the window to close; the same or another signal while it
closes changes nothing: `timeout`, for one, sends SIGTERM to its child and again to the child's
process group, and a second signal that killed the app (as the first version here did) left a
closing app dead halfway, reported as a crash on the next start. The close is bounded
(`gui/workers.stop_and_wait`), and once the event loop has returned `uninstall()` gives the
signals back to Python, so a worker that will not end can still be interrupted at exit.
"""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable

from PySide6.QtCore import QObject, QSocketNotifier

#: the signals that ask the application to close (SIGTERM and SIGINT exist on every platform
#: Python runs on; SIGHUP, a closed terminal, only on POSIX)
QUIT_SIGNALS = tuple(s for s in (getattr(signal, name, None)
                                 for name in ("SIGINT", "SIGTERM", "SIGHUP")) if s is not None)


def _ignore_in_python(signum, frame) -> None:
    """The Python-level handler: nothing to do here, the wakeup byte carries the signal."""


class QuitOnSignals(QObject):
    """Calls `on_signal(signum)` on the GUI thread, once, when a quit signal arrives.

    Create it on the main thread (Python's signal functions must be called there) while the
    QApplication exists; `uninstall()` puts the earlier handlers back.
    """

    def __init__(self, on_signal: Callable[[int], None], signals=QUIT_SIGNALS,
                 parent: QObject | None = None):
        super().__init__(parent)
        self._on_signal = on_signal
        self.seen: list[int] = []  # every quit signal, repeats included
        self._read, self._write = socket.socketpair()
        self._read.setblocking(False)
        self._write.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._write.fileno(), warn_on_full_buffer=False)
        # a signal the app was started with ignored stays ignored: `nohup cnnexplorer &`
        # must outlive its terminal's SIGHUP
        self._previous = {s: signal.signal(s, _ignore_in_python) for s in signals
                          if signal.getsignal(s) is not signal.SIG_IGN}
        self._notifier = QSocketNotifier(self._read.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._on_wakeup)

    def _on_wakeup(self) -> None:
        try:
            data = self._read.recv(64)
        except (BlockingIOError, InterruptedError):
            return
        signums = [b for b in data if b in self._previous]
        closing = bool(self.seen)  # a repeat while closing asks for nothing new
        self.seen.extend(signums)
        if signums and not closing:
            self._on_signal(self.seen[0])

    @property
    def received(self) -> int | None:
        """The first quit signal, the one acted on (None: none came)."""
        return self.seen[0] if self.seen else None

    def uninstall(self) -> None:
        self._notifier.setEnabled(False)
        for s, handler in self._previous.items():
            signal.signal(s, handler if handler is not None else signal.SIG_DFL)
        signal.set_wakeup_fd(self._previous_fd)
        self._read.close()
        self._write.close()

    def exit_code(self, code: int) -> int:
        """The process's exit status: 128 + the signal's number after a signal (as a shell
        reports a process a signal ended: 130 for Ctrl-C, 143 for SIGTERM), else `code`."""
        first = self.received
        return 128 + first if first is not None else code
