"""The door's "Look inside" box: Grad-CAM settings and the feature maps of any conv layer.

It only configures what the inference worker computes (`explain`, `cam_layer`,
`feature_layer`) and shows what comes back; it never runs the model itself. Hovering a
Conv2D layer's maps works out the value under the mouse from the result's `ConvProbe`
(numpy, a fraction of a millisecond) and shows it in `ConvWorkingView`.
"""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLabel,
                               QSpinBox, QVBoxLayout, QWidget)

from cnnexplorer.core.door.gradcam import METHODS, feature_grid, grid_position
from cnnexplorer.core.formatting import shape_text
from cnnexplorer.gui.door.conv_working import ConvWorkingView

HOVER_HINT = "Hover the maps: the patch, the filter's weights and the sum behind a value."

MODES = ("Grid of channels", "One channel")
#: feature maps of a live stream are redrawn at most this often (ImageView's levels and
#: histogram cost milliseconds of GUI thread per redraw; 5 Hz is plenty to watch)
REDRAW_MS = 200


class LookInside(QWidget):
    """Grad-CAM toggle + layer, feature-map layer + view, and a pyqtgraph ImageView."""

    settings_changed = Signal()  # the panel pushes the new settings to the worker and re-runs

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.show_cam = QCheckBox("Show the heatmap over the image")
        self.show_cam.setChecked(True)
        self.show_cam.setToolTip("Colours where the evidence for the decision lies (red: "
                                 "strongest). Explains 'happy' when the door opens, 'not "
                                 "happy' when it stays shut.")
        self.cam_method = QComboBox()
        for key, label in METHODS.items():
            self.cam_method.addItem(label, key)
        self.cam_method.setToolTip("HiResCAM keeps where each gradient acts (exact for "
                                   "HappyModel's Flatten + Dense head); Grad-CAM averages "
                                   "each channel's gradient over the image first")
        self.cam_layer = QComboBox()
        self.cam_layer.setToolTip("The layer whose activations Grad-CAM weighs; the last conv "
                                  "unit by default")
        self.map_layer = QComboBox()
        self.map_layer.setToolTip("Any layer with an image-shaped output")
        self.mode = QComboBox()
        self.mode.addItems(MODES)
        self.channel = QSpinBox()
        self.channel.setRange(0, 0)
        self.channel.setEnabled(False)
        self.info = QLabel("")
        self.info.setWordWrap(True)

        self.image_view = pg.ImageView()
        self.image_view.ui.roiBtn.hide()
        self.image_view.ui.menuBtn.hide()
        self.image_view.setColorMap(pg.colormap.get("viridis"))
        self.image_view.setMinimumHeight(120)
        self.working = ConvWorkingView()

        form = QFormLayout()
        form.addRow(self.show_cam)
        form.addRow("Heatmap", self.cam_method)
        form.addRow("of layer", self.cam_layer)
        form.addRow("Feature maps of", self.map_layer)
        row = QHBoxLayout()
        row.addWidget(self.mode, 1)
        row.addWidget(QLabel("channel"))
        row.addWidget(self.channel)
        form.addRow("Show", row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.image_view, 1)
        layout.addWidget(self.working)
        layout.addWidget(self.info)

        self.show_cam.toggled.connect(self._on_setting_changed)
        self.cam_layer.currentIndexChanged.connect(self._on_setting_changed)
        self.cam_method.currentIndexChanged.connect(self._on_setting_changed)
        self.map_layer.currentIndexChanged.connect(self._on_setting_changed)
        self.mode.currentIndexChanged.connect(self._on_mode_changed)
        self.channel.valueChanged.connect(self._on_channel_changed)
        self.image_view.scene.sigMouseMoved.connect(self._on_maps_hovered)
        self._maps: np.ndarray | None = None
        self._probe = None  # the shown maps' ConvProbe (a Conv2D layer), else None
        self._kinds: dict[str, str] = {}  # layer name -> Keras class name
        #: (row, col, channel) last hovered: kept for the next image or live frame
        self.hovered: tuple[int, int, int] | None = None
        self._maps_layer = ""
        self.current_title = ""
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(REDRAW_MS)
        self._redraw_timer.timeout.connect(self._on_redraw_timer_timeout)
        self._dirty = False

    # -- settings --------------------------------------------------------------------------
    def set_layers(self, layers) -> None:
        """Fill the layer pickers from core.door.gradcam.spatial_layers(); default: the last
        conv unit."""
        for combo in (self.cam_layer, self.map_layer):
            combo.blockSignals(True)
            combo.clear()
        self.cam_layer.addItem("automatic (last conv unit)", None)
        first_conv = None
        self._kinds = {info.name: info.kind for info in layers}
        for info in layers:
            label = f"{info.name}  ({info.kind}, {shape_text(info.shape[:3])})"
            self.cam_layer.addItem(label, info.name)
            self.map_layer.addItem(label, info.name)
            if first_conv is None and info.is_conv:
                first_conv = self.map_layer.count() - 1
        if first_conv is not None:
            self.map_layer.setCurrentIndex(first_conv)
        for combo in (self.cam_layer, self.map_layer):
            combo.blockSignals(False)
        self._maps, self._probe, self.hovered = None, None, None
        self.image_view.clear()
        self._say_what_hover_does()
        self.info.setText("" if layers else "This model has no image-shaped layer to show.")
        self.settings_changed.emit()

    def explain_wanted(self) -> bool:
        return self.show_cam.isChecked() or self.map_layer.count() > 0

    def cam_method_name(self) -> str:
        return self.cam_method.currentData()

    def cam_layer_name(self) -> str | None:
        return self.cam_layer.currentData()

    def map_layer_name(self) -> str | None:
        return self.map_layer.currentData()

    def _on_setting_changed(self, *_args) -> None:
        self._say_what_hover_does()
        self.settings_changed.emit()

    def _say_what_hover_does(self, note: str = "") -> None:
        """The one line under the maps when no working is shown."""
        name = self.map_layer_name()
        kind = self._kinds.get(name or "", "")
        if note:
            self.working.show_hint(note)
        elif not name:
            self.working.show_hint("")
        elif kind != "Conv2D":
            convs = [n for n, k in self._kinds.items() if k == "Conv2D"]
            article = "an" if kind[:1] in "AEIOU" else "a"
            hint = f"'{name}' is {article} {kind} layer: the working is shown for Conv2D layers"
            self.working.show_hint(hint + (f" ({', '.join(convs[:4])})." if convs else "."))
        else:
            self.working.show_hint(HOVER_HINT)

    def _on_maps_hovered(self, scene_pos) -> None:
        if self._probe is None or self._maps is None:
            return
        item = self.image_view.getImageItem()
        p = item.mapFromScene(scene_pos)
        x, y = int(np.floor(p.x())), int(np.floor(p.y()))  # image column, row (see _redraw)
        h, w, _c = self._maps.shape
        if self.mode.currentIndex() == 0:
            pos = grid_position(self._maps.shape, x, y)
        else:
            pos = (y, x, self.channel.value()) if 0 <= y < h and 0 <= x < w else None
        if pos is not None:
            self.hovered = pos
            self.working.show_working(self._probe.at(*pos))

    def _show_working(self) -> None:
        """A new probe: work out the hovered position again (a live stream's numbers follow
        the newest frame), or the middle of the first filter before any hover."""
        n_h, n_w, n_c = self._probe.output_shape
        pos = self.hovered
        if pos is None or not (pos[0] < n_h and pos[1] < n_w and pos[2] < n_c):
            pos = (n_h // 2, n_w // 2, self.channel.value() if self.mode.currentIndex() else 0)
        self.working.show_working(self._probe.at(*pos))

    def _on_mode_changed(self, _index: int) -> None:
        self.channel.setEnabled(self.mode.currentIndex() == 1)
        self._redraw()

    def _on_channel_changed(self, _value: int) -> None:
        self._redraw()

    # -- results ---------------------------------------------------------------------------
    def show_result(self, res) -> None:
        """Show a FrameResult's feature maps and say what Grad-CAM explained."""
        if res.feature_maps is None:
            self.clear_maps()  # no face (or no maps asked): not the previous image's maps
        else:
            self._maps, self._maps_layer = res.feature_maps, res.feature_layer
            self._probe = getattr(res, "conv_probe", None)
            self.channel.setRange(0, self._maps.shape[2] - 1)
            if self._probe is not None:
                self._show_working()
            else:
                self._say_what_hover_does(getattr(res, "conv_note", ""))
            if res.tag != "live":
                self._redraw()  # a still image: show it now
            elif self._redraw_timer.isActive():
                self._dirty = True  # the timer draws the newest maps when it fires
            else:
                self._redraw()
                self._redraw_timer.start()
        verdict = getattr(res, "verdict", None)
        if verdict is not None and not verdict.judged:
            self.info.setText("No face found: nothing was judged, nothing to explain.")
        if res.heatmap is not None:
            method = "HiResCAM" if res.cam_method == "hirescam" else "Grad-CAM"
            self.info.setText(f"{method} of '{res.cam_layer}' explains <b>{res.cam_target}</b>"
                              f" (happy probability {res.probability:.1%}).")
        failed = getattr(res, "inside_errors", None)
        if failed:  # said for every frame it holds for; the panel's message line said it once
            said = "<br>".join(html.escape(text) for text in failed)
            text = self.info.text() if res.heatmap is not None else ""
            self.info.setText(f"{text}{'<br>' if text else ''}"
                              f"<span style='color:#b42318'>{said}</span>")

    def clear_maps(self) -> None:
        """Show no feature maps (issue 17: a photo without a face kept the previous photo's)."""
        if self._maps is None and not self.current_title:
            return
        self._maps, self._maps_layer, self._dirty, self._probe = None, "", False, None
        self._say_what_hover_does()
        self.image_view.clear()
        for curve in self.image_view.ui.histogram.item.plots:  # clear() keeps the histogram
            curve.setData([], [])
        self.image_view.setToolTip("")
        self.image_view.view.setToolTip("")
        self.current_title = ""

    def _on_redraw_timer_timeout(self) -> None:
        if self._dirty:
            self._dirty = False
            self._redraw()
            self._redraw_timer.start()

    def _redraw(self) -> None:
        if self._maps is None:
            return
        maps = self._maps
        if self.mode.currentIndex() == 0:
            img = feature_grid(maps, fill=np.nan)
            title = f"{self._maps_layer}: {min(maps.shape[2], 64)} of {maps.shape[2]} channels"
        else:
            img = maps[:, :, self.channel.value()]
            title = f"{self._maps_layer}: channel {self.channel.value()}"
        # ImageView takes (x, y): transpose so rows stay rows.
        self.image_view.setImage(np.asarray(img, np.float32).T, autoLevels=True,
                                 autoRange=True, autoHistogramRange=True)
        self.image_view.view.setToolTip(title)
        self.image_view.setToolTip(title)
        self.current_title = title
