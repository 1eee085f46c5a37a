"""The layer table: a Qt tree model over a `CostReport`, grouped by block path, sortable.

Block rows carry the core's subtotals (`CostReport.blocks`), layer rows the core's `LayerRow`s;
the model formats, it never computes a cost. `SORT_ROLE` gives raw numbers so a
`QSortFilterProxyModel` sorts 1,000 after 999 (and siblings within each block).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QAccessible, QFont
from PySide6.QtWidgets import QTreeView

from cnnexplorer.core.arch.cost import CostReport, LayerRow, Subtotal
from cnnexplorer.core.formatting import readable_bytes, shape_text

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
#: the layer name of a layer row, "" for a block row
LAYER_NAME_ROLE = Qt.ItemDataRole.UserRole + 2

COLUMNS = ("Name", "Type", "Output n_H x n_W x n_C", "Params", "MACs", "% of MACs",
           "Activations")
_HEADER_TIPS = ("layer name (as in Keras)",
                "layer kind; for a convolution or pooling its f x f window and stride s "
                "(s=1 unsaid), e.g. 'Conv2D 7x7, s=2'",
                "output shape of one image",
                "parameters, trainable + non-trainable (BatchNorm moving statistics)",
                "multiply-accumulates for one image; FLOPs = 2 x MACs",
                "share of the network's MACs", "memory of this output for one image, float32")
NAME, TYPE, SHAPE = range(3)  # the columns other modules size or read
NUMERIC = {3, 4, 5, 6}  # right-aligned
_COLUMN_COUNT = len(COLUMNS)
# Roles and the alignment as plain ints, made once: data() runs for every visible cell and
# role on each paint, and building an enum flag there (AlignRight | AlignVCenter) costs more
# than the rest of the call.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_TIP = int(Qt.ItemDataRole.ToolTipRole)
_SORT = int(SORT_ROLE)
_NAME = int(LAYER_NAME_ROLE)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
#: the alignment of each column's cells (None: the default, left)
_ALIGNMENT = tuple(_RIGHT if c in NUMERIC else None for c in range(_COLUMN_COUNT))
_PAINTED_ROLES = {_DISPLAY, _ALIGN, _FONT}


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


def row_structure(report: CostReport) -> tuple:
    """What fixes the tree's rows: (type, block) per layer, in network order.

    Two reports with the same structure (a reshaped input, another class count) differ only
    in values and perhaps names (Keras names ResNet-50's classifier fc1000 or fc999), so the
    model can update its rows in place instead of resetting the view.
    """
    return tuple((r.type, r.block) for r in report.rows)


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


def kind_text(row: LayerRow) -> str:
    """The Type cell: the kind, the window and stride of a convolution or pooling (issue 17:
    they were only in the tooltip), and the course's word for the layer's part.

    "Conv2D 7x7, s=2", "MaxPooling2D 3x3, s=2", "Conv2D 1x1 (3x3 reduce)" (s=1 unsaid).
    In this cell rather than two columns of their own: at 1440 px every column must stay
    on screen (issue 13), and two more left Name and Type no room at all.
    """
    text = row.type
    role = row.role
    if row.kernel is not None:
        window = f"{row.kernel[0]}x{row.kernel[1]}"
        text += f" {window}"
        if role == window:  # an Inception branch called by its kernel: said once
            role = ""
        stride = row.stride or (1, 1)
        if stride != (1, 1):
            text += f", s={stride[0]}" if stride[0] == stride[1] else \
                f", s={stride[0]}x{stride[1]}"
    return f"{text} ({role})" if role else text  # the course's word for it


class LayerTableModel(QAbstractItemModel):
    """Rows of a cost report, as a tree of blocks (or flat with `grouped=False`)."""

    #: after an in-place update (dataChanged sent); True when a layer name changed
    updated_in_place = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._report: CostReport | None = None
        self._grouped = True
        self._root = _Item(None, "")
        self._by_name: dict[str, _Item] = {}
        self._layers: list[_Item] = []  # layer rows in network order
        self._blocks: list[_Item] = []  # block rows, parents before children
        self._structure: tuple | None = None
        self._bold = QFont()
        self._bold.setBold(True)

    # -- data in --------------------------------------------------------------------------
    def set_report(self, report: CostReport | None, grouped: bool | None = None) -> bool:
        """Show `report`; True when the rows were updated in place (see `row_structure`).

        In place, the view keeps its expansion, scroll position, selection and sorting, and
        only the changed rows are repainted (dataChanged); otherwise the model is reset.
        """
        grouped = self._grouped if grouped is None else grouped
        structure = row_structure(report) if report is not None else None
        if (report is not None and self._report is not None and grouped == self._grouped
                and structure == self._structure):
            self._update_in_place(report)
            return True
        self.beginResetModel()
        self._report, self._grouped, self._structure = report, grouped, structure
        if report is None:
            self._root, self._by_name = _Item(None, ""), {}
        else:
            self._root, self._by_name = _group(report, self._grouped)
        self._layers = list(self._by_name.values())
        self._blocks = [item for _path, item in self._walk_blocks()]
        self.endResetModel()
        return False

    def _update_in_place(self, report: CostReport) -> None:
        old_total = self._report.totals.macs
        self._report = report
        # id(parent) -> [parent, first row, last row, first column]
        changed: dict[int, list] = {}

        def mark(item: _Item, column: int = 1) -> None:
            item.cells = None  # formatted again when painted
            parent = item.parent
            span = changed.get(id(parent))
            if span is None:
                changed[id(parent)] = [parent, item.pos, item.pos, column]
            else:
                span[1], span[2] = min(span[1], item.pos), max(span[2], item.pos)
                span[3] = min(span[3], column)

        renamed = False
        for item, row in zip(self._layers, report.rows):
            if item.row != row:
                column = 1  # from the type on: a view re-reads the tree shape for column 0
                if item.label != row.name:
                    item.label, renamed, column = row.name, True, 0
                item.row = row
                mark(item, column)
        if renamed:
            self._by_name = {item.label: item for item in self._layers}
        total_moved = report.totals.macs != old_total  # every block's share moves with it
        for item in self._blocks:
            subtotal = report.blocks.get(item.path)
            if subtotal != item.subtotal or total_moved:
                item.subtotal = subtotal
                mark(item)
        last_col = len(COLUMNS) - 1
        for parent, first, last, first_col in changed.values():
            self.dataChanged.emit(self.createIndex(first, first_col, parent.children[first]),
                                  self.createIndex(last, last_col, parent.children[last]))
        self.updated_in_place.emit(renamed)

    def report(self) -> CostReport | None:
        return self._report

    def column_texts(self, column: int) -> list[tuple[str, int, bool]]:
        """(text, depth in the tree, bold) of every row's cell in `column`: what the view
        needs to size the column to its content (block rows are bold, nested rows indented)."""
        out = []

        def walk(item: _Item, depth: int) -> None:
            for child in item.children:
                out.append(((child.cells or self._format(child))[column], depth,
                            child.row is None))
                walk(child, depth + 1)
        walk(self._root, 0)
        return out

    def grouped(self) -> bool:
        return self._grouped

    def index_of_layer(self, name: str) -> QModelIndex:
        item = self._by_name.get(name)
        if item is None:
            return QModelIndex()
        return self.createIndex(item.index_in_parent(), 0, item)

    def block_indexes(self) -> list[tuple[str, QModelIndex]]:
        """(path, index) of every block row, parents before children."""
        return [(item.path, self.createIndex(item.pos, 0, item)) for item in self._blocks]

    def _walk_blocks(self) -> list[tuple[str, _Item]]:
        out = []

        def walk(item: _Item):
            for child in item.children:
                if child.row is None:
                    out.append((child.path, child))
                    walk(child)
        walk(self._root)
        return out

    # -- Qt model interface -----------------------------------------------------------------
    def _item(self, index: QModelIndex) -> _Item:
        return index.internalPointer() if index.isValid() else self._root

    def index(self, row, column, parent=QModelIndex()):
        # called for every cell a proxy maps: kept to one Python frame
        children = (parent.internalPointer() if parent.isValid() else self._root).children
        if 0 <= row < len(children) and 0 <= column < _COLUMN_COUNT:
            return self.createIndex(row, column, children[row])
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
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return _ALIGNMENT[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                return _HEADER_TIPS[section]
        return None

    def data(self, index, role=_DISPLAY):
        item: _Item | None = index.internalPointer()
        return None if item is None else self._value(item, index.column(), role)

    def multiData(self, index, span) -> None:  # noqa: N802 (Qt override)
        """All the roles a delegate asks for one cell (7 per paint) in one Python call."""
        item: _Item | None = index.internalPointer()
        column = index.column()
        for role_data in span:
            role = role_data.role()
            if role == _DISPLAY and item is not None:  # the painted roles inline
                cells = item.cells or self._format(item)
                role_data.setData(cells[column])
            elif role == _ALIGN and _ALIGNMENT[column] is not None:
                role_data.setData(_ALIGNMENT[column])
            elif role == _FONT and item is not None and item.row is None:
                role_data.setData(self._bold)
            elif role in _PAINTED_ROLES or item is None:
                role_data.clearData()
            else:
                value = self._value(item, column, role)
                if value is None:
                    role_data.clearData()
                else:
                    role_data.setData(value)

    def _value(self, item: _Item, col: int, role: int):
        # the hot path: every visible cell and several roles per paint
        if role == _DISPLAY:
            return (item.cells or self._format(item))[col]
        if role == _ALIGN:
            return _ALIGNMENT[col]
        if role == _FONT:
            return self._bold if item.row is None else None
        if role == _SORT:
            return self._sort_key(item, col)
        if role == _NAME:
            return item.row.name if item.row else ""
        if role == _TIP:
            if item.row is not None:
                # the receptive field: in the working under the table and here, not as a
                # column (at 1440 px every column must stay on screen)
                rf = item.row.receptive_field
                field = f"receptive field {rf.text()}" if rf else ""
                return "; ".join(t for t in (item.row.summary, field) if t)
            return f"{item.subtotal.kind} {item.path}: subtotal of " \
                   f"{item.subtotal.layers} layers" if item.subtotal else item.path
        return None

    def _format(self, item: _Item) -> tuple[str, ...]:
        """The row's display texts, formatted once per value, when first painted."""
        item.cells = tuple(self._display(item, c) for c in range(_COLUMN_COUNT))
        return item.cells

    def _display(self, item: _Item, col: int) -> str:
        r, s = item.row, item.subtotal
        if r is not None:
            return (r.name, kind_text(r), shape_text(r.output_shape, spaced=True),
                    f"{r.params:,}",
                    "not counted" if r.macs is None else f"{r.macs:,}",
                    f"{100 * r.mac_share:.2f} %" if r.macs else "",
                    readable_bytes(r.activation_bytes))[col]
        if s is None:
            return item.label if col == 0 else ""
        total = self._report.totals.macs if self._report else 0
        share = s.macs / total if total else 0.0
        return (item.label, f"{s.kind} ({s.layers})", "", f"{s.params:,}",
                f"{s.macs:,}" + ("+" if s.macs_lower_bound else ""),
                f"{100 * share:.2f} %" if s.macs else "",
                readable_bytes(s.activation_bytes))[col]

    def _sort_key(self, item: _Item, col: int):
        r, s = item.row, item.subtotal
        if col == 0:
            return item.label.lower()
        if col == TYPE:
            return r.type if r else ""
        if col == SHAPE:
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
        # sorting on every dataChanged would re-sort per block; an in-place update re-sorts
        # once, and only when the sorted column can have moved
        self.setDynamicSortFilter(False)

    def setSourceModel(self, model) -> None:  # noqa: N802 (Qt override)
        old = self.sourceModel()
        if isinstance(old, LayerTableModel):
            old.updated_in_place.disconnect(self._on_source_updated_in_place)
        super().setSourceModel(model)
        if isinstance(model, LayerTableModel):
            model.updated_in_place.connect(self._on_source_updated_in_place)

    def multiData(self, index, span) -> None:  # noqa: N802 (Qt override)
        # map once per cell rather than once per role (each mapping asks the Python model)
        model = self.sourceModel()
        if isinstance(model, LayerTableModel):
            model.multiData(self.mapToSource(index), span)
        else:
            super().multiData(index, span)

    def _on_source_updated_in_place(self, renamed: bool) -> None:
        column = self.sortColumn()  # -1: network order; 1 (type) cannot change in place
        if column >= 2 or (column == 0 and renamed):
            self.sort(column, self.sortOrder())

    def lessThan(self, left, right):
        # straight to the items: a round trip through QModelIndex.data per comparison made
        # sorting 177 rows cost milliseconds
        model = self.sourceModel()
        if isinstance(model, LayerTableModel):
            column = left.column()
            a = model._sort_key(left.internalPointer(), column)
            b = model._sort_key(right.internalPointer(), column)
        else:
            a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        try:
            return a < b
        except TypeError:
            return str(a) < str(b)


class LayerTreeView(QTreeView):
    """The tree view for this model: repaints a changed range without measuring it.

    Qt 6 computes the exact rectangle of a dataChanged range by asking the model for every
    cell's index and rectangle, thousands of Python calls for ResNet-50's collapsed blocks
    (more than the whole repaint). The rows here keep their height and children when only
    values change (uniform row heights, read-only, no editors), so updating the viewport
    gives the same picture. Qt's own handling still runs for assistive technology.
    """

    def dataChanged(self, top_left, bottom_right, roles=()):  # noqa: N802 (Qt override)
        if QAccessible.isActive():
            super().dataChanged(top_left, bottom_right, roles)
        else:
            self.viewport().update()
