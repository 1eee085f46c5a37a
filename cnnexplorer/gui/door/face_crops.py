"""The images the door judged, beside the frame: one tile per face (or the whole image).

Each tile shows the crop exactly as the model saw it (its input size and channels, scaled up
for the eye), the happy probability, and a green (open) or red (closed) border; the tile of
the face the door follows comes first and is marked. With "Look inside" on, that tile shows
the heatmap over the crop. Only displays what the inference worker computed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from cnnexplorer.gui.door.camera_source import rgb_to_qimage
from cnnexplorer.gui.door.door_view import CLOSED_COLOUR, OPEN_COLOUR

TILE = 96
TEXT_H = 30


@dataclass(frozen=True)
class CropTile:
    image: np.ndarray  # uint8 (h, w[, c]): what the model judged, or its heatmap overlay
    probability: float
    is_open: bool
    title: str  # "face 1 (decides)", "whole image", ...


class FaceCrops(QWidget):
    """A column of judged crops, the deciding one first."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._tiles: list[tuple[QPixmap, CropTile]] = []
        self._empty_text = "The faces the door judges appear here"
        self.setFixedWidth(TILE + 16)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        self.setToolTip("What the model judged: each face found, cropped brow to chin at the "
                        "model's input size, the largest face first; the rule for several "
                        "faces marks the one that decides.")

    def set_tiles(self, tiles, empty_text: str = "") -> None:
        self._tiles = [(QPixmap.fromImage(rgb_to_qimage(np.ascontiguousarray(t.image))), t)
                       for t in tiles]
        if empty_text:
            self._empty_text = empty_text
        self.update()

    def tiles(self) -> list[CropTile]:
        return [t for _, t in self._tiles]

    def sizeHint(self) -> QSize:
        return QSize(TILE + 16, 3 * (TILE + TEXT_H + 8))

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor(32, 34, 38))
        font = QFont(self.font())
        font.setPixelSize(11)
        p.setFont(font)
        if not self._tiles:
            p.setPen(QColor(190, 194, 200))
            p.drawText(QRectF(self.rect()).adjusted(6, 6, -6, -6),
                       Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._empty_text)
            p.end()
            return
        y = 8.0
        x = (self.width() - TILE) / 2
        for pixmap, tile in self._tiles:
            if y + TILE + TEXT_H > self.height():
                break
            cell = QRectF(x, y, TILE, TILE)
            p.drawPixmap(cell.toRect(), pixmap)
            colour = OPEN_COLOUR if tile.is_open else CLOSED_COLOUR
            p.setPen(QPen(colour, 3))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(cell)
            p.setPen(QColor(235, 235, 235))
            p.drawText(QRectF(x - 6, y + TILE + 2, TILE + 12, TEXT_H),
                       Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                       f"{tile.title}\nhappy {tile.probability:.0%}")
            y += TILE + TEXT_H + 8
        p.end()
