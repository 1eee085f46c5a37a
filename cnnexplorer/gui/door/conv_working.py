"""'A convolution at work' under the door's feature maps: one value, worked out.

Hovering a Conv2D layer's maps shows what the notes' convolution slides show for that
position: the patch of the layer's input under the filter, the filter's weights for the first
few input channels, each channel's sum of patch x weights, then z = sum + b, the activation,
and the value the model itself computed there. The numbers come from a `ConvProbe` the door's
inference worker built with the maps; this view only lays them out (rich text, no model).
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy

#: at most this many input channels side by side (16 or 64 do not fit; the sums of all are
#: still in the total)
MAX_CHANNELS = 4
PAD_COLOUR = "#d0d5dd"  # a tap that falls on the padding
CHANNEL_GAP = 10  # pixels between one channel's weights and the next channel's patch


def short_number(v: float) -> str:
    """At most 4 characters for a grid cell: '.53', '-.12', '1.2', '-12', '340'."""
    if abs(v) < 0.005:
        return "0"
    if abs(v) < 1:
        return f"{v:.2f}".replace("0.", ".", 1)
    if abs(v) < 10:
        return f"{v:.1f}"
    return f"{v:.0f}"


def _cell_colour(v: float, scale: float) -> str:
    """White at 0, red for positive, blue for negative, by |v| / scale."""
    t = 0.0 if scale <= 0 else min(abs(v) / scale, 1.0) * 0.6
    far = (214, 39, 40) if v > 0 else (31, 119, 180)
    r, g, b = (round(255 + (c - 255) * t) for c in far)
    return f"#{r:02x}{g:02x}{b:02x}"


def grid_html(values: np.ndarray, padded: np.ndarray | None = None) -> str:
    """A (f_h, f_w) array as a small table of numbers on a diverging background."""
    scale = float(np.abs(values).max()) if values.size else 0.0
    rows = []
    for i in range(values.shape[0]):
        cells = []
        for j in range(values.shape[1]):
            if padded is not None and padded[i, j]:
                cells.append(f"<td bgcolor='{PAD_COLOUR}' align='center'>p</td>")
            else:
                v = float(values[i, j])
                cells.append(f"<td bgcolor='{_cell_colour(v, scale)}' align='right'>"
                             f"{short_number(v)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return "<table cellspacing='0' cellpadding='1'>" + "".join(rows) + "</table>"


def working_html(w, channels: int) -> str:
    """The whole working of one ConvAtWork, its first `channels` input channels shown."""
    fh, fw, c_in = w.patch.shape
    n = max(1, min(channels, c_in))
    which = f"all {c_in}" if n == c_in else f"{n} of {c_in}"
    head = (f"<b>{html.escape(w.layer)}</b> row {w.row}, col {w.col}, filter {w.channel}: "
            f"{fh}x{fw} window, {which} input channels")
    # one column per channel, patch and weights side by side: the grids' height once; a gap
    # after each channel's weights, or they run into the next channel's patch
    gap = f"<td width='{CHANNEL_GAP}'></td>"
    top = "".join(f"<td align='center' colspan='3'>ch {k}: patch x W</td>{gap}"
                  for k in range(n))
    grids = "".join(f"<td>{grid_html(w.patch[:, :, k], w.padded)}</td><td>x</td>"
                    f"<td>{grid_html(w.kernel[:, :, k])}</td>{gap}" for k in range(n))
    sums = "".join(f"<td align='center' colspan='3'>= {w.per_channel[k]:.4f}</td>{gap}"
                   for k in range(n))
    table = (f"<table cellspacing='2' cellpadding='0'><tr>{top}</tr><tr>{grids}</tr>"
             f"<tr>{sums}</tr></table>")
    return (f"<div style='font-size:8pt'>{head}{table}{html.escape(w.summary())}<br>"
            f"<b>model says: {w.model_value:.4f}</b></div>")


class ConvWorkingView(QLabel):
    """The working of the hovered value, or a one-line hint."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(False)  # short lines: its height is then exactly what it needs
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.shown = None  # the ConvAtWork on screen (None: a hint or nothing)

    def channels_that_fit(self, f_w: int) -> int:
        """How many channels' grids fit side by side in the view's width."""
        cell = self.fontMetrics().horizontalAdvance("-.00") + 3
        return max(1, min(MAX_CHANNELS,
                           self.width() // (2 * f_w * cell + 24 + CHANNEL_GAP)))

    def show_working(self, w) -> None:
        self.shown = w
        self.setText(working_html(w, self.channels_that_fit(w.kernel.shape[1])))

    def show_hint(self, text: str) -> None:
        self.shown = None
        self.setText(f"<span style='color:#475467'>{html.escape(text, quote=False)}</span>")
