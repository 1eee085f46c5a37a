"""gui/workers.py, the one way to run work off the GUI thread (issue 17): results, events and
errors arrive on the GUI thread in order; an error always reaches a handler or the presenter;
stopping is cooperative; the one wait reports a worker that did not stop; Qt objects are
created and freed on the GUI thread; no QThread subclass exists outside the module."""

from __future__ import annotations

import ast
import threading
import weakref
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

import cnnexplorer
from cnnexplorer.core.errors import ConfigError
from cnnexplorer.gui import workers
from cnnexplorer.gui.workers import Worker
from waits import THREAD_MS, UI_MS


def _on_gui_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def test_signals_arrive_on_the_gui_thread_in_order(qtbot):
    seen = []

    def job(on_event, stop):
        assert not _on_gui_thread()
        for i in range(50):
            on_event(i)
        return "done"

    worker = Worker(job, "count")
    worker.reported.connect(lambda i: seen.append(("event", i, _on_gui_thread())))
    worker.returned.connect(lambda r: seen.append(("returned", r, _on_gui_thread())))
    worker.finished.connect(lambda: seen.append(("finished", None, _on_gui_thread())))
    with qtbot.waitSignal(worker.finished, timeout=THREAD_MS):
        worker.start()
    assert seen == ([("event", i, True) for i in range(50)]
                    + [("returned", "done", True), ("finished", None, True)])
    assert worker.is_finished() and not worker.is_running() and worker.result == "done"


def test_an_error_goes_to_the_handler_given(qtbot, error_boxes):
    got = []

    def job(on_event, stop):
        raise ConfigError("width: -3 is not a width")

    worker = Worker(job, "build", on_error=lambda exc: got.append((exc, _on_gui_thread())))
    errored = []
    worker.errored.connect(errored.append)
    with qtbot.waitSignal(worker.finished, timeout=THREAD_MS):
        worker.start()
    assert [(str(e), gui) for e, gui in got] == [("width: -3 is not a width", True)]
    assert errored == [got[0][0]] and error_boxes == []
    assert worker.error == "ConfigError: width: -3 is not a width"


def test_an_error_without_a_handler_reaches_the_presenter(qtbot, error_boxes):
    def job(on_event, stop):
        raise ZeroDivisionError("a bug")

    worker = Worker(job, "evaluate the run")
    with qtbot.waitSignal(worker.finished, timeout=THREAD_MS):
        worker.start()
    assert len(error_boxes) == 1
    icon, title, text, informative, details = error_boxes[0]
    assert title == "Could not evaluate the run" and text == "ZeroDivisionError: a bug"
    assert icon == QMessageBox.Icon.Critical and "ZeroDivisionError" in details


def test_stop_is_cooperative_and_the_one_wait_reports_a_worker_that_does_not_stop(qtbot):
    release = threading.Event()
    steps = []

    def polite(on_event, stop):
        while not stop.wait(0.01):
            steps.append(1)
        return "stopped"

    def stubborn(on_event, stop):
        release.wait(THREAD_MS / 1000)  # ignores the stop flag
        return "late"

    a, b = Worker(polite, "polite"), Worker(stubborn, "stubborn")
    a.start()
    b.start()
    assert {w.name for w in workers.live_workers()} >= {"polite", "stubborn"}
    assert workers.stop_and_wait([a, b], timeout_ms=300) is False  # stubborn is still on
    assert a.wait(0) and not b.wait(0) and b.stop_requested
    release.set()
    assert workers.stop_and_wait(timeout_ms=THREAD_MS) is True
    qtbot.waitUntil(lambda: a.is_finished() and b.is_finished(), timeout=UI_MS)
    assert (a.result, b.result) == ("stopped", "late")


def test_wake_lets_a_sleeping_job_see_the_stop(qtbot):
    cond = threading.Condition()

    def sleeper(on_event, stop):
        with cond:
            while not stop.is_set():
                cond.wait()  # no timeout: only the wake can end this

    def wake():
        with cond:
            cond.notify_all()

    worker = Worker(sleeper, "sleep", wake=wake)
    worker.start()
    assert workers.stop_and_wait([worker], timeout_ms=THREAD_MS)


def test_made_on_the_gui_thread_only_and_freed_there(qtbot):
    made_elsewhere = []

    def make():
        try:
            Worker(lambda on_event, stop: None, "off thread")
        except RuntimeError as exc:
            made_elsewhere.append(str(exc))
    t = threading.Thread(target=make)
    t.start()
    t.join()
    assert made_elsewhere == ["a Worker must be created on the GUI thread"]

    freed_on = []
    worker = Worker(lambda on_event, stop: "x", "free me")
    weakref.finalize(worker, lambda: freed_on.append(_on_gui_thread()))
    with qtbot.waitSignal(worker.finished, timeout=THREAD_MS):
        worker.start()
    del worker  # the registry still holds it; it lets go on a later event-loop turn
    qtbot.waitUntil(lambda: freed_on == [True], timeout=UI_MS)


def test_start_twice_runs_once(qtbot):
    calls = []
    worker = Worker(lambda on_event, stop: calls.append(1), "once")
    with qtbot.waitSignal(worker.finished, timeout=THREAD_MS):
        worker.start()
        worker.start()
    worker.start()
    QApplication.processEvents()
    assert calls == [1]


def _qthread_subclasses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
            and any((isinstance(b, ast.Name) and b.id == "QThread")
                    or (isinstance(b, ast.Attribute) and b.attr == "QThread")
                    for b in node.bases)]


def test_no_qthread_subclass_and_no_other_worker_kind_outside_the_worker_module():
    package = Path(cnnexplorer.__file__).parent
    found = {}
    for path in package.rglob("*.py"):
        if path.name == "workers.py" and path.parent.name == "gui":
            continue
        names = _qthread_subclasses(path)
        text = path.read_text(encoding="utf-8")
        if "create_worker" in text or "thread_worker" in text or "QThreadPool" in text:
            names.append("superqt worker / thread pool")
        if "gui" in path.relative_to(package).parts and "threading.Thread(" in text:
            names.append("a thread of its own")
        if names:
            found[str(path.relative_to(package))] = names
    assert found == {}


@pytest.mark.parametrize("source, expected", [
    ("class A(QThread):\n    pass\n", ["A"]),
    ("class B(QtCore.QThread):\n    pass\n", ["B"]),
    ("class C(QObject):\n    pass\n", []),
])
def test_the_subclass_check_can_fail(tmp_path, source, expected):
    path = tmp_path / "m.py"
    path.write_text(source)
    assert _qthread_subclasses(path) == expected
