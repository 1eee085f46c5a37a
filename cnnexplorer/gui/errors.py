"""The one error presenter: every failure that reaches the GUI is shown, logged, and survived.

Panels call `present_error(parent, title, exc_or_message)` for a worker's error or a bad file.
`install_excepthooks()` routes exceptions that escape a slot (`sys.excepthook`) or a Python
thread (`threading.excepthook`) to the same presenter, on the GUI thread, so the app never
dies silently and never dies at all because of one bad click.

A message says what happened and what to do; an unexpected exception (a bug) also carries its
traceback in the box's details and in the log file.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from types import TracebackType

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from cnnexplorer.core.errors import (
    CnnExplorerError,
    ConfigError,
    DatasetError,
    ModelFileError,
    ShapeError,
    TrainingError,
)
from cnnexplorer.gui import crash_log

log = logging.getLogger("cnnexplorer.gui")

#: what to do, by the kind of error the core raised on purpose
_ADVICE: tuple[tuple[type[BaseException], str], ...] = (
    (ShapeError, "The configuration does not fit the input size. Enlarge the input or change "
                 "the option named above."),
    (ConfigError, "Change the value named above and try again."),
    (DatasetError, "Check the dataset file or folder named above (format, labels, image "
                   "sizes), or choose another one."),
    (ModelFileError, "Choose a model saved by CNN Explorer or Keras (.keras or .h5) that "
                     "matches the current architecture."),
    (TrainingError, "Adjust the training settings named above, or the dataset, and start "
                    "again."),
    (MemoryError, "Close other programs, or lower the batch size or the input size."),
    (OSError, "Check that the file exists, that you may read or write it, and that the disk "
              "has room."),
)

_BUG_ADVICE = ("This is a bug in CNN Explorer, not something you did. The app keeps running; "
               "the details below and in the log file help to report it.")


def log_file_path():
    """Where the handler set up by `configure_logging` writes, or None."""
    for h in logging.getLogger("cnnexplorer").handlers:
        if isinstance(h, logging.FileHandler):
            return h.baseFilename
    return None


def describe(error: BaseException | str) -> tuple[str, str, str | None]:
    """(what happened, what to do, traceback text or None) for an exception or a message."""
    if isinstance(error, str):
        return error, "", None
    what = str(error) or type(error).__name__
    for kind, advice in _ADVICE:
        if isinstance(error, kind):
            expected = isinstance(error, CnnExplorerError)
            details = None if expected else _format_traceback(error)
            return what, advice, details
    advice = _BUG_ADVICE
    path = log_file_path()
    if path:
        advice += f"\nLog: {path}"
    return f"{type(error).__name__}: {what}", advice, _format_traceback(error)


def _format_traceback(error: BaseException) -> str:
    return "".join(traceback.format_exception(type(error), error, error.__traceback__))


def _show_box(parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str,
              informative: str, details: str | None) -> None:
    """Show one modal message box (tests patch QMessageBox.exec to capture it)."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    if informative:
        box.setInformativeText(informative)
    if details:
        box.setDetailedText(details)
    box.exec()


_showing = False


def present_error(parent: QWidget | None, title: str, error: BaseException | str,
                  hint: str | None = None) -> None:
    """Show `error` (an exception or a message) in a message box and log it.

    Args:
        parent: the widget the box belongs to (None: the active window).
        title: what the user was doing, e.g. "Could not open the dataset".
        error: the exception caught, or a message already worded for the user.
        hint: what to do, when the caller knows better than the generic advice.
    """
    global _showing
    what, advice, details = describe(error)
    if isinstance(error, BaseException) and details:
        log.error("%s: %s", title, what, exc_info=(type(error), error, error.__traceback__))
    else:
        log.warning("%s: %s", title, what)
    if QApplication.instance() is None:
        print(f"{title}: {what}", file=sys.stderr)
        return
    if _showing:
        # an error raised while a box is open (e.g. by a timer) is logged, not stacked
        return
    icon = (QMessageBox.Icon.Critical if details else QMessageBox.Icon.Warning)
    _showing = True
    try:
        _show_box(parent or QApplication.activeWindow(), icon, title, what,
                  hint if hint is not None else advice, details)
    finally:
        _showing = False


class _Relay(QObject):
    """Carries an exception from any thread to the GUI thread (queued signal delivery)."""
    raised = Signal(str, object)

    def __init__(self):
        super().__init__()
        self.raised.connect(self._on_self_raised, Qt.ConnectionType.QueuedConnection)

    def _on_self_raised(self, title: str, error: BaseException) -> None:
        present_error(None, title, error)


_relay: _Relay | None = None
_previous_hooks: tuple | None = None


def _sys_hook(kind: type[BaseException], value: BaseException,
              tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        QApplication.quit()
        return
    if value.__traceback__ is None and tb is not None:
        value = value.with_traceback(tb)
    _deliver("Unexpected error", value)


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit or args.exc_value is None:
        return
    name = args.thread.name if args.thread else "a background thread"
    _deliver(f"Unexpected error in {name}", args.exc_value)


def _deliver(title: str, error: BaseException) -> None:
    if _relay is None or QApplication.instance() is None:
        traceback.print_exception(type(error), error, error.__traceback__)
        return
    if threading.current_thread() is threading.main_thread():
        present_error(None, title, error)
    else:
        _relay.raised.emit(title, error)


def install_excepthooks() -> None:
    """Route uncaught exceptions (slots, Python threads) to the presenter. Idempotent."""
    global _relay, _previous_hooks
    if _relay is None:
        _relay = _Relay()
    if sys.excepthook is not _sys_hook:
        _previous_hooks = (sys.excepthook, threading.excepthook)
        sys.excepthook = _sys_hook
        threading.excepthook = _thread_hook


def uninstall_excepthooks() -> None:
    """Put back the hooks found by `install_excepthooks` (tests, embedding)."""
    global _previous_hooks
    if _previous_hooks is not None and sys.excepthook is _sys_hook:
        sys.excepthook, threading.excepthook = _previous_hooks
    _previous_hooks = None


def configure_logging(level: int = logging.INFO) -> None:
    """Log to stderr and to <data dir>/logs/cnnexplorer.log (rotated; `crash_log` sends
    faulthandler's traces to the same file). Idempotent."""
    from logging.handlers import RotatingFileHandler

    root = logging.getLogger("cnnexplorer")
    if root.handlers:
        return
    root.setLevel(level)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    stream = logging.StreamHandler()
    stream.setFormatter(fmt)
    stream.setLevel(logging.WARNING)
    root.addHandler(stream)
    class LogFileHandler(RotatingFileHandler):
        def doRollover(self):  # noqa: N802 (logging's name)
            super().doRollover()
            crash_log.retarget_after_rollover()  # faulthandler's traces follow the new file

    try:
        handler = LogFileHandler(crash_log.log_path(), maxBytes=1_000_000, backupCount=2,
                                 encoding="utf-8")
        handler.setFormatter(fmt)
        root.addHandler(handler)
    except OSError as exc:  # a read-only home must not stop the app
        root.warning("cannot write the log file: %s", exc)
