"""The None/True/False guard acts only where the PySide6 6.12 bug was seen, and is on here."""

import sys

from cnnexplorer.gui import pyside_refcount
from cnnexplorer.gui.pyside_refcount import immortalize_singletons, needs_guard


def test_only_affected_versions_need_the_guard():
    assert needs_guard((3, 11, 7), (6, 12, 0))
    assert not needs_guard((3, 12, 0), (6, 12, 0))  # immortal singletons (PEP 683)
    assert not needs_guard((3, 13), (6, 12, 1))
    assert not needs_guard((3, 11), (6, 11, 2))  # not seen on other releases


def test_conftest_applied_it_as_the_app_does():
    if needs_guard():
        assert pyside_refcount._DONE
        # topped up to 2**40 at start-up; the bug (and ordinary use) moves it by thousands,
        # never by anything near 2**39
        assert sys.getrefcount(None) > 2 ** 39
        assert immortalize_singletons() is False  # idempotent: once per process
    else:
        assert not pyside_refcount._DONE
