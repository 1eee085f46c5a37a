"""`evaluate door FOLDER` (core.door.folder_score): labels from class folders or _0/_1 names,
per-photo verdicts through the door's own path, the confusion matrix, ROC AUC, the best
threshold, faces not found and unreadable files listed."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from cnnexplorer.core.door.faces import Face
from cnnexplorer.core.door.folder_score import labelled_files, score_folder
from cnnexplorer.core.errors import DatasetError
from door_samples import BrightnessDoor

SIDE = 160  # larger than a tight crop: a photo without a face found stays shut


class FaceUnlessBlack:
    """A stand-in finder: the whole photo is one face, unless the photo is black."""

    def find(self, image, max_side=640):
        if image.max() == 0:
            return []
        h, w = image.shape[:2]
        return [Face((0, 0, w, h), 0.9, ((0.0, 0.0),) * 5, (0, 0, w, h))]


def photo(path, level):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((SIDE, SIDE, 3), level, np.uint8)).save(path)
    return path


@pytest.fixture
def labelled(tmp_path):
    root = tmp_path / "photos"
    for i, level in enumerate((200, 180, 100, 0)):  # the last: no face found
        photo(root / "happy" / f"h{i}.png", level)
    for i, level in enumerate((50, 90, 140)):
        photo(root / "not_happy" / f"n{i}.png", level)
    (root / "happy" / "notes.png").write_text("not an image")
    return root


def test_a_labelled_folder_is_scored_as_the_door_judges_it(labelled):
    score = score_folder(BrightnessDoor(), labelled, threshold=0.5, finder=FaceUnlessBlack())
    assert score.layout == "class folders" and len(score.photos) == 7
    by_name = {p.path.split("/")[-1]: p for p in score.photos}
    assert by_name["h0.png"].label == 1 and by_name["n2.png"].label == 0
    assert by_name["h0.png"].decision == "open" and by_name["h2.png"].decision == "closed"
    assert by_name["n2.png"].decision == "open"  # 140/255 = 0.55: a wrong opening
    assert by_name["h3.png"].probability is None and by_name["h3.png"].decision == "closed"
    # rows: truth (not happy, happy); columns: door (closed, open)
    assert score.confusion_matrix().tolist() == [[2, 1], [2, 2]]
    assert score.accuracy == pytest.approx(4 / 7)
    # AUC over 4 happy x 3 not happy, no face counted as 0: 200, 180 beat all three; 100
    # beats 50 and 90; the black one beats none
    assert score.roc_auc == pytest.approx(8 / 12)
    t, acc = score.best_threshold()
    assert acc == pytest.approx(5 / 7)  # one error fewer: 140 shut, or 100 open
    assert 90 / 255 < t < 100 / 255 or 140 / 255 < t < 180 / 255
    assert score.no_face == [str(labelled / "happy" / "h3.png")]
    assert [p.split("/")[-1] for p, _ in score.unreadable] == ["notes.png"]
    row = score.as_dict()
    assert row["confusion_matrix"] == [[2, 1], [2, 2]] and row["happy"] == 4
    assert len(row["verdicts"]) == 7 and row["unreadable"][0]["image"].endswith("notes.png")
    text = score.report()
    assert "no face found (1, counted as closed): h3.png" in text
    assert "best threshold on this folder" in text and "WRONG" in text


def test_names_ending_0_or_1_label_the_photos(tmp_path):
    photo(tmp_path / "anna_1.png", 220)
    photo(tmp_path / "bob_0.png", 30)
    photo(tmp_path / "carol.png", 30)  # no label: not scored
    files, layout = labelled_files(tmp_path)
    assert layout == "name suffixes"
    assert [(p.name, label) for p, label in files] == [("anna_1.png", 1), ("bob_0.png", 0)]
    score = score_folder(BrightnessDoor(), tmp_path, finder=FaceUnlessBlack(), rule="all")
    assert score.accuracy == 1.0 and score.roc_auc == 1.0 and score.rule == "all"


def test_folders_that_say_no_class_are_refused_with_the_names_to_use(tmp_path):
    photo(tmp_path / "cats" / "a.png", 10)
    photo(tmp_path / "smile" / "b.png", 10)
    with pytest.raises(DatasetError, match="'cats' names no class; name the happy one happy"):
        labelled_files(tmp_path)
    with pytest.raises(DatasetError, match="not a folder"):
        labelled_files(tmp_path / "smile" / "b.png")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DatasetError, match="no labelled photos"):
        labelled_files(empty)
