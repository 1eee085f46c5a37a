"""The layer table: a Qt tree model over a `CostReport`, grouped by block path, sortable.

Block rows carry the core's subtotals (`CostReport.blocks`), layer rows the core's `LayerRow`s;
the model formats, it never computes a cost. `SORT_ROLE` gives raw numbers so a
`QSortFilterProxyModel` sorts 1,000 after 999 (and siblings within each block).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QFont

from ...core.cost import CostReport, LayerRow, Subtotal, readable_bytes

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
#: the layer name of a layer row, "" for a block row
LAYER_NAME_ROLE = Qt.ItemDataRole.UserRole + 2

COLUMNS = ("Name", "Type", "Output n_H x n_W x n_C", "Params", "MACs", "% of MACs",
           "Activations")
_HEADER_TIPS = ("layer name (as in Keras)", "layer kind", "output shape of one image",
                "parameters, trainable + non-trainable (BatchNorm moving statistics)",
                "multiply-accumulates for one image; FLOPs = 2 x MACs",
                "share of the network's MACs", "memory of this output for one image, float32")
NUMERIC = {3, 4, 5, 6}
_DISPLAY = Qt.ItemDataRole.DisplayRole


@dataclass(eq=False)
class _Item:
    """One row: a block (subtotal) or a layer. Children keep the network's order."""

    parent: _Item | None
    label: str
    path: str = ""  # block path, "" for a layer
    row: LayerRow | None = None
    subtotal: Subtotal | None = None
    children: list[_Item] = field(default_factory=list)
    pos: int = 0  # index among the parent's children, kept so parent() is O(1)
    cells: tuple[str, ...] | None = None  # display texts, formatted once on first paint

    def index_in_parent(self) -> int:
        return self.pos

    def adopt(self, child: _Item) -> _Item:
        child.pos = len(self.children)
        self.children.append(child)
        return child


def _group(report: CostReport, grouped: bool) -> tuple[_Item, dict[str, _Item]]:
    root = _Item(None, "")
    by_name: dict[str, _Item] = {}
    blocks: dict[str, _Item] = {"": root}
    for r in report.rows:
        parent = root
        if grouped and r.block:
            parts = r.block.split("/")
            for depth in range(1, len(parts) + 1):
                path = "/".join(parts[:depth])
                item = blocks.get(path)
                if item is None:
                    item = parent.adopt(_Item(parent, parts[depth - 1], path=path,
                                              subtotal=report.blocks.get(path)))
                    blocks[path] = item
                parent = item
        by_name[r.name] = parent.adopt(_Item(parent, r.name, row=r))
    return root, by_name


def format_shape(shape: tuple[int, ...]) -> str:
    return " x ".join(str(d) for d in shape)


class LayerTableModel(QAbstractItemModel):
    """Rows of a cost report, as a tree of blocks (or flat with `grouped=False`)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._report: CostReport | None = None
        self._grouped = True
        self._root = _Item(None, "")
        self._by_name: dict[str, _Item] = {}
        self._bold = QFont()
        self._bold.setBold(True)

    # -- data in --------------------------------------------------------------------------
    def set_report(self, report: CostReport | None, grouped: bool | None = None) -> None:
        self.beginResetModel()
        self._report = report
        if grouped is not None:
            self._grouped = grouped
        if report is None:
            self._root, self._by_name = _Item(None, ""), {}
        else:
            self._root, self._by_name = _group(report, self._grouped)
        self.endResetModel()

    def report(self) -> CostReport | None:
        return self._report

    def grouped(self) -> bool:
        return self._grouped

    def index_of_layer(self, name: str) -> QModelIndex:
        item = self._by_name.get(name)
        if item is None:
            return QModelIndex()
        return self.createIndex(item.index_in_parent(), 0, item)

    def block_indexes(self) -> list[tuple[str, QModelIndex]]:
        """(path, index) of every block row, parents before children."""
        out = []

        def walk(item: _Item):
            for i, child in enumerate(item.children):
                if child.row is None:
                    out.append((child.path, self.createIndex(i, 0, child)))
                    walk(child)
        walk(self._root)
        return out

    # -- Qt model interface -----------------------------------------------------------------
    def _item(self, index: QModelIndex) -> _Item:
        return index.internalPointer() if index.isValid() else self._root

    def index(self, row, column, parent=QModelIndex()):
        item = self._item(parent)
        if 0 <= row < len(item.children) and 0 <= column < len(COLUMNS):
            return self.createIndex(row, column, item.children[row])
        return QModelIndex()

    def parent(self, index=QModelIndex()):  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        parent = index.internalPointer().parent
        if parent is None or parent is self._root:
            return QModelIndex()
        return self.createIndex(parent.index_in_parent(), 0, parent)

    def rowCount(self, parent=QModelIndex()):
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._item(parent).children)

    def columnCount(self, parent=QModelIndex()):
        return len(COLUMNS)

    def hasChildren(self, parent=QModelIndex()):
        return self.rowCount(parent) > 0

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section]
            if role == Qt.ItemDataRole.TextAlignmentRole and section in NUMERIC:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if role == Qt.ItemDataRole.ToolTipRole:
                return _HEADER_TIPS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        item: _Item = index.internalPointer()
        col = index.column()
        if role == _DISPLAY:  # the hot path: a view asks this for every visible cell
            if item.cells is None:
                item.cells = tuple(self._display(item, c) for c in range(len(COLUMNS)))
            return item.cells[col]
        if role == SORT_ROLE:
            return self._sort_key(item, col)
        if role == LAYER_NAME_ROLE:
            return item.row.name if item.row else ""
        if role == Qt.ItemDataRole.TextAlignmentRole and col in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and item.row is None:
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole:
            if item.row is not None:
                return item.row.summary
            return f"block {item.path}: subtotal of {item.subtotal.layers} layers" \
                if item.subtotal else item.path
        return None

    def _display(self, item: _Item, col: int) -> str:
        r, s = item.row, item.subtotal
        if r is not None:
            return (r.name, r.type, format_shape(r.output_shape), f"{r.params:,}",
                    "not counted" if r.macs is None else f"{r.macs:,}",
                    f"{100 * r.mac_share:.2f} %" if r.macs else "",
                    readable_bytes(r.activation_bytes))[col]
        if s is None:
            return item.label if col == 0 else ""
        total = self._report.totals.macs if self._report else 0
        share = s.macs / total if total else 0.0
        return (item.label, f"block ({s.layers})", "", f"{s.params:,}",
                f"{s.macs:,}" + ("+" if s.macs_lower_bound else ""),
                f"{100 * share:.2f} %" if s.macs else "",
                readable_bytes(s.activation_bytes))[col]

    def _sort_key(self, item: _Item, col: int):
        r, s = item.row, item.subtotal
        if col == 0:
            return item.label.lower()
        if col == 1:
            return r.type if r else ""
        if col == 2:
            if r is None:
                return -1
            shape = r.output_shape
            return shape[0] * (shape[1] if len(shape) > 1 else 1) * 100000 + shape[-1]
        if r is not None:
            return (r.params, r.macs or 0, r.mac_share, r.activation_bytes)[col - 3]
        if s is not None:
            return (s.params, s.macs, s.macs, s.activation_bytes)[col - 3]
        return 0


class LayerSortProxy(QSortFilterProxyModel):
    """Sorts siblings by raw numbers; the unsorted order is the network's order."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(False)

    def lessThan(self, left, right):
        a = left.data(SORT_ROLE)
        b = right.data(SORT_ROLE)
        try:
            return a < b
        except TypeError:
            return str(a) < str(b)
