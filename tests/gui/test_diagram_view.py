"""The diagram view: draws the core's layout, click selects, select_layer highlights without
echo, double-click collapses/expands, wheel zooms, PNG/SVG export."""

import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QWheelEvent

from cnnexplorer.core.arch import zoo
from cnnexplorer.core.views.diagram_layout import layout_network
from cnnexplorer.gui.architecture.diagram_view import BOX_ROLE, DiagramView
from waits import UI_MS


@pytest.fixture
def view(qtbot):
    v = DiagramView()
    v.resize(700, 600)
    qtbot.addWidget(v)
    v.show()
    qtbot.waitExposed(v)
    return v


def _viewport_point(view, box):
    return view.mapFromScene(QPointF(*box.center))


def test_draws_every_box_of_the_core_layout(view):
    net = zoo.build("inception_module")
    view.set_network(net)
    boxes = [i for i in view.scene().items() if i.data(BOX_ROLE)]
    assert sorted(i.data(BOX_ROLE) for i in boxes) == sorted(n.name for n in net.nodes)
    assert view.layout_data == layout_network(net)


def test_click_selects_and_select_layer_does_not_echo(view, qtbot):
    view.set_network(zoo.build("inception_module"))
    box = view.layout_data.box("inception_5x5")
    view.centerOn(QPointF(*box.center))
    with qtbot.waitSignal(view.layer_selected, timeout=UI_MS) as sig:
        qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=_viewport_point(view, box))
    assert sig.args == ["inception_5x5"]
    with qtbot.assertNotEmitted(view.layer_selected):
        view.select_layer("inception_pool")
    assert view._highlight is not None
    hl = view._highlight.rect()
    pool = view.layout_data.box("inception_pool")
    assert hl.contains(QPointF(*pool.center))


def test_double_click_collapses_and_expands_a_block(view, qtbot):
    net = zoo.build("googlenet")
    view.set_network(net)
    n_open = len(view.layout_data.boxes)
    box = view.layout_data.box("inception_3a_3x3")
    view.centerOn(QPointF(*box.center))
    with qtbot.waitSignal(view.collapsed_changed, timeout=UI_MS):
        qtbot.mouseDClick(view.viewport(), Qt.LeftButton, pos=_viewport_point(view, box))
    assert view.collapsed == {box.block}
    block_box = view.layout_data.box(f"block:{box.block}")
    assert len(view.layout_data.boxes) == n_open - len(block_box.layers) + 1
    view.select_layer("inception_3a_3x3")  # a hidden layer highlights its block's box
    assert view._highlight.rect().contains(QPointF(*block_box.center))
    view.toggle_block(box.block)
    assert view.collapsed == frozenset() and len(view.layout_data.boxes) == n_open
    view.set_collapse_depth(1)
    assert len(view.layout_data.boxes) < 10


def _wheel(view, dy, modifiers):
    center = QPointF(view.viewport().rect().center())
    return QWheelEvent(center, view.mapToGlobal(center.toPoint()), QPoint(0, 0), QPoint(0, dy),
                       Qt.NoButton, modifiers, Qt.NoScrollPhase, False)


def test_ctrl_wheel_zooms_and_the_wheel_scrolls(view):
    view.set_network(zoo.build("vgg16"))
    before = view.scale_factor()
    view.wheelEvent(_wheel(view, 240, Qt.ControlModifier))
    assert view.scale_factor() == pytest.approx(before * 1.15 ** 2)
    zoomed = view.scale_factor()
    bar = view.verticalScrollBar()
    assert bar.maximum() > 0  # VGG-16 is taller than the view
    top = bar.value()
    view.wheelEvent(_wheel(view, -240, Qt.NoModifier))  # wheel down: the diagram scrolls
    assert bar.value() > top and view.scale_factor() == zoomed


