"""Minimal reproduction: PySide6 6.12.0 loses a reference to None for every invalid QVariant
it converts to Python (docs/gui.md, "PySide6 versions").

    python benchmarks/pyside_none_refcount.py            # the installed PySide6
    python benchmarks/pyside_none_refcount.py --calls 5000   # 6.12.0 on 3.11: Python aborts

Each line calls one Qt API that answers an invalid QVariant (a role nobody set, a model
returning None) `--calls` times and prints how much `sys.getrefcount(None)` moved: 0 is
right; -N means each call handed out None without the reference it owed. On CPython < 3.12,
once the count reaches zero Python aborts with "Fatal Python error: none_dealloc". On
CPython >= 3.12 None is immortal (PEP 683): nothing can be measured, and nothing breaks.

Measured here on 2026-12-03 (CPython 3.11.7, 100 calls each): PySide6 6.12.0 gives -100 (or
-99/-98) on every line that converts an invalid QVariant; 6.11.3 gives 0 on every line.
Needs only PySide6; no display (offscreen).
"""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def cases():
    """(what, callable) pairs; each callable converts one invalid QVariant to Python."""
    from PySide6.QtCore import QAbstractTableModel, QModelIndex, QStringListModel, Qt
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QComboBox

    user = Qt.ItemDataRole.UserRole
    strings = QStringListModel(["a"])
    s_index = strings.index(0, 0)
    standard = QStandardItemModel(1, 1)
    standard.setItem(0, 0, QStandardItem("x"))
    st_index = standard.index(0, 0)

    class PythonModel(QAbstractTableModel):
        def rowCount(self, parent=QModelIndex()):  # noqa: N802 (Qt override)
            return 1

        def columnCount(self, parent=QModelIndex()):  # noqa: N802 (Qt override)
            return 1

        def data(self, index, role=Qt.ItemDataRole.DisplayRole):
            return "x" if role == Qt.ItemDataRole.DisplayRole else None

    python_model = PythonModel()
    p_index = python_model.index(0, 0)
    combo = QComboBox()
    combo.addItem("a")
    keep = (strings, standard, python_model, combo)  # alive while the lambdas run
    return keep, [
        ("QStringListModel: index.data(UserRole)", lambda: s_index.data(user)),
        ("QStandardItemModel: data(index, ToolTipRole)",
         lambda: standard.data(st_index, Qt.ItemDataRole.ToolTipRole)),
        ("QModelIndex().data()", lambda: QModelIndex().data()),
        ("a Python model answering None: index.data(UserRole)", lambda: p_index.data(user)),
        ("QComboBox.itemData(0), never set", lambda: combo.itemData(0)),
        ("control: QStringListModel index.data(DisplayRole)",
         lambda: s_index.data(Qt.ItemDataRole.DisplayRole)),
    ]


def lost_references(fn, calls: int) -> int:
    """How many references to None `calls` calls of `fn` lost (0 is right)."""
    before = sys.getrefcount(None)
    for _ in range(calls):
        fn()
    return before - sys.getrefcount(None)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100)
    args = parser.parse_args(argv)
    import PySide6
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])  # noqa: F841 - needed by QComboBox
    print(f"CPython {sys.version.split()[0]}, PySide6 {PySide6.__version__}, "
          f"{args.calls} calls each")
    if sys.version_info >= (3, 12):
        print("None is immortal on this Python (PEP 683): nothing to measure")
        return 0
    keep, rows = cases()
    worst = 0
    for what, fn in rows:
        lost = lost_references(fn, args.calls)
        worst = max(worst, lost)
        print(f"  {what:55s} references to None lost: {lost}")
    del keep
    print("AFFECTED" if worst > args.calls // 2 else "not affected")
    return 1 if worst > args.calls // 2 else 0


if __name__ == "__main__":
    sys.exit(main())
