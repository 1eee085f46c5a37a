"""The Architecture panel shows the selected layer's working under the table, and its
receptive field as a column (issue 20)."""

from PySide6.QtCore import Qt

from cnnexplorer.core.arch.cost import cost_report
from cnnexplorer.core.arch import zoo
from cnnexplorer.gui.architecture.layer_table import LAYER_NAME_ROLE
from cnnexplorer.gui.architecture.panel import ArchitecturePanel
from cnnexplorer.gui.session import Session
from waits import UI_MS


def find_row(panel, name):
    model = panel.proxy
    stack = [model.index(r, 0) for r in range(model.rowCount())]
    while stack:
        index = stack.pop()
        if index.data(LAYER_NAME_ROLE) == name:
            return index
        stack += [model.index(r, 0, index) for r in range(model.rowCount(index))]
    raise AssertionError(name)


def test_selecting_a_layer_shows_its_working_and_follows_the_configuration(qtbot):
    panel = ArchitecturePanel(Session())
    qtbot.addWidget(panel)
    panel.resize(1400, 900)
    panel.show()
    assert panel.select_entry("resnet50")
    qtbot.waitUntil(lambda: panel.report() is not None and
                    panel.report().network.name == "ResNet50", timeout=UI_MS)
    assert "Select a layer" in panel.working.placeholderText()
    panel.table.setCurrentIndex(find_row(panel, "conv1"))
    working = panel.working.working
    assert working is not None and working.name == "conv1"
    text = panel.working.toPlainText()
    assert "(7 * 7 * 3 + 1) * 64" in text and "9,472" in text
    assert "floor((230 + 2*0 - 7) / 2) + 1" in text
    # the receptive field in each row's tooltip, as the core counts it
    tip = find_row(panel, "res2a_branch2b").data(Qt.ItemDataRole.ToolTipRole)
    assert "receptive field 19x19" in tip
    assert "receptive field all 224x224" in find_row(panel, "fc1000").data(
        Qt.ItemDataRole.ToolTipRole)
    # a block row shows the hint again
    panel.table.setCurrentIndex(panel.proxy.index(0, 0))
    first = panel.proxy.index(0, 0).data(LAYER_NAME_ROLE)
    assert (panel.working.working is None) == (not first)


def test_the_working_equals_the_core_for_the_diagrams_selection(qtbot):
    panel = ArchitecturePanel(Session())
    qtbot.addWidget(panel)
    panel.show()
    assert panel.select_entry("googlenet")
    qtbot.waitUntil(lambda: panel.report() is not None and
                    panel.report().network.name.lower().startswith("googlenet"), timeout=UI_MS)
    report = cost_report(zoo.get("googlenet").network())
    name = "inception_3a_5x5"
    panel.diagram.layer_selected.emit(name)
    assert panel.working.working.name == name
    row = report.row(name)
    assert panel.working.working.output_shape == row.output_shape
    assert f"{row.params:,}" in panel.working.toPlainText()


def test_the_diagram_shows_receptive_fields():
    from cnnexplorer.core.views.diagram_layout import layout_network

    layout = layout_network(zoo.get("vgg16").network())
    subtitles = {b.layers[0]: b.subtitle for b in layout.boxes if not b.is_block}
    assert subtitles["block1_conv1"].endswith("RF 3")
    assert subtitles["block5_pool"].endswith("RF 212")