def test_toolbar_fits_collapses_and_exports(qtbot, monkeypatch):
    from cnnexplorer.gui.architecture.diagram_toolbar import DiagramPane

    pane = DiagramPane(DiagramView())
    qtbot.addWidget(pane)
    pane.resize(800, 600)
    pane.show()
    qtbot.waitExposed(pane)
    assert pane.toolbar.isVisible()
    view = pane.view
    view.set_network(zoo.build("resnet50_course"))
    n_open = len(view.layout_data.boxes)
    fitted = view.scale_factor()
    pane.actions_by_name["zoom_in"].trigger()
    assert view.scale_factor() == pytest.approx(fitted * 1.25)
    pane.actions_by_name["fit_width"].trigger()
    assert view.scale_factor() == pytest.approx(fitted)
    pane.collapse_menu.aboutToShow.emit()
    texts = [a.text() for a in pane.collapse_menu.actions()]
    assert texts[0] == "Expand all blocks" and texts[1].startswith("Collapse blocks at level 1")
    pane.collapse_menu.actions()[1].trigger()
    assert len(view.layout_data.boxes) < 10 < n_open
    asked = []
    monkeypatch.setattr(view, "export_dialog", lambda fmt: asked.append(fmt))
    pane.actions_by_name["export_svg"].trigger()
    assert asked == ["svg"]
@pytest.mark.parametrize("key", ["googlenet", "resnet50_course"])
def test_fit_all_shows_the_whole_diagram_and_fit_width_its_width(qtbot, key):
    """Issue 17: "Fit" fitted the width only, so GoogLeNet could never be seen whole."""
    from cnnexplorer.gui.architecture.diagram_toolbar import DiagramPane

    pane = DiagramPane(DiagramView())
    qtbot.addWidget(pane)
    pane.resize(900, 600)
    pane.show()
    qtbot.waitExposed(pane)
    view = pane.view
    view.set_network(zoo.build(key), collapsed=())

    def on_screen():
        return view.mapFromScene(view.scene().sceneRect()).boundingRect()
    port = view.viewport().rect()
    pane.actions_by_name["fit_all"].trigger()
    whole = on_screen()
    assert port.contains(whole), (port, whole)
    assert whole.height() >= port.height() - 12  # as large as fits, not merely small
    pane.actions_by_name["fit_width"].trigger()
    wide = on_screen()
    assert wide.height() > port.height()  # too tall to see whole: read by scrolling
    assert wide.width() <= port.width() + 1


def test_export_png_and_svg(view, tmp_path):
    net = zoo.build("resnet50_course", width=0.25)
    view.set_network(net, title="course ResNet-50")
    view.select_layer("res2a_branch1")
    png = view.export_png(tmp_path / "d.png", scale=1.0)
    image = QImage(str(png))
    lay = view.layout_data
    assert image.width() >= lay.width and image.height() >= lay.height
    svg = view.export_svg(tmp_path / "d.svg")
    root = ET.parse(svg).getroot()
    ns = {"s": "http://www.w3.org/2000/svg"}
    ids = [g.get("data-id") for g in root.iterfind(".//s:g[@class='box']", ns)]
    assert ids == [n.name for n in net.nodes]
    assert "course ResNet-50" in svg.read_text() and 'stroke="#d62728"' in svg.read_text()


def test_vgg16_draws_every_layer(view):
    net = zoo.build("vgg16")
    view.set_network(net, collapsed=())
    view.viewport().repaint()  # how fast: benchmarks/bench_diagram.py (goal < 200 ms)
    assert [b.id for b in view.layout_data.boxes] == [n.name for n in net.nodes]


def test_a_hidden_view_draws_when_shown(qtbot):
    v = DiagramView()
    qtbot.addWidget(v)
    v.set_network(zoo.build("vgg16"))
    assert v.layout_data is None  # nothing drawn while hidden (a background tab)
    v.show()
    qtbot.waitExposed(v)
    assert len(v.layout_data.boxes) == 23


