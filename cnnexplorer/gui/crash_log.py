"""A crash leaves word: faulthandler traces in the app's log, and a note on the next start.

`start()` (called by `gui/app.run_app` before the window exists):
- points `faulthandler` at the app's log file (`<data dir>/logs/cnnexplorer.log`, the file the
  logging handler writes), so a segmentation fault or an abort writes every thread's Python
  stack there before the process dies;
- leaves a marker `running-<pid>.json` in the same folder, which `finish()` removes when the
  event loop has returned normally;
- and returns an `UncleanExit` when an earlier run left its marker behind and its process is
  gone: it closed without reaching `finish()` (a crash, an abort, a kill). Its marker is removed
  as it is reported, so the next start does not say it again.

`run_app` then says it once on stderr and in a dismissable bar at the top of the window
(`show_notice`). A second instance running at the same time is not mistaken for a crash: a
marker whose process is still alive is left alone (POSIX; elsewhere every other marker counts
as stale, as there is no portable liveness check without a new dependency).
"""

from __future__ import annotations

import faulthandler
import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from cnnexplorer.paths import data_dir

log = logging.getLogger(__name__)

LOG_NAME = "cnnexplorer.log"
_MARKER_PREFIX = "running-"
_UNKNOWN = "at an unknown time"

_trace_file = None  # kept open for faulthandler, which writes to its descriptor
_marker: Path | None = None


def logs_dir() -> Path:
    folder = data_dir() / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def log_path() -> Path:
    """The app's log file (the logging handler's and faulthandler's)."""
    return logs_dir() / LOG_NAME


@dataclass(frozen=True)
class UncleanExit:
    """An earlier run that did not close normally."""

    started: str  # when it started, local time, "2026-12-03 09:12:33"
    pid: int
    log: Path

    def short(self) -> str:
        """One line for the window's bar (the full message is its tooltip)."""
        return (f"CNN Explorer closed unexpectedly last time (started {self.started}). "
                f"Log: {self.log}")

    def message(self) -> str:
        return (f"CNN Explorer closed unexpectedly last time (the run started {self.started}, "
                f"process {self.pid}). What it wrote before closing, including a crash trace "
                f"if there was one, is in the log: {self.log}")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return False
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def _read_marker(path: Path) -> tuple[int, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return int(data["pid"]), str(data["started"])
    except (OSError, ValueError, KeyError, TypeError):
        # unreadable or cut short (the crash came while writing it): the name keeps the pid
        pid = path.stem[len(_MARKER_PREFIX):]
        return (int(pid) if pid.isdigit() else -1), _UNKNOWN


def previous_unclean_exit(folder: Path | None = None) -> UncleanExit | None:
    """The newest earlier run that left its marker and is gone; removes those markers."""
    folder = folder or logs_dir()
    found = []
    for path in folder.glob(f"{_MARKER_PREFIX}*.json"):
        pid, started = _read_marker(path)
        if pid > 0 and _alive(pid):
            continue  # another window open now, or this process
        found.append((started, pid))
        try:
            path.unlink()
        except OSError as exc:
            log.warning("cannot remove %s: %s", path, exc)
    if not found:
        return None
    started, pid = max(found, key=lambda f: (f[0] != _UNKNOWN, f))  # the newest known
    return UncleanExit(started, pid, folder / LOG_NAME)


def start() -> UncleanExit | None:
    """Report an earlier unclean exit, mark this run, send crash traces to the log. Once per
    process; never raises (a read-only home must not stop the app: it just goes without)."""
    global _trace_file, _marker
    if _marker is not None:
        return None
    try:
        folder = logs_dir()
        report = previous_unclean_exit(folder)
        marker = folder / f"{_MARKER_PREFIX}{os.getpid()}.json"
        marker.write_text(json.dumps({"pid": os.getpid(), "started": time.strftime(
            "%Y-%m-%d %H:%M:%S")}), encoding="utf-8")
        _marker = marker
        # append mode: the logging handler writes the same file; each write lands at its end
        _trace_file = open(folder / LOG_NAME, "a", encoding="utf-8")  # noqa: SIM115
        faulthandler.enable(file=_trace_file, all_threads=True)
    except OSError as exc:
        log.warning("no crash log this run: %s", exc)
        return None
    return report


def finish() -> None:
    """The event loop returned normally: this run closed cleanly (its marker goes)."""
    global _marker
    if _marker is None:
        return
    try:
        _marker.unlink()
    except OSError as exc:
        log.warning("cannot remove %s: %s", _marker, exc)
    _marker = None
    # faulthandler stays on: a crash while the interpreter tears down still leaves its trace


def retarget_after_rollover() -> None:
    """The log was rotated (gui/errors.py's handler): crash traces follow the new file."""
    global _trace_file
    if _trace_file is None:
        return
    old = _trace_file
    _trace_file = open(old.name, "a", encoding="utf-8")  # noqa: SIM115
    faulthandler.enable(file=_trace_file, all_threads=True)
    old.close()


def show_notice(window, text: str, details: str = ""):
    """A dismissable bar at the top of `window` (a QMainWindow) saying `text` on one line,
    `details` in its tooltip; returns it."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel, QSizePolicy, QToolBar, QToolButton

    bar = QToolBar("Closed unexpectedly", window)
    bar.setObjectName("unclean_exit_notice")  # saveState() wants a name
    bar.setMovable(False)
    # one line: a tool bar lays a word-wrapped label out as a tall narrow column
    label = QLabel(text)
    label.setToolTip(details or text)
    label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    label.setContentsMargins(6, 2, 6, 2)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    bar.addWidget(label)
    dismiss = QToolButton()
    dismiss.setText("Dismiss")
    dismiss.setToolTip("Hide this note (it is not shown again)")
    bar.addWidget(dismiss)

    def _dismiss():
        window.removeToolBar(bar)
        bar.deleteLater()
    dismiss.clicked.connect(_dismiss)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
    bar.dismiss_button = dismiss
    bar.label = label
    return bar
