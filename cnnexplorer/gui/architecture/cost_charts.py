"""Cost charts of a `CostReport` (pyqtgraph): MACs and params per layer, and the progression
of spatial size against channels (the notes' 224 -> 112 -> ... -> 7 while channels grow).

Bars are coloured by layer type (with a legend); clicking a bar emits `layer_clicked(name)`,
and `highlight(name)` marks the bar of a layer selected elsewhere. Colours come from the
widget palette (background, axes, the highlight outline) plus a fixed set of mid-tone colours
chosen to stay legible on both light and dark backgrounds.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (QCheckBox, QGraphicsItem, QHBoxLayout, QLabel, QToolTip,
                               QVBoxLayout, QWidget)

from cnnexplorer.core.arch.cost import CostReport, LayerRow
from cnnexplorer.core.formatting import readable_count
from cnnexplorer.gui.architecture.chart_axes import CountAxis, IndexAxis
from cnnexplorer.core.views.kind_colours import kind_colour
from cnnexplorer.core.views.progression import shape_progression

# the shape chart's two lines, in the colours of the kinds that change them most
_HEIGHT_COLOUR, _CHANNELS_COLOUR = kind_colour("Conv2D"), kind_colour("Dense")
#: a bar's colour by layer type: the one table the diagram tints too
type_colour = kind_colour


def _palette_colours(widget: QWidget) -> tuple[QColor, QColor]:
    pal = widget.palette()
    return pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text)


def legend_html(kinds) -> str:
    """Coloured squares and names, for a legend row that never hides a bar."""
    return "&nbsp;&nbsp;".join(f"<span style='color:{type_colour(k)}'>&#9632;</span>&nbsp;{k}"
                               for k in kinds)


class _Chart:
    """One plot whose x axis enumerates some rows of the report (a row index per x)."""

    def __init__(self, title: str, y_label: str, units: str = "", counts: bool = True):
        axes = {"bottom": IndexAxis("bottom")}
        if counts:
            axes["left"] = CountAxis("left")
        self.widget = pg.PlotWidget(axisItems=axes)
        self.widget.setMinimumSize(140, 160)
        self.plot = self.widget.getPlotItem()
        self.plot.setMenuEnabled(False)
        self.plot.showGrid(x=False, y=True, alpha=0.25)
        self.title = title
        self.y_label, self.units = y_label, units
        self.plot.setLabel("left", y_label, units=units)
        for side in ("left", "bottom"):
            # Drawn into a cached pixmap: the left axis's grid lines cover the plot, so a
            # changed bar repainted both axes' text and lines (1-2 ms each) on every change
            # even when their ticks stayed; pyqtgraph invalidates the cache when they move.
            self.plot.getAxis(side).setCacheMode(
                QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.names: list[str] = []
        self.values: list[int] = []
        self.xs: list[float] = []  # x of each name: its index for bars, its depth for shapes
        self.ys: list[tuple[float, ...]] = []  # plotted y of each name (to pick among equal x)
        self.tips: list[str] = []  # the hover text of each name
        self.marker = pg.InfiniteLine(angle=90, movable=False)
        self.marker.setZValue(20)
        self.marker.hide()
        self.plot.addItem(self.marker, ignoreBounds=True)
        self.selected: str | None = None
        self.bars: dict[str, pg.BarGraphItem] = {}  # one item per layer type, reused
        self._applied: dict[str, object] = {}

    def apply(self, key: str, value, setter) -> None:
        """Call `setter(value)` only when `value` changed: pyqtgraph re-lays out an axis or
        title on every set, which costs more than redrawing the bars."""
        if self._applied.get(key, self) != value:
            setter(value)
            self._applied[key] = value

    def set_range(self, x: tuple[float, float], y: tuple[float, float]) -> None:
        """Show exactly x by y, unless the view already does (after a pan it does not).

        pyqtgraph's setXRange/setYRange repaint the whole plot even for the same range; a
        config change usually keeps the ranges, and then only the changed bars repaint.
        """
        vb = self.plot.getViewBox()
        want = [[float(x[0]), float(x[1])], [float(y[0]), float(y[1])]]
        if vb.targetRange() != want or any(vb.autoRangeEnabled()):
            vb.setRange(xRange=want[0], yRange=want[1], padding=0)

    def index_at(self, scene_pos) -> int | None:
        """The name under `scene_pos`: the nearest x within half a step, and of the names
        sharing that x (parallel branches), the one plotted nearest the mouse."""
        vb = self.plot.getViewBox()
        if not self.names or not vb.sceneBoundingRect().contains(scene_pos):
            return None
        at = vb.mapSceneToView(scene_pos)
        x = int(round(at.x()))
        if abs(at.x() - x) > 0.5:
            return None
        near = [i for i, xi in enumerate(self.xs) if xi == x]
        if not near:
            return None
        return min(near, key=lambda i: min((abs(y - at.y()) for y in self.ys[i]), default=0))

    def set_rows(self, names: list[str], values: list, xs: list[float],
                 ys: list[tuple[float, ...]], tips: list[str]) -> None:
        self.names, self.values, self.xs, self.ys, self.tips = names, values, xs, ys, tips
        axis = self.plot.getAxis("bottom")
        axis.count = int(max(xs, default=-1)) + 1
        labels = [""] * axis.count
        for name, x in zip(names, xs):  # parallel branches share an x: it keeps no name
            labels[int(x)] = "" if labels[int(x)] else name
        if labels != axis.names:
            axis.names = labels
            axis.picture = None  # the tick texts change even where the ticks stay

    def set_title(self, text_colour: QColor) -> None:
        extra = ""
        if self.selected in self.names:
            v = self.values[self.names.index(self.selected)]
            extra = f"  ·  {self.selected}: {readable_count(v)}"
        self.apply("title", (self.title + extra, text_colour.name()),
                   lambda v: self.plot.setTitle(v[0], color=v[1], size="10pt"))


class CostCharts(QWidget):
    """MACs per layer, params per layer, spatial size vs channels; see the module docstring."""

    layer_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._report: CostReport | None = None
        self._lines = None  # the progression chart's two curves
        self.macs = _Chart("MACs per layer", "MACs")
        self.params = _Chart("Parameters per layer", "params")
        self.shape = _Chart(f"<span style='color:{_HEIGHT_COLOUR}'>n_H</span> vs "
                            f"<span style='color:{_CHANNELS_COLOUR}'>n_C</span>",
                            "size (log scale)", counts=False)
        self.legend = QLabel()
        self.legend.setObjectName("chart_legend")
        self.legend.setToolTip("bar colours: layer type")
        self.log_scale = QCheckBox("Log scale (bars)")
        self.log_scale.setToolTip("Show the bar heights on a logarithmic axis, so small "
                                  "layers stay visible next to the largest")
        self.log_scale.toggled.connect(self._on_log_scale_toggled)
        controls = QHBoxLayout()
        controls.addWidget(self.log_scale)
        controls.addSpacing(16)
        controls.addWidget(self.legend, 1)
        row = QHBoxLayout()
        for chart in self.charts():
            row.addWidget(chart.widget, 1)
            chart.widget.scene().sigMouseClicked.connect(
                lambda ev, c=chart: self._on_chart_clicked(c, ev))
            chart.widget.scene().sigMouseMoved.connect(
                lambda pos, c=chart: self._on_chart_mouse_moved(c, pos))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(controls)
        layout.addLayout(row, 1)
        self._apply_palette()

    def charts(self) -> tuple[_Chart, _Chart, _Chart]:
        return self.macs, self.params, self.shape

    # -- data ---------------------------------------------------------------------------------
    def set_report(self, report: CostReport) -> None:
        self._report = report
        self._redraw()

    def set_log_scale(self, on: bool) -> None:
        self.log_scale.setChecked(on)

    def _redraw(self) -> None:
        report = self._report
        if report is None:
            return
        log = self.log_scale.isChecked()
        self.legend.setText("Bar colour = layer type: " + legend_html(
            dict.fromkeys(r.type for r in report.rows if r.params or r.macs)))
        self._draw_bars(self.macs, [r for r in report.rows if r.macs], lambda r: r.macs, log,
                        "conv and dense layers")
        self._draw_bars(self.params, [r for r in report.rows if r.params],
                        lambda r: r.params, log, "layers with weights")
        self._draw_progression(report)
        self.highlight(self.macs.selected)

    def _draw_bars(self, chart: _Chart, rows: list[LayerRow], value, log: bool,
                   x_label: str) -> None:
        plot = chart.plot
        values = [value(r) for r in rows]
        heights = np.array(values, dtype=float)
        if log:
            heights = np.log10(np.maximum(heights, 1.0))
        chart.set_rows([r.name for r in rows], values, list(range(len(rows))),
                       [(float(h),) for h in heights],
                       [f"{r.name} ({r.type}{', ' + r.role if r.role else ''}): "
                        f"{v:,} {chart.y_label}" for r, v in zip(rows, values)])
        by_type: dict[str, list[int]] = {}
        for i, r in enumerate(rows):
            by_type.setdefault(r.type, []).append(i)
        for kind in list(chart.bars):
            if kind not in by_type:
                plot.removeItem(chart.bars.pop(kind))
        for kind, idx in by_type.items():
            x = np.array(idx, dtype=float)
            h = heights[idx]
            item = chart.bars.get(kind)
            if item is None:
                colour = type_colour(kind)
                item = chart.bars[kind] = pg.BarGraphItem(
                    x=x, height=h, width=0.7, brush=colour, pen=None, name=kind)
                plot.addItem(item)
            elif not (np.array_equal(item.opts["x"], x)
                      and np.array_equal(item.opts["height"], h)):
                # only a type whose bars moved: each setOpts repaints the item's whole area
                item.setOpts(x=x, height=h, width=0.7)
        # A view box in log mode clamps any range to +-308 (10**y must stay finite), and an
        # axis switched to log while showing 1e9 would compute 10**1e9: so the linear range is
        # set after leaving log mode, the log range before entering it.
        top = float(heights.max()) if len(heights) else 1.0
        if not log:
            chart.apply("log", log, plot.getAxis("left").setLogMode)
        chart.set_range((-1, max(len(rows), 1)), (0, max(top, 1e-9) * 1.04))
        if log:
            chart.apply("log", log, plot.getAxis("left").setLogMode)
        chart.apply("left", chart.y_label + (" (log scale)" if log else ""),
                    lambda v: plot.setLabel("left", v))
        chart.apply("bottom", x_label, lambda v: plot.setLabel("bottom", v))

    def _draw_progression(self, report: CostReport) -> None:
        """n_H and n_C of each image-shaped layer at its depth, every edge its own segment:
        an Inception module's branches stand side by side instead of zig-zagging."""
        chart = self.shape
        plot = chart.plot
        prog = shape_progression(report.network)
        points = prog.points
        h = np.log2([p.height for p in points]) if points else np.zeros(0)
        c = np.log2([p.channels for p in points]) if points else np.zeros(0)
        chart.set_rows([p.name for p in points], [p.height for p in points],
                       [p.x for p in points], [(float(a), float(b)) for a, b in zip(h, c)],
                       [f"{p.name}: {p.height}x{p.height} x {p.channels} channels"
                        for p in points])
        if self._lines is None:  # made once: setData is much cheaper than a new item
            trunks = [pg.PlotDataItem(pen=pg.mkPen(colour, width=2.5), symbol="o",
                                      symbolSize=4, symbolPen=None, symbolBrush=colour)
                      for colour in (_HEIGHT_COLOUR, _CHANNELS_COLOUR)]
            branches = []
            for colour in (_HEIGHT_COLOUR, _CHANNELS_COLOUR):
                faint = QColor(colour)
                faint.setAlphaF(0.45)
                branches.append(pg.PlotDataItem(pen=pg.mkPen(faint, width=1), connect="pairs",
                                                symbol="o", symbolSize=3, symbolPen=None,
                                                symbolBrush=faint))
            self._lines = (*trunks, *branches)
            for line in self._lines:
                plot.addItem(line)
        if points:
            trunk = list(prog.trunk)
            pairs = [k for seg in prog.branch_segments() for k in seg]
            for line, y, idx in zip(self._lines, (h, c, h, c), (trunk, trunk, pairs, pairs)):
                x = np.array([points[k].x for k in idx], dtype=float)
                if not (np.array_equal(line.xData, x) and np.array_equal(line.yData, y[idx])):
                    line.setData(x, y[idx])  # a class count change leaves these alone
            top = int(math.ceil(max(h.max(), c.max())))
            chart.apply("ticks", top, lambda t: plot.getAxis("left").setTicks(
                [[(k, f"{2 ** k:,}") for k in range(0, t + 1)], []]))
            chart.set_range((-0.5, prog.depth - 0.5), (0, top + 0.3))
        else:
            for line in self._lines:
                line.setData([], [])
        chart.apply("bottom", "depth (branches side by side)",
                    lambda v: plot.setLabel("bottom", v))

    # -- selection ----------------------------------------------------------------------------
    def highlight(self, name: str | None) -> None:
        """Mark the layer's bar/point in every chart that shows it (None: clear)."""
        text = _palette_colours(self)[1]
        for chart in self.charts():
            chart.selected = name
            if name in chart.names:
                chart.marker.setValue(chart.xs[chart.names.index(name)])
                chart.marker.show()
            else:
                chart.marker.hide()
            chart.set_title(text)

    def _on_chart_clicked(self, chart: _Chart, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        i = chart.index_at(event.scenePos())
        if i is not None:
            name = chart.names[i]
            self.highlight(name)
            self.layer_clicked.emit(name)

    def tooltip_at(self, chart: _Chart, scene_pos) -> str:
        """The hover text at a scene position: the layer's name, type and value ("" if none)."""
        i = chart.index_at(scene_pos)
        return "" if i is None else chart.tips[i]

    def _on_chart_mouse_moved(self, chart: _Chart, scene_pos) -> None:
        text = self.tooltip_at(chart, scene_pos)
        view = chart.widget
        if text:
            QToolTip.showText(view.mapToGlobal(view.mapFromScene(scene_pos)), text, view)
        else:
            QToolTip.hideText()

    def _on_log_scale_toggled(self, _on: bool) -> None:
        self._redraw()

    # -- look ---------------------------------------------------------------------------------
    def _apply_palette(self) -> None:
        base, text = _palette_colours(self)
        marker_pen = pg.mkPen(text, width=2, style=Qt.PenStyle.DashLine)
        for chart in self.charts():
            chart.widget.setBackground(base)
            for side in ("left", "bottom"):
                axis = chart.plot.getAxis(side)
                axis.setPen(text)
                axis.setTextPen(text)
            chart.marker.setPen(marker_pen)
            chart.set_title(text)
            for bar in chart.bars.values():  # the bars keep their colours
                bar.update()
        self._redraw()

    def changeEvent(self, event):
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._apply_palette()
        super().changeEvent(event)

    # -- export -------------------------------------------------------------------------------
    def export_png(self, folder: str | Path, stem: str) -> list[Path]:
        """Write each chart as `<stem>-<chart>.png` in `folder`; returns the paths written."""
        from pyqtgraph.exporters import ImageExporter

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for suffix, chart in (("macs", self.macs), ("params", self.params),
                              ("progression", self.shape)):
            path = folder / f"{stem}-{suffix}.png"
            exporter = ImageExporter(chart.plot)
            exporter.parameters()["width"] = max(800, int(chart.widget.width()))
            exporter.export(str(path))
            written.append(path)
        return written
