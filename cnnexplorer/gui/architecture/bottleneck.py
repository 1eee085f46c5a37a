"""The "1x1 bottleneck" comparison: the notes' naive 5x5 conv beside 1x1-then-5x5.

Both sides come from `core.arch.compare.bottleneck_comparison` (the zoo's `inception_5x5` entry,
bottleneck off and on). The user edits the input volume, the 5x5 filters and the bottleneck
width; both tables, both totals, the ratio and the bar chart move at once. An invalid value
shows the core's message and keeps the last valid numbers.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (QFormLayout, QGridLayout, QGroupBox, QHBoxLayout, QHeaderView,
                               QLabel, QSpinBox, QTreeView, QVBoxLayout, QWidget)

from cnnexplorer.core.arch.compare import BottleneckComparison, bottleneck_comparison
from cnnexplorer.core.arch.cost import CostReport
from cnnexplorer.core.formatting import readable_count, shape_text, times_text
from cnnexplorer.core.errors import ConfigError
from cnnexplorer.gui.errors import present_error
from cnnexplorer.gui.architecture.layer_table import LayerTableModel
from cnnexplorer.core.views.kind_colours import kind_colour
from cnnexplorer.gui.architecture.cost_charts import CountAxis

_NAIVE_COLOUR = "#e15759"
_REDUCE_COLOUR = "#76b7b2"
_CONV_COLOUR = kind_colour("Conv2D")


def _spin(minimum: int, maximum: int, value: int, tip: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(minimum, maximum)
    box.setValue(value)
    box.setKeyboardTracking(False)
    box.setToolTip(tip)
    return box


def conv_formulas(report: CostReport) -> list[str]:
    """The notes' arithmetic for each conv: (k*k*C_in) * (H*W*C_out) = its MACs."""
    net = report.network
    lines = []
    for row in report.rows:
        if row.type != "Conv2D" or not row.macs:
            continue
        node = net.node(row.name)
        k = node.layer.kernel_size
        kh, kw = (k, k) if isinstance(k, int) else k
        c_in = net.node(node.inputs[0]).output_shape[-1]
        h, w, c_out = row.output_shape
        lines.append(f"{row.name}: ({kh}x{kw}x{c_in}) x ({h}x{w}x{c_out}) = "
                     f"<b>{row.macs:,}</b>")
    return lines


class _Side(QGroupBox):
    """One side: its layers (the shared table model, flat) and its totals."""

    def __init__(self, title: str):
        super().__init__(title)
        self.model = LayerTableModel(self)
        self.view = QTreeView()
        self.view.setModel(self.model)
        self.view.setRootIsDecorated(False)
        self.view.setAlternatingRowColors(True)
        self.view.setUniformRowHeights(True)
        for col in (5, 6):
            self.view.setColumnHidden(col, True)
        self.view.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate((120, 60, 150, 70, 110)):
            self.view.setColumnWidth(col, width)
        self.view.setMinimumHeight(70)
        self.view.setMaximumHeight(96)
        self.formula = QLabel()
        self.formula.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.macs = QLabel()
        self.params = QLabel()
        big = self.macs.font()
        big.setPointSizeF(big.pointSizeF() * 1.3)
        self.macs.setFont(big)
        for label in (self.formula, self.macs, self.params):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)  # narrow windows wrap instead of widening the panel
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addWidget(self.formula)
        layout.addWidget(self.macs)
        layout.addWidget(self.params)

    def set_report(self, report: CostReport, formula_lines: int = 0) -> None:
        self.model.set_report(report, grouped=False)
        lines = conv_formulas(report)
        # pad so both sides' totals line up
        self.formula.setText("<br>".join(lines + ["&nbsp;"] * (formula_lines - len(lines))))
        t = report.totals
        self.macs.setText(f"<b>{t.macs:,}</b> multiplications (MACs), {readable_count(t.macs)}")
        self.params.setText(f"{t.params:,} parameters; output "
                            f"{shape_text(report.network.output_shapes[0], spaced=True)}")


