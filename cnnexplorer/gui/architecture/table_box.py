"""The layer table with its bar (summary, "Group by block", "Network order", Export), and the
table state that survives a recompute: which blocks are open, which layer is current.

The tree's columns share the width the panel leaves them: Layer and Type take what is left,
the number columns fit their contents, so "% of MACs" and "Activations" stay on screen at
1440 px with the zoo column and the totals beside the table (issue 13, defect 3).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QHBoxLayout, QHeaderView, QLabel,
                               QMenu, QPushButton, QSizePolicy, QToolButton, QVBoxLayout,
                               QWidget)

from cnnexplorer.core.arch.cost import CostReport
from cnnexplorer.gui.architecture.layer_table import (
    LAYER_NAME_ROLE,
    LayerSortProxy,
    LayerTableModel,
    LayerTreeView,
)


class ElidedLabel(QLabel):
    """One line that ends in "..." when it does not fit (the full text in its tooltip): the
    network's summary, which wrapped to five lines beside the buttons at 1024 px."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def resizeEvent(self, event):  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        self.setText(self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight,
                                                   max(self.width(), 0)))


class LayerTableBox(QWidget):
    """See the module docstring; the panel reaches the parts through its attributes."""

    def __init__(self, export_actions, parent: QWidget | None = None):
        super().__init__(parent)
        self.table_model = LayerTableModel(self)
        self.proxy = LayerSortProxy(self)
        self.proxy.setSourceModel(self.table_model)
        self.table = LayerTreeView()
        self.table.setModel(self.proxy)
        self.table.setAlternatingRowColors(True)
        self.table.setUniformRowHeights(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.header()
        header.setSortIndicatorClearable(True)  # a third click returns to network order
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(48)
        for col in range(self.table_model.columnCount()):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch if col < 2 else
                                        QHeaderView.ResizeMode.ResizeToContents)
        # the shape column by its values, not its long title ("Output n_H x n_W x n_C", which
        # the tooltip and a wider window show whole): Layer and Type need the room more
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(2, self.fontMetrics().horizontalAdvance("224 x 224 x 1024") + 16)
        self.grouped = QCheckBox("Group by block")
        self.grouped.setChecked(True)
        self.network_order = QPushButton("Network order")
        self.network_order.setToolTip("Undo the sorting: show the layers in the network's order")
        self.network_order.clicked.connect(self.restore_network_order)
        self.export_button = QToolButton()
        self.export_button.setText("Export")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        menu.addActions(export_actions)
        self.export_button.setMenu(menu)
        self.summary = ElidedLabel()  # a long network name must not widen the window
        bar = QHBoxLayout()
        bar.addWidget(self.summary, 1)
        bar.addWidget(self.grouped)
        bar.addWidget(self.network_order)
        bar.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)

    # -- rows ----------------------------------------------------------------------------------
    def show_report(self, report: CostReport, expand_default: bool) -> bool:
        """Show `report`; True when updated in place (same rows: expansion and current row
        stay), False after a reset (default expansion, or the blocks that were open)."""
        if not expand_default and self.table_model.report() is not None:
            # same rows, new values (a config change): no reset, only painted rows format
            if self.table_model.set_report(report, self.grouped.isChecked()):
                return True
        expanded = None if expand_default else self._expanded_paths()
        self.table.setUpdatesEnabled(False)
        try:
            self.table_model.set_report(report, self.grouped.isChecked())
            self._restore_expansion(expanded)
        finally:
            self.table.setUpdatesEnabled(True)
        return False

    def _expanded_paths(self) -> set[str]:
        return {path for path, index in self.table_model.block_indexes()
                if self.table.isExpanded(self.proxy.mapFromSource(index))}

    def _restore_expansion(self, expanded: set[str] | None) -> None:
        for path, index in self.table_model.block_indexes():
            # default: top-level blocks open (stages), nested blocks (res2a ...) closed
            keep = ("/" not in path) if expanded is None else path in expanded
            if keep:
                self.table.setExpanded(self.proxy.mapFromSource(index), True)

    # -- current layer -------------------------------------------------------------------------
    def selected_layer(self) -> str | None:
        index = self.table.currentIndex()
        return index.data(LAYER_NAME_ROLE) or None if index.isValid() else None

    def select_layer(self, name: str) -> bool:
        source = self.table_model.index_of_layer(name)
        if not source.isValid():
            return False
        index = self.proxy.mapFromSource(source)
        parent = index.parent()
        while parent.isValid():
            self.table.setExpanded(parent, True)
            parent = parent.parent()
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index)
        return True

    def restore_network_order(self) -> None:
        self.table.header().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.proxy.sort(-1)
