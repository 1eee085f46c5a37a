"""The main window: opens and closes cleanly, wires panels, remembers settings, survives errors."""

import os
import subprocess
import sys
import threading

import pytest
from PySide6.QtCore import QRect, QTimer
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from cnnexplorer.core.errors import ConfigError
from cnnexplorer.gui import errors, main_window
from cnnexplorer.gui.main_window import EmptyState, MainWindow, PanelSpec
from cnnexplorer.gui.settings import settings_path
from waits import UI_MS


@pytest.fixture
def boxes(error_boxes):
    """The message boxes the presenter shows (tests/gui/conftest.py captures them)."""
    return error_boxes


class StubPanel(QWidget):
    """Stands in for the Data, Training and door panels in these tests."""

    def __init__(self, session):
        super().__init__()
        self.session = session


@pytest.fixture(autouse=True)
def arch_only(monkeypatch):
    """The real Architecture panel; the others as stubs, so these tests check the window
    itself (the other panels have their own tests; the real set is opened, in a separate
    process, by test_real_window_starts_without_tensorflow_and_quits_cleanly)."""
    specs = tuple(main_window.PANELS[:1]) + tuple(
        PanelSpec(s.title, __name__, "StubPanel", s.empty_text) for s in main_window.PANELS[1:])
    monkeypatch.setattr(main_window, "PANELS", specs)


