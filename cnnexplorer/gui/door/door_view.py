"""The Happy House door, custom painted, and the strip of recent decisions.

`DoorView` draws a house front with a door that swings open toward the viewer when the
`openness` property goes from 0 to 1; `set_open(bool)` animates it (QPropertyAnimation,
about 350 ms, eased). The leaf is painted flat and mapped onto its perspective quadrilateral
with `QTransform.quadToQuad`, so its panels and knob follow the swing.

`DecisionStrip` shows the judged images as thumbnails under a green (open) or red (closed)
bar with the happy probability, newest on the left; `DecisionStripArea` scrolls it sideways
under a line that counts them. The widgets only display what they are given.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np
from PySide6.QtCore import (QEasingCurve, QPointF, QPropertyAnimation, QRectF, QSize, Qt,
                            Property, Signal)
from PySide6.QtGui import (QColor, QFont, QLinearGradient, QPainter, QPainterPath,
                           QPen, QPixmap, QPolygonF, QRadialGradient, QTransform)
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from cnnexplorer.core.door.threshold import DEFAULT_THRESHOLD
from cnnexplorer.gui.door.camera_source import rgb_to_qimage

OPEN_COLOUR = QColor(46, 160, 67)
CLOSED_COLOUR = QColor(207, 34, 46)


class DoorView(QWidget):
    """A door that opens for a smile. `openness` 0 = shut, 1 = wide open."""

    openness_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._openness = 0.0
        self._probability: float | None = None
        self._note = ""  # said on the sign instead of a probability ("no face found")
        self._threshold = DEFAULT_THRESHOLD
        self._is_open = False
        self._anim = QPropertyAnimation(self, b"openness", self)
        self._anim.setDuration(350)
        self._anim.setEasingCurve(QEasingCurve.Type.OutCubic)
        # 200 wide: the door's column beside the faces row (with its rule picker) and the
        # tabs must leave the panel under 1,010 px (no sideways scroll at 1024x700)
        self.setMinimumSize(200, 260)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Happy House door")

    # -- state --------------------------------------------------------------------------
    def _get_openness(self) -> float:
        return self._openness

    def _set_openness(self, value: float) -> None:
        self._openness = max(0.0, min(1.0, float(value)))
        self.openness_changed.emit(self._openness)
        self.update()

    openness = Property(float, _get_openness, _set_openness)

    @property
    def is_open(self) -> bool:
        return self._is_open

    def set_open(self, is_open: bool, animate: bool = True) -> None:
        """Swing the door to open or shut (animated unless `animate` is False)."""
        if is_open == self._is_open and (self._anim.state() ==
                                         QPropertyAnimation.State.Running or
                                         self._openness == (1.0 if is_open else 0.0)):
            return
        self._is_open = is_open
        self.update()  # the lamp changes at once, the leaf follows the animation
        self._anim.stop()
        target = 1.0 if is_open else 0.0
        if not animate:
            self._set_openness(target)
            return
        self._anim.setStartValue(self._openness)
        self._anim.setEndValue(target)
        self._anim.start()

    def set_probability(self, probability: float | None, threshold: float,
                        note: str = "") -> None:
        """The sign shows the probability, or `note` ("no face found") when it is None."""
        # Repaint only when what is drawn changes (the sign shows whole percents): a video
        # sends a verdict per frame and most of them look the same.
        shown = (None if probability is None else round(probability * 100), threshold, note)
        old = (None if self._probability is None else round(self._probability * 100),
               self._threshold, self._note)
        self._probability = probability
        self._threshold = threshold
        self._note = note
        if shown != old:
            self.update()

    def sizeHint(self) -> QSize:
        return QSize(300, 360)

    # -- painting -------------------------------------------------------------------------
    def _geometry(self):
        w, h = self.width(), self.height()
        side = min(w * 0.9, h * 0.95 / 1.15)
        hx, hy = (w - side) / 2, h * 0.9 - side * 0.9
        wall = QRectF(hx, hy, side, side * 0.9)
        dw, dh = side * 0.42, side * 0.62
        frame = QRectF(w / 2 - dw / 2, wall.bottom() - dh, dw, dh)
        return side, wall, frame

    def _background(self) -> QPixmap:
        """Sky, ground, roof and wall: drawn once per size (they never change)."""
        ratio = self.devicePixelRatioF()
        key = (self.width(), self.height(), ratio)
        if getattr(self, "_bg_key", None) != key:
            pix = QPixmap(int(self.width() * ratio), int(self.height() * ratio))
            pix.setDevicePixelRatio(ratio)
            painter = QPainter(pix)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            self._paint_scene(painter)
            painter.end()
            self._bg, self._bg_key = pix, key
        return self._bg

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.drawPixmap(0, 0, self._background())
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        side, wall, frame = self._geometry()
        self._paint_interior(p, frame)
        self._paint_leaf(p, frame)
        p.setPen(QPen(QColor(92, 60, 36), max(3.0, side * 0.02)))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(frame)
        self._paint_sign(p, QRectF(wall.left() + side * 0.12, wall.top() + side * 0.05,
                                   side * 0.76, side * 0.16))
        self._paint_lamp(p, QPointF(frame.right() + side * 0.08,
                                    frame.top() + frame.height() * 0.2), side * 0.05)
        p.end()

    def _paint_scene(self, p: QPainter) -> None:
        w, h = self.width(), self.height()
        # Sky and a ground line behind the house.
        sky = QLinearGradient(0, 0, 0, h)
        sky.setColorAt(0, QColor(186, 220, 246))
        sky.setColorAt(1, QColor(236, 244, 250))
        p.fillRect(self.rect(), sky)
        p.fillRect(QRectF(0, h * 0.9, w, h * 0.1), QColor(122, 170, 96))

        # The house front: a wall under a roof, scaled to the widget.
        side, wall, _frame = self._geometry()
        hx, hy = wall.left(), wall.top()
        roof = QPolygonF([QPointF(hx - side * 0.06, hy + 2), QPointF(w / 2, hy - side * 0.25),
                          QPointF(hx + side * 1.06, hy + 2)])
        p.setPen(QPen(QColor(96, 44, 36), 2))
        p.setBrush(QColor(170, 64, 52))
        p.drawPolygon(roof)
        wall_grad = QLinearGradient(wall.topLeft(), wall.bottomLeft())
        wall_grad.setColorAt(0, QColor(250, 233, 199))
        wall_grad.setColorAt(1, QColor(234, 208, 162))
        p.setPen(QPen(QColor(160, 130, 90), 1.5))
        p.setBrush(wall_grad)
        p.drawRect(wall)

    def _paint_interior(self, p: QPainter, frame: QRectF) -> None:
        glow = QRadialGradient(frame.center(), frame.height() * 0.8)
        t = self._openness
        glow.setColorAt(0, QColor(255, 224, 140).lighter(100 + int(20 * t)))
        glow.setColorAt(1, QColor(196, 128, 60))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(glow)
        p.drawRect(frame)
        floor = QPolygonF([QPointF(frame.left(), frame.bottom()),
                           QPointF(frame.left() + frame.width() * 0.2, frame.bottom() -
                                   frame.height() * 0.22),
                           QPointF(frame.right() - frame.width() * 0.2, frame.bottom() -
                                   frame.height() * 0.22),
                           QPointF(frame.right(), frame.bottom())])
        p.setBrush(QColor(150, 90, 50))
        p.drawPolygon(floor)

    def _leaf_quad(self, frame: QRectF) -> QPolygonF:
        angle = self._openness * math.radians(100)
        # Hinge on the left; the free edge swings toward the viewer: it moves left and its
        # projection grows a little (closer means taller).
        free_x = frame.left() + frame.width() * math.cos(angle)
        grow = frame.height() * 0.10 * math.sin(angle)
        return QPolygonF([QPointF(frame.left(), frame.top()),
                          QPointF(free_x, frame.top() - grow),
                          QPointF(free_x, frame.bottom() + grow * 0.5),
                          QPointF(frame.left(), frame.bottom())])

    def _paint_leaf(self, p: QPainter, frame: QRectF) -> None:
        quad = self._leaf_quad(frame)
        if abs(quad[1].x() - quad[0].x()) < 1.0:
            return
        flat = QRectF(0, 0, 100, 200)
        transform = QTransform()
        if self._openness <= 1e-3:
            # Shut: a plain scale. A projective transform sends the gradients and paths
            # through Qt's slow path (~10 ms a paint), which only the swing needs.
            transform.translate(frame.left(), frame.top())
            transform.scale(frame.width() / 100.0, frame.height() / 200.0)
        elif not QTransform.quadToQuad(QPolygonF([flat.topLeft(), flat.topRight(),
                                                  flat.bottomRight(), flat.bottomLeft()]),
                                       quad, transform):
            return
        p.save()
        p.setTransform(transform, True)
        front = self._openness < 0.5 + 0.4  # past ~90 degrees we see the back of the leaf
        wood = QLinearGradient(0, 0, 100, 0)
        base = QColor(128, 74, 38) if front else QColor(104, 60, 30)
        shade = 1.0 - 0.35 * self._openness
        wood.setColorAt(0, base.darker(int(100 / shade)))
        wood.setColorAt(1, base.lighter(115).darker(int(100 / shade)))
        p.setPen(QPen(QColor(70, 40, 20), 1.2))
        p.setBrush(wood)
        p.drawRect(flat)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QPen(QColor(86, 48, 24), 2.0))
        for panel in (QRectF(14, 14, 72, 70), QRectF(14, 100, 72, 86)):
            p.drawRoundedRect(panel, 4, 4)
        p.setPen(QPen(QColor(160, 110, 70, 120), 1.0))
        for panel in (QRectF(16, 16, 68, 66), QRectF(16, 102, 68, 82)):
            p.drawRoundedRect(panel, 3, 3)
        knob = QRadialGradient(QPointF(84, 104), 6)
        knob.setColorAt(0, QColor(255, 236, 150))
        knob.setColorAt(1, QColor(176, 134, 40))
        p.setPen(QPen(QColor(120, 90, 30), 0.8))
        p.setBrush(knob)
        p.drawEllipse(QPointF(86, 104), 5, 5)
        p.restore()

    def _paint_sign(self, p: QPainter, rect: QRectF) -> None:
        p.setPen(QPen(QColor(80, 50, 30), 1.5))
        p.setBrush(QColor(255, 250, 235))
        p.drawRoundedRect(rect, 6, 6)
        font = QFont(self.font())
        font.setBold(True)
        font.setPixelSize(max(9, int(rect.height() * 0.42)))
        p.setFont(font)
        p.setPen(QColor(96, 44, 36))
        p.drawText(rect.adjusted(0, 0, 0, -rect.height() * 0.45), Qt.AlignmentFlag.AlignCenter,
                   "HAPPY HOUSE")
        small = QFont(font)
        small.setBold(False)
        small.setPixelSize(max(8, int(rect.height() * 0.3)))
        p.setFont(small)
        if self._probability is None:
            text = self._note or "show me a face"
        else:
            verdict = "welcome!" if self._is_open else "smile to enter"
            text = f"happy {self._probability:.0%}  ·  {verdict}"
        p.setPen(QColor(60, 60, 60))
        p.drawText(rect.adjusted(0, rect.height() * 0.5, 0, 0), Qt.AlignmentFlag.AlignCenter,
                   text)

    def _paint_lamp(self, p: QPainter, centre: QPointF, r: float) -> None:
        colour = OPEN_COLOUR if self._is_open else CLOSED_COLOUR
        if self._probability is None:
            colour = QColor(150, 150, 150)
        halo = QRadialGradient(centre, r * 2.4)
        halo.setColorAt(0, QColor(colour.red(), colour.green(), colour.blue(), 140))
        halo.setColorAt(1, QColor(colour.red(), colour.green(), colour.blue(), 0))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(halo)
        p.drawEllipse(centre, r * 2.4, r * 2.4)
        p.setPen(QPen(colour.darker(150), 1.5))
        p.setBrush(colour)
        p.drawEllipse(centre, r, r)
        # a smile or a flat mouth on the lamp
        p.setPen(QPen(QColor(255, 255, 255), max(1.2, r * 0.18)))
        p.drawPoint(QPointF(centre.x() - r * 0.35, centre.y() - r * 0.25))
        p.drawPoint(QPointF(centre.x() + r * 0.35, centre.y() - r * 0.25))
        mouth = QPainterPath()
        if self._is_open:
            mouth.moveTo(centre.x() - r * 0.5, centre.y() + r * 0.15)
            mouth.quadTo(centre.x(), centre.y() + r * 0.75, centre.x() + r * 0.5,
                         centre.y() + r * 0.15)
        else:
            mouth.moveTo(centre.x() - r * 0.45, centre.y() + r * 0.4)
            mouth.lineTo(centre.x() + r * 0.45, centre.y() + r * 0.4)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(mouth)


CELL = 62  # a thumbnail (56 px) and the gap to the next


class DecisionStrip(QWidget):
    """The last `capacity` verdicts: thumbnail, coloured bar, probability. Clicking a
    thumbnail emits `activated` with what was stored with it (the panel shows it again).

    `keep_data`: only the newest this many keep their `data` whole; older ones keep
    `light(data)` (the panel keeps a file name instead of a frame with its heatmaps)."""

    activated = Signal(object)
    count_changed = Signal()

    def __init__(self, capacity: int = 10, parent: QWidget | None = None, *,
                 keep_data: int | None = None, light=None):
        super().__init__(parent)
        self.capacity = capacity
        self._keep_data = keep_data
        self._light = light
        self._items: deque = deque(maxlen=capacity)
        self.added = 0  # every decision ever added (the count says how many went)
        self.setMinimumHeight(78)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip("The decisions, newest on the left: click one to see it again")
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def add(self, image: np.ndarray, probability: float | None, is_open: bool, label: str = "",
            data=None) -> None:
        """A new verdict (probability None: no face found); `data` comes back on a click."""
        thumb = QPixmap.fromImage(rgb_to_qimage(image)).scaled(
            56, 56, Qt.AspectRatioMode.KeepAspectRatioByExpanding,
            Qt.TransformationMode.SmoothTransformation)
        prob = None if probability is None else float(probability)
        self._items.appendleft((thumb, prob, bool(is_open), label, data))
        self.added += 1
        keep = self._keep_data
        if keep is not None and len(self._items) > keep and self._light is not None:
            old = self._items[keep]  # the one that just left the kept range
            self._items[keep] = old[:4] + (self._light(old[4]),)
        self._resized()

    def clear(self) -> None:
        self._items.clear()
        self.added = 0
        self._resized()

    def dropped(self) -> int:
        """Decisions no longer in the strip (more than `capacity` were added)."""
        return self.added - len(self._items)

    def _resized(self) -> None:
        self.setMinimumWidth(4 + CELL * len(self._items))  # the scroll area scrolls to them
        self.updateGeometry()
        self.update()
        self.count_changed.emit()

    def decisions(self) -> list[tuple[float | None, bool, str]]:
        return [(prob, is_open, label) for _, prob, is_open, label, _ in self._items]

    def data_at(self, index: int):
        """What the `index`-th decision (0: newest) gives back on a click."""
        return self._items[index][4]

    def cell_centre(self, index: int) -> QPointF:
        """Where the `index`-th thumbnail (0: newest) is drawn."""
        return QPointF(4 + CELL * index + 28, 4 + 28)

    def mousePressEvent(self, event) -> None:
        x, y = event.position().x(), event.position().y()
        index = int((x - 4) // CELL)
        inside = 0 <= (x - 4) - CELL * index <= 56 and 4 <= y <= 75
        if inside and 0 <= index < len(self._items) and 4 + CELL * index + 56 <= self.width():
            self.activated.emit(self._items[index][4])
            event.accept()
            return
        super().mousePressEvent(event)

    def sizeHint(self) -> QSize:
        return QSize(4 + CELL * max(len(self._items), 1), 78)

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), self.palette().base())
        if not self._items:
            p.setPen(self.palette().color(self.palette().ColorRole.PlaceholderText))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter,
                       "Recent decisions appear here")
            return
        font = QFont(self.font())
        font.setPixelSize(10)
        p.setFont(font)
        x = 4
        visible = event.rect()
        for thumb, prob, is_open, _label, _data in self._items:
            if x > visible.right():
                break  # the rest is scrolled out of view
            if x + 56 < visible.left():
                x += CELL
                continue
            cell = QRectF(x, 4, 56, 56)
            p.save()
            path = QPainterPath()
            path.addRoundedRect(cell, 5, 5)
            p.setClipPath(path)
            p.drawPixmap(cell.toRect(), thumb, QRectF(
                (thumb.width() - 56) / 2, (thumb.height() - 56) / 2, 56, 56).toRect())
            p.restore()
            colour = OPEN_COLOUR if is_open else CLOSED_COLOUR
            p.setPen(QPen(colour, 2.5))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(cell, 5, 5)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(colour)
            p.drawRoundedRect(QRectF(x, 62, 56, 13), 3, 3)
            p.setPen(QColor(255, 255, 255))
            p.drawText(QRectF(x, 62, 56, 13), Qt.AlignmentFlag.AlignCenter,
                       "no face" if prob is None else
                       f"{'open' if is_open else 'shut'} {prob:.0%}")
            x += CELL
        p.end()


class DecisionStripArea(QWidget):
    """The strip in a sideways scroll area, under a line that says how many decisions it
    holds (and how many went, past its capacity): none is lost without a word."""

    def __init__(self, capacity: int, parent: QWidget | None = None, **strip_options):
        super().__init__(parent)
        self.strip = DecisionStrip(capacity, **strip_options)
        self.count_label = QLabel("")
        self.count_label.setEnabled(False)  # the palette's secondary text colour
        self.scroller = QScrollArea()
        self.scroller.setWidget(self.strip)
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.scroller.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        bar = self.scroller.horizontalScrollBar().sizeHint().height()
        self.scroller.setFixedHeight(self.strip.minimumHeight() + bar + 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.count_label)
        layout.addWidget(self.scroller)
        self.strip.count_changed.connect(self._on_strip_count_changed)
        self._on_strip_count_changed()

    def _on_strip_count_changed(self) -> None:
        shown, dropped = len(self.strip.decisions()), self.strip.dropped()
        if not shown:
            text = ""
        elif dropped:
            text = (f"Decisions: the newest {shown} of {shown + dropped} (the {dropped} oldest "
                    f"are no longer kept) · newest on the left")
        else:
            text = f"Decisions: {shown} · newest on the left" + (
                " · scroll for older" if self.strip.minimumWidth() > self.scroller.width()
                else "")
        self.count_label.setText(text)
        self.scroller.horizontalScrollBar().setValue(0)  # the newest in view


__all__ = ["DoorView", "DecisionStrip", "DecisionStripArea", "OPEN_COLOUR", "CLOSED_COLOUR"]
