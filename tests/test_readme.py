"""The README as a newcomer reads it: one Debian package list with .ci/run, and the command
line examples reachable as written after the README's install (issue 13)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _debian_packages() -> list[str]:
    lines = (ROOT / ".ci" / "debian-packages").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_readme_apt_line_is_the_ci_package_list_after_an_update():
    readme = (ROOT / "README.md").read_text()
    lines = [line for line in readme.splitlines() if "apt-get install" in line]
    assert len(lines) == 1, lines
    assert lines[0].startswith("apt-get update && apt-get install -y ")
    listed = lines[0].split("apt-get install -y ", 1)[1].split()
    assert listed == _debian_packages() + ["python3-venv"]
    # .ci/run installs the same file's packages, not a list of its own
    ci = (ROOT / ".ci" / "run").read_text()
    assert ".ci/debian-packages" in ci and "libxcb-cursor0" not in ci


def test_cli_examples_come_after_the_venv_is_activated():
    readme = (ROOT / "README.md").read_text()
    activate = readme.index(". .venv/bin/activate")
    first_example = min(m.start() for m in re.finditer(r"^\$? ?cnnexplorer ", readme,
                                                          re.MULTILINE))
    assert activate < first_example
    assert readme.index("python3 -m venv .venv") < activate  # the install comes first
