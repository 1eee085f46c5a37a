"""Folder datasets (issue 19 defects): class folders linked outside the dataset are left out
and named; `train` names the files it skips; names reach the terminal as text."""

from __future__ import annotations

import io
import os

import pytest
from hostile_samples import image_folder, png_bytes

from cnnexplorer.commands.skipped import report_skipped
from cnnexplorer.core.data import load_dataset
from cnnexplorer.core.formatting import display_text

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")


def test_a_class_folder_linked_outside_the_dataset_is_left_out_and_named(tmp_path):
    outside = image_folder(tmp_path / "elsewhere", classes=("icons",), per_class=4)
    root = image_folder(tmp_path / "pets")
    os.symlink(outside / "icons", root / "icons")
    ds = load_dataset(root)
    assert ds.class_names == ["cat", "dog"]  # before: 'icons' too, its 4 files read
    reasons = dict(ds.skipped)
    assert reasons[str(root / "icons")].startswith(
        f"a link to {(outside / 'icons').resolve()}, outside the dataset's folder")


def test_a_class_folder_linked_inside_the_dataset_is_kept(tmp_path):
    root = image_folder(tmp_path / "pets", classes=("cat", "dog"))
    (root / "extra").mkdir()
    image_folder(root / "extra", classes=("bird",))
    os.symlink(root / "extra" / "bird", root / "bird")
    ds = load_dataset(root)
    assert "bird" in ds.class_names


def test_the_skipped_files_are_named_with_printable_names(tmp_path):
    root = image_folder(tmp_path / "pets", per_class=4)
    (root / "cat" / "broken.png").write_bytes(b"not a png")
    (root / "dog" / "evil\x1b[2J.png").write_bytes(png_bytes()[:30])
    ds = load_dataset(root)
    stream = io.StringIO()
    report_skipped(ds, "train", stream)
    text = stream.getvalue()
    assert "skipped 2 of 10 entries" in text
    assert "broken.png" in text and "evil\\x1b[2J.png" in text and "\x1b" not in text
    assert len(text.splitlines()) == 3


def test_display_text_shows_controls_and_bidi_overrides_as_escapes():
    assert display_text("cat") == "cat"
    assert display_text("a\nb\tc\x1b[0m") == "a\\nb\\tc\\x1b[0m"
    assert display_text("gpj.\u202eexe") == "gpj.\\u202eexe"
    assert display_text("\udcff") == "\\udcff"
    assert display_text("ça va 🙂") == "ça va 🙂"
