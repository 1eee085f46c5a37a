"""A crash leaves word (issue 17, crash 4): faulthandler writes the trace into the app's log
file, and the next start says once, on stderr and in the window, that the app closed
unexpectedly and where the log is."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from PySide6.QtWidgets import QMainWindow

from cnnexplorer.gui import crash_log

RUN = textwrap.dedent("""
    import faulthandler, sys
    from cnnexplorer.gui import crash_log

    report = crash_log.start()
    print("report:", report.message() if report else None, flush=True)
    if sys.argv[1] == "crash":
        faulthandler._sigsegv()  # a real segmentation fault, as a C library would cause
    crash_log.finish()
""")


def _run(mode: str, home) -> subprocess.CompletedProcess:
    env = dict(os.environ, CNNEXPLORER_HOME=str(home))
    return subprocess.run([sys.executable, "-c", RUN, mode], capture_output=True, text=True,
                          env=env, timeout=120)


def test_a_segfault_leaves_its_trace_in_the_log_and_is_said_once(tmp_path):
    crashed = _run("crash", tmp_path)
    assert crashed.returncode != 0 and "report: None" in crashed.stdout
    log = tmp_path / "data" / "logs" / "cnnexplorer.log"
    text = log.read_text()
    assert "Fatal Python error: Segmentation fault" in text
    assert 'File "<string>", line 8' in text  # the Python stack of the crashing line
    markers = list(log.parent.glob("running-*.json"))
    assert len(markers) == 1  # left behind: the run never reached finish()
    pid = json.loads(markers[0].read_text())["pid"]

    after = _run("clean", tmp_path)
    assert after.returncode == 0
    said = after.stdout.split("report: ", 1)[1]
    assert said.startswith("CNN Explorer closed unexpectedly last time")
    assert f"process {pid})" in said and str(log) in said

    again = _run("clean", tmp_path)
    assert "report: None" in again.stdout  # said once, not at every start
    assert list(log.parent.glob("running-*.json")) == []


def test_a_left_marker_is_reported_once_and_a_live_one_is_not(tmp_path):
    folder = tmp_path / "logs"
    folder.mkdir()
    # a run that was killed (pid 2**22 + 1 is above Linux's default pid_max: never alive)
    dead = 2 ** 22 + 1
    (folder / f"running-{dead}.json").write_text(json.dumps(
        {"pid": dead, "started": "2026-12-03 09:12:33"}))
    (folder / f"running-{dead + 1}.json").write_text("{cut sh")  # died writing its marker
    alive = os.getppid()  # another window open right now
    (folder / f"running-{alive}.json").write_text(json.dumps(
        {"pid": alive, "started": "2026-12-03 09:30:00"}))
    report = crash_log.previous_unclean_exit(folder)
    assert report is not None and report.pid == dead and report.started == "2026-12-03 09:12:33"
    assert report.log == folder / "cnnexplorer.log"
    assert "closed unexpectedly" in report.message() and str(folder) in report.message()
    assert sorted(p.name for p in folder.iterdir()) == [f"running-{alive}.json"]
    assert crash_log.previous_unclean_exit(folder) is None  # once


def test_the_notice_is_a_bar_in_the_window_that_goes_when_dismissed(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    report = crash_log.UncleanExit("2026-12-03 09:12:33", 4242, Path("/home/u/logs/x.log"))
    bar = crash_log.show_notice(window, report.short(), report.message())
    qtbot.waitUntil(bar.isVisible)
    assert bar.label.text() == ("CNN Explorer closed unexpectedly last time (started "
                                "2026-12-03 09:12:33). Log: /home/u/logs/x.log")
    assert "process 4242" in bar.label.toolTip()
    assert bar.height() < 3 * bar.label.fontMetrics().height()  # one line, not a column
    assert window.toolBarArea(bar).name == "TopToolBarArea"
    bar.dismiss_button.click()
    assert not bar.isVisible()
    qtbot.waitUntil(lambda: window.findChildren(type(bar)) == [])  # deleted (deleteLater)


PROBE = textwrap.dedent("""
    import sys
    from cnnexplorer.gui.app import run_app
    sys.exit(run_app([]))
