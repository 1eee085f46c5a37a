"""One way to write a file: safe_files.atomic_path (a temporary beside it, then a rename)."""

import re
from pathlib import Path

import pytest

from cnnexplorer.core.keras.model_io import clean_stale_temps
from cnnexplorer.core.safe_files import atomic_path, atomic_write_bytes

PACKAGE = Path(__file__).resolve().parents[2] / "cnnexplorer"


def test_a_write_replaces_the_file_whole(tmp_path):
    target = tmp_path / "sub" / "a.json"
    atomic_write_bytes(target, b"old")
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in target.parent.iterdir()] == ["a.json"]


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing(tmp_path):
    target = tmp_path / "a.npz"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_path(target, ".npz") as tmp:
        assert tmp.suffix == ".npz" and tmp.parent == tmp_path and not tmp.exists()
        tmp.write_bytes(b"half")
        raise RuntimeError("disk full")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.npz"]


def test_a_killed_writers_leftover_is_recognised_as_ours(tmp_path):
    # the name carries the pid, so the cleaner can tell a live writer from a dead one
    with pytest.raises(KeyboardInterrupt), atomic_path(tmp_path / "m.keras", ".keras") as tmp:
        name = tmp.name
        raise KeyboardInterrupt
    leftover = tmp_path / name.replace(name.split(".")[2], "999999999")  # a pid nobody has
    leftover.write_bytes(b"x")
    assert clean_stale_temps(tmp_path) == [leftover]


def test_no_module_renames_a_temporary_file_by_hand():
    # os.replace/Path.replace onto a target: only the helper (and model_io's SavedModel
    # export, which swaps whole folders) may do it
    allowed = {"cnnexplorer/core/safe_files.py", "cnnexplorer/core/keras/model_io.py"}
    found = [f"{p.relative_to(PACKAGE.parent)}:{i}" for p in sorted(PACKAGE.rglob("*.py"))
             if p.relative_to(PACKAGE.parent).as_posix() not in allowed
             for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if re.search(r"os\.replace\(|\btmp\w*\.replace\(", line)]
    assert not found, "use core.safe_files.atomic_path:\n" + "\n".join(found)
