"""The Architecture panel's zoo list: entries grouped by family, with a search box.

    browser = ZooBrowser()
    browser.entry_chosen.connect(lambda key: ...)  # the user (or select()) picked an entry
    browser.select("resnet50")
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from cnnexplorer.core.arch import zoo
from cnnexplorer.core.errors import ConfigError

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 10


class ZooBrowser(QWidget):
    """A search box over a tree of zoo entries; `entry_chosen(key)` when one becomes current."""

    entry_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search the zoo (name, family, description)")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_search_text_changed)
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(True)
        self.tree.currentItemChanged.connect(self._on_tree_current_changed)
        self._populate()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)

    def _populate(self) -> None:
        families: dict[str, QTreeWidgetItem] = {}
        for entry in zoo.entries():
            family = families.get(entry.family)
            if family is None:
                family = QTreeWidgetItem(self.tree, [entry.family])
                family.setFlags(Qt.ItemFlag.ItemIsEnabled)
                font = family.font(0)
                font.setBold(True)
                family.setFont(0, font)
                families[entry.family] = family
            item = QTreeWidgetItem(family, [entry.title])
            item.setData(0, ENTRY_ROLE, entry.key)
            item.setToolTip(0, entry.description)
        self.tree.expandAll()

    def entry_items(self) -> list[QTreeWidgetItem]:
        items = []
        for i in range(self.tree.topLevelItemCount()):
            family = self.tree.topLevelItem(i)
            items += [family.child(j) for j in range(family.childCount())]
        return items

    def select(self, key: str) -> bool:
        """Make an entry (key or alias) current; False when there is no such entry."""
        try:
            key = zoo.get(key).key
        except ConfigError:
            return False
        for item in self.entry_items():
            if item.data(0, ENTRY_ROLE) == key:
                self.tree.setCurrentItem(item)
                return True
        return False

    def clear_selection(self) -> None:
        """No entry current (an opened model file is shown instead)."""
        self.tree.setCurrentItem(None)

    def _on_search_text_changed(self, text: str) -> None:
        needle = text.strip().lower()
        for i in range(self.tree.topLevelItemCount()):
            family = self.tree.topLevelItem(i)
            any_shown = False
            for j in range(family.childCount()):
                item = family.child(j)
                entry = zoo.get(item.data(0, ENTRY_ROLE))
                hay = " ".join((entry.key, entry.title, entry.family, entry.description,
                                *entry.aliases)).lower()
                shown = needle in hay
                item.setHidden(not shown)
                any_shown |= shown
            family.setHidden(not any_shown)

    def _on_tree_current_changed(self, current, _previous) -> None:
        key = current.data(0, ENTRY_ROLE) if current is not None else None
        if key:
            self.entry_chosen.emit(key)
