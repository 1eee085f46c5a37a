"""Door displays that went stale or were cut (issue 17), each with its test: the "judged by
run ..." caption after the model changes, "Showing an earlier decision" and its time while
other photos are shown, "Look inside" after a photo without a face, the big verdict at
1024x700, and a folder of 16 photos in a strip that kept 12."""

from __future__ import annotations

import numpy as np
import pytest
from door_samples import face, tiny_happy_model, write_png
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtTest import QTest

from cnnexplorer.gui.door.door_view import DecisionStripArea
from cnnexplorer.gui.door.panel import DoorPanel
from cnnexplorer.gui.session import DoorImage, Session
from waits import THREAD_MS

WAIT_MS = THREAD_MS
NO_FACE = np.full((480, 640, 3), 150, np.uint8)


@pytest.fixture
def panel(qtbot, monkeypatch):
    from cnnexplorer.core.door import faces as faces_module

    # the bar the synthetic cartoon faces need (tests/core/test_faces.py)
    monkeypatch.setattr(faces_module, "_shared", faces_module.FaceFinder(score_threshold=0.6))
    p = DoorPanel(Session())
    qtbot.addWidget(p)
    p.resize(1024, 640)  # the door's room in a 1024x700 window
    p.show()
    qtbot.waitUntil(lambda: p.worker.door is not None, timeout=WAIT_MS)
    yield p
    p.shutdown()


def judge(panel, qtbot, image, tag):
    panel.judge_image(image, tag)
    qtbot.waitUntil(lambda: panel.last_result is not None and panel.last_result.tag == tag
                    and panel._file_in_flight is None, timeout=WAIT_MS)
    return panel.last_result


def test_judged_by_run_leaves_the_image_when_the_model_changes(panel, qtbot, tmp_path):
    model_path = tmp_path / "run_a" / "best.keras"
    model_path.parent.mkdir()
    tiny_happy_model(seed=3).save(model_path)
    panel.session.open_in_door.emit(DoorImage(face(True, 64, 4), str(model_path), "run run_a"))
    qtbot.waitUntil(lambda: panel.last_result is not None
                    and panel.last_result.tag == "judged by run run_a", timeout=WAIT_MS)
    assert panel.frame_view._caption == "judged by run run_a"  # true: run_a judged it
    panel.models.combo.activated.emit(0)  # the user picks the bundled model
    qtbot.waitUntil(lambda: panel.worker.door.source != str(model_path)
                    and panel.last_result.tag != "judged by run run_a", timeout=WAIT_MS)
    assert panel.frame_view._caption == "from another panel"
    assert panel.last_result.frame.shape == (64, 64, 3)  # the same image, judged again


def test_an_earlier_decision_and_its_time_are_said_only_while_it_is_shown(panel, qtbot):
    judge(panel, qtbot, face(True, 64, 1), "first.png")
    judge(panel, qtbot, NO_FACE, "second.png")
    QTest.mouseClick(panel.strip, Qt.MouseButton.LeftButton,
                     pos=panel.strip.cell_centre(1).toPoint())
    first = panel.last_result
    assert "Showing an earlier decision: first.png" in panel.message.text()
    assert panel.stats.text() == f"judged earlier in {first.latency_ms:.1f} ms"
    third = judge(panel, qtbot, face(False, 64, 2), "third.png")
    assert "earlier decision" not in panel.message.text()
    assert panel.stats.text().startswith(f"{third.latency_ms:.1f} ms per frame")


def test_a_photo_without_a_face_shows_no_maps_of_the_photo_before(panel, qtbot):
    judge(panel, qtbot, face(True, 64, 5), "face.png")
    assert panel.inside.current_title  # the face's feature maps are shown
    judge(panel, qtbot, NO_FACE, "empty.png")
    assert panel.last_result.feature_maps is None
    assert panel.inside.current_title == "" and panel.inside._maps is None
    assert panel.inside.image_view.image is None
    assert "No face found" in panel.inside.info.text()


def test_the_verdict_fits_its_column_at_1024x700(panel, qtbot):
    judge(panel, qtbot, NO_FACE, "empty.png")
    label = panel.decision_label
    doc = QTextDocument()
    doc.setDefaultFont(label.font())
    doc.setHtml(label.text())
    assert "CLOSED" in label.text() and "no face found" in label.text()
    assert doc.idealWidth() <= label.width(), (doc.idealWidth(), label.width())
    doc.setTextWidth(label.width())
    assert doc.size().height() <= label.height() + 1  # both lines, none cut below


def test_a_folder_of_16_photos_keeps_16_decisions(panel, qtbot, tmp_path):
    folder = tmp_path / "sixteen"
    folder.mkdir()
    for i in range(16):
        write_png(folder / f"face{i:02d}.png", face(i % 2 == 0, 64, i))
    assert panel.open_paths([folder]) == 16
    qtbot.waitUntil(lambda: len(panel.strip.decisions()) == 16 and not panel._files
                    and panel._file_in_flight is None, timeout=WAIT_MS)
    labels = [label for _, _, label in panel.strip.decisions()]
    assert labels == [f"face{i:02d}.png" for i in reversed(range(16))]  # none lost
    assert panel.strip_area.count_label.text().startswith("Decisions: 16")


def test_an_old_decision_keeps_its_file_and_is_judged_again_on_a_click(panel, qtbot, tmp_path):
    from cnnexplorer.gui.door.panel import STRIP_KEEPS_RESULTS

    path = write_png(tmp_path / "oldest.png", face(True, 64, 7))
    panel.open_paths([path])
    qtbot.waitUntil(lambda: len(panel.strip.decisions()) == 1 and panel._file_in_flight is None,
                    timeout=WAIT_MS)
    for i in range(STRIP_KEEPS_RESULTS):  # newer decisions push it out of the kept range
        panel.strip.add(NO_FACE, None, False, f"n{i}", "live")
    oldest = len(panel.strip.decisions()) - 1
    assert panel.strip.data_at(oldest) == str(path)  # its file name, not its frames
    panel.strip_area.scroller.ensureVisible(int(panel.strip.cell_centre(oldest).x()), 30)
    QTest.mouseClick(panel.strip, Qt.MouseButton.LeftButton,
                     pos=panel.strip.cell_centre(oldest).toPoint())
    assert "Judging oldest.png again" in panel.messages[-1]
    qtbot.waitUntil(lambda: panel._file_in_flight is None and panel.last_result.tag == str(path)
                    and len(panel.strip.decisions()) == STRIP_KEEPS_RESULTS + 2,
                    timeout=WAIT_MS)


def test_a_full_strip_says_how_many_decisions_went(qtbot):
    area = DecisionStripArea(3)
    qtbot.addWidget(area)
    for i in range(5):
        area.strip.add(NO_FACE, 0.5, True, f"d{i}")
    assert [label for _, _, label in area.strip.decisions()] == ["d4", "d3", "d2"]
    assert area.count_label.text().startswith("Decisions: the newest 3 of 5 (the 2 oldest")
