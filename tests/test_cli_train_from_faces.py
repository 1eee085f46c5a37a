"""`train --from door` on head-and-shoulders frames learns from their faces: every image is cut
to its face with the door's finder (said once on stderr, frames without a face listed), the
run is marked as judging faces, and evaluation and later fine-tuning from it crop faces too."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cnnexplorer.cli import main
from cnnexplorer.core.door.face_data import crop_faces, faces_for_model
from cnnexplorer.core.door.faces import FaceFinder
from cnnexplorer.core.door.prepare import face_square, prepare_face

#: cartoon faces YuNet finds (tests/core/test_faces.FOUND_SEEDS), pasted at (x, y, side)
PLACES = [(100, 20, 140), (40, 60, 140), (150, 90, 160), (90, 40, 150)]
SEEDS = (7, 17, 19)


@pytest.fixture
def cartoon_finder(monkeypatch):
    """The shared finder with the bar the synthetic cartoon faces need (tests/core/test_faces)."""
    from cnnexplorer.core.door import faces as faces_module

    finder = FaceFinder(score_threshold=0.6)
    monkeypatch.setattr(faces_module, "_shared", finder)
    return finder


def frames(n: int, blanks=(), size=320):
    """`n` grey-background frames (larger than a face crop), each with a cartoon face
    somewhere, except at `blanks`."""
    from door_samples import cartoon

    x = np.empty((n, size, size, 3), np.uint8)
    for i in range(n):
        x[i] = 90 if i % 2 else 120
        if i not in blanks:
            px, py, side = PLACES[i % len(PLACES)]
            x[i, py:py + side, px:px + side] = cartoon(SEEDS[i % len(SEEDS)], side)
    return x


def test_faces_for_model_cuts_each_frame_to_its_face_and_lists_the_ones_without(
        cartoon_finder):
    from cnnexplorer.core.data.base import Dataset

    x = frames(6, blanks=(2,))
    ds = Dataset("house", ["no", "yes"], x, np.arange(6) % 2)
    cropped, message = faces_for_model(ds, (64, 64, 1))
    assert cropped.x_train.shape == (5, 64, 64, 1)
    np.testing.assert_array_equal(cropped.y_train, np.array([0, 1, 1, 0, 1]))
    # each is exactly what the door judges for that frame: the face's square, prepared
    face = cartoon_finder.find(x[0])[0]
    np.testing.assert_array_equal(cropped.x_train[0],
                                  prepare_face(face_square(x[0], face.crop_box), (64, 64, 1)))
    assert "cut to its largest face" in message
    assert "train: 5 of 6 images cropped to their face; 1 without a face left out" in message
    assert "no face, left out: #2" in message
    # a small image without a face is a face crop already: kept whole, and said
    small = crop_faces(np.full((2, 64, 64, 3), 128, np.uint8), (64, 64, 1), cartoon_finder)
    assert small.whole == [0, 1] and len(small.kept) == 2


@pytest.mark.slow
def test_train_from_door_crops_faces_and_marks_the_run(tmp_path, capsys, cartoon_finder):
    x = frames(14, blanks=(5,))
    y = np.arange(14) % 2
    data = tmp_path / "house.npz"
    np.savez(data, x_train=x[:10], y_train=y[:10], x_test=x[10:], y_test=y[10:])
    out = tmp_path / "faces"
    rc = main(["train", "happymodel", str(data), "--from", "door", "--epochs", "1",
               "--batch-size", "4", "--validation-split", "0", "--out", str(out), "--json"])
    captured = capsys.readouterr()
    final = json.loads(captured.out.splitlines()[-1])
    assert rc == 0, captured.err
    # said once, on stderr (stdout stays JSON), with the frame without a face
    assert captured.err.count("cut to its largest face") == 1
    assert "train: 9 of 10 images cropped to their face" in captured.err
    assert "no face, left out: #5" in captured.err
    config = json.loads((out / "config.json").read_text())
    assert config["architecture"]["judges_faces"] is True
    assert final["test"]["accuracy"] is not None
    # evaluation of that run crops the faces the same way, and says so on stderr
    assert main(["evaluate", str(out), str(data), "--json"]) == 0
    captured = capsys.readouterr()
    assert "cut to its largest face" in captured.err
    assert sum(sum(r) for r in json.loads(captured.out)["confusion_matrix"]) == 4
    # a model trained from it judges faces too: the mark carries on
    out2 = tmp_path / "again"
    assert main(["train", "happymodel", str(data), "--from", str(out), "--epochs", "1",
                 "--batch-size", "4", "--validation-split", "0", "--out", str(out2), "--json"]) == 0
    assert capsys.readouterr().err.count("cut to its largest face") == 1
    assert json.loads((out2 / "config.json").read_text())["architecture"]["judges_faces"]


def test_a_model_that_does_not_judge_faces_trains_on_whole_images(tmp_path):
    from cnnexplorer.core.train.fine_tune import judges_faces

    assert judges_faces("door") and not judges_faces(tmp_path / "model.keras")
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text(json.dumps({"architecture": {"key": "happymodel"}}))
    assert not judges_faces(run) and not judges_faces(run / "best.keras")
