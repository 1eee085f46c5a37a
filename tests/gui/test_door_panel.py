"""The Happy door panel, driven like a user would (pytest-qt, offscreen).

Drops go through a real QDropEvent; the webcam path is exercised with an image-sequence source
and a video file (an animated GIF decoded by OpenCV, tests/gui/test_door_video.py); capture-then-train
runs end to end on a handful of generated faces.
"""

from __future__ import annotations

import numpy as np
import pytest
from door_samples import (READABLE, UNREADABLE, bad_images, face, lambda_model_file,
                          not_a_model_file, six_class_model_file, write_png)
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from cnnexplorer.gui import workers
from cnnexplorer.gui.door.panel import DoorPanel
from cnnexplorer.gui.session import Session
from cnnexplorer.gui.door.camera_source import rgb_to_qimage
from waits import THREAD_MS, UI_MS

WAIT_MS = THREAD_MS


@pytest.fixture
def panel(qtbot):
    session = Session()
    p = DoorPanel(session)
    qtbot.addWidget(p)
    p.resize(1400, 850)
    assert not p.worker.is_running()  # nothing loads (no TensorFlow import) until shown
    p.show()
    qtbot.waitUntil(lambda: p.worker.door is not None, timeout=WAIT_MS)
    yield p
    p.shutdown()  # asks the loop to end; it wakes and ends at once
    assert workers.stop_and_wait(timeout_ms=WAIT_MS)
    qtbot.waitUntil(lambda: not p.worker.is_running(), timeout=WAIT_MS)


def _strip_count(p):
    return len(p.strip.decisions())


def _drag_enter(point: QPoint, mime: QMimeData) -> QDragEnterEvent:
    """Qt 6.12 takes the point as a QPointF and deprecates the QPoint form (one
    DeprecationWarning per drop test, under PySide6 6.12); PySide6 before 6.12 has only the
    QPoint form (pyproject allows both, by Python version)."""
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier)
    try:
        return QDragEnterEvent(QPointF(point), *args)
    except TypeError:  # PySide6 < 6.12
        return QDragEnterEvent(point, *args)


def _drop(widget, paths):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(x)) for x in paths])
    enter = _drag_enter(widget.rect().center(), mime)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(widget.rect().center()), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, drop)
    return drop


def test_drop_images_and_a_folder(panel, qtbot, tmp_path):
    folder = tmp_path / "faces"
    folder.mkdir()
    write_png(folder / "a.png", face(True, 64, 1))
    write_png(folder / "b.png", face(False, 64, 2))
    (folder / "readme.txt").write_text("not an image, not listed")
    single = write_png(tmp_path / "single.png", face(True, 96, 3))
    drop = _drop(panel, [single, folder])
    assert drop.isAccepted()
    qtbot.waitUntil(lambda: _strip_count(panel) == 3, timeout=WAIT_MS)
    names = [label for _, _, label in panel.strip.decisions()]
    assert names == ["b.png", "a.png", "single.png"]  # newest first, in the order dropped
    assert all(0 <= prob <= 1 for prob, _, _ in panel.strip.decisions())
    res = panel.last_result
    assert res.heatmap is not None and res.overlay is not None
    assert panel.door.is_open == (res.probability >= panel.threshold_value())


def test_bad_inputs_each_get_a_message_and_the_panel_keeps_working(panel, qtbot, tmp_path):
    files = bad_images(tmp_path / "bad")
    good = write_png(tmp_path / "good.png", face(True, 64, 4))
    empty_folder = tmp_path / "empty_folder"
    empty_folder.mkdir()
    panel.open_paths([*files.values(), empty_folder, good])
    qtbot.waitUntil(lambda: panel.last_result is not None and
                    str(panel.last_result.tag).endswith("good.png"), timeout=WAIT_MS)
    text = "\n".join(panel.messages)
    for name in UNREADABLE:
        assert files[name].name in text, name
    assert "1x1 pixels" in text and "decompression bomb" in text
    assert "holds no images" in text
    judged = [label for _, _, label in panel.strip.decisions()]
    for name in READABLE:
        assert files[name].name in judged, name
    assert judged[0] == "good.png"


