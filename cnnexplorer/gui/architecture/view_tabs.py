"""Containers of the Architecture panel's right-hand side: the tabs, and slots for the views
built after the window's first paint (the charts import pyqtgraph, 0.7 s of a launch)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget


class ViewTabs(QTabWidget):
    """The right-hand tabs, minus a repaint of everything on them per config change.

    QTabWidget answers each LayoutRequest from inside its page (a totals label's new text)
    by placing its tab bar and page again and repainting itself with every widget on the
    page: about 5 of ResNet-50's 21 ms per change. The bar and page keep their geometry
    then (the page's own layouts still run); Qt places them directly on show, resize, style
    change and tab insertion, so a visible tab widget skips the request.
    """

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.LayoutRequest and self.isVisible():
            return True
        return super().event(event)


class PendingSlot(QWidget):
    """Where a view will be: a quiet "drawing ..." line until `fill(widget)` puts it there."""

    def __init__(self, waiting_text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.content: QWidget | None = None
        self._waiting = QLabel(waiting_text)
        self._waiting.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._waiting.setEnabled(False)  # the palette's secondary text colour
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self._waiting)

    def fill(self, widget: QWidget) -> None:
        self._waiting.hide()
        self._layout.removeWidget(self._waiting)
        self._waiting.deleteLater()
        self._layout.addWidget(widget)
        self.content = widget
