"""A widget that shows the door's current frame, scaled to fit, with a hint when empty, and
a box around each face the door found (green: happy enough to open, red: not; the face the
door follows drawn thicker, with its label)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from cnnexplorer.gui.door.camera_source import rgb_to_qimage

HINT = ("Drop photos or a folder here, paste an image (Ctrl+V), open files, "
        "or start the camera")


@dataclass(frozen=True)
class FaceMark:
    """A face box to draw, in the shown frame's pixels, with what to write on it."""

    box: tuple[int, int, int, int]  # x, y, w, h
    label: str
    is_open: bool
    deciding: bool = False


class FrameView(QWidget):
    """Shows one RGB frame (aspect kept) and an optional caption in the corner."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._pixmap: QPixmap | None = None
        self._caption = ""
        self._marks: tuple[FaceMark, ...] = ()
        self._drag_hover = False
        self.setMinimumSize(240, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_frame(self, image: np.ndarray | None, caption: str = "", marks=()) -> None:
        """Show `image` (uint8 RGB or grey) with face boxes `marks` (FaceMark, its pixels)."""
        self._pixmap = None if image is None else QPixmap.fromImage(rgb_to_qimage(image))
        self._caption = caption
        self._marks = tuple(marks)
        self.update()

    def marks(self) -> tuple[FaceMark, ...]:
        return self._marks

    def set_drag_hover(self, hover: bool) -> None:
        self._drag_hover = hover
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(420, 420)

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor(32, 34, 38))
        area = QRectF(self.rect()).adjusted(6, 6, -6, -6)
        if self._pixmap is None:
            p.setPen(QPen(QColor(120, 124, 132), 2, Qt.PenStyle.DashLine))
            p.drawRoundedRect(area, 12, 12)
            font = QFont(self.font())
            font.setPixelSize(15)
            p.setFont(font)
            p.setPen(QColor(190, 194, 200))
            # wrapped to the area: at 1024x700 the frame is narrower than the sentence
            p.drawText(area.adjusted(10, 10, -10, -10),
                       Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, HINT)
        else:
            pw, ph = self._pixmap.width(), self._pixmap.height()
            scale = min(area.width() / pw, area.height() / ph)
            target = QRectF(0, 0, pw * scale, ph * scale)
            target.moveCenter(area.center())
            p.drawPixmap(target.toRect(), self._pixmap)
            self._paint_marks(p, target, scale)
            if self._caption:
                font = QFont(self.font())
                font.setPixelSize(12)
                p.setFont(font)
                metrics = p.fontMetrics()
                text = metrics.elidedText(self._caption, Qt.TextElideMode.ElideMiddle,
                                          int(area.width()) - 16)
                box = QRectF(area.left(), area.bottom() - 22, metrics.horizontalAdvance(text)
                             + 14, 22)
                p.fillRect(box, QColor(0, 0, 0, 150))
                p.setPen(QColor(240, 240, 240))
                p.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        if self._drag_hover:
            p.setPen(QPen(QColor(80, 170, 255), 4))
            p.setBrush(QColor(80, 170, 255, 40))
            p.drawRoundedRect(area, 12, 12)
        p.end()

    def _paint_marks(self, p: QPainter, target: QRectF, scale: float) -> None:
        font = QFont(self.font())
        font.setPixelSize(12)
        font.setBold(True)
        p.setFont(font)
        metrics = p.fontMetrics()
        for mark in self._marks:
            x, y, w, h = mark.box
            rect = QRectF(target.left() + x * scale, target.top() + y * scale, w * scale,
                          h * scale).intersected(target)
            colour = QColor(46, 160, 67) if mark.is_open else QColor(207, 34, 46)
            p.setPen(QPen(colour, 3.5 if mark.deciding else 2.0))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(rect)
            if mark.label:
                tw = metrics.horizontalAdvance(mark.label) + 8
                tag = QRectF(rect.left(), max(target.top(), rect.top() - 18), tw, 18)
                p.fillRect(tag, colour)
                p.setPen(QColor(255, 255, 255))
                p.drawText(tag, Qt.AlignmentFlag.AlignCenter, mark.label)
