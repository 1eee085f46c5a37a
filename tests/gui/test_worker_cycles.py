"""Workers form no reference cycle through a QObject (issue 12, item 15).

A cycle can only be freed by the cyclic collector, and a collector run on a worker thread that
frees a QObject deadlocks against the GUI thread. Automatic collection is off under the GUI
(gc_guard), but a worker should not depend on that: nothing a worker holds may lead back to
it. Each test follows the references from the worker's attributes (as the collector would)
and checks the worker is not among them.
"""

from __future__ import annotations

import gc

import pytest
from PySide6.QtCore import QObject

from cnnexplorer.core.errors import DatasetError
from waits import THREAD_MS



@pytest.fixture
def no_automatic_gc():
    was = gc.isenabled()
    gc.disable()
    yield
    if was:
        gc.enable()


def _in_a_cycle(obj, max_depth: int = 8) -> bool:
    """Whether `obj` can be reached again from what it refers to (modules, classes and
    module globals are not followed: they are not garbage and reach everything)."""
    import types

    seen, frontier = set(), [vars(obj)]
    for _ in range(max_depth):
        nxt = []
        for item in frontier:
            for ref in gc.get_referents(item):
                if ref is obj:
                    return True
                if id(ref) in seen or isinstance(ref, (type, types.ModuleType)):
                    continue
                if isinstance(ref, dict) and "__name__" in ref and "__builtins__" in ref:
                    continue  # a module's globals
                seen.add(id(ref))
                nxt.append(ref)
        frontier = nxt
    return False


def test_a_failed_job_leaves_no_cycle(qtbot, qapp, no_automatic_gc):
    from cnnexplorer.gui.workers import Worker

    def job(on_event, stop):
        raise DatasetError("nothing to train on")

    errors = []
    worker = Worker(job, "train", on_error=lambda exc: errors.append(str(exc)))
    with qtbot.waitSignal(worker.finished, timeout=THREAD_MS):
        worker.start()
    assert errors == ["nothing to train on"]
    assert worker.error == "DatasetError: nothing to train on"
    assert not _in_a_cycle(worker)


class _Panel(QObject):
    """Stands for a panel that keeps its worker and hands it a job closing over itself."""

    def start(self):
        from cnnexplorer.gui.workers import Worker

        self.worker = Worker(lambda on_event, stop: self.objectName(), "name the panel",
                             on_error=lambda exc: self.setObjectName(str(exc)))
        self.worker.start()


def test_a_job_closing_over_its_panel_is_released_when_the_run_ends(qtbot, qapp,
                                                                     no_automatic_gc):
    panel = _Panel()
    panel.setObjectName("panel")
    panel.start()
    # the job and the error handler (and the panel they close over) are let go on the GUI
    # thread once the run ended
    qtbot.waitUntil(panel.worker.is_finished, timeout=THREAD_MS)
    assert panel.worker._job is None and panel.worker._on_error is None
    assert panel.worker.result == "panel"
    assert not _in_a_cycle(panel)


def test_a_failed_dataset_load_leaves_no_cycle(qtbot, qapp, tmp_path, no_automatic_gc):
    from cnnexplorer.gui.data.loader_worker import load_job
    from cnnexplorer.gui.workers import Worker

    errors = []
    loader = Worker(load_job(str(tmp_path / "missing.npz")), "open the dataset",
                    on_error=lambda exc: errors.append(str(exc)))
    with qtbot.waitSignal(loader.finished, timeout=THREAD_MS):
        loader.start()
    assert "no such file" in errors[0]
    assert not _in_a_cycle(loader)
