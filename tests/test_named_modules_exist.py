"""Words that name the code name code that exists: every module path (`cnnexplorer/...py`,
`core/train/engine.py`) and dotted module name (`cnnexplorer.core.train.config`,
`core.door.captures.train_door`) in the docs, the README, CONTRIBUTING and the benchmarks'
pages, and in every docstring and comment of the package and the benchmarks. Issue 18 found
about 20 that named modules moved or deleted by the issue-10 layout (`core.captures`,
`gui/pyside_refcount.py`, `kinds/prelu.py` as if shipped)."""

from __future__ import annotations

import ast
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cnnexplorer"
TOP = r"(?:core|gui|commands|tools)"
#: a path under the package, with or without its `cnnexplorer/`
PATH = re.compile(rf"(?<![\w/.-])((?:cnnexplorer/)?{TOP}/[\w/]*?\w+\.py)\b")
#: a dotted name under the package, with or without its `cnnexplorer.`
DOTTED = re.compile(rf"(?<![\w/.-])((?:cnnexplorer\.)?{TOP}(?:\.\w+)+)")
#: file suffixes, not attributes: "docs/gui.md" is a page, not the module gui.md
SUFFIXES = {"md", "py", "png", "svg", "json", "txt", "keras", "h5", "toml", "log", "csv"}


def _lines():
    """(file, line number, text) of every page line, and of every docstring, string and
    comment of the sources (their code is left out: a variable may be called `core`)."""
    pages = [*ROOT.glob("docs/*.md"), ROOT / "README.md", ROOT / "CONTRIBUTING.md",
             *ROOT.glob("benchmarks/*.md")]
    for path in pages:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            yield path, number, line
    for path in [*PACKAGE.rglob("*.py"), *ROOT.glob("benchmarks/*.py")]:
        with tokenize.open(path) as source:
            for token in tokenize.generate_tokens(source.readline):
                if token.type in (tokenize.STRING, tokenize.COMMENT):
                    for offset, line in enumerate(token.string.splitlines()):
                        yield path, token.start[0] + offset, line


def _path_exists(name: str) -> bool:
    relative = name.removeprefix("cnnexplorer/")
    # docs/reliability.md names tests as "core/test_x.py" in a table headed by tests/
    return (PACKAGE / relative).is_file() or (ROOT / "tests" / relative).is_file()


def _dotted_exists(name: str) -> bool:
    """Each part a package, then a module (the rest: its attributes), or a name the package's
    __init__ defines or imports."""
    parts = name.removeprefix("cnnexplorer.").split(".")
    if parts[-1] in SUFFIXES:
        return True
    here = PACKAGE
    for i, part in enumerate(parts):
        if (here / part / "__init__.py").is_file():
            here = here / part
        elif (here / f"{part}.py").is_file():
            return True
        else:
            return i > 0 and part in _defined_in(here / "__init__.py")
    return True


def _defined_in(init: Path) -> set[str]:
    """The names a package's __init__ imports, defines or assigns."""
    names = set()
    for node in ast.walk(ast.parse(init.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def test_the_regexes_find_what_they_look_for():
    assert PATH.findall("see `cnnexplorer/core/arch/kinds/prelu.py` and gui/workers.py.") == \
        ["cnnexplorer/core/arch/kinds/prelu.py", "gui/workers.py"]
    assert DOTTED.findall("run by core.captures.train_door (docs/gui.md)") == \
        ["core.captures.train_door"]
    assert not _path_exists("cnnexplorer/core/arch/kinds/prelu.py")
    assert not _dotted_exists("core.captures.train_door")
    assert _dotted_exists("core.door.captures.train_door")
    assert _dotted_exists("cnnexplorer.core.arch.zoo.build")  # defined by the package
    assert not _dotted_exists("core.datasets.base.Dataset")  # a word of core's docstring
    assert _path_exists("core/test_disk_full.py")  # tests/core/


def test_every_module_named_in_the_docs_and_docstrings_exists():
    missing = []
    for path, number, line in _lines():
        where = f"{path.relative_to(ROOT)}:{number}"
        missing += [f"{where}: {name}" for name in PATH.findall(line) if not _path_exists(name)]
        missing += [f"{where}: {name}" for name in DOTTED.findall(line)
                    if not _dotted_exists(name)]
    assert missing == [], "\n".join(missing)