def test_bad_models_are_refused_and_the_door_keeps_its_model(panel, qtbot, tmp_path):
    bundled = panel.worker.door
    for path, expected in ((not_a_model_file(tmp_path / "junk.keras"), "junk.keras"),
                           (six_class_model_file(tmp_path / "six.keras"), "6 classes"),
                           (lambda_model_file(tmp_path / "lam.keras"), "Lambda")):
        with qtbot.waitSignal(panel.worker.model_failed, timeout=WAIT_MS) as blocker:
            panel.models.open_model(path)
        assert expected in blocker.args[0]
        assert expected in panel.messages[-1]
        assert panel.worker.door is bundled
        assert panel.models.combo.currentIndex() == 0
        assert panel.models.combo.findData(str(path)) < 0
    panel.judge_image(face(True, 64, 5), "still works")
    qtbot.waitUntil(lambda: panel.last_result is not None, timeout=WAIT_MS)


def test_a_saved_binary_model_can_be_opened(panel, qtbot, tmp_path):
    path = tmp_path / "mine.keras"
    panel.worker.door.model.save(path)
    with qtbot.waitSignal(panel.worker.model_loaded, timeout=WAIT_MS):
        panel.models.open_model(path)
    assert panel.worker.door.source == str(path)
    assert panel.models.combo.currentData() == str(path)


def test_image_sequence_source_newest_frame_wins(panel, qtbot):
    frames = [face(i % 2 == 0, 64, i) for i in range(4)]
    sequence = [frames[i % 4] for i in range(80)]
    panel.play_sequence(sequence, fps=250)
    qtbot.waitUntil(lambda: panel.source is None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: panel.worker.processed + panel.worker.dropped >= 80,
                    timeout=WAIT_MS)
    w = panel.worker
    assert w.submitted == 80
    assert w.processed >= 1 and w.processed + w.dropped == w.submitted
    assert "ended" in panel.messages[-1]
    assert panel.last_result is not None and panel.last_result.tag == "live"


def test_video_file_source_plays_an_animated_gif(panel, qtbot, tmp_path):
    frames = [Image.fromarray(face(i % 2 == 0, 64, i)) for i in range(6)]
    gif = tmp_path / "clip.gif"
    frames[0].save(gif, save_all=True, append_images=frames[1:], duration=60, loop=0)
    panel.play_video(gif)
    source = panel.source
    qtbot.waitUntil(lambda: panel.source is None, timeout=WAIT_MS)
    assert source is not None
    # the result arrives on the GUI thread after the worker counted it processed
    qtbot.waitUntil(lambda: panel.last_result is not None, timeout=WAIT_MS)
    assert panel.last_result.frame.shape == (64, 64, 3)


def test_not_a_video_and_no_camera_give_messages(panel, qtbot, tmp_path):
    junk = tmp_path / "clip.mp4"
    junk.write_text("not a video")
    panel.play_video(junk)
    qtbot.waitUntil(lambda: panel.source is None, timeout=WAIT_MS)
    assert "clip.mp4" in panel.messages[-1]
    panel.camera_btn.setChecked(True)  # this machine has no camera (the button is disabled)
    qtbot.waitUntil(lambda: not panel.camera_btn.isChecked(), timeout=WAIT_MS)
    assert "camera" in panel.messages[-1].lower()


def _undecided_face(door):
    """A face the model is not sure about (mouth near neutral), so both verdicts can show;
    judged as the panel judges it (faces found and cropped, or the small image whole)."""
    from cnnexplorer.core.data.generated.happy import draw_face
    from cnnexplorer.core.door.verdict import judge_image

    for seed in range(40):
        img = draw_face(np.random.default_rng(seed), [0.05, -0.05, 0.15, -0.15][seed % 4])
        p = judge_image(door, img).probability
        if p is not None and 0.02 < p < 0.98:
            return img
    pytest.fail("no face with a probability between 0.02 and 0.98")


def test_threshold_slider_moves_the_door(panel, qtbot):
    panel.judge_image(_undecided_face(panel.worker.door), "face")
    qtbot.waitUntil(lambda: panel.last_result is not None, timeout=WAIT_MS)
    panel.threshold.setValue(1)
    assert panel.door.is_open and "OPEN" in panel.decision_label.text()
    panel.threshold.setValue(99)
    assert not panel.door.is_open and "CLOSED" in panel.decision_label.text()
    qtbot.waitUntil(lambda: panel.door.openness == 0.0, timeout=UI_MS)  # animated shut


