"""Live loss and accuracy curves (pyqtgraph) fed from growing numpy buffers.

Events append to buffers (cheap, any rate); a QTimer redraws at REFRESH_HZ only when something
changed, so a fast model's hundreds of batches per second never flood the GUI thread.
Training curves are per batch (x in epochs), with an exponential-moving-average smoothing
slider; validation is one point per epoch. Saved runs can be overlaid per epoch.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget

REFRESH_HZ = 10
_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
           "#17becf", "#bcbd22", "#7f7f7f"]


class GrowingBuffer:
    """Columns of float64 that double in capacity when full; `view()` is the filled part."""

    def __init__(self, columns: int, capacity: int = 1024):
        self._data = np.full((capacity, columns), np.nan)
        self.n = 0

    def append(self, row) -> None:
        if self.n == len(self._data):
            grown = np.full((2 * len(self._data), self._data.shape[1]), np.nan)
            grown[:self.n] = self._data
            self._data = grown
        self._data[self.n] = row
        self.n += 1

    def view(self) -> np.ndarray:
        return self._data[:self.n]

    def clear(self) -> None:
        self.n = 0


def ema(values: np.ndarray, alpha: float) -> np.ndarray:
    """Exponential moving average (TensorBoard's smoothing); NaNs are skipped, not spread."""
    out = np.empty_like(values)
    last = math.nan
    for i, v in enumerate(values.tolist()):
        last = _ema_step(last, v, alpha)
        out[i] = last
    return out


def _ema_step(last: float, value: float, alpha: float) -> float:
    if not math.isfinite(value):
        return last
    if not math.isfinite(last):
        return value
    return alpha * last + (1 - alpha) * value


class LiveCurves(QWidget):
    """Two plots (loss, accuracy); `add_batch`, `add_epoch`, `reset`, `set_overlays`."""

    redrawn = Signal()  # after each redraw that changed something (tests wait on it)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.loss_plot = pg.PlotWidget(title="Loss")
        self.acc_plot = pg.PlotWidget(title="Accuracy")
        for plot in (self.loss_plot, self.acc_plot):
            plot.setBackground("w")
            # no grid: replaying its lines costs ~12 ms per repaint, twice the curves' cost
            plot.setLabel("bottom", "epoch")
            plot.addLegend(offset=(-10, 10))
            plot.getPlotItem().setClipToView(True)
            plot.getPlotItem().setDownsampling(auto=True, mode="peak")
        self.acc_plot.setYRange(0, 1.02)
        pen = dict(width=1)
        # thin, aliased lines: wide or antialiased pens make QPainter.drawPath ~10x slower,
        # and on a 2-core CPU every GUI millisecond is taken from training
        self._raw_loss = self.loss_plot.plot(antialias=False, pen=pg.mkPen("#9ecae1", **pen))
        self._loss = self.loss_plot.plot(antialias=False, pen=pg.mkPen("#1f77b4", width=1),
                                         name="train (batch)")
        self._val_loss = self.loss_plot.plot(pen=pg.mkPen("#d62728", width=2), symbol="o",
                                             symbolSize=6, symbolBrush="#d62728",
                                             name="validation")
        self._raw_acc = self.acc_plot.plot(antialias=False, pen=pg.mkPen("#9ecae1", **pen))
        self._acc = self.acc_plot.plot(antialias=False, pen=pg.mkPen("#1f77b4", width=1),
                                       name="train (batch)")
        self._val_acc = self.acc_plot.plot(pen=pg.mkPen("#d62728", width=2), symbol="o",
                                           symbolSize=6, symbolBrush="#d62728",
                                           name="validation")
        self._overlay_items: list = []
        self._loss_top = None  # the loss axis' top while training (None: autorange)
        # x (epochs), batch loss, batch accuracy, and their smoothed values kept up to date
        # as batches arrive (recomputed in full only when the slider moves)
        self.batches = GrowingBuffer(5)
        self.epochs = GrowingBuffer(5)  # x, loss, accuracy, val_loss, val_accuracy
        self._dirty = False
        self._smoothing = 0.9

        self.smoothing_slider = QSlider(Qt.Orientation.Horizontal)
        self.smoothing_slider.setRange(0, 99)
        self.smoothing_slider.setValue(90)
        self.smoothing_slider.setToolTip("Exponential moving average of the batch curves")
        self.smoothing_label = QLabel("Smoothing 0.90")
        self.smoothing_slider.valueChanged.connect(self._on_smoothing_slider_changed)
        row = QHBoxLayout()
        row.addWidget(self.smoothing_label)
        row.addWidget(self.smoothing_slider, 1)
        plots = QHBoxLayout()
        plots.addWidget(self.loss_plot)
        plots.addWidget(self.acc_plot)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(plots, 1)
        layout.addLayout(row)

        self.timer = QTimer(self)
        self.timer.setInterval(int(1000 / REFRESH_HZ))
        self.timer.timeout.connect(self._on_timer_timeout)
        self.timer.start()

    # ----- data in
    def reset(self) -> None:
        self.batches.clear()
        self.epochs.clear()
        self._dirty = True

    def set_epoch_range(self, first: int, last: int) -> None:
        """Fix the x axis to the run's epochs: the axes then stay put while the curves grow,
        and each redraw repaints less (on a 2-core CPU every GUI millisecond is taken from
        training)."""
        for plot in (self.loss_plot, self.acc_plot):
            plot.enableAutoRange(x=False, y=False)
            plot.setXRange(first, max(last, first + 1), padding=0.01)
        self.acc_plot.setYRange(0, 1.02, padding=0)
        self._loss_top = None

    def add_batch(self, epoch: int, batch: int, steps: int, loss: float, accuracy: float):
        """One batch's own loss and accuracy (BatchEnd carries them): a raw point and the
        smoothed curve's next step."""
        b_loss, b_acc = loss, accuracy
        a = self._smoothing
        if self.batches.n:
            last = self.batches.view()[-1]
            s_loss = _ema_step(last[3], b_loss, a)
            s_acc = _ema_step(last[4], b_acc, a)
        else:
            s_loss, s_acc = b_loss, b_acc
        self.batches.append((epoch + (batch + 1) / max(1, steps), b_loss, b_acc, s_loss, s_acc))
        self._dirty = True

    def add_epoch(self, epoch: int, metrics: dict) -> None:
        self.epochs.append((epoch + 1, metrics.get("loss", math.nan),
                            metrics.get("accuracy", math.nan),
                            metrics.get("val_loss", math.nan),
                            metrics.get("val_accuracy", math.nan)))
        self._dirty = True

    def set_overlays(self, runs: list[tuple[str, list[dict]]]) -> None:
        """Per-epoch curves of saved runs: (name, history) each, train solid, val dashed."""
        for plot in (self.loss_plot, self.acc_plot):
            for item in self._overlay_items:
                if item.getViewBox() is plot.getViewBox():
                    plot.removeItem(item)
        self._overlay_items = []
        for i, (name, hist) in enumerate(runs):
            color = _COLORS[(i + 2) % len(_COLORS)]
            x = np.arange(1, len(hist) + 1, dtype=float)
            for plot, key in ((self.loss_plot, "loss"), (self.acc_plot, "accuracy")):
                y = np.array([h.get(key, math.nan) for h in hist], dtype=float)
                item = plot.plot(x, y, pen=pg.mkPen(color, width=2), symbol="t", symbolSize=5,
                                 symbolBrush=color, name=f"{name} train")
                self._overlay_items.append(item)
                yv = np.array([h.get(f"val_{key}", math.nan) for h in hist], dtype=float)
                if np.isfinite(yv).any():
                    item = plot.plot(x, yv, pen=pg.mkPen(color, width=2,
                                                         style=Qt.PenStyle.DashLine),
                                     name=f"{name} val")
                    self._overlay_items.append(item)

    def _fit_loss_axis(self, b: np.ndarray, e: np.ndarray) -> None:
        """Keep the loss axis still unless the smoothed curve leaves it or uses under half of
        it: a moving axis repaints its labels every frame."""
        if self.loss_plot.getViewBox().autoRangeEnabled()[1] or not len(b):
            return
        finite = b[:, 3][np.isfinite(b[:, 3])]
        val = e[:, 3][np.isfinite(e[:, 3])] if len(e) else finite[:0]
        if not len(finite) and not len(val):
            return
        top = float(max(finite.max(initial=0), val.max(initial=0))) * 1.15 or 1.0
        if self._loss_top is None or top > self._loss_top or top < 0.5 * self._loss_top:
            self._loss_top = top
            self.loss_plot.setYRange(0, top, padding=0)

    # ----- drawing
    def _on_smoothing_slider_changed(self, value: int) -> None:
        self._smoothing = value / 100
        self.smoothing_label.setText(f"Smoothing {self._smoothing:.2f}")
        b = self.batches.view()
        if len(b):
            b[:, 3] = ema(b[:, 1], self._smoothing)
            b[:, 4] = ema(b[:, 2], self._smoothing)
        self._dirty = True

    def _on_timer_timeout(self) -> None:
        if not self._dirty or not self.isVisible():
            return
        self._dirty = False
        self.redraw()

    def redraw(self) -> None:
        b = self.batches.view()
        e = self.epochs.view()
        x = b[:, 0]
        # pyqtgraph skips non-finite points with connect="finite"; a NaN loss stays visible
        # as a gap instead of breaking the autoscale
        self._raw_loss.setData(x, b[:, 1], connect="finite")
        self._raw_acc.setData(x, b[:, 2], connect="finite")
        self._loss.setData(x, b[:, 3], connect="finite")
        self._acc.setData(x, b[:, 4], connect="finite")
        self._fit_loss_axis(b, e)
        for item, col in ((self._val_loss, 3), (self._val_acc, 4)):
            ok = np.isfinite(e[:, col])  # no validation split: nothing, not a NaN scatter
            item.setData(e[ok, 0], e[ok, col])
        self.redrawn.emit()
