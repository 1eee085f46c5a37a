"""The diagram inside the Architecture panel: its tab, selection linked both ways with the
table (and so the charts), a model file opened into the panel (table, totals, diagram), and
File > Open model routed to the Architecture panel when it is in front."""

import pytest
from PySide6.QtCore import QPointF, Qt

from cnnexplorer.core.arch import zoo
from cnnexplorer.core.arch.cost import cost_report
from cnnexplorer.gui.architecture.panel import ArchitecturePanel
from cnnexplorer.gui.session import Session
from waits import THREAD_MS


@pytest.fixture
def panel(qtbot):
    session = Session()
    p = ArchitecturePanel(session)
    p.session_ref = session
    qtbot.addWidget(p)
    p.resize(1400, 900)
    p.show()
    qtbot.waitExposed(p)
    yield p
    qtbot.waitUntil(lambda: p.model_files.busy_workers() == 0 and p.busy_workers() == 0,
                    timeout=THREAD_MS)


def _show_diagram(panel):
    panel.views.setCurrentWidget(panel.diagram_pane)
    assert panel.views.tabText(panel.views.currentIndex()) == "Diagram"


def test_diagram_tab_follows_the_chosen_entry(panel):
    assert panel.select_entry("inception_module")
    _show_diagram(panel)
    lay = panel.diagram.layout_data
    assert sorted(b.id for b in lay.boxes) == sorted(
        n.name for n in zoo.build("inception_module").nodes)
    panel.select_entry("happymodel")
    assert panel.diagram.layout_data.box_of_layer("conv0") is not None


def test_selection_is_linked_both_ways(panel, qtbot):
    panel.select_entry("inception_module")
    _show_diagram(panel)
    view = panel.diagram
    box = view.layout_data.box("inception_5x5")
    view.centerOn(QPointF(*box.center))
    qtbot.mouseClick(view.viewport(), Qt.LeftButton,
                     pos=view.mapFromScene(QPointF(*box.center)))
    assert panel.selected_layer() == "inception_5x5"
    panel.select_layer("inception_pool_proj")  # as a click in the table or a chart does
    pool = view.layout_data.box("inception_pool_proj")
    assert view._highlight is not None and view._highlight.rect().contains(
        QPointF(*pool.center))


@pytest.fixture(scope="module")
def happy_file(tmp_path_factory):
    from cnnexplorer.core.keras.build import build_keras_model

    path = tmp_path_factory.mktemp("models") / "my_happy.keras"
    build_keras_model(zoo.build("happymodel", classes=4)).save(path)
    return path


def test_an_opened_model_fills_table_totals_and_diagram(panel, happy_file, qtbot):
    with qtbot.waitSignal(panel.model_files.opened, timeout=THREAD_MS):
        panel.model_files.open(str(happy_file))
    expected = cost_report(zoo.build("happymodel", classes=4))
    assert panel.report().totals == expected.totals
    assert panel.entry().key == "my_happy.keras" and "my_happy.keras" in panel.title.text()
    _show_diagram(panel)
    assert panel.diagram.layout_data.box_of_layer("fc") is not None
    assert panel.session.architecture.network is panel.report().network
    panel.select_entry("vgg16")  # back to the zoo
    assert panel.entry().key == "vgg16"


def test_file_open_model_goes_to_the_panel_in_front(qtbot, happy_file, monkeypatch):
    from cnnexplorer.gui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    arch = window.panels["Architecture"]
    opened = []
    monkeypatch.setattr(arch.model_files, "open", opened.append)
    window.show_panel("Architecture")
    window.request_open_model(str(happy_file))
    assert opened == [str(happy_file)] and window.current_panel() is arch