def test_paste_an_image_and_an_empty_clipboard(panel, qtbot):
    clipboard = QApplication.clipboard()
    clipboard.setImage(rgb_to_qimage(face(False, 80, 7)))
    panel.paste()
    qtbot.waitUntil(lambda: panel.last_result is not None, timeout=WAIT_MS)
    assert panel.last_result.frame.shape == (80, 80, 3)
    clipboard.clear()
    panel.paste()
    assert "clipboard holds no image" in panel.messages[-1]


def test_feature_maps_follow_the_chosen_layer(panel, qtbot):
    combo = panel.inside.map_layer
    combo.setCurrentIndex(combo.findData("pool1"))  # the bundled DoorNet's first pool
    panel.judge_image(face(True, 64, 8), "face")
    qtbot.waitUntil(lambda: panel.last_result is not None and
                    panel.last_result.feature_layer == "pool1", timeout=WAIT_MS)
    assert panel.last_result.feature_maps.shape == (16, 16, 32)
    assert panel.last_result.cam_method == "hirescam"  # the default heatmap
    panel.inside.mode.setCurrentIndex(1)
    panel.inside.channel.setValue(5)
    assert panel.inside.current_title == "pool1: channel 5"
    method = panel.inside.cam_method
    method.setCurrentIndex(method.findData("gradcam"))  # re-judges the still image
    qtbot.waitUntil(lambda: panel.last_result.cam_method == "gradcam", timeout=WAIT_MS)
    # the last conv unit of the bundled DoorNet (two units per block: relu3_2)
    assert "Grad-CAM of 'relu3_2'" in panel.inside.info.text()


def test_capture_then_train_switches_the_door(panel, qtbot):
    teach = panel.teach
    assert not teach.capture("happy")  # nothing on screen yet: a message, no file
    assert "Nothing to capture" in panel.messages[-1]
    for i in range(4):
        for smile, label in ((True, "happy"), (False, "not_happy")):
            panel.judge_image(face(smile, 64, 20 + i), label)
            assert teach.capture(label)
    assert teach.refresh_counts() == {"happy": 4, "not_happy": 4}
    teach.epochs.setValue(2)
    with qtbot.waitSignal(teach.trained, timeout=THREAD_MS) as blocker:
        assert teach.start_training()
    door, val_acc, run_dir = blocker.args[0]
    assert val_acc is not None and 0.0 <= val_acc <= 1.0
    assert "validation accuracy" in teach.result.text()
    qtbot.waitUntil(lambda: panel.worker.door is door, timeout=WAIT_MS)
    assert door.source.endswith(".keras") and run_dir in door.source
    assert panel.models.combo.currentData() == door.source
    qtbot.waitUntil(lambda: teach.worker is None, timeout=WAIT_MS)
    assert teach.train_btn.isEnabled()


def test_burst_captures_ten_frames_from_a_stream(panel, qtbot):
    teach = panel.teach
    panel.play_sequence([face(True, 64, i) for i in range(5)], fps=40, loop=True)
    qtbot.waitUntil(lambda: panel.current_frame() is not None, timeout=WAIT_MS)
    teach.burst.setChecked(True)
    teach.happy_btn.click()
    qtbot.waitUntil(lambda: teach.refresh_counts()["happy"] == 10, timeout=WAIT_MS)
    # the burst is over (its timer stopped, none left), so no eleventh frame can come
    qtbot.waitUntil(lambda: not teach._burst_timer.isActive(), timeout=WAIT_MS)
    assert teach._burst_left == 0
    assert teach.refresh_counts() == {"happy": 10, "not_happy": 0}
    panel.stop_source()


def test_other_panels_can_send_images(panel, qtbot, tmp_path):
    path = write_png(tmp_path / "sent.png", face(False, 64, 9))
    panel.session.open_in_door.emit(str(path))
    qtbot.waitUntil(lambda: panel.last_result is not None and
                    str(panel.last_result.tag).endswith("sent.png"), timeout=WAIT_MS)
    panel.session.open_in_door.emit(face(True, 64, 10))
    qtbot.waitUntil(lambda: panel.last_result.tag == "from another panel", timeout=WAIT_MS)


