"""The door's "Look inside" box: Grad-CAM settings and the feature maps of any conv layer.

It only configures what the inference worker computes (`explain`, `cam_layer`,
`feature_layer`) and shows what comes back; it never runs the model itself.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLabel,
                               QSpinBox, QVBoxLayout, QWidget)

from cnnexplorer.core.door.gradcam import METHODS, feature_grid
from cnnexplorer.core.formatting import shape_text

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
        self.image_view.setMinimumHeight(220)

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
        layout.addWidget(self.info)

        self.show_cam.toggled.connect(self._on_setting_changed)
        self.cam_layer.currentIndexChanged.connect(self._on_setting_changed)
        self.cam_method.currentIndexChanged.connect(self._on_setting_changed)
        self.map_layer.currentIndexChanged.connect(self._on_setting_changed)
        self.mode.currentIndexChanged.connect(self._on_mode_changed)
        self.channel.valueChanged.connect(self._on_channel_changed)
        self._maps: np.ndarray | None = None
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
        self._maps = None
        self.image_view.clear()
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
        self.settings_changed.emit()

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
            self.channel.setRange(0, self._maps.shape[2] - 1)
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

    def clear_maps(self) -> None:
        """Show no feature maps (issue 17: a photo without a face kept the previous photo's)."""
        if self._maps is None and not self.current_title:
            return
        self._maps, self._maps_layer, self._dirty = None, "", False
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
