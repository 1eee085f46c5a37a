"""pyqtgraph axes for the cost charts: counts written as 120 M, x ticks that name layers."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtGui import QFontMetrics

from cnnexplorer.core.formatting import compact_count


class CountAxis(pg.AxisItem):
    """A value axis that writes 120 M rather than 1.2e+08 (log mode: 10^n as pyqtgraph does)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.enableAutoSIPrefix(False)  # the tick texts carry the prefix (k, M, G) already

    def tickStrings(self, values, scale, spacing):
        if self.logMode:
            # pyqtgraph ticks every 1..9 x 10^n; written out, "800 M 900 M 1 G" and
            # "8 G 9 G 10 G" run into each other, so only 1, 2 and 5 x 10^n are named
            return [compact_count(10 ** v, spaced=True) if _leading_digit(10 ** v) in (1, 2, 5)
                    else "" for v in values]
        return [compact_count(v * scale, spaced=True) for v in values]


def _leading_digit(x: float) -> int:
    """3 for 3e9 (and for 2.9999999e9, a tick computed in log space)."""
    return int(f"{x:.3e}"[0])


class IndexAxis(pg.AxisItem):
    """An x axis over row indexes (bar k is layer k): integer ticks only, named when they fit.

    pyqtgraph picks 0.5 steps when few bars are shown (HappyModel), and a tick at -0.5 or
    1.5 names no layer; nor does one left of the first bar or right of the last (`count`).
    When every tick's layer name fits in the space between ticks (a small network, or a
    zoomed-in view), the ticks show the names; otherwise indexes, and the hover tooltip names
    the layer under the mouse.
    """

    count = 0  # the number of rows shown; the chart sets it with the range
    names: list = []  # the label of each x position (layer names; "" for none)

    def tickValues(self, minVal, maxVal, size):  # noqa: N802 (pyqtgraph override)
        def keep(v) -> bool:
            return float(v).is_integer() and 0 <= v < self.count

        levels = [(spacing, [v for v in values if keep(v)])
                  for spacing, values in super().tickValues(minVal, maxVal, size)
                  if spacing >= 1]
        if not any(values for _spacing, values in levels):
            levels = [(1.0, [float(k) for k in range(max(0, math.ceil(minVal)),
                                                     min(self.count, math.floor(maxVal) + 1))])]
        return levels

    def tickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph override)
        view = self.linkedView()
        if not values or view is None or not any(self.names):
            return super().tickStrings(values, scale, spacing)
        lo, hi = view.viewRange()[0]
        shown = [t for t in self.names[max(0, math.ceil(lo)):max(0, math.floor(hi) + 1)] if t]
        per_step = self.geometry().width() / max(hi - lo, 1e-9)
        metrics = QFontMetrics(self.font())
        # every visible name must fit its step, or no tick is named (a mix reads as noise)
        if not shown or max(metrics.horizontalAdvance(t) for t in shown) + 8 > per_step:
            return super().tickStrings(values, scale, spacing)
        return [self.names[int(v)] if 0 <= int(v) < len(self.names) else "" for v in values]
