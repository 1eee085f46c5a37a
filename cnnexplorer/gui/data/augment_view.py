"""The Data panel's augmentation controls and preview: one slider per kind of augmentation (its
strength; 0 turns it off), and one image beside a grid of its augmented versions.

The preview calls `core.data.augment.augment_preview`, the very function the training pipeline
runs on each batch, so the grid shows what training will see. It takes a few milliseconds for
eight 64x64 images; slider moves are coalesced by a short timer.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton,
                               QSlider, QVBoxLayout, QWidget)

from cnnexplorer.core.data import STRENGTHS, AugmentConfig, augment_preview
from cnnexplorer.core.data.augment import STRENGTH_TEXT
from cnnexplorer.gui.errors import present_error
from cnnexplorer.gui.widgets.image_grid import ImageGrid

LABELS = {"mirror": "Mirror", "crop": "Random crop", "rotation": "Rotation",
          "shear": "Shear", "color_shift": "Colour shift", "pca_color": "PCA colour",
          "brightness": "Brightness", "contrast": "Contrast", "blur": "Blur",
          "low_res": "Low resolution"}
UNITS = STRENGTH_TEXT  # as AugmentConfig.describe() writes them (the Training panel shows it)
# Slider resolution of each strength, so that round values (10 degrees, p=0.5) are reachable.
RESOLUTION = {"mirror": 0.01, "crop": 0.01, "rotation": 1.0, "shear": 1.0, "color_shift": 1.0,
              "pca_color": 0.01, "brightness": 0.01, "contrast": 0.01, "blur": 0.1,
              "low_res": 0.01}
PREVIEW_COUNT = 8


def _steps(name: str, lo: float, hi: float) -> int:
    return int(round((hi - lo) / RESOLUTION[name]))


class AugmentBox(QGroupBox):
    """Emits `config_changed(AugmentConfig)` whenever a strength changes."""

    config_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Augmentation (applied to training batches only)", parent)
        self._image: np.ndarray | None = None
        self._basis = None
        self._seed = 0
        self.sliders: dict[str, QSlider] = {}
        self.values: dict[str, QLabel] = {}
        grid = QGridLayout()
        for row, (name, lo, hi, meaning) in enumerate(STRENGTHS):
            label = QLabel(LABELS[name])
            label.setToolTip(meaning)
            slider = QSlider(Qt.Orientation.Horizontal)
            slider.setRange(0, _steps(name, lo, hi))
            slider.setToolTip(f"{meaning} ({lo:g} to {hi:g})")
            slider.setAccessibleName(LABELS[name])
            slider.valueChanged.connect(self._on_slider_value_changed)
            value = QLabel()
            value.setMinimumWidth(56)
            grid.addWidget(label, row, 0)
            grid.addWidget(slider, row, 1)
            grid.addWidget(value, row, 2)
            self.sliders[name], self.values[name] = slider, value
        self.off_button = QPushButton("All off")
        self.default_button = QPushButton("Course default")
        self.regenerate_button = QPushButton("Regenerate")
        self.regenerate_button.setToolTip("New random draws for the preview")
        self.off_button.clicked.connect(lambda: self.set_config(AugmentConfig()))
        self.default_button.clicked.connect(
            lambda: self.set_config(AugmentConfig.course_default()))
        self.regenerate_button.clicked.connect(self._on_regenerate_clicked)
        buttons = QHBoxLayout()
        for b in (self.off_button, self.default_button, self.regenerate_button):
            buttons.addWidget(b)
        buttons.addStretch(1)

        self.original = ImageGrid(tile=128, caption_lines=1)
        self.original.setSizePolicy(self.original.sizePolicy().horizontalPolicy(),
                                    self.original.sizePolicy().verticalPolicy())
        self.original.setFixedWidth(128 + 12)
        self.original.set_empty_text("No image")
        self.preview = ImageGrid(tile=96, caption_lines=0)
        self.preview.set_empty_text("Load a dataset, then click a sample to preview its "
                                    "augmented versions")
        pics = QHBoxLayout()
        pics.addWidget(self.original, 0, Qt.AlignmentFlag.AlignTop)
        pics.addWidget(self.preview, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addLayout(buttons)
        layout.addLayout(pics)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(60)
        self._timer.timeout.connect(self.refresh_preview)
        self._updating = False
        self.set_config(AugmentConfig.course_default())

    # -- config ------------------------------------------------------------------------------
    def config(self) -> AugmentConfig:
        kw = {}
        for name, lo, _hi, _ in STRENGTHS:
            kw[name] = round(lo + self.sliders[name].value() * RESOLUTION[name], 4)
        return AugmentConfig(**kw)

    def set_config(self, cfg: AugmentConfig) -> None:
        self._updating = True
        try:
            for name, lo, _hi, _ in STRENGTHS:
                self.sliders[name].setValue(round((getattr(cfg, name) - lo)
                                                  / RESOLUTION[name]))
        finally:
            self._updating = False
        self._on_slider_value_changed()

    def _on_slider_value_changed(self, *_):
        if self._updating:
            return
        cfg = self.config()
        for name, *_ in STRENGTHS:
            v = getattr(cfg, name)
            self.values[name].setText("off" if v == 0 else UNITS[name].format(v))
        self.config_changed.emit(cfg)
        self._timer.start()

    # -- preview -----------------------------------------------------------------------------
    def set_image(self, image: np.ndarray | None, caption: str = "", basis=None) -> None:
        self._image = image
        self._basis = basis
        if image is None:
            self.original.set_images([])
            self.preview.set_images([])
            return
        self.original.set_images([image], [caption])
        self.refresh_preview()

    def _on_regenerate_clicked(self) -> None:
        self._seed += 1
        self.refresh_preview()

    def refresh_preview(self) -> None:
        if self._image is None:
            return
        try:
            images = augment_preview(self._image, self.config(), PREVIEW_COUNT, self._seed,
                                     basis=self._basis)
        except Exception as exc:  # noqa: BLE001 - a bad image must not break the panel
            present_error(self, "Could not preview the augmentation", exc)
            return
        self.preview.set_images(images)
