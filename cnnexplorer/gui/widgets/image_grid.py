"""A grid of small images with captions (dataset samples, augmented versions).

Painted in one `paintEvent` rather than built from dozens of QLabels: a sample grid is
refilled whenever a dataset loads or a slider moves, and painting cached pixmaps is cheap.
Columns follow the width; the height follows from the columns (heightForWidth).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget


def array_to_pixmap(img: np.ndarray) -> QPixmap:
    """uint8 (H, W, 1|3) -> QPixmap (the QImage is copied, so the array may go away)."""
    arr = np.ascontiguousarray(img)
    h, w = arr.shape[:2]
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = np.ascontiguousarray(arr[:, :, 0])
    if arr.ndim == 2:
        qimg = QImage(arr.data, w, h, w, QImage.Format.Format_Grayscale8)
    else:
        qimg = QImage(arr.data, w, h, 3 * w, QImage.Format.Format_RGB888)
    return QPixmap.fromImage(qimg.copy())


class ImageGrid(QWidget):
    """Tiles of `tile` pixels with a caption under each; click one to get `clicked(index)`."""

    clicked = Signal(int)

    def __init__(self, tile: int = 72, caption_lines: int = 1, parent: QWidget | None = None):
        super().__init__(parent)
        self._tile = tile
        self._caption_h = 16 * caption_lines if caption_lines else 0
        self._gap = 6
        self._pixmaps: list[QPixmap] = []
        self._captions: list[str] = []
        self._selected = -1
        self._empty_text = ""
        sp = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        sp.setHeightForWidth(True)
        self.setSizePolicy(sp)

    # -- content ---------------------------------------------------------------------------
    def set_images(self, images, captions=None) -> None:
        self._pixmaps = [array_to_pixmap(img) for img in images]
        self._captions = list(captions) if captions is not None else [""] * len(self._pixmaps)
        self._selected = -1
        self.updateGeometry()
        self.update()

    def set_empty_text(self, text: str) -> None:
        self._empty_text = text
        self.update()

    def set_selected(self, index: int) -> None:
        self._selected = index
        self.update()

    def count(self) -> int:
        return len(self._pixmaps)

    def captions(self) -> list[str]:
        return list(self._captions)

    # -- geometry --------------------------------------------------------------------------
    def _cell(self) -> QSize:
        return QSize(self._tile + self._gap, self._tile + self._caption_h + self._gap)

    def _columns(self, width: int) -> int:
        return max(1, (width - self._gap) // self._cell().width())

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        rows = -(-max(1, len(self._pixmaps)) // self._columns(width))
        return rows * self._cell().height() + self._gap

    def sizeHint(self) -> QSize:
        w = 8 * self._cell().width() + self._gap
        return QSize(w, self.heightForWidth(w))

    def minimumSizeHint(self) -> QSize:
        return QSize(self._cell().width() + self._gap, self._cell().height() + self._gap)

    def tile_rect(self, index: int) -> QRect:
        cols = self._columns(self.width())
        r, c = divmod(index, cols)
        cell = self._cell()
        return QRect(self._gap + c * cell.width(), self._gap + r * cell.height(), self._tile,
                     self._tile)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.setMinimumHeight(self.heightForWidth(self.width()))

    # -- painting and input ------------------------------------------------------------------
    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        pal = self.palette()
        if not self._pixmaps:
            p.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                       self._empty_text)
            return
        # Small images (32 px digits) are enlarged with nearest neighbour: crisp pixels show
        # what the network sees; large photos are reduced smoothly.
        for i, pm in enumerate(self._pixmaps):
            rect = self.tile_rect(i)
            smooth = pm.width() > rect.width()
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, smooth)
            scaled = QSize(pm.width(), pm.height()).scaled(rect.size(),
                                                           Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, scaled.width(), scaled.height())
            target.moveCenter(rect.center())
            p.drawPixmap(target, pm)
            if i == self._selected:
                p.setPen(QPen(pal.color(QPalette.ColorRole.Highlight), 3))
                p.drawRect(rect.adjusted(-2, -2, 1, 1))
            if self._caption_h and self._captions[i]:
                p.setPen(pal.color(QPalette.ColorRole.WindowText))
                text_rect = QRect(rect.left() - 2, rect.bottom() + 2, rect.width() + 4,
                                  self._caption_h)
                text = p.fontMetrics().elidedText(self._captions[i], Qt.TextElideMode.ElideRight,
                                                  text_rect.width())
                p.drawText(text_rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                           text)

    def index_at(self, pos) -> int:
        for i in range(len(self._pixmaps)):
            if self.tile_rect(i).contains(pos):
                return i
        return -1

    def mousePressEvent(self, event) -> None:
        i = self.index_at(event.position().toPoint())
        if i >= 0:
            self.set_selected(i)
            self.clicked.emit(i)
        super().mousePressEvent(event)
