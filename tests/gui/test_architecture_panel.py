"""The Architecture panel shows the core's numbers, keeps the last valid view, exports them."""

import csv
import io
import json

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QSpinBox

from cnnexplorer.core.arch import zoo
from cnnexplorer.core.arch.cost import cost_report
from cnnexplorer.gui.architecture.panel import ArchitecturePanel
from cnnexplorer.gui.session import Session
from cnnexplorer.gui.architecture.layer_table import (COLUMNS, LAYER_NAME_ROLE, NAME, SHAPE,
                                                     SORT_ROLE, TYPE)
from waits import THREAD_MS, UI_MS


@pytest.fixture
def panel(qtbot):
    session = Session()
    p = ArchitecturePanel(session)
    p.session_ref = session  # keep the session alive as long as the panel
    qtbot.addWidget(p)
    p.resize(1400, 900)
    return p


def _leaf_names(model, parent=None):
    """Every layer name in the tree model, depth first (the network's order when unsorted)."""
    from PySide6.QtCore import QModelIndex

    parent = parent or QModelIndex()
    names = []
    for row in range(model.rowCount(parent)):
        index = model.index(row, 0, parent)
        name = index.data(LAYER_NAME_ROLE)
        if name:
            names.append(name)
        names += _leaf_names(model, index)
    return names


def test_default_is_happymodel_with_core_totals(panel):
    assert panel.entry().key == "happymodel"
    assert panel.report().totals.params == 37_633
    assert "37,633" in panel.totals.params.text()


# entries imported from keras.applications need TensorFlow (seconds each): their own tests
# cover them; here one test drives the worker path they take
SPEC_ENTRIES = [e.key for e in zoo.entries() if e.keras_build_needed is None]


@pytest.mark.parametrize("key", SPEC_ENTRIES)
def test_each_entry_fills_the_table_with_the_core_rows(panel, key):
    assert panel.select_entry(key)
    expected = cost_report(zoo.get(key).network())
    names = [r.name for r in expected.rows]
    # grouped by block: every layer once (a block's layers gathered under it)
    assert sorted(_leaf_names(panel.table_model)) == sorted(names)
    assert sorted(_leaf_names(panel.proxy)) == sorted(names)
    panel.grouped.setChecked(False)  # flat: exactly the network's order
    assert _leaf_names(panel.proxy) == names
    t = panel.report().totals
    assert (t.params, t.trainable_params, t.macs) == (
        expected.totals.params, expected.totals.trainable_params, expected.totals.macs)
    assert f"{expected.totals.params:,}" in panel.totals.params.text()
    assert f"{expected.totals.macs:,}" in panel.totals.macs.text()
    assert panel.session.architecture.key == key
    assert panel.form.error_text() == ""


def test_changing_a_control_updates_totals_and_session(panel, qtbot):
    panel.select_entry("resnet50")
    with qtbot.waitSignal(panel.session.architecture_changed, timeout=UI_MS) as blocker:
        panel.form.classes_box.setValue(10)
    expected = cost_report(zoo.build("resnet50", classes=10))
    assert panel.report().totals.params == expected.totals.params == 23_608_202
    assert f"{expected.totals.params:,}" in panel.totals.params.text()
    assert blocker.args[0].classes == 10
    assert blocker.args[0].network.node("fc10").output_shape == (10,)


def test_options_are_generated_from_their_kind(panel):
    panel.select_entry("resnet50")
    assert isinstance(panel.form.option_box("width"), QDoubleSpinBox)
    assert isinstance(panel.form.option_box("pooling"), QComboBox)
    panel.select_entry("googlenet")
    aux = panel.form.option_box("aux_heads")
    assert isinstance(aux, QCheckBox)
    without = panel.report().totals.params
    aux.setChecked(True)
    with_aux = cost_report(zoo.build("googlenet", aux_heads=True)).totals.params
    assert panel.report().totals.params == with_aux > without
    panel.select_entry("happymodel")
    assert isinstance(panel.form.option_box("filters"), QSpinBox)


