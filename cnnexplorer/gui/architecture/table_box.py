"""The layer table with its bar (summary, "Group by block", "Network order", Export), and the
table state that survives a recompute: which blocks are open, which layer is current.

Columns: the number columns (params, MACs ...) fit their contents, so
"% of MACs" and "Activations" stay on screen at 1440 px with the zoo column and the totals
beside the table (issue 13, defect 3). Name and Type are the user's to widen or narrow
(issue 17: they stretched, so "inception_3a_pool_proj" read "inception_p…" with no way to
see it): they start at their contents' width when the table has room, and share what is
left when it has not, until the user drags one; from then on the user's widths stay.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QHBoxLayout, QHeaderView, QLabel,
                               QMenu, QPushButton, QSizePolicy, QToolButton, QVBoxLayout,
                               QWidget)

from cnnexplorer.core.arch.cost import CostReport
from cnnexplorer.gui.architecture.layer_table import (
    LAYER_NAME_ROLE,
    NAME,
    SHAPE,
    TYPE,
    LayerSortProxy,
    LayerTableModel,
    LayerTreeView,
)

#: Name and Type never start narrower than this when the table is short of room (at 1440 px
#: every column must stay on screen, issue 13; the user can then widen them)
MIN_TEXT_COLUMN = 64
CELL_MARGIN = 14  # the delegate's padding either side of a cell's text


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
        header.setMinimumSectionSize(32)
        for col in range(self.table_model.columnCount()):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive
                                        if col in (NAME, TYPE) else
                                        QHeaderView.ResizeMode.ResizeToContents)
        # the shape column by its values, not its long title ("Output n_H x n_W x n_C", which
        # the tooltip and a wider window show whole): Layer and Type need the room more
        header.setSectionResizeMode(SHAPE, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(SHAPE, self.fontMetrics().horizontalAdvance("224 x 224 x 1024")
                                  + 16)
        self._content_widths = (MIN_TEXT_COLUMN, MIN_TEXT_COLUMN)  # Name, Type
        self._user_sized = False  # the user dragged Name or Type: keep their widths
        self._sizing = False  # our own resizes (Qt's lazy layout resizes them too)
        self._header_held = False  # a mouse button is down on the header: a drag
        header.sectionResized.connect(self._on_section_resized)
        header.viewport().installEventFilter(self)
        self.table.viewport().installEventFilter(self)
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
            self._measure_text_columns()
            self.fit_text_columns()
        finally:
            self.table.setUpdatesEnabled(True)
        return False

    # -- Name and Type widths --------------------------------------------------------------
    def _measure_text_columns(self) -> None:
        """Name and Type as wide as their longest cell (nested rows indented, blocks bold)."""
        plain = QFontMetrics(self.table.font())
        bold_font = QFont(self.table.font())
        bold_font.setBold(True)
        bold = QFontMetrics(bold_font)
        step = self.table.indentation()
        widths = []
        for column in (NAME, TYPE):
            widest = 0
            for text, depth, is_block in self.table_model.column_texts(column):
                width = (bold if is_block else plain).horizontalAdvance(text)
                if column == NAME:  # the tree's indentation and its branch arrow
                    width += step * (depth + 1)
                widest = max(widest, width)
            header_text = self.table_model.headerData(column, Qt.Orientation.Horizontal)
            widest = max(widest, plain.horizontalAdvance(header_text) + 16)
            widths.append(widest + CELL_MARGIN)
        self._content_widths = (widths[0], widths[1])

    def fit_text_columns(self) -> None:
        """Give Name and Type their content's width, or share the room left when short of it
        (never below MIN_TEXT_COLUMN); nothing once the user sized them by hand. A table too
        narrow for every column even so (1024 px) scrolls sideways anyway: then Name and
        Type keep their content's width, and the numbers are a scroll away."""
        if self._user_sized:
            return
        header = self.table.header()
        others = sum(header.sectionSize(c) for c in range(header.count())
                     if c not in (NAME, TYPE))
        room = self.table.viewport().width() - others
        need_name, need_type = self._content_widths
        if room >= need_name + need_type:
            spare = room - need_name - need_type  # to Name: a deeper tree, a longer name
            name, type_ = need_name + spare * 2 // 3, need_type + spare - spare * 2 // 3
        elif room >= 2 * MIN_TEXT_COLUMN:
            name = max(MIN_TEXT_COLUMN, room * need_name // (need_name + need_type))
            type_ = max(MIN_TEXT_COLUMN, room - name)
        else:
            name, type_ = need_name, need_type
        self._sizing = True
        try:
            header.resizeSection(NAME, name)
            header.resizeSection(TYPE, type_)
        finally:
            self._sizing = False

    def _on_section_resized(self, column: int, _old: int, _new: int) -> None:
        if column not in (NAME, TYPE):
            self.fit_text_columns()  # a number column fitted its contents: share again
        elif self._header_held and not self._sizing:
            # the user's drag (or double-click on the edge); Qt's own relayouts, which
            # also resize the sections, happen with no button down on the header
            self._user_sized = True

    def eventFilter(self, watched, event):  # noqa: N802 (Qt override)
        kind = event.type()
        if watched is self.table.viewport() and kind == QEvent.Type.Resize:
            self.fit_text_columns()
        elif watched is self.table.header().viewport():
            if kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick):
                self._header_held = True
            elif kind == QEvent.Type.MouseButtonRelease:
                self._header_held = False
        return super().eventFilter(watched, event)

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
