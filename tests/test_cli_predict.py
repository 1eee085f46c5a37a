"""`cnnexplorer predict`: one line / JSON object per image, bad files reported, exit 2."""

from __future__ import annotations

import json

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