def test_an_image_from_evaluation_is_judged_by_the_evaluated_model(panel, qtbot, tmp_path):
    """Issue 13 defect 2: the door used the bundled model for an image the Evaluation tab
    sent; it must load the evaluated run's model first and say which model judged it."""
    from door_samples import tiny_happy_model

    from cnnexplorer.core.door.inference import DoorModel
    from cnnexplorer.gui.session import DoorImage

    model_path = tmp_path / "run_a" / "best.keras"
    model_path.parent.mkdir()
    tiny_happy_model(seed=3).save(model_path)
    # a small image without a face is judged whole, so its probability is the model's own
    image = np.random.default_rng(11).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    expected = DoorModel.load(model_path).probability(image)
    assert abs(expected - panel.worker.door.probability(image)) > 1e-3  # not the bundled one
    panel.session.open_in_door.emit(DoorImage(image, str(model_path), "run run_a"))
    qtbot.waitUntil(lambda: panel.last_result is not None
                    and panel.last_result.tag == "judged by run run_a", timeout=WAIT_MS)
    assert panel.worker.door.source == str(model_path)
    assert panel.last_result.probability == pytest.approx(expected, abs=1e-5)
    assert any("Door model: File best.keras" in m for m in panel.messages), panel.messages
    assert panel.models.combo.currentData() == str(model_path)


def test_a_camera_that_cannot_be_opened_says_why(qtbot):
    from cnnexplorer.gui.door.camera_source import CameraSource

    source = CameraSource(99, "Test camera")  # no such device: OpenCV cannot open it
    messages = []
    source.errored.connect(messages.append)
    with qtbot.waitSignal(source.stopped, timeout=WAIT_MS):
        source.start()
    assert "No camera found" in messages[0]
    assert "in use by another program" in messages[0] and "denied" in messages[0]


def test_model_picker_quotes_the_loaded_best_models_validation_accuracy():
    """Issue 17: Teach the door said "validation accuracy 100%" (the best epoch, the model
    loaded) while the picker said "val acc 50%" (the last epoch's)."""
    from cnnexplorer.core.door.captures import final_val_accuracy
    from cnnexplorer.core.train import runs
    from cnnexplorer.gui.door.models import binary_runs

    run = runs.create_run({"architecture": {"key": "doornet"}, "dataset": {"name": "captures"},
                           "task": {"binary": True}}, name="door_captures")
    history = [{"loss": 0.6, "accuracy": 0.7, "val_loss": 0.3, "val_accuracy": 1.0},
               {"loss": 0.4, "accuracy": 0.8, "val_loss": 0.9, "val_accuracy": 0.5}]
    run.write_history(history)
    run.best_model_path.write_bytes(b"a model")  # listed by its file; never loaded here
    [(label, path)] = binary_runs()
    assert path == str(run.best_model_path)
    assert "val acc 100% at best epoch 1" in label and "50%" not in label

    class Result:  # what train_door returns, as far as the teach view reads it
        pass
    result = Result()
    result.history = history
    assert final_val_accuracy(result) == 1.0


def test_careful_judges_each_face_with_its_mirror_and_says_what_it_adds(panel, qtbot):
    """Issue 21: the door's test-time trick, a switch with its price per frame."""
    image = np.random.default_rng(9).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    door = panel.worker.door
    panel.judge_image(image, "plain")
    qtbot.waitUntil(lambda: panel.last_result is not None and
                    panel.last_result.tag == "plain", timeout=WAIT_MS)
    assert not panel.last_result.careful and "careful" not in panel.stats.text()
    panel.careful.setChecked(True)
    panel.judge_image(image, "careful")
    qtbot.waitUntil(lambda: panel.last_result.tag == "careful", timeout=WAIT_MS)
    res = panel.last_result
    assert res.careful
    expected = (door.probability(res.verdict.judged[0].crop)
                + door.probability(res.verdict.judged[0].crop[:, ::-1])) / 2
    assert res.probability == pytest.approx(expected, abs=1e-5)
    assert "careful: each face and its mirror" in panel.stats.text()
    assert "ms over the plain door" in panel.stats.text()
