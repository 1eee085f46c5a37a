"""The layering contracts hold: import-linter's contracts (pyproject.toml) and lazy Keras."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_linter_contracts_are_kept():
    from importlinter.cli import lint_imports

    # lint_imports reads [tool.importlinter] from the project's pyproject.toml
    exit_code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True)
    assert exit_code == 0, "an import-linter contract is broken: run `lint-imports` to see which"


def test_architecture_packages_import_no_tensorflow_or_keras_at_module_level():
    code = (
        "import pkgutil, importlib, sys\n"
        "import cnnexplorer.core.arch as arch, cnnexplorer.core.views as views\n"
        "for pkg in (arch, views):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        "heavy = sorted(n for n in ('tensorflow', 'keras') if n in sys.modules)\n"
        "print(','.join(heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"imported at module level: {done.stdout.strip()}"
