"""'A convolution at work' in the door's "Look inside" (issue 20): a mouse move over a Conv2D
layer's feature maps shows the patch, the weights and the sum, and the value it reaches is the
one the model computed there (the maps the panel shows); a layer that is not a Conv2D says so
in one line."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from door_samples import face
from PIL import Image
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

import test_door_displays as door_displays
from cnnexplorer.core.door.gradcam import grid_position
from waits import THREAD_MS, UI_MS

WAIT_MS = THREAD_MS
# the door panel in a 1024x700 window's room, with the cartoon faces' finder (a fixture,
# found by this name), and how a photo is judged on it
panel = door_displays.panel
judge = door_displays.judge


def choose_map_layer(panel, qtbot, name):
    combo = panel.inside.map_layer
    combo.setCurrentIndex(combo.findData(name))  # the panel judges the photo again
    qtbot.waitUntil(lambda: panel.last_result.feature_layer == name, timeout=WAIT_MS)
    return panel.last_result


def hover(panel, qtbot, x: int, y: int) -> tuple[int, int]:
    """A real mouse move over the middle of pixel (x = column, y = row) of the maps image;
    returns the pixel the scene saw it on (a view smaller than the grid puts several pixels
    on one screen pixel). Sent again until the scene passes one on: pyqtgraph drops moves
    closer than 10 ms."""
    view = panel.inside.image_view
    gv = view.ui.graphicsView
    seen = []
    view.scene.sigMouseMoved.connect(seen.append)

    def moved() -> bool:
        at = QPointF(gv.mapFromScene(view.getImageItem().mapToScene(QPointF(x + .5, y + .5))))
        QApplication.sendEvent(gv.viewport(), QMouseEvent(
            QEvent.Type.MouseMove, at, gv.viewport().mapToGlobal(at), Qt.MouseButton.NoButton,
            Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier))
        return bool(seen)

    qtbot.waitUntil(moved, timeout=UI_MS)
    view.scene.sigMouseMoved.disconnect(seen.append)
    p = view.getImageItem().mapFromScene(seen[-1])
    return int(np.floor(p.x())), int(np.floor(p.y()))


def said_value(panel) -> float:
    return float(re.search(r"model says: (-?[\d.]+)", panel.inside.working.text()).group(1))


def real_or_drawn_face(kind, request):
    if kind == "drawn":
        return face(True, 64, 5)
    folder = Path(request.getfixturevalue("shared_data_dir")) / "smiles-64x64" / "smile"
    return np.asarray(Image.open(sorted(folder.glob("*.jpg"))[0]).convert("RGB"))


@pytest.mark.parametrize("kind", ["drawn", "real"])
def test_hovering_a_conv_map_works_out_the_models_value(panel, qtbot, request, kind):
    image = real_or_drawn_face(kind, request)
    judge(panel, qtbot, image, f"{kind}.png")
    res = choose_map_layer(panel, qtbot, "conv1")  # 3x3 over 16 channels: deeper than RGB
    maps = res.feature_maps  # the panel's maps, from the inspector's own model call
    inside = panel.inside
    assert res.conv_probe is not None and maps.shape == (32, 32, 32)

    inside.mode.setCurrentIndex(1)  # one channel
    inside.channel.setValue(7)
    qtbot.waitUntil(lambda: inside.current_title.endswith("channel 7"), timeout=WAIT_MS)
    assert hover(panel, qtbot, 5, 12) == (5, 12)  # column 5, row 12: 32x32 spans the view
    shown = inside.working.shown
    assert (shown.row, shown.col, shown.channel) == (12, 5, 7)
    assert shown.value == pytest.approx(float(maps[12, 5, 7]), rel=1e-4, abs=1e-5)
    assert said_value(panel) == pytest.approx(float(maps[12, 5, 7]), abs=1e-4)
    text = inside.working.text()
    assert " of 16 input channels" in text and "all 16" not in text  # not all 16 grids
    assert shown.summary().split(" = ")[0] in text and "model says" in text

    inside.mode.setCurrentIndex(0)  # the grid: 6 columns of 32x32 tiles, 1 pixel apart
    qtbot.waitUntil(lambda: "of 32 channels" in inside.current_title, timeout=WAIT_MS)
    x, y = hover(panel, qtbot, 2 * 33 + 30, 1 * 33 + 4)  # tile 8 (row 1, col 2): row 4, col 30
    assert abs(x - 96) <= 1 and abs(y - 37) <= 1  # 197 grid pixels on fewer screen pixels
    row, col, k = grid_position(maps.shape, x, y)
    shown = inside.working.shown
    assert (shown.row, shown.col, shown.channel) == (row, col, k) and k == 8
    assert said_value(panel) == pytest.approx(float(maps[row, col, k]), abs=1e-4)
    x, y = hover(panel, qtbot, 32, 5)  # the padding between tiles 0 and 1: nothing changes
    if grid_position(maps.shape, x, y) is None:
        assert inside.working.shown is shown


def test_a_layer_that_is_not_a_convolution_gives_a_one_line_hint(panel, qtbot):
    judge(panel, qtbot, face(True, 64, 5), "face.png")
    res = choose_map_layer(panel, qtbot, "relu1")
    assert res.conv_probe is None and res.feature_maps is not None
    hover(panel, qtbot, 3, 3)
    working = panel.inside.working
    assert working.shown is None
    assert "'relu1' is an Activation layer" in working.text()
    assert "Conv2D" in working.text() and "conv0" in working.text()



def judged_or_refused(panel, qtbot, image, tag, said):
    """Judge a photo and wait for its result or for an error with its tag (`said` collects
    the worker's errors): a lost verdict fails at once instead of after the long wait."""
    panel.judge_image(image, tag)
    qtbot.waitUntil(lambda: (panel.last_result is not None and panel.last_result.tag == tag
                             and panel._file_in_flight is None)
                    or any(t == tag for _text, t in said), timeout=WAIT_MS)
    res = panel.last_result
    assert res is not None and res.tag == tag, said
    return res


def test_a_failing_look_inside_never_stops_the_door_judging(panel, qtbot, monkeypatch):
    """Regression (the clean-clone CI failure of the greyscale door model): the conv probe
    raised in the inference worker and took the frame's verdict with it, so the door never
    showed a judged frame. The decision must not depend on the explanation: a probe that
    fails is said once, noted under the maps for each frame, and every frame is judged."""
    from cnnexplorer.core.keras.conv_at_work import ConvProbe

    def broken(self, *args, **kwargs):
        raise RuntimeError("the probe broke")

    monkeypatch.setattr(ConvProbe, "__init__", broken)
    said: list[tuple[str, object]] = []
    panel.worker.errored.connect(lambda text, tag: said.append((text, tag)))
    for i, tag in enumerate(("first.png", "second.png")):
        res = judged_or_refused(panel, qtbot, face(i == 0, 64, 5 + i), tag, said)
        assert res.probability is not None and res.heatmap is not None  # judged, explained
        assert panel.door.is_open == res.verdict.is_open_at(panel.threshold_value())
        assert any("the probe broke" in text for text in res.inside_errors)
        assert "the probe broke" in panel.inside.info.text()
    qtbot.waitUntil(lambda: any("the probe broke" in text for text, _tag in said),
                    timeout=UI_MS)
    failures = [(text, tag) for text, tag in said if "the probe broke" in text]
    assert len(failures) == 1 and failures[0][1] is None  # once for two frames, no file's tag


def test_a_layer_name_of_the_previous_model_is_not_an_error(panel, qtbot):
    """Until the GUI thread hears of a newly loaded model, the worker still holds the layer
    names picked for the previous one; a frame judged then is judged and explained with the
    automatic heatmap layer, not lost to 'no layer named ...'."""
    said: list[tuple[str, object]] = []
    panel.worker.errored.connect(lambda text, tag: said.append((text, tag)))
    panel.worker.feature_layer = "a_layer_of_another_model"
    panel.worker.cam_layer = "another_layer_of_another_model"
    res = judged_or_refused(panel, qtbot, face(True, 64, 5), "between.png", said)
    from cnnexplorer.core.door.gradcam import default_cam_layer

    assert res.heatmap is not None
    assert res.cam_layer == default_cam_layer(panel.worker.door.model)
    assert res.feature_maps is None and res.inside_errors == [] and said == []
