"""Shared GUI fixtures."""

import gc

import pytest
from PySide6.QtWidgets import QMessageBox

from waits import THREAD_MS, UI_MS


@pytest.fixture
def error_boxes(monkeypatch):
    """Capture every QMessageBox that would open (a modal box would block an offscreen test):
    a list of (icon, title, text, informative text, detailed text)."""
    shown = []

    def fake_exec(box):
        shown.append((box.icon(), box.windowTitle(), box.text(), box.informativeText(),
                      box.detailedText()))
        return QMessageBox.StandardButton.Ok
    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return shown


@pytest.fixture(scope="session", autouse=True)
def _collect_only_on_the_gui_thread(qapp):
    """As in the app: no automatic collection (a worker thread must never free a QObject)."""
    from cnnexplorer.gui import gc_guard

    collector = gc_guard.install(qapp)
    yield
    collector.stop()


@pytest.fixture(autouse=True)
def _collect_after_each_test():
    """Free each test's Qt garbage here, on the GUI thread, before the next test starts."""
    yield
    gc.collect()


@pytest.fixture(autouse=True)
def _no_worker_left(qtbot):
    """Each test ends as the app's window closes: every worker asked to stop and waited for
    (gui/workers.stop_and_wait, the one wait); a worker that does not stop fails the test.
    Runs before qtbot closes the test's widgets, so the workers' last signals reach them."""
    from cnnexplorer.gui import workers

    yield
    assert workers.stop_and_wait(timeout_ms=THREAD_MS), workers.live_workers()
    qtbot.waitUntil(lambda: not workers.live_workers(), timeout=UI_MS)


@pytest.fixture
def training_panel(qtbot):
    """The Training panel on the tiny two-class set (training_samples.py), shut down after."""
    from training_samples import open_training_panel, tiny_dataset

    panel = open_training_panel(qtbot, tiny_dataset())
    yield panel
    panel.shutdown()
