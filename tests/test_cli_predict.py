"""`cnnexplorer predict`: one line / JSON object per image, bad files reported, exit 2."""

from __future__ import annotations

import json

import numpy as np
import pytest
from door_samples import bad_images, face, lambda_model_file, six_class_model_file, write_png

from cnnexplorer.cli import main


@pytest.fixture
def faces(tmp_path):
    return [write_png(tmp_path / f"face{i}.png", face(i % 2 == 0, 64, i)) for i in range(3)]


def test_text_output_one_line_per_image(faces, capsys):
    assert main(["predict", *map(str, faces)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    for path, line in zip(faces, lines):
        assert line.startswith(f"{path}: ")
        assert (" open " in line) or (" closed " in line)
        assert "happy 0." in line or "happy 1.000" in line


def test_json_output_and_threshold(faces, capsys):
    assert main(["predict", "--json", "--threshold", "0", *map(str, faces)]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [r["image"] for r in rows] == [str(p) for p in faces]
    assert all(r["decision"] == "open" and r["threshold"] == 0 for r in rows)
    assert all(0.0 <= r["probability"] <= 1.0 for r in rows)
    assert main(["predict", "--json", "--threshold", "1", str(faces[1])]) == 0  # a frown
    row = json.loads(capsys.readouterr().out)
    assert row["decision"] == "closed" and row["threshold"] == 1


def test_unreadable_files_are_reported_and_the_others_judged(faces, tmp_path, capsys):
    bad = bad_images(tmp_path / "bad")
    args = [str(faces[0]), str(bad["text"]), str(bad["empty"]), str(faces[1]),
            str(tmp_path / "missing.jpg"), str(bad["bomb"])]
    assert main(["predict", "--json", *args]) == 2
    out, err = capsys.readouterr()
    rows = [json.loads(x) for x in out.splitlines()]
    assert [r["image"] for r in rows] == args  # in the order given
    assert [("error" in r) for r in rows] == [False, True, True, False, True, True]
    err_lines = err.strip().splitlines()
    assert len(err_lines) == 5  # one per bad file + the summary
    assert "notes.png" in err_lines[0] and "not an image" in err_lines[0]
    assert "no such file" in err_lines[2] and "decompression bomb" in err_lines[3]
    assert err_lines[-1].endswith("4 of 6 file(s) could not be read")


def test_model_option_and_bad_models(faces, tmp_path, capsys):
    from door_samples import tiny_happy_model

    mine = tmp_path / "mine.keras"
    tiny_happy_model(1).save(mine)
    assert main(["predict", "--model", str(mine), str(faces[0])]) == 0
    capsys.readouterr()
    for path, text in ((six_class_model_file(tmp_path / "six.keras"), "6 classes"),
                       (lambda_model_file(tmp_path / "lam.keras"), "Lambda"),
                       (tmp_path / "none.keras", "no such model file")):
        assert main(["predict", "--model", str(path), str(faces[0])]) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and text in err and err.startswith("cnnexplorer predict")
    assert main(["predict", "--threshold", "2", str(faces[0])]) == 2
    assert "threshold must be in [0, 1]" in capsys.readouterr().err


# -- face finding -------------------------------------------------------------------------
@pytest.fixture
def cartoon_finder(monkeypatch):
    """The shared finder with the bar the synthetic cartoon faces need (tests/core/test_faces)."""
    from cnnexplorer.core.door import faces as faces_module

    monkeypatch.setattr(faces_module, "_shared", faces_module.FaceFinder(score_threshold=0.6))


def test_json_lists_the_faces_in_original_pixels(tmp_path, capsys, cartoon_finder):
    from door_samples import frame_with

    one = write_png(tmp_path / "one.png", frame_with([(300, 100, 200, 17)]))
    big = frame_with([(40, 60, 260, 17), (900, 300, 460, 19)], size=(960, 1400))
    two = write_png(tmp_path / "two.png", big)
    empty = write_png(tmp_path / "empty.png", np.full((480, 640, 3), 120, np.uint8))
    assert main(["predict", "--json", str(one), str(two), str(empty)]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert len(rows) == 3
    (face,) = rows[0]["faces"]
    x, y, w, h = face["box"]
    assert abs(x + w / 2 - 400) < 30 and abs(y + h / 2 - 200) < 30 and 80 < w < 220
    assert rows[0]["probability"] == face["probability"]
    assert rows[0]["decision"] == face["decision"]
    boxes = [f["box"] for f in rows[1]["faces"]]
    assert len(boxes) == 2 and boxes[0][0] > 900 and boxes[1][0] < 300  # larger first
    assert boxes[0][2] > 2 * boxes[1][2]  # at 1400x960, not at the detector's scale
    # the default rule, anyone smiles: the happiest face decides
    assert rows[1]["rule"] == "any"
    assert rows[1]["probability"] == max(f["probability"] for f in rows[1]["faces"])
    assert rows[1]["probability"] == rows[1]["faces"][rows[1]["deciding_face"]]["probability"]
    assert rows[2]["faces"] == [] and rows[2]["decision"] == "closed"
    assert rows[2]["mode"] == "no face" and rows[2]["probability"] is None


@pytest.mark.parametrize("rule", ["largest", "any", "all"])
def test_faces_option_chooses_the_rule_for_several_faces(tmp_path, capsys, cartoon_finder, rule):
    from door_samples import frame_with

    two = write_png(tmp_path / "two.png",
                    frame_with([(20, 60, 160, 7), (300, 100, 260, 17)]))
    # a threshold between the two faces' probabilities, so the rules disagree
    assert main(["predict", "--json", str(two)]) == 0
    probs = [f["probability"] for f in json.loads(capsys.readouterr().out)["faces"]]
    assert len(probs) == 2 and probs[0] != probs[1]
    t = round((probs[0] + probs[1]) / 2, 6)
    assert main(["predict", "--json", "--faces", rule, "--threshold", str(t), str(two)]) == 0
    row = json.loads(capsys.readouterr().out)
    opens = [p >= t for p in probs]
    expected = {"largest": opens[0], "any": any(opens), "all": all(opens)}[rule]
    assert row["rule"] == rule and row["decision"] == ("open" if expected else "closed")
    assert [f["decision"] for f in row["faces"]] == ["open" if o else "closed" for o in opens]
    assert main(["predict", "--faces", rule, "--threshold", str(t), str(two)]) == 0
    line = capsys.readouterr().out
    assert "2 faces" in line and "decides" in line
    assert main(["predict", "--faces", "most", str(two)]) == 2
    assert "invalid choice: 'most'" in capsys.readouterr().err


def test_a_photo_larger_than_the_decoding_size_is_reduced_and_boxes_scaled_back(
        tmp_path, capsys, cartoon_finder, monkeypatch):
    """Issue 12 item 5: a large photo is judged from a reduced copy (never kept at full
    size), and the face's box is still given in the file's own pixels."""
    from door_samples import frame_with

    from cnnexplorer.core.door import inference

    monkeypatch.setattr(inference, "PHOTO_SIDE", 700)  # the 1800 px frame is reduced 2.57x
    big = write_png(tmp_path / "big.png",
                    frame_with([(1000, 500, 420, 17)], size=(1200, 1800)))
    decoded = []
    real = inference.read_image_reduced
    monkeypatch.setattr(inference, "read_image_reduced",
                        lambda *a, **k: decoded.append(real(*a, **k)) or decoded[-1])
    assert main(["predict", "--json", str(big)]) == 0
    (row,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    (image, factor), = decoded
    assert max(image.shape[:2]) == 700 and abs(factor - 1800 / 700) < 1e-6
    x, y, w, h = row["faces"][0]["box"]
    # the detector boxes about half the pasted cartoon: ~210 px here, ~80 in the reduced copy
    assert abs(x + w / 2 - 1210) < 60 and abs(y + h / 2 - 710) < 60 and 150 < w < 420


def test_text_says_no_face_found_and_no_face_finding_judges_whole(tmp_path, capsys,
                                                                   cartoon_finder):
    empty = write_png(tmp_path / "empty.png", np.full((480, 640, 3), 120, np.uint8))
    assert main(["predict", "--threshold", "0", str(empty)]) == 0
    out = capsys.readouterr().out.strip()
    assert out == f"{empty}: closed (no face found, threshold 0)"
    assert main(["predict", "--threshold", "0", "--no-face-finding", str(empty)]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith(f"{empty}: open (happy ") and out.endswith("whole image)")
    assert main(["predict", "--json", "--no-face-finding", str(empty)]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["mode"] == "whole image" and row["faces"] == [] and row["probability"] >= 0


QUIET_RUN = """
import sys, warnings
from cnnexplorer.cli import main
rc = main(["predict", *sys.argv[1:]])
assert "tensorflow" in sys.modules  # this command did load TensorFlow
# the warning Keras gives `train` for a tf.data pipeline (training would take too long here)
warnings.warn("`shuffle=True` was passed, but will be ignored since the data `x` was "
              "provided as a tf.data.Dataset.")
sys.exit(rc)
"""


@pytest.mark.slow  # imports TensorFlow in a fresh interpreter (seconds)
def test_a_tensorflow_command_prints_only_our_output(faces):
    """Issue 13 item 7: no 'absl::InitializeLog', 'cuda drivers' or Keras warning lines."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {k: v for k, v in os.environ.items()
           if k not in ("TF_CPP_MIN_LOG_LEVEL", "CNNEXPLORER_DEBUG")}
    env["PYTHONPATH"] = str(root)
    proc = subprocess.run([sys.executable, "-c", QUIET_RUN, str(faces[0])], cwd=root,
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout.startswith(f"{faces[0]}: ")


def test_model_option_takes_a_run_folder_like_evaluate(faces, tmp_path, capsys):
    import shutil

    from cnnexplorer.core.train import runs
    from cnnexplorer.paths import bundled_door_model

    run = runs.create_run({"architecture": {"key": "doornet"}}, root=tmp_path, name="r")
    shutil.copy(bundled_door_model(), run.best_model_path)
    assert main(["predict", "--model", str(run.path), "--json", *map(str, faces)]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(out) == 3 and all("probability" in o for o in out)