""")


def test_the_app_says_it_on_stderr_once_after_an_unclean_exit(tmp_path):
    """The whole start-up path: a marker left by a killed run, the real window (closed by
    the start-up probe once its panels are built)."""
    folder = tmp_path / "data" / "logs"
    folder.mkdir(parents=True)
    dead = 2 ** 22 + 3
    (folder / f"running-{dead}.json").write_text(json.dumps(
        {"pid": dead, "started": "2026-12-03 09:12:33"}))
    env = dict(os.environ, CNNEXPLORER_HOME=str(tmp_path), QT_QPA_PLATFORM="offscreen",
               CNNEXPLORER_STARTUP_PROBE="1")
    runs = [subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                           env=env, timeout=600) for _ in range(2)]
    for out in runs:
        assert out.returncode == 0, out.stderr[-3000:]
    first, second = (out.stderr.count("closed unexpectedly last time") for out in runs)
    assert (first, second) == (1, 0)
    assert f"process {dead}" in runs[0].stderr and str(folder / "cnnexplorer.log") in \
        runs[0].stderr
    assert list(folder.glob("running-*.json")) == []  # both closed cleanly


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_or_ctrl_c_closes_the_window_as_its_close_button_does(tmp_path, signum):
    """SIGTERM (a logout, `kill`) used to end the app on the spot, so its next start said
    "closed unexpectedly"; Ctrl-C did nothing until a slot ran. Now both close the window:
    settings written, the run marked clean, the shell's exit status 128 + the signal."""
    folder = tmp_path / "data" / "logs"
    env = dict(os.environ, CNNEXPLORER_HOME=str(tmp_path), QT_QPA_PLATFORM="offscreen")
    # SIGINT at its default in the child, as at a terminal (a background shell ignores it)
    proc = subprocess.Popen([sys.executable, "-c", PROBE], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        marker = folder / f"running-{proc.pid}.json"
        deadline = time.monotonic() + 300
        # the handlers are installed before the run writes its marker
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), proc.communicate(timeout=60)[1][-3000:]
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 128 + signum, err[-3000:]
    assert not marker.exists()  # a clean exit: the next start reports nothing
    assert (tmp_path / "settings.ini").is_file()  # the window's close saved its settings
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err[-3000:]


def test_a_signal_the_app_was_started_with_ignored_stays_ignored(qtbot):
    """`nohup cnnexplorer &` ignores SIGHUP so that the window outlives its terminal: the
    quit handlers must not take it over (the others they do, and give back)."""
    from cnnexplorer.gui.quit_signals import QuitOnSignals

    before = {s: signal.getsignal(s) for s in (signal.SIGHUP, signal.SIGTERM)}
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        quit_signals = QuitOnSignals(lambda signum: None,
                                     signals=(signal.SIGHUP, signal.SIGTERM))
        try:
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
            assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_IGN, signal.SIG_DFL,
                                                            before[signal.SIGTERM])
        finally:
            quit_signals.uninstall()
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
        assert signal.getsignal(signal.SIGTERM) == before[signal.SIGTERM]
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)


def test_a_repeated_signal_while_closing_is_not_a_second_request(qtbot):
    """`timeout` sends SIGTERM to the app and again to its process group: the second must not
    kill the closing app (it did, leaving a crash marker) nor ask for a second close."""
    from cnnexplorer.gui.quit_signals import QuitOnSignals

    before = signal.getsignal(signal.SIGTERM)
    asked = []
    quit_signals = QuitOnSignals(asked.append, signals=(signal.SIGTERM,))
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        qtbot.waitUntil(lambda: asked == [signal.SIGTERM], timeout=30_000)
        handler = signal.getsignal(signal.SIGTERM)
        assert handler not in (signal.SIG_DFL, signal.SIG_IGN, before)  # still ours
        os.kill(os.getpid(), signal.SIGTERM)
        qtbot.waitUntil(lambda: len(quit_signals.seen) == 2, timeout=30_000)
        assert asked == [signal.SIGTERM]
        assert quit_signals.exit_code(0) == 128 + signal.SIGTERM
    finally:
        quit_signals.uninstall()
    assert signal.getsignal(signal.SIGTERM) == before
