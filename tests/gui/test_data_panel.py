"""The Data panel: loading in the background (button, File menu signal, drop), what it shows,
errors through the presenter, and the augmentation controls and preview."""

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from cnnexplorer.core.data import AugmentConfig, Dataset, save_npz
from cnnexplorer.gui.data import panel as data_module
from cnnexplorer.gui.data.panel import DataPanel, sample_indices
from cnnexplorer.gui.session import Session
from waits import THREAD_MS, UI_MS


@pytest.fixture
def panel(qtbot):
    session = Session()
    p = DataPanel(session)
    qtbot.addWidget(p)
    p.resize(1200, 800)
    yield p
    p.shutdown()  # the autouse fixture in conftest.py waits for its worker


def _npz(tmp_path, n=30, classes=3):
    rng = np.random.default_rng(0)
    ds = Dataset(name="toy", class_names=[f"c{i}" for i in range(classes)],
                 x_train=rng.integers(0, 256, (n, 16, 16, 3), dtype=np.uint8),
                 y_train=np.arange(n) % classes,
                 x_test=rng.integers(0, 256, (6, 16, 16, 3), dtype=np.uint8),
                 y_test=np.arange(6) % classes)
    return save_npz(ds, tmp_path / "toy.npz")


def _load(qtbot, panel, spec):
    with qtbot.waitSignal(panel.session.dataset_changed, timeout=THREAD_MS) as blocker:
        panel.load(spec)
    qtbot.waitUntil(lambda: not panel.is_loading(), timeout=THREAD_MS)
    return blocker.args[0]


def test_loads_a_file_and_shows_counts_samples_and_preview(qtbot, panel, tmp_path):
    ds = _load(qtbot, panel, _npz(tmp_path))
    assert panel.session.dataset is ds and ds.num_classes == 3
    assert panel.counts.rowCount() == 3
    assert [panel.counts.item(r, 1).text() for r in range(3)] == ["10", "10", "10"]
    assert [panel.counts.item(r, 2).text() for r in range(3)] == ["2", "2", "2"]
    assert panel.counts.item(1, 0).text() == "1: c1"
    assert panel.grid.count() == 30  # every image fits under the 48-sample cap
    assert panel.grid.captions()[9:11] == ["c0", "c1"]  # class by class
    assert panel.augment.preview.count() == 8
    assert "Loaded toy: 30 training and 6 test images." == panel.status.text()
    assert not panel.progress.isVisible() and not panel.skipped.isVisible()
    assert ds.fingerprint in panel.summary.text()


def test_open_dataset_request_and_drop_of_a_folder(qtbot, panel, tmp_path):
    for cls in ("a", "b"):
        (tmp_path / "imgs" / cls).mkdir(parents=True)
        for i in range(3):
            Image.new("RGB", (20, 20), (i * 80, 0, 0)).save(tmp_path / "imgs" / cls / f"{i}.png")
    (tmp_path / "imgs" / "a" / "broken.png").write_text("not a png")
    with qtbot.waitSignal(panel.session.dataset_changed, timeout=THREAD_MS):
        panel.session.open_dataset_requested.emit(str(tmp_path / "imgs"))
    qtbot.waitUntil(lambda: not panel.is_loading(), timeout=THREAD_MS)
    assert panel.session.dataset.counts().tolist() == [3, 3]
    assert panel.skipped.isVisibleTo(panel) and panel.skipped.count() == 1
    assert panel.skipped.item(0).text().startswith("broken.png: not an image file")
    assert "1 files skipped" in panel.status.text()

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(_npz(tmp_path, n=12, classes=2)))])
    event = QDropEvent(QPointF(QPoint(50, 50)), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(panel.session.dataset_changed, timeout=THREAD_MS):
        panel.dropEvent(event)
    qtbot.waitUntil(lambda: not panel.is_loading(), timeout=THREAD_MS)
    assert panel.session.dataset.name == "toy" and panel.counts.rowCount() == 2


def test_errors_go_to_the_presenter(qtbot, panel, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(data_module, "present_error",
                        lambda parent, title, error, hint=None: shown.append((title, error)))
    bad = tmp_path / "bad.npz"
    np.savez(bad, x_train=np.zeros((2, 4, 4, 3), np.uint8))
    panel.load(bad)
    qtbot.waitUntil(lambda: not panel.is_loading(), timeout=THREAD_MS)
    assert len(shown) == 1 and shown[0][0] == "Could not open the dataset"
    assert str(shown[0][1]) == f"{bad}: missing key 'y_train'; the archive has keys x_train"
    assert panel.status.text().startswith("Could not open the dataset: ")
    assert panel.session.dataset is None


def test_augmentation_controls_drive_session_and_preview(qtbot, panel, tmp_path):
    _load(qtbot, panel, _npz(tmp_path))
    box = panel.augment
    assert panel.session.augment is None  # off until the user turns it on
    assert box.values["rotation"].text() == "off"
    box.default_button.click()
    assert panel.session.augment == AugmentConfig.course_default()
    assert box.values["rotation"].text() == "±10°"
    box.off_button.click()
    assert panel.session.augment is None and not box.config().enabled
    qtbot.waitUntil(lambda: all(
        (box.preview._pixmaps[i].toImage() == box.original._pixmaps[0].toImage())
        for i in range(8)), timeout=UI_MS)
    box.sliders["mirror"].setValue(100)
    assert panel.session.augment.mirror == 1.0 and box.values["mirror"].text() == "p=1.00"
    box.sliders["rotation"].setValue(30)
    assert panel.session.augment.rotation == 30.0
    box.refresh_preview()
    before = [pm.toImage() for pm in box.preview._pixmaps]
    box.regenerate_button.click()
    after = [pm.toImage() for pm in box.preview._pixmaps]
    assert before != after
    panel.grid.clicked.emit(12)
    assert box.original.captions() == ["c1"]


def test_cancel_stops_a_folder_load(qtbot, panel, tmp_path, monkeypatch):
    for cls in ("a", "b"):
        (tmp_path / "many" / cls).mkdir(parents=True)
        for i in range(64):
            Image.new("RGB", (8, 8)).save(tmp_path / "many" / cls / f"{i}.png")
    panel.load(tmp_path / "many")
    panel.loader.request_stop()  # before the first progress report: the loader stops at it
    qtbot.waitUntil(lambda: not panel.is_loading(), timeout=THREAD_MS)
    assert panel.status.text() == "Loading cancelled."
    assert panel.session.dataset is None


def test_sample_indices_take_a_few_of_each_class():
    y = np.array([0, 1, 0, 1, 2] * 30)
    idx = sample_indices(y, 3, total=12)
    assert [int(y[i]) for i in idx] == [0] * 4 + [1] * 4 + [2] * 4