class BottleneckView(QWidget):
    """See the module docstring. `comparison()` is the last valid result."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._comparison: BottleneckComparison | None = None
        self.height_box = _spin(1, 4096, 28, "input height")
        self.width_box = _spin(1, 4096, 28, "input width")
        self.channels_box = _spin(1, 8192, 192, "input channels")
        self.out_box = _spin(1, 8192, 32, "filters of the 5x5 conv (output channels)")
        self.width_bottleneck = _spin(1, 8192, 16, "channels of the 1x1 bottleneck")
        self.width_bottleneck.setObjectName("bottleneck_width")
        for box in (self.height_box, self.width_box, self.channels_box, self.out_box,
                    self.width_bottleneck):
            box.valueChanged.connect(self._on_control_changed)
        shape_row = QHBoxLayout()
        for box, sep in ((self.height_box, "x"), (self.width_box, "x"), (self.channels_box, "")):
            shape_row.addWidget(box)
            if sep:
                shape_row.addWidget(QLabel(sep))
        shape_row.addStretch(1)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow("Input volume H x W x C", shape_row)
        form.addRow("5x5 conv filters (output channels)", self.out_box)
        form.addRow("1x1 bottleneck width", self.width_bottleneck)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setObjectName("bottleneck_error")
        self.error.hide()
        intro = QLabel(
            "The notes' Inception cost example: a 5x5 'same' convolution applied directly to "
            "a 28x28x192 volume, against a 1x1 convolution that first shrinks the channels "
            "(the bottleneck layer) followed by the same 5x5 convolution. Both give the same "
            "output shape; count the multiplications.")
        intro.setWordWrap(True)
        self.naive = _Side("Naive: one 5x5 conv on the whole volume")
        self.reduced = _Side("With a 1x1 bottleneck, then the 5x5 conv")
        self.ratio = QLabel()
        self.ratio.setObjectName("bottleneck_ratio")
        self.ratio.setWordWrap(True)
        f = self.ratio.font()
        f.setPointSizeF(f.pointSizeF() * 1.25)
        self.ratio.setFont(f)
        self.chart = pg.PlotWidget(axisItems={"bottom": CountAxis("bottom")})
        self.chart.setMinimumHeight(160)
        self.chart.getPlotItem().setMenuEnabled(False)
        self.chart.getPlotItem().setMouseEnabled(False, False)
        grid = QGridLayout()
        grid.addWidget(self.naive, 0, 0)
        grid.addWidget(self.reduced, 0, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(grid)
        layout.addWidget(self.ratio)
        layout.addWidget(self.chart, 1)
        self._recompute()

    def comparison(self) -> BottleneckComparison | None:
        return self._comparison

    def set_values(self, input_shape=None, out_channels=None, bottleneck_width=None) -> None:
        """Set controls programmatically (one recompute per control that changes)."""
        if input_shape is not None:
            for box, v in zip((self.height_box, self.width_box, self.channels_box), input_shape):
                box.setValue(int(v))
        if out_channels is not None:
            self.out_box.setValue(int(out_channels))
        if bottleneck_width is not None:
            self.width_bottleneck.setValue(int(bottleneck_width))

    def _on_control_changed(self, _value: int) -> None:
        self._recompute()

    def _recompute(self) -> None:
        shape = (self.height_box.value(), self.width_box.value(), self.channels_box.value())
        try:
            c = bottleneck_comparison(shape, self.out_box.value(), self.width_bottleneck.value())
        except ConfigError as exc:
            self.error.setText(f"{exc}. The numbers below are from the last valid values.")
            self.error.show()
            return
        except Exception as exc:  # noqa: BLE001 - a bug: say so, keep the last view
            present_error(self, "Could not compute the bottleneck comparison", exc)
            return
        self.error.hide()
        self._comparison = c
        lines = max(len(conv_formulas(c.naive)), len(conv_formulas(c.reduced)))
        self.naive.set_report(c.naive, lines)
        self.reduced.set_report(c.reduced, lines)
        n, r = c.naive.totals, c.reduced.totals
        more = " (the bottleneck is wider than it saves)" if r.macs > n.macs else ""
        self.ratio.setText(
            f"The bottleneck needs <b>{times_text(r.macs, n.macs, 'multiplications')}</b>"
            f"{more}: {r.macs:,} instead of {n.macs:,}, and "
            f"{times_text(r.params, n.params, 'parameters')} ({r.params:,} vs {n.params:,}), "
            f"for the same output shape.")
        self._draw_chart(c)

    def _draw_chart(self, c: BottleneckComparison) -> None:
        plot = self.chart.getPlotItem()
        plot.clear()
        if plot.legend is None:
            plot.addLegend(offset=(-4, -4), labelTextSize="9pt")
        text = self.palette().color(QPalette.ColorRole.Text)
        plot.legend.setLabelTextColor(text)
        naive = c.naive.totals.macs
        reduce_macs = sum(row.macs or 0 for row in c.reduced.rows if row.name == "conv_1x1")
        conv = c.reduced.totals.macs - reduce_macs
        # horizontal bars: y 1 = naive, y 0 = bottleneck (1x1 part, then the 5x5 part)
        plot.addItem(pg.BarGraphItem(x0=[0], y=[1], height=0.6, width=[naive],
                                     brush=_NAIVE_COLOUR, pen=None, name="naive 5x5 conv"))
        plot.addItem(pg.BarGraphItem(x0=[0], y=[0], height=0.6, width=[reduce_macs],
                                     brush=_REDUCE_COLOUR, pen=None, name="1x1 bottleneck"))
        plot.addItem(pg.BarGraphItem(x0=[reduce_macs], y=[0], height=0.6, width=[conv],
                                     brush=_CONV_COLOUR, pen=None,
                                     name="5x5 conv after the bottleneck"))
        plot.getAxis("left").setTicks([[(1, "naive"), (0, "1x1 bottleneck")], []])
        plot.getAxis("left").setWidth(110)
        for y, value in ((1, naive), (0, c.reduced.totals.macs)):
            label = pg.TextItem(f"  {readable_count(value)}", color=text,
                                anchor=(0, 0.5))
            label.setPos(value, y)
            plot.addItem(label)
        plot.setLabel("bottom", "multiplications (MACs)")
        plot.setXRange(0, max(naive, c.reduced.totals.macs) * 1.12, padding=0)
        plot.setYRange(-0.5, 1.5, padding=0)
        self._apply_palette()

    def _apply_palette(self) -> None:
        pal = self.palette()
        base, text = pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text)
        self.chart.setBackground(base)
        for side in ("left", "bottom"):
            axis = self.chart.getPlotItem().getAxis(side)
            axis.setPen(text)
            axis.setTextPen(text)

    def changeEvent(self, event):
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            if self._comparison is not None:
                self._draw_chart(self._comparison)
        super().changeEvent(event)

