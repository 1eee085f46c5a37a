"""Guard against a PySide6 6.12 reference-count bug on Python < 3.12: never free None/True/False.

Measured here (PySide6 6.12.0, CPython 3.11.7): converting an invalid QVariant to Python
(`QModelIndex.data()` for an unset role, and paths that pyqtgraph's painting and Qt's
item views take thousands of times a second) returns None, True or False without taking the
reference it hands over. Each call lowers the singleton's count by one, and after a few
redraws of a large table or chart Python aborts with "Fatal Python error: none_dealloc" (or
bool_dealloc). Python 3.12 made these singletons immortal (PEP 683), which hides the bug.

Upstream: no report of this exact defect was found (GitHub issues searched on 2026-11-29 for
none_dealloc / bool_dealloc with PySide6 6.12 and Python 3.11). The same class of bug, a
binding returning None without a reference, was PYSIDE-585 in PySide2
(https://bugreports.qt.io/browse/PYSIDE-585, "Fatal Python error: deallocating None").
Report it to https://bugreports.qt.io (component PySide) with the measurement above, and
link that report here.

`immortalize_singletons()` gives the three singletons the same immortality on 3.11 by adding
2**40 to their counts: they are static objects that the interpreter never frees, so the
only effect is that the lost references can no longer reach zero. It acts only where the
bug was seen (`needs_guard()`); the app calls it at start-up (gui/app.py), the tests in
tests/conftest.py, both before any Qt object exists.
"""

from __future__ import annotations

import ctypes
import sys

#: PySide6 (major, minor) releases seen to drop the reference; widen when another is seen
AFFECTED_PYSIDE = ((6, 12),)
_TOP_UP = 2 ** 40
_DONE = False


def needs_guard(python: tuple[int, ...] | None = None,
                pyside: tuple[int, ...] | None = None) -> bool:
    """True on CPython < 3.12 with an affected PySide6 (the running ones by default)."""
    if sys.implementation.name != "cpython":
        return False
    if tuple((python or sys.version_info)[:2]) >= (3, 12):
        return False  # None, True and False are immortal (PEP 683)
    if pyside is None:
        import PySide6

        pyside = PySide6.__version_info__
    return tuple(pyside[:2]) in AFFECTED_PYSIDE


def immortalize_singletons() -> bool:
    """Idempotent; True when counts were raised, False when not needed (or done already)."""
    global _DONE
    if _DONE or not needs_guard():
        return False
    for obj in (None, True, False):
        # ob_refcnt is the first field of every CPython object (Py_ssize_t)
        ctypes.c_ssize_t.from_address(id(obj)).value += _TOP_UP
    _DONE = True
    return True
