"""`cnnexplorer evaluate door FOLDER`: the bundled door scored on a small labelled folder."""

from __future__ import annotations

import json

import numpy as np
from door_samples import write_png
from test_cli_train_from_faces import cartoon_finder, frames  # noqa: F401 (a fixture)

from cnnexplorer.cli import main


def test_evaluate_door_scores_a_labelled_folder(tmp_path, capsys, cartoon_finder):  # noqa: F811
    x = frames(5, blanks=(4,))
    root = tmp_path / "photos"
    for i in range(5):
        folder = root / ("happy" if i % 2 else "not_happy")
        folder.mkdir(parents=True, exist_ok=True)
        write_png(folder / f"p{i}.png", x[i])
    (root / "happy" / "broken.jpg").write_bytes(b"not a jpeg")
    assert main(["evaluate", "door", str(root), "--json", "--threshold", "0.4"]) == 0
    captured = capsys.readouterr()
    row = json.loads(captured.out)
    assert row["photos"] == 5 and row["happy"] == 2 and row["threshold"] == 0.4
    assert row["rule"] == "any" and row["layout"] == "class folders"
    assert [p.split("/")[-1] for p in row["no_face_found"]] == ["p4.png"]
    assert "broken.jpg" in captured.err and len(row["unreadable"]) == 1
    matrix = np.array(row["confusion_matrix"])
    assert matrix.sum() == 5
    for v in row["verdicts"]:  # each verdict is the door's, at the threshold given
        opens = v["probability"] is not None and v["probability"] >= 0.4
        assert v["decision"] == ("open" if opens else "closed")
    assert row["accuracy"] == np.trace(matrix) / 5
    assert row["accuracy_at_best_threshold"] >= row["accuracy"]
    assert main(["evaluate", "door", str(root)]) == 0
    text = capsys.readouterr().out
    assert "confusion matrix" in text and "no face found (1, counted as closed): p4.png" in text
    # a folder whose subfolders say no class: one line, exit 2
    (root / "cats").mkdir()
    assert main(["evaluate", "door", str(root)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "'cats' names no class" in err[0]