def test_invalid_input_shows_the_message_and_keeps_the_last_valid_view(panel):
    panel.select_entry("happymodel")
    panel.form.option_box("kernel").setValue(31)  # still valid on 64x64
    before = panel.report()
    names_before = _leaf_names(panel.table_model)
    panel.form.height_box.setValue(8)  # 8 + 2 x 3 padding rows < a 31x31 kernel
    message = panel.form.error_text()
    assert "conv0" in message and "31x31" in message and "last valid" in message
    assert panel.form.error_box.isVisibleTo(panel)
    assert panel.report() is before
    assert _leaf_names(panel.table_model) == names_before
    assert f"{before.totals.params:,}" in panel.totals.params.text()
    assert panel.session.architecture.input_shape == (64, 64, 3)
    panel.form.height_box.setValue(64)  # valid again: the message goes away
    assert panel.form.error_text() == ""


def test_option_error_names_the_option(panel):
    panel.select_entry("resnet50")
    panel.form.option_box("pooling").setCurrentText("avg7")  # valid at 224
    assert panel.form.error_text() == ""
    panel.form.height_box.setValue(160)  # avg7 needs a 7x7 final map
    assert "avg7" in panel.form.error_text()


def test_export_writes_the_rows(panel, tmp_path):
    panel.select_entry("resnet50_course")
    rows = panel.report().rows
    path = panel.export_table(tmp_path / "table.csv")
    records = list(csv.DictReader(io.StringIO(path.read_text())))
    layers = [r for r in records if r["kind"] == "layer"]
    assert [r["name"] for r in layers] == [r.name for r in rows]
    assert int([r for r in records if r["kind"] == "total"][0]["params"]) == 23_600_006
    data = json.loads(panel.export_table(tmp_path / "table.json").read_text())
    assert data["architecture"] == "resnet50_course"
    assert [layer["name"] for layer in data["layers"]] == [r.name for r in rows]
    assert data["totals"]["params"] == 23_600_006
    assert data["totals"]["flops"] == 2 * data["totals"]["macs"]
    md = panel.export_table(tmp_path / "table", "md").read_text()
    assert (tmp_path / "table.md").exists()
    assert all(f"`{r.name}`" in md for r in rows)
    for png in panel.export_charts(tmp_path / "charts"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(list((tmp_path / "charts").glob("resnet50_course-*.png"))) == 3


def test_table_selection_and_bar_clicks_are_linked(panel, qtbot):
    panel.show()
    qtbot.waitExposed(panel)
    panel.select_entry("resnet50")
    assert panel.select_layer("res3a_branch2b")
    assert panel.charts.macs.selected == "res3a_branch2b"
    assert panel.charts.macs.marker.isVisible()
    chart = panel.charts.macs
    i = chart.names.index("res4a_branch2b")
    vb = chart.plot.getViewBox()
    scene = vb.mapViewToScene(QPointF(i, chart.values[i] / 2))
    pos = chart.widget.mapFromScene(scene)
    with qtbot.waitSignal(panel.charts.layer_clicked, timeout=UI_MS) as blocker:
        qtbot.mouseClick(chart.widget.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert blocker.args == ["res4a_branch2b"]
    assert panel.selected_layer() == "res4a_branch2b"


def test_sorting_and_network_order(panel):
    panel.select_entry("vgg16")
    panel.grouped.setChecked(False)
    panel.table.sortByColumn(COLUMNS.index("MACs"), Qt.SortOrder.DescendingOrder)
    top = panel.proxy.index(0, 0).data(LAYER_NAME_ROLE)
    report = panel.report()
    assert top == max(report.rows, key=lambda r: r.macs or 0).name
    panel.table_box.network_order.click()  # the button the user presses
    assert _leaf_names(panel.proxy) == [r.name for r in report.rows]


def test_log_scale_and_search(panel):
    panel.select_entry("vgg16")
    panel.charts.log_scale.setChecked(True)
    assert panel.charts.macs.plot.getAxis("left").logMode
    panel.search.setText("residual")
    visible = [item.text(0) for item in panel._entry_items() if not item.isHidden()]
    assert visible and all("VGG" not in t for t in visible)
    assert any("ResNet" in t for t in visible)


def test_bottleneck_comparison_moves_with_its_controls(panel):
    view = panel.bottleneck
    c = view.comparison()
    assert (c.naive.totals.macs, c.reduced.totals.macs) == (120_422_400, 12_443_648)
    assert "120,422,400" in view.naive.macs.text() and "12,443,648" in view.reduced.macs.text()
    assert "9.68" in view.ratio.text()
    view.width_bottleneck.setValue(32)
    c = view.comparison()
    assert c.reduced.totals.macs == 28 * 28 * 192 * 32 + 5 * 5 * 32 * 28 * 28 * 32
    assert f"{c.reduced.totals.macs:,}" in view.reduced.macs.text()
    view.set_values(input_shape=(14, 14, 480))
    assert view.comparison().naive.totals.macs == 5 * 5 * 480 * 14 * 14 * 32


def test_bottleneck_ratio_says_more_when_the_bottleneck_costs_more(panel):
    """Issue 17: width 192 once read "0.81x fewer parameters (190,688 vs 153,632)"."""
    view = panel.bottleneck
    view.width_bottleneck.setValue(192)
    text = view.ratio.text()
    assert "1.24x more parameters (190,688 vs 153,632)" in text
    assert "0.81" not in text and "fewer parameters" not in text


def test_slow_entries_build_in_a_worker_and_the_newest_result_wins(panel, qtbot, monkeypatch):
    """The keras.applications path, without TensorFlow: pretend HappyModel is slow."""
    monkeypatch.setattr(zoo.ZooEntry, "needs_keras", lambda entry, *config: True)
    panel.select_entry("resnet50")
    with qtbot.waitSignal(panel.recomputed, timeout=THREAD_MS):
        panel.select_entry("happymodel")
    assert panel.report().totals.params == 37_633
    with qtbot.waitSignal(panel.recomputed, timeout=THREAD_MS) as blocker:
        panel.form.option_box("filters").setValue(16)
        panel.form.option_box("filters").setValue(8)  # supersedes the request for 16
    qtbot.waitUntil(lambda: panel.busy_workers() == 0, timeout=THREAD_MS)
    expected = cost_report(zoo.build("happymodel", filters=8)).totals.params
    assert panel.report().totals.params == expected
    assert blocker.args[0].totals.params in (expected, cost_report(
        zoo.build("happymodel", filters=16)).totals.params)
    assert not panel.busy.isVisibleTo(panel)
    before = panel.report()
    panel.form.option_box("kernel").setValue(31)
    qtbot.waitUntil(lambda: panel.busy_workers() == 0, timeout=THREAD_MS)
    assert panel.report() is not before
    before = panel.report()
    panel.form.height_box.setValue(8)  # 8 + 2 x 3 padding < 31: the conv cannot fit
    qtbot.waitUntil(lambda: panel.busy_workers() == 0 and panel.form.error_text() != "",
                    timeout=THREAD_MS)
    assert "conv0" in panel.form.error_text()
    assert panel.report() is before


def test_keras_application_entries_are_recognised():
    keras_entries = [e for e in zoo.entries() if e.family == "Keras applications"]
    assert keras_entries and all(e.keras_build_needed is not None for e in keras_entries)
    assert all(e.needs_keras(classes=10) for e in keras_entries)  # no shipped spec for 10
    assert not any(e.needs_keras() for e in keras_entries)  # defaults: shipped specs
    assert not zoo.get("resnet50").needs_keras()


def _block_index(panel, path):
    return panel.proxy.mapFromSource(dict(panel.table_model.block_indexes())[path])


def test_a_value_change_updates_the_tree_in_place(panel, qtbot):
    """Same rows, new values: no model reset, so expansion and selection stay put."""
    panel.show()
    qtbot.waitExposed(panel)
    panel.select_entry("resnet50")
    panel.table.setExpanded(_block_index(panel, "stage3/res3b"), True)  # opened by the user
    panel.table.setExpanded(_block_index(panel, "stage4"), False)  # closed by the user
    assert panel.select_layer("res2a_branch2b")
    rows_before = len(_leaf_names(panel.proxy))
    resets = []
    panel.table_model.modelReset.connect(lambda: resets.append(1))
    panel.form.height_box.setValue(160)
    panel.form.classes_box.setValue(10)  # renames fc1000 to fc10
    assert resets == []
    report = panel.report()
    assert report.network.input_shape == (160, 224, 3)
    assert _leaf_names(panel.proxy) == [r.name for r in report.rows]
    assert len(_leaf_names(panel.proxy)) == rows_before
    assert panel.table.isExpanded(_block_index(panel, "stage3/res3b"))
    assert not panel.table.isExpanded(_block_index(panel, "stage4"))
    assert panel.table.isExpanded(_block_index(panel, "stage2"))
    assert panel.selected_layer() == "res2a_branch2b"
    assert panel.charts.macs.selected == "res2a_branch2b"
    # the cells show the new values, for layers and block subtotals alike
    row = report.row("fc10")
    fc = panel.proxy.mapFromSource(panel.table_model.index_of_layer("fc10"))
    assert fc.data() == "fc10"
    assert fc.siblingAtColumn(COLUMNS.index("Params")).data() == f"{row.params:,}"
    conv = panel.proxy.mapFromSource(panel.table_model.index_of_layer("res2a_branch2b"))
    assert conv.siblingAtColumn(SHAPE).data() == " x ".join(
        map(str, report.row("res2a_branch2b").output_shape))
    stage2 = _block_index(panel, "stage2")
    assert stage2.siblingAtColumn(COLUMNS.index("MACs")).data() == \
        f"{report.blocks['stage2'].macs:,}"
    # another entry (new rows) still resets, with the default expansion
    panel.select_entry("vgg16")
    assert resets == [1]


def test_a_sorted_table_is_sorted_again_after_a_value_change(panel):
    panel.select_entry("resnet50")
    panel.grouped.setChecked(False)
    params = COLUMNS.index("Params")
    panel.table.sortByColumn(params, Qt.SortOrder.DescendingOrder)
    assert panel.proxy.index(0, 0).data(LAYER_NAME_ROLE) != "fc1000"
    panel.form.classes_box.setValue(5000)  # 10 M weights: now the largest layer
    assert panel.proxy.index(0, 0).data(LAYER_NAME_ROLE) == "fc5000"
    report = panel.report()
    shown = [panel.proxy.index(r, params).data(SORT_ROLE) for r in range(len(report.rows))]
    assert shown == sorted((r.params for r in report.rows), reverse=True)


def test_bar_charts_tick_whole_layer_indexes_only(panel, qtbot):
    panel.show()
    qtbot.waitExposed(panel)
    for key in ("happymodel", "resnet50"):
        panel.select_entry(key)
        for chart in panel.charts.charts():
            axis = chart.plot.getAxis("bottom")
            low, high = chart.plot.getViewBox().viewRange()[0]
            ticks = [v for _spacing, values in axis.tickValues(low, high, axis.width())
                     for v in values]
            assert ticks, (key, chart.title)
            assert all(float(v).is_integer() and 0 <= v < len(chart.names) for v in ticks)


def _cell(panel, layer, column):
    index = panel.table_model.index_of_layer(layer)
    return index.siblingAtColumn(column).data()


def test_kernel_and_stride_are_in_the_table_not_only_a_tooltip(panel):
    """Issue 17: kernel and stride appeared only in a row's tooltip."""
    panel.select_entry("googlenet")
    assert _cell(panel, "conv1", TYPE) == "Conv2D 7x7, s=2"
    assert _cell(panel, "pool1", TYPE) == "MaxPooling2D 3x3, s=2"
    assert _cell(panel, "inception_3a_3x3_reduce", TYPE) == "Conv2D 1x1 (3x3 reduce)"
    assert _cell(panel, "inception_3a_3x3", TYPE) == "Conv2D 3x3"  # not "3x3 (3x3)"
    assert _cell(panel, "inception_3a_pool", TYPE) == "MaxPooling2D 3x3 (pool)"  # s=1 unsaid
    assert _cell(panel, "predictions", TYPE) == "Dense"
    panel.select_entry("resnet50_course")
    assert _cell(panel, "res3a_branch1", TYPE) == "Conv2D 1x1, s=2 (shortcut)"


@pytest.mark.parametrize("key, longest", [("googlenet", "inception_3a_pool_proj"),
                                          ("resnet50_course", "res2a_branch2b_relu")])
def test_name_and_type_fit_their_text_and_the_user_can_widen_them(qtbot, key, longest):
    """Issue 17: Name and Type stretched and could not be widened; nested names were cut."""
    from PySide6.QtWidgets import QHeaderView

    session = Session()
    p = ArchitecturePanel(session)
    qtbot.addWidget(p)
    p.table_box.resize(1250, 600)  # the table's room in a 1920 px window
    p.table_box.show()
    qtbot.waitExposed(p.table_box)
    p.select_entry(key)
    p.table.expandAll()
    header = p.table.header()
    assert header.sectionResizeMode(NAME) == QHeaderView.ResizeMode.Interactive
    assert header.sectionResizeMode(TYPE) == QHeaderView.ResizeMode.Interactive
    index = p.proxy.mapFromSource(p.table_model.index_of_layer(longest))
    text_right = p.table.visualRect(index).left() + p.table.fontMetrics().horizontalAdvance(
        longest)
    assert text_right < header.sectionSize(NAME)  # the whole name, not "inception_p..."
    widest_type = max(p.table.fontMetrics().horizontalAdvance(
        p.table_model.index_of_layer(r.name).siblingAtColumn(TYPE).data())
        for r in p.report().rows)
    assert widest_type < header.sectionSize(TYPE)
    assert not p.table.horizontalScrollBar().isVisible()  # and every column on screen
    _drag_section_edge(header, NAME, 520 - header.sectionSize(NAME))  # the user widens Name
    assert header.sectionSize(NAME) == 520
    p.form.classes_box.setValue(10)  # a recompute ...
    p.select_entry("vgg16")  # ... or another network keeps the user's width
    p.table_box.resize(1000, 600)  # ... and so does a narrower window
    assert header.sectionSize(NAME) == 520


def _drag_section_edge(header, section, dx):
    """Press on the right edge of `section` in the header, move by `dx`, release: a drag."""
    from PySide6.QtCore import QEvent, QPointF
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    port = header.viewport()
    edge = header.sectionViewportPosition(section) + header.sectionSize(section) - 1
    y = header.height() / 2
    for kind, x, held in ((QEvent.Type.MouseButtonPress, edge, Qt.MouseButton.LeftButton),
                          (QEvent.Type.MouseMove, edge + dx / 2, Qt.MouseButton.LeftButton),
                          (QEvent.Type.MouseMove, edge + dx, Qt.MouseButton.LeftButton),
                          (QEvent.Type.MouseButtonRelease, edge + dx, Qt.MouseButton.NoButton)):
        at = QPointF(x, y)
        button = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else \
            Qt.MouseButton.LeftButton
        QApplication.sendEvent(port, QMouseEvent(kind, at, QPointF(port.mapToGlobal(at)),
                                                 button, held, Qt.KeyboardModifier.NoModifier))
