"""The cost charts: log scale off again, layer names on hover and on the axis, and Inception's
branches drawn side by side in the n_H vs n_C chart."""

import pytest
from PySide6.QtCore import QPointF

from cnnexplorer.core.arch.cost import cost_report
from cnnexplorer.core.arch.zoo import build
from cnnexplorer.core.views.progression import shape_progression
from cnnexplorer.gui.architecture.cost_charts import CostCharts


@pytest.fixture
def charts(qtbot):
    widget = CostCharts()
    qtbot.addWidget(widget)
    widget.resize(1300, 340)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.mark.parametrize("key", ["googlenet", "happymodel"])
def test_unticking_log_scale_shows_every_bar_again(charts, key):
    """Issue 13, defect 1: the view stayed at about +-300 with every bar clipped."""
    report = cost_report(build(key))
    charts.set_report(report)
    charts.log_scale.setChecked(True)
    charts.log_scale.setChecked(False)
    for chart in (charts.macs, charts.params):
        low, high = chart.plot.getViewBox().viewRange()[1]
        assert low == 0 and high >= max(chart.values), (chart.title, low, high)
        assert not chart.plot.getAxis("left").logMode


def _scene_pos(chart, x, y):
    return chart.plot.getViewBox().mapViewToScene(QPointF(x, y))


def test_hovering_a_bar_names_its_layer(charts):
    charts.set_report(cost_report(build("resnet50_course")))
    chart = charts.macs
    i = chart.names.index("res2a_branch1")
    text = charts.tooltip_at(chart, _scene_pos(chart, i, chart.values[i] / 2))
    assert text.startswith("res2a_branch1 (Conv2D, shortcut): ") and "MACs" in text
    assert charts.tooltip_at(chart, _scene_pos(chart, -0.9, 1)) == ""


def test_a_small_network_names_its_bars_on_the_axis(charts):
    charts.set_report(cost_report(build("happymodel")))
    axis = charts.params.plot.getAxis("bottom")
    assert axis.tickStrings([0.0, 1.0, 2.0], 1, 1) == ["conv0", "bn0", "fc"]
    charts.set_report(cost_report(build("resnet50")))  # 100+ bars: indexes, names on hover
    axis = charts.macs.plot.getAxis("bottom")
    assert axis.tickStrings([0.0, 10.0], 1, 10) == ["0", "10"]


def test_inception_branches_share_a_depth_in_the_shape_chart(charts):
    net = build("googlenet")
    charts.set_report(cost_report(net))
    chart = charts.shape
    xs = dict(zip(chart.names, chart.xs))
    branches = ["inception_3a_1x1", "inception_3a_3x3_reduce", "inception_3a_5x5_reduce",
                "inception_3a_pool"]
    assert len({xs[b] for b in branches}) == 1  # side by side, not one after another
    assert xs["inception_3a_output"] == xs["inception_3a_3x3"] + 1
    prog = shape_progression(net)
    trunk = {prog.points[i].name for i in prog.trunk}
    assert "inception_3a_output" in trunk and "inception_3a_3x3" not in trunk
    # the bold main path never passes through a branch: its channel counts only grow here
    channels = [prog.points[i].channels for i in prog.trunk
                if prog.points[i].name.startswith("inception_3")]
    assert channels == sorted(channels)
    # picking at a shared depth takes the branch plotted nearest the mouse
    i = chart.names.index("inception_3a_5x5_reduce")  # 16 channels: the lowest point there
    assert chart.index_at(_scene_pos(chart, chart.xs[i], 4.0)) == i


def test_the_layer_table_uses_the_courses_words(qtbot):
    from cnnexplorer.gui.architecture.layer_table import LayerTableModel

    model = LayerTableModel()
    model.set_report(cost_report(build("resnet50_course")), True)
    shortcut = model.index_of_layer("res2a_branch1")
    # the course's word after the kind and its window (the kernel, issue 17)
    assert model.index(shortcut.row(), 1, shortcut.parent()).data() == "Conv2D 1x1 (shortcut)"
    block = shortcut.parent()  # the res2a row
    assert block.data() == "res2a"
    assert model.index(block.row(), 1, block.parent()).data() == "convolutional block (12)"
    identity = model.index_of_layer("res2b_branch2a").parent()
    assert model.index(identity.row(), 1, identity.parent()).data() == "identity block (10)"
