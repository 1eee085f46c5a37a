"""Guard against a PySide6 6.12 reference-count bug on Python < 3.12: never free None/True/False.

Measured here (PySide6 6.12.0, CPython 3.11.7): converting an invalid QVariant to Python
(`QModelIndex.data()` for an unset role, and paths that pyqtgraph's painting and Qt's
item views take thousands of times a second) returns None, True or False without taking the
reference it hands over. Each call lowers the singleton's count by one, and after a few
redraws of a large table or chart Python aborts with "Fatal Python error: none_dealloc" (or
bool_dealloc). Python 3.12 made these singletons immortal (PEP 683), which hides the bug.

`immortalize_singletons()` gives the three singletons the same immortality on 3.11 by adding
2**40 to their counts: they are static objects that the interpreter never frees, so the
only effect is that the lost references can no longer reach zero.
"""

from __future__ import annotations

import ctypes
import sys

_DONE = False
_TOP_UP = 2 ** 40


def immortalize_singletons() -> bool:
    """Idempotent; True when counts were raised (Python < 3.12), False when not needed."""
    global _DONE
    if _DONE or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    for obj in (None, True, False):
        # ob_refcnt is the first field of every CPython object (Py_ssize_t)
        ctypes.c_ssize_t.from_address(id(obj)).value += _TOP_UP
    _DONE = True
    return True
