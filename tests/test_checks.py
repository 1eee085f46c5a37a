"""The static checks pass: ruff (the rules chosen in pyproject.toml) over the tree and mypy over
the core. A failure shows the tool's own report, so the fix is where it points. Both tools are
pinned in the `test` extra (pip install -e .[test])."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=600)


def test_ruff_finds_nothing():
    done = _run("ruff", "check", "--no-cache", "--output-format", "concise", ".")
    assert done.returncode == 0, f"ruff check failed:\n{done.stdout}{done.stderr}"


def test_mypy_finds_nothing_in_the_core():
    # files and strictness come from [tool.mypy] in pyproject.toml
    done = _run("mypy", "--no-error-summary")
    assert done.returncode == 0, f"mypy failed:\n{done.stdout}{done.stderr}"
