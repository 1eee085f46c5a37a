"""The window survives hostile input (issue 12): a dropped folder holding a named pipe and a
malformed DDS, a tiny HDF5 whose labels reach a million, the same files opened in the door.
Each gives a message; the window keeps answering while and after the files are read."""

from __future__ import annotations

import pytest
from door_samples import face, write_png
from hostile_samples import fifo, huge_label_h5, image_folder, malformed_dds, release_fifo
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent

from cnnexplorer.gui.data import panel as data_module
from cnnexplorer.gui.data.panel import DataPanel
from cnnexplorer.gui.session import Session
from waits import THREAD_MS, UI_MS


def _answers(qtbot) -> bool:
    """The GUI thread runs a timer it is given: the window is responsive."""
    fired = []
    QTimer.singleShot(0, lambda: fired.append(True))
    qtbot.waitUntil(lambda: bool(fired), timeout=UI_MS)
    return True


def _drop(panel, path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    panel.dropEvent(QDropEvent(QPointF(QPoint(40, 40)), Qt.DropAction.CopyAction, mime,
                               Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier))


@pytest.fixture
def data_panel(qtbot):
    p = DataPanel(Session())
    qtbot.addWidget(p)
    p.resize(1000, 700)
    p.show()
    yield p
    p.shutdown()  # the autouse fixture in conftest.py waits for its worker


def test_a_dropped_folder_with_a_fifo_and_a_dds_loads_the_rest(qtbot, data_panel, tmp_path):
    root = image_folder(tmp_path / "pets")
    pipe = fifo(root / "cat" / "0-pipe.png")
    malformed_dds(root / "dog" / "0-texture.png")
    try:
        _drop(data_panel, root)
        assert _answers(qtbot)  # while the loader works
        qtbot.waitUntil(lambda: data_panel.session.dataset is not None, timeout=THREAD_MS)
        qtbot.waitUntil(lambda: not data_panel.is_loading(), timeout=THREAD_MS)
    finally:
        release_fifo(pipe)  # a loader stuck on the pipe (the bug) would never end otherwise
    ds = data_panel.session.dataset
    assert ds.counts().tolist() == [3, 3]
    shown = [data_panel.skipped.item(i).text() for i in range(data_panel.skipped.count())]
    assert any(s.startswith("0-pipe.png: ") and "named pipe" in s for s in shown), shown
    assert any(s.startswith("0-texture.png: ") for s in shown), shown
    assert "2 files skipped" in data_panel.status.text()
    assert _answers(qtbot)


def test_a_huge_label_hdf5_gives_a_message_and_no_dataset(qtbot, data_panel, tmp_path,
                                                         monkeypatch):
    shown = []
    monkeypatch.setattr(data_module, "present_error",
                        lambda parent, title, error, hint=None: shown.append((title, error)))
    path = huge_label_h5(tmp_path / "train_labels.h5", top=10**8)
    data_panel.load(path)
    assert _answers(qtbot)
    qtbot.waitUntil(lambda: not data_panel.is_loading(), timeout=THREAD_MS)
    assert len(shown) == 1 and "100000000" in str(shown[0][1])
    assert data_panel.session.dataset is None
    assert data_panel.status.text().startswith("Could not open the dataset: ")
    assert _answers(qtbot)


def test_the_door_names_a_fifo_and_a_dds_and_judges_the_good_image(qtbot, tmp_path):
    from cnnexplorer.gui.door.panel import DoorPanel

    panel = DoorPanel(Session())
    qtbot.addWidget(panel)
    panel.show()
    pipe = fifo(tmp_path / "pipe.png")
    try:
        qtbot.waitUntil(lambda: panel.worker.door is not None, timeout=THREAD_MS)
        dds = malformed_dds(tmp_path / "texture.png")
        good = write_png(tmp_path / "good.png", face(True, 64, 2))
        panel.open_paths([pipe])
        qtbot.waitUntil(lambda: any("pipe.png" in m for m in panel.messages), timeout=THREAD_MS)
        panel.open_paths([dds])
        qtbot.waitUntil(lambda: any("texture.png" in m for m in panel.messages),
                        timeout=THREAD_MS)
        assert _answers(qtbot)
        panel.open_paths([good])
        qtbot.waitUntil(lambda: panel.last_result is not None and
                        str(panel.last_result.tag).endswith("good.png"), timeout=THREAD_MS)
        assert _answers(qtbot)
    finally:
        release_fifo(pipe)
        panel.shutdown()
