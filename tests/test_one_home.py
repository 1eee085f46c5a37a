"""Rules that have one home in the source: a copy elsewhere fails here, naming the file.

Each test scans the package's source for the tell-tale of a copied rule, so a literal
typed again by hand is caught before it drifts from the one definition.
"""

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "cnnexplorer"


def _sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE.parent).as_posix(), path.read_text(encoding="utf-8")


def _lines_matching(pattern: str, allowed: set[str]) -> list[str]:
    regex = re.compile(pattern)
    return [f"{name}:{i}: {line.strip()}"
            for name, text in _sources() if name not in allowed
            for i, line in enumerate(text.splitlines(), 1) if regex.search(line)]


def test_the_door_threshold_is_typed_once():
    # a default threshold (a parameter, an attribute, an argparse default) written as 0.5
    found = _lines_matching(r"threshold\w*\s*(:\s*float\s*)?=\s*0\.5\b|default=0\.5\b.*[Tt]hreshold",
                            {"cnnexplorer/core/door/threshold.py"})
    assert not found, "use core.door.threshold.DEFAULT_THRESHOLD:\n" + "\n".join(found)