def test_context_menu_export_writes_the_chosen_file(view, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    view.set_network(zoo.build("happymodel"))
    target = tmp_path / "happy.svg"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    view._on_export("svg")
    assert _box_ids_of(target) == [n.name for n in zoo.build("happymodel").nodes]


def _box_ids_of(path):
    root = ET.parse(path).getroot()
    return [g.get("data-id") for g in
            root.iterfind(".//s:g[@class='box']", {"s": "http://www.w3.org/2000/svg"})]


def test_collapse_state_survives_a_reshape_and_big_networks_open_folded(view):
    from cnnexplorer.core.arch.graph import NetworkBuilder

    view.set_network(zoo.build("resnet50_course"))
    view.toggle_block("stage3")
    view.set_network(zoo.build("resnet50_course", width=0.5))  # same network, reshaped
    assert view.collapsed == {"stage3"}
    view.set_network(zoo.build("googlenet"))  # another network: starts open
    assert view.collapsed == frozenset()
    b = NetworkBuilder("Deep")
    x = b.input((8, 8, 4))
    for i in range(130):
        with b.block(f"stage{i // 65}"), b.block(f"unit{i}"):
            x = b.activation(b.batch_norm(x, name=f"bn{i}"), name=f"relu{i}")
    view.set_network(b.build(x))  # 261 layers: the units fold, the stages stay open
    assert len(view.collapsed) == 130 and all("/unit" in c for c in view.collapsed)


# A user's double-click as the window system delivers it: press, release (a click: selects
# and highlights the box), press, double-click, release. QTest.mouseDClick sends no release
# and no first click, so it never met the crash; a segfault would end the whole test run, so
# the sequence runs in a child process.
USER_DOUBLE_CLICKS = """
import faulthandler, sys
faulthandler.enable()
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication
from cnnexplorer.gui.app import create_application
from cnnexplorer.core.arch import zoo
from cnnexplorer.gui.architecture.diagram_view import DiagramView

app = create_application()
view = DiagramView()
view.resize(700, 600)
view.show()
view.set_network(zoo.build("googlenet"))
app.processEvents()

def double_click(box_id):
    box = view.layout_data.box(box_id)
    view.centerOn(QPointF(*box.center))
    app.processEvents()
    port = view.viewport()
    at = QPointF(view.mapFromScene(QPointF(*box.center)))
    for kind in (QEvent.MouseButtonPress, QEvent.MouseButtonRelease, QEvent.MouseButtonPress,
                 QEvent.MouseButtonDblClick, QEvent.MouseButtonRelease):
        held = Qt.NoButton if kind == QEvent.MouseButtonRelease else Qt.LeftButton
        QApplication.sendEvent(port, QMouseEvent(kind, at, QPointF(port.mapToGlobal(at)),
                                                 Qt.LeftButton, held, Qt.NoModifier))
    app.processEvents()  # the rebuild, queued after the event
    print(box_id, sorted(view.collapsed), flush=True)

double_click("inception_3a_3x3")  # a layer: its block folds
double_click("block:stage3/inception_3a")  # the folded block: it opens again
"""


def test_a_users_double_click_folds_and_opens_without_a_crash():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", USER_DOUBLE_CLICKS], capture_output=True,
                         text=True, env=env, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.splitlines() == ["inception_3a_3x3 ['stage3/inception_3a']",
                                       "block:stage3/inception_3a []"]


def test_double_click_rebuilds_after_the_event_not_inside_it(view, qtbot):
    view.set_network(zoo.build("googlenet"))
    box = view.layout_data.box("inception_3a_3x3")
    view.centerOn(QPointF(*box.center))
    cleared_inside = []
    scene = view.scene()
    original_clear = scene.clear
    in_event = []

    def clear():
        cleared_inside.append(bool(in_event))
        original_clear()
    scene.clear = clear
    original_event = view.mouseDoubleClickEvent

    def double_click_event(event):
        in_event.append(1)
        try:
            original_event(event)
        finally:
            in_event.pop()
    view.mouseDoubleClickEvent = double_click_event
    with qtbot.waitSignal(view.collapsed_changed, timeout=UI_MS):
        qtbot.mouseDClick(view.viewport(), Qt.LeftButton, pos=_viewport_point(view, box))
    assert cleared_inside == [False]
