"""PySide6 versions (issue 17): no write into interpreter objects; the running PySide6 loses no
reference to None; pyproject.toml keeps pip away from the release that does (6.12.0 on
Python < 3.12), and the app refuses it in one line instead of aborting later."""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version
from PySide6.QtCore import QModelIndex, QObject, QStringListModel, Qt

from cnnexplorer.gui import pyside_check

ROOT = Path(__file__).resolve().parents[2]


def _lost(fn, calls: int = 200) -> int:
    before = sys.getrefcount(None)
    for _ in range(calls):
        fn()
    return before - sys.getrefcount(None)


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal (PEP 683)")
def test_the_running_pyside_loses_no_reference_to_none(qapp):
    # 6.12.0 on 3.11 loses one per call on each line (200); 6.11.3 loses none
    obj = QObject()
    model = QStringListModel(["a"])  # kept: an index must not outlive its model
    index = model.index(0, 0)
    assert abs(_lost(lambda: obj.setObjectName("x"))) <= 2  # a void method
    assert abs(_lost(lambda: index.data(Qt.ItemDataRole.UserRole))) <= 2  # invalid QVariant
    assert abs(_lost(lambda: QModelIndex().data())) <= 2
    assert abs(_lost(lambda: obj.property("nothing"))) <= 2


def test_only_the_measured_pair_is_refused():
    assert pyside_check.affected((3, 11, 7), (6, 12, 0))
    assert pyside_check.affected((3, 10, 0), (6, 12, 1))
    assert not pyside_check.affected((3, 12, 0), (6, 12, 0))  # immortal None (PEP 683)
    assert not pyside_check.affected((3, 11, 7), (6, 11, 3))
    reason = pyside_check.problem((3, 11, 7), (6, 12, 0))
    assert "PySide6 6.12.0 on Python 3.11.7" in reason and "'PySide6-Essentials<6.12'" in reason
    assert "\n" not in reason
    assert pyside_check.problem((3, 11, 7), (6, 11, 3)) is None
    assert pyside_check.problem() is None  # this environment (conftest refuses otherwise)


@pytest.mark.parametrize("python, version, allowed", [
    ("3.11", "6.12.0", False), ("3.10", "6.12.1", False), ("3.11", "6.11.3", True),
    ("3.12", "6.12.0", True), ("3.13", "6.11.3", True),
])
def test_pyproject_keeps_pip_away_from_the_affected_pair(python, version, allowed):
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    reqs = [Requirement(d) for d in deps]
    pyside = {r.name.lower() for r in reqs if r.name.lower().startswith("pyside6")}
    assert "pyside6-essentials" in pyside
    for package in pyside:  # Essentials, and Addons if it comes back (same release)
        applying = [r for r in reqs if r.name.lower() == package
                    and (r.marker is None or r.marker.evaluate({"python_version": python}))]
        assert len(applying) == 1, (package, python)
        assert applying[0].specifier.contains(Version(version)) is allowed, (package, python)


def test_run_app_refuses_in_one_line_with_exit_code_2(monkeypatch, capsys):
    from cnnexplorer.gui import app

    reason = pyside_check.problem((3, 11, 7), (6, 12, 0))
    monkeypatch.setattr(pyside_check, "problem", lambda: reason)

    def must_not_start(argv=None):
        raise AssertionError("run_app went on to start the app")
    monkeypatch.setattr(app, "create_application", must_not_start)
    assert app.run_app([]) == 2
    assert capsys.readouterr().err == reason + "\n"


def _imports_ctypes(source: str) -> bool:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "ctypes"
                                                for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "ctypes":
            return True
    return False


def test_no_ctypes_write_into_objects_anywhere():
    assert _imports_ctypes("import ctypes\n") and _imports_ctypes("from ctypes import c_int\n")
    assert not _imports_ctypes('"""the ctypes top-up is gone"""\n')
    package = ROOT / "cnnexplorer"
    offenders = [str(p.relative_to(ROOT)) for p in package.rglob("*.py")
                 if _imports_ctypes(p.read_text(encoding="utf-8"))]
    assert offenders == []