@pytest.fixture
def window(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()


def test_window_opens_with_four_panels_and_closes_cleanly(window, qtbot):
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == ["Architecture", "Data", "Training", "Happy door"]
    arch = window.panels["Architecture"]
    assert arch.report().totals.params == 37_633  # HappyModel by default
    assert "not loaded yet" in window.device.label.text()
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert menus == ["File", "View", "Help"]
    assert window.session.architecture.key == "happymodel"
    keys = dict(window.shortcut_lines())
    assert "Ctrl+1" in keys and "F1" in keys
    window.close()
    assert not window.isVisible()
    assert settings_path().exists()


REAL_WINDOW = """
import sys, threading
from PySide6.QtCore import QRect, QTimer

main_thread_imports = []


class Watch:
    # records TensorFlow/Keras imports made on the GUI thread (a worker may preload them)
    def find_spec(self, name, path=None, target=None):
        if name in ("tensorflow", "keras") and threading.current_thread() is \\
                threading.main_thread():
            main_thread_imports.append(name)
        return None


sys.meta_path.insert(0, Watch())
from cnnexplorer.gui.app import create_application
from cnnexplorer.gui.main_window import MainWindow
app = create_application()
w = MainWindow()
w.show()
print("loaded", sorted(set(main_thread_imports)))
app.processEvents()
print("tabs", [w.tabs.tabText(i) for i in range(w.tabs.count())])
QTimer.singleShot(200, w.close)
QTimer.singleShot(400, app.quit)
app.exec()
print("closed", not w.isVisible())
"""


def test_real_window_starts_without_tensorflow_and_quits_cleanly():
    """All four real panels, in a fresh interpreter: the window is shown before TensorFlow is
    imported (start-up < 1.5 s), and closing it stops every panel's threads (exit code 0)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", REAL_WINDOW], capture_output=True, text=True,
                         env=env, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    lines = dict(line.split(" ", 1) for line in out.stdout.splitlines() if " " in line)
    assert lines["tabs"] == "['Architecture', 'Data', 'Training', 'Happy door']"
    assert lines["loaded"] == "[]", "a panel imports TensorFlow on the GUI thread at start-up"
    assert lines["closed"] == "True"


def test_a_panel_that_fails_to_build_does_not_take_the_window_down(qtbot, monkeypatch):
    broken = PanelSpec("Training", "cnnexplorer.gui.architecture.panel", "NoSuchClass",
                       "Training goes here.")
    monkeypatch.setattr(main_window, "PANELS", (main_window.PANELS[0], broken))
    w = MainWindow()
    qtbot.addWidget(w)
    assert isinstance(w.panels["Training"], EmptyState)
    assert "failed to load" in w.panels["Training"].text
    assert w.panels["Architecture"].report() is not None


def test_settings_are_restored(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    screen = w.screen().availableGeometry()  # restoreGeometry keeps a window on its screen
    w.resize(min(760, screen.width() - 40), min(620, screen.height() - 40))
    size = (w.width(), w.height())
    w.tabs.setCurrentIndex(2)
    arch = w.panels["Architecture"]
    arch.select_entry("resnet50")
    arch.form.classes_box.setValue(10)
    arch.totals.set_batch_size(8)
    arch.charts.log_scale.setChecked(True)
    arch.views.setCurrentIndex(1)
    w.close()

    again = MainWindow()
    qtbot.addWidget(again)
    again.show()
    assert (again.width(), again.height()) == size
    assert again.tabs.currentIndex() == 2
    arch = again.panels["Architecture"]
    assert arch.entry().key == "resnet50"
    assert arch.form.classes_box.value() == 10
    assert arch.report().totals.params == 23_608_202
    assert arch.totals.batch_size() == 8
    assert arch.charts.log_scale.isChecked()
    assert arch.views.currentIndex() == 1
    again.close()


def test_damaged_settings_fall_back_to_defaults(qtbot):
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[main_window]\ngeometry=garbage\ntab=seven\n[architecture]\n"
                    "entry=no_such_net\nconfig\\happymodel=\"{not json\"\n")
    w = MainWindow()
    qtbot.addWidget(w)
    assert w.tabs.currentIndex() == 0
    assert w.panels["Architecture"].entry().key == "happymodel"
    assert w.panels["Architecture"].report().totals.params == 37_633


def test_open_requests_reach_their_panels(window):
    window.show_panel("Data")  # with Architecture in front, it would open there
    models = []
    window.session.open_model_requested.connect(models.append)
    window.request_open_model("/tmp/model.keras")
    assert models == ["/tmp/model.keras"]
    assert window.current_panel() is window.panels["Happy door"]
    received = []
    window.session.open_dataset_requested.connect(received.append)
    window.request_open_dataset("/tmp/signs.h5")
    assert received == ["/tmp/signs.h5"]
    assert window.current_panel() is window.panels["Data"]


def test_present_error_words_expected_and_unexpected_errors(boxes):
    errors.present_error(None, "Could not build", ConfigError("classes must be >= 1; "
                                                              "received 0"))
    icon, title, text, advice, details = boxes[-1]
    assert icon == QMessageBox.Icon.Warning and title == "Could not build"
    assert "received 0" in text and "Change the value" in advice and not details
    try:
        raise KeyError("weights")
    except KeyError as exc:
        errors.present_error(None, "Oops", exc)
    icon, _, text, advice, details = boxes[-1]
    assert icon == QMessageBox.Icon.Critical
    assert "KeyError" in text and "bug" in advice and "Traceback" in details


@pytest.mark.qt_no_exception_capture
def test_exceptions_escaping_slots_and_threads_reach_the_presenter(window, qtbot, boxes):
    errors.install_excepthooks()
    try:
        button = QPushButton("boom", window)

        def explode():
            raise RuntimeError("slot exploded")
        button.clicked.connect(explode)
        button.click()
        qtbot.waitUntil(lambda: any("slot exploded" in b[2] for b in boxes), timeout=UI_MS)

        def worker():
            raise ValueError("thread exploded")
        t = threading.Thread(target=worker, name="test-worker")
        t.start()
        t.join()
        qtbot.waitUntil(lambda: any("thread exploded" in b[2] for b in boxes), timeout=UI_MS)
        assert any("test-worker" in b[1] for b in boxes)
        # the app keeps running: the window still answers
        fired = []
        QTimer.singleShot(0, lambda: fired.append(True))
        qtbot.waitUntil(lambda: bool(fired), timeout=UI_MS)
        assert window.isVisible()
    finally:
        errors.uninstall_excepthooks()


class _ScreenOf:
    """Stands in for a QScreen of a given free area (only availableGeometry is read)."""

    def __init__(self, width, height):
        self._rect = QRect(0, 0, width, height)

    def availableGeometry(self):  # noqa: N802 - QScreen's name
        return self._rect


@pytest.mark.parametrize("free, expected", [((1024, 700), (1024, 700)), ((1920, 1050), (1440, 900)),
                                            ((1280, 1024), (1280, 900))])
def test_the_first_window_fits_the_screen_it_opens_on(free, expected):
    size = main_window.first_run_size(_ScreenOf(*free))
    assert (size.width(), size.height()) == expected


def test_a_window_without_saved_geometry_opens_no_larger_than_its_screen(qtbot, monkeypatch):
    # the offscreen screen is smaller than 1440x900, as a 1024x700 laptop panel is
    settings_store = main_window.settings.app_settings()
    settings_store.remove("main_window/geometry")  # another test's window may have saved one
    w = MainWindow()
    qtbot.addWidget(w)
    free = w.screen().availableGeometry().size()
    assert free.width() < 1440 or free.height() < 900, "the test needs a screen below 1440x900"
    assert w.width() <= max(free.width(), w.minimumSizeHint().width())
    assert w.height() <= max(free.height(), w.minimumSizeHint().height())
    assert (w.width(), w.height()) != (1440, 900)
    w.close()
