"""Opening a model file for the Architecture panel: off the GUI thread, newest wins, clear
errors, drag and drop (ModelFileOpener on a stand-in panel)."""

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from cnnexplorer.core.arch import zoo
from cnnexplorer.core.arch.cost import cost_report
from cnnexplorer.core.errors import ConfigError, ModelFileError
from cnnexplorer.gui import model_open
from cnnexplorer.gui.session import Session
from waits import THREAD_MS


class StandInPanel(QWidget):
    def __init__(self):
        super().__init__()
        self.busy = QLabel()
        QVBoxLayout(self).addWidget(self.busy)
        self.shown = []

    def show_opened_model(self, entry, network, report):
        self.shown.append((entry, network, report))


@pytest.fixture(scope="module")
def happy_file(tmp_path_factory):
    from cnnexplorer.core.keras.build import build_keras_model

    path = tmp_path_factory.mktemp("models") / "happy.keras"
    build_keras_model(zoo.build("happymodel", classes=3)).save(path)
    return path


@pytest.fixture
def opener(qtbot):
    panel = StandInPanel()
    qtbot.addWidget(panel)
    session = Session()
    opener = model_open.ModelFileOpener(panel, session)
    yield panel, session, opener
    qtbot.waitUntil(lambda: opener.busy_workers() == 0, timeout=THREAD_MS)


def test_opens_in_a_worker_and_shows_an_entry_with_fixed_config(opener, happy_file, qtbot):
    panel, session, op = opener
    with qtbot.waitSignal(op.opened, timeout=THREAD_MS):
        op.open(str(happy_file))
        assert panel.busy.isVisibleTo(panel) and "happy.keras" in panel.busy.text()
    entry, network, report = panel.shown[-1]
    assert not panel.busy.isVisibleTo(panel)
    assert entry.family == model_open.FAMILY and entry.key == "happy.keras"
    expected = cost_report(zoo.build("happymodel", classes=3))
    assert entry.network() is network and report.totals == expected.totals
    with pytest.raises(ConfigError, match="fixed"):
        entry.network(input_shape=(32, 32, 3))


def test_a_bad_file_reaches_the_error_presenter(opener, tmp_path, qtbot, monkeypatch):
    panel, session, op = opener
    shown = []
    monkeypatch.setattr(model_open, "present_error", lambda *a, **k: shown.append(a))
    bogus = tmp_path / "notes.keras"
    bogus.write_text("not a model")
    with qtbot.waitSignal(op.failed, timeout=THREAD_MS) as sig:
        op.open(str(bogus))
    assert sig.args[0] == str(bogus) and isinstance(sig.args[1], ModelFileError)
    assert shown and "notes.keras" in shown[0][1] and not panel.shown


def test_dropping_a_model_file_opens_it(opener, happy_file, qtbot):
    panel, session, op = opener
    requested = []
    op.open = requested.append
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile("/tmp/readme.txt"), QUrl.fromLocalFile(str(happy_file))])
    drop = QDropEvent(QPointF(5, 5), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    # Qt delivers a Drop only while a real drag runs, so hand the event to the filter itself
    assert op.eventFilter(panel, drop) and drop.isAccepted()
    assert requested == [str(happy_file)]
    assert panel.acceptDrops()
    plain = QMimeData()
    plain.setUrls([QUrl.fromLocalFile("/tmp/readme.txt")])
    assert model_open.model_path_of(plain) is None
