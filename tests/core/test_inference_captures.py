"""Teach the door: captures saved as an image folder, read back with happy = 1."""

from __future__ import annotations

import numpy as np
import pytest
from door_samples import face

from cnnexplorer.core.door.captures import (
    LABELS,
    capture_counts,
    captures_dir,
    clear_captures,
    door_labels,
    load_captures,
    save_capture,
)
from cnnexplorer.core.data import Dataset
from cnnexplorer.core.errors import DatasetError


def test_captures_live_in_the_user_data_folder(_isolated_home):
    assert captures_dir() == _isolated_home / "data" / "captures"
    path = save_capture(face(True), "happy")
    assert path.parent == _isolated_home / "data" / "captures" / "happy"
    assert path.suffix == ".png" and not list(path.parent.glob("*.tmp"))


def test_save_count_and_reload_with_happy_as_label_one(tmp_path):
    smiles = [face(True, 64, i) for i in range(3)]
    frowns = [face(False, 80, 10 + i) for i in range(4)]
    for img in smiles:
        save_capture(img, "happy", root=tmp_path)
    for img in frowns:
        save_capture(img, "Not happy", root=tmp_path)  # label spelled as the button says
    assert capture_counts(tmp_path) == {"happy": 3, "not_happy": 4}
    ds = load_captures(tmp_path)
    assert ds.class_names == ["not_happy", "happy"]
    assert ds.x_train.shape == (7, 64, 64, 3)  # 80x80 captures resized like training images
    assert int(ds.y_train.sum()) == 3
    # the pixels come back exactly (PNG is lossless) for a capture already 64x64
    happy_imgs = ds.x_train[ds.y_train == 1]
    assert any(np.array_equal(img, smiles[0]) for img in happy_imgs)
    assert clear_captures(tmp_path) == 7
    assert capture_counts(tmp_path) == {"happy": 0, "not_happy": 0}


def test_too_few_captures_say_how_many_are_missing(tmp_path):
    save_capture(face(True), "happy", root=tmp_path)
    with pytest.raises(DatasetError, match=r"at least 3 .*happy has 1; not_happy has 0"):
        load_captures(tmp_path)


def test_bad_labels_and_frames_are_refused(tmp_path):
    with pytest.raises(DatasetError, match="one of happy, not_happy; received 'sad'"):
        save_capture(face(True), "sad", root=tmp_path)
    with pytest.raises(DatasetError, match="uint8"):
        save_capture(np.zeros((8, 8, 3), np.float32), "happy", root=tmp_path)
    gray = save_capture(np.zeros((16, 16, 1), np.uint8), "happy", root=tmp_path)
    assert gray.is_file()


def test_door_labels_flips_alphabetical_folders_only_when_needed():
    x = np.zeros((4, 8, 8, 3), np.uint8)
    alpha = Dataset("caps", list(LABELS), x, np.array([0, 0, 1, 1]))
    flipped = door_labels(alpha)
    assert flipped.class_names == ["not_happy", "happy"]
    assert flipped.y_train.tolist() == [1, 1, 0, 0]
    assert door_labels(flipped) is flipped
    with pytest.raises(DatasetError, match="exactly the classes"):
        door_labels(Dataset("x", ["cat", "dog"], x, np.array([0, 0, 1, 1])))
