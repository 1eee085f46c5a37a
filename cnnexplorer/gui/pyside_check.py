"""Refuse a PySide6 that frees None: 6.12.0 on CPython < 3.12 (docs/gui.md, "PySide6 versions").

Measured here (2026-12-03, CPython 3.11.7, `benchmarks/pyside_none_refcount.py`): every call
into PySide6 6.12.0 that returns None (a void method such as `QObject.setObjectName`, an
invalid QVariant such as `QModelIndex.data()` for a role nobody set) hands None out without
the reference it owes. Each call lowers None's count by one; after a few redraws of a large
table Python aborts with "Fatal Python error: none_dealloc". PySide6 6.11.3 (the newest
release before it) loses nothing on the same calls. Python 3.12 made None immortal (PEP 683),
so 3.12 and later cannot be hurt: the behaviour matches wrappers built with headers where
`Py_RETURN_NONE` no longer takes a reference (CPython >= 3.12 outside the limited API below
3.12) while the wheel is tagged `cp310-abi3` and installs on 3.10 and 3.11.

pyproject.toml keeps pip from installing 6.12 on Python < 3.12. An environment that has it
anyway gets one clear sentence and exit code 2 instead of a crash minutes later: the app
(`gui/app.run_app`), the test suite (tests/conftest.py) and the GUI benchmarks call this
module. Nothing here writes into interpreter objects (the ctypes top-up of None's count
that stood here before is gone).
"""

from __future__ import annotations

import sys

#: PySide6 (major, minor) releases measured to lose references to None; widen when another
#: release measures as affected with benchmarks/pyside_none_refcount.py
AFFECTED_PYSIDE = ((6, 12),)


def affected(python: tuple[int, ...] | None = None,
             pyside: tuple[int, ...] | None = None) -> bool:
    """True on CPython < 3.12 with an affected PySide6 (the running ones by default)."""
    if sys.implementation.name != "cpython":
        return False
    if tuple((python or sys.version_info)[:2]) >= (3, 12):
        return False  # None is immortal (PEP 683): a lost reference cannot free it
    if pyside is None:
        import PySide6

        pyside = PySide6.__version_info__
    return tuple(pyside[:2]) in AFFECTED_PYSIDE


def problem(python: tuple[int, ...] | None = None,
            pyside: tuple[int, ...] | None = None) -> str | None:
    """The one-line reason not to run, or None when the versions are fine."""
    if not affected(python, pyside):
        return None
    if pyside is None:
        import PySide6

        pyside = PySide6.__version_info__
    py = ".".join(map(str, (python or sys.version_info)[:3]))
    ps = ".".join(map(str, pyside[:3]))
    return (f"PySide6 {ps} on Python {py} loses references to None and makes Python abort "
            f"(none_dealloc); install a release before 6.12 (pip install "
            f"'PySide6-Essentials<6.12', and PySide6-Addons too if installed) or use "
            f"Python 3.12 or later (docs/gui.md, 'PySide6 versions')")


def require() -> None:
    """Exit with the reason (code 2) on an affected combination (scripts, benchmarks)."""
    reason = problem()
    if reason:
        print(reason, file=sys.stderr)
        raise SystemExit(2)
