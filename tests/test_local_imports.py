"""Imports of the project's own modules sit at the top of a module, not inside functions.

A function-local import hides a module's dependencies from the reader (and once hid package
cycles from import-linter's reader too). Only what is measured to cost start-up stays lazy:
TensorFlow/Keras, PySide6 modules, pyqtgraph, OpenCV (core.door.video), the zoo registration
(core.arch.zoo), the GUI's window from the command line; and an import that breaks a module
cycle or that a test patches where it is looked up. This test keeps the count within a bound,
so a new local import of a cheap module must replace an old one or be hoisted.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "cnnexplorer"
#: the most function-local imports of cnnexplorer modules allowed (issue 18: 141 -> <= 50)
MAX_LOCAL_IMPORTS = 50


def local_project_imports(package: Path = PACKAGE) -> list[str]:
    found = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(fn):
                own = (isinstance(node, ast.ImportFrom)
                       and (node.level > 0 or (node.module or "").startswith("cnnexplorer"))
                       or isinstance(node, ast.Import)
                       and any(a.name.startswith("cnnexplorer") for a in node.names))
                if own:
                    found.append(f"{path.relative_to(package.parent)}:{node.lineno}")
    return sorted(set(found))


def test_few_function_local_imports_of_the_project():
    found = local_project_imports()
    assert len(found) <= MAX_LOCAL_IMPORTS, (
        f"{len(found)} function-local imports of cnnexplorer modules (at most "
        f"{MAX_LOCAL_IMPORTS}); move cheap ones to the top of the module:\n" + "\n".join(found))


def test_the_count_sees_a_local_import(tmp_path):
    (tmp_path / "m.py").write_text("def f():\n    from cnnexplorer.core import errors\n"
                                   "    import cnnexplorer.paths\n\nimport cnnexplorer\n")
    assert [s.split(":")[1] for s in local_project_imports(tmp_path)] == ["2", "3"]
