"""The Diagram tab: a visible toolbar (fit width, fit all, zoom, collapse blocks, export) over
the view.

The view's context menu offers the same actions, but a student does not find a context menu;
the toolbar shows them, with the keys: wheel scrolls, Ctrl+wheel zooms.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMenu, QSizePolicy, QToolBar, QToolButton, QVBoxLayout, \
    QWidget

from cnnexplorer.gui.architecture.diagram_view import DiagramView


class DiagramPane(QWidget):
    """`view` (the `DiagramView`) under a toolbar; `actions` by name for tests and menus."""

    def __init__(self, view: DiagramView, parent: QWidget | None = None):
        super().__init__(parent)
        self.view = view
        bar = QToolBar("Diagram")
        bar.setMovable(False)
        self.actions_by_name = {
            "fit_width": bar.addAction("Fit width", view.zoom_to_fit),
            "fit_all": bar.addAction("Fit all", view.fit_all),
            "zoom_in": bar.addAction("Zoom in", lambda: view.zoom_by(1.25)),
            "zoom_out": bar.addAction("Zoom out", lambda: view.zoom_by(0.8)),
        }
        self.actions_by_name["fit_width"].setToolTip(
            "Zoom so the diagram's width fits the view; scroll down to read a tall network")
        self.actions_by_name["fit_all"].setToolTip(
            "Zoom out until the whole diagram is in view (GoogLeNet, ResNet-50 at a glance)")
        bar.addSeparator()
        self.collapse_button = QToolButton()
        self.collapse_button.setText("Collapse blocks")
        self.collapse_button.setToolTip("Fold every block at a level into one box (or open "
                                        "them all); double-click a box does it for one block")
        self.collapse_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.collapse_menu = QMenu(self.collapse_button)
        self.collapse_menu.aboutToShow.connect(self._on_collapse_menu_about_to_show)
        self.collapse_button.setMenu(self.collapse_menu)
        bar.addWidget(self.collapse_button)
        bar.addSeparator()
        self.export_button = QToolButton()
        self.export_button.setText("Export")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        export_menu = QMenu(self.export_button)
        self.actions_by_name["export_png"] = export_menu.addAction(
            "Export diagram as PNG...", lambda: view.export_dialog("png"))
        self.actions_by_name["export_svg"] = export_menu.addAction(
            "Export diagram as SVG...", lambda: view.export_dialog("svg"))
        self.export_button.setMenu(export_menu)
        bar.addWidget(self.export_button)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        hint = QLabel("wheel: scroll · Ctrl+wheel: zoom · drag: pan · double-click: fold")
        hint.setEnabled(False)  # the palette's secondary text colour
        bar.addWidget(hint)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(bar)
        layout.addWidget(view, 1)
        self.toolbar = bar

    def _on_collapse_menu_about_to_show(self) -> None:
        self.collapse_menu.clear()
        self.view.add_collapse_actions(self.collapse_menu)
