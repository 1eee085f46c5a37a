"""The command line on hostile input (issue 12, items 3, 5, 7, 10, 11, 14): one clear line and
exit 2 for the user's mistake, never an internal error, and one bad file never loses the others.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import numpy as np
import pytest
from door_samples import face, write_png
from hostile_samples import group_h5, image_folder, malformed_dds, npy_named_npz

from cnnexplorer.cli import main


def _run(capsys, *argv):
    rc = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


def _assert_clear(rc, err, *needles):
    assert rc == 2, err
    assert "internal error" not in err and "Traceback" not in err
    for needle in needles:
        assert needle in err, err


# -- items 3 and 7: predict goes on past any bad file, whatever its name ------------------------
def test_predict_judges_the_good_images_around_a_dds_and_a_non_utf8_name(tmp_path, capsys):
    good1 = write_png(tmp_path / "good1.png", face(True))
    dds = malformed_dds(tmp_path / "bad.png")
    raw = os.fsencode(str(tmp_path)) + b"/odd\xff.png"
    with open(raw, "wb") as fh:
        fh.write(b"not an image")
    odd = os.fsdecode(raw)
    good2 = write_png(tmp_path / "good2.png", face(False))
    rc, out, err = _run(capsys, "predict", good1, dds, odd, good2, "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert [Path(d["image"]).name for d in lines] == ["good1.png", "bad.png", "odd\ufffd.png",
                                                      "good2.png"]
    assert "decision" in lines[0] and "decision" in lines[3]
    assert "error" in lines[1] and "error" in lines[2]
    _assert_clear(rc, err, "2 of 4 file(s)")


def test_predict_text_output_survives_a_non_utf8_name(tmp_path, capsys):
    raw = os.fsencode(str(tmp_path)) + b"/smile\xfe.png"
    write_png(Path(os.fsdecode(raw)), face(True))
    good = write_png(tmp_path / "good.png", face(True))
    rc, out, err = _run(capsys, "predict", os.fsdecode(raw), good)
    assert rc == 0, err
    assert "smile\ufffd.png: " in out and "good.png: " in out


# -- item 5: one image at a time, reduced to the model's size -----------------------------------
def test_predict_without_face_finding_keeps_only_model_size_arrays_and_drafts_jpegs(
        tmp_path, capsys, monkeypatch):
    from PIL import Image, JpegImagePlugin

    from cnnexplorer.core.door import inference

    big = np.asarray(Image.fromarray(face(True)).resize((1600, 1200)))
    paths = [write_png(tmp_path / f"big{i}.png", big) for i in range(3)]
    jpeg = tmp_path / "big.jpg"
    Image.fromarray(big).save(jpeg, quality=90)
    drafts = []
    real_draft = JpegImagePlugin.JpegImageFile.draft
    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft",
                        lambda self, mode, size: drafts.append(size) or
                        real_draft(self, mode, size))
    seen = []
    real_prepare = inference.prepare_face

    def spy(image, shape):
        seen.append(image.shape)
        return real_prepare(image, shape)
    monkeypatch.setattr(inference, "prepare_face", spy)
    monkeypatch.setattr("cnnexplorer.core.door.verdict.prepare_face", spy)
    rc, out, err = _run(capsys, "predict", *paths, jpeg, "--no-face-finding")
    assert rc == 0, err
    assert len(out.splitlines()) == 4
    # never a 1600x1200 array past the reader: the model's size (its channels, grey for the
    # bundled real-faces door)
    assert len(seen) == 4 and all(shape[:2] == (64, 64) for shape in seen), seen
    assert drafts == [(64, 64)]  # the JPEG decoded at reduced scale


# -- item 10: nothing to train on or evaluate ---------------------------------------------------
@pytest.fixture
def empty_npz(tmp_path):
    path = tmp_path / "empty.npz"
    np.savez(path, x_train=np.zeros((0, 16, 16, 3), np.uint8), y_train=np.zeros(0, np.int64))
    return path


def test_train_on_zero_images_says_so(empty_npz, tmp_path, capsys):
    rc, _, err = _run(capsys, "train", "happymodel", empty_npz, "--epochs", "1",
                      "--validation-split", "0", "--out", tmp_path / "run")
    _assert_clear(rc, err, "no training images")
    assert not (tmp_path / "run" / "best.keras").exists()


def test_evaluate_on_zero_images_or_with_a_non_image_model(empty_npz, tmp_path, capsys):
    from cnnexplorer.core.keras.build import import_keras

    keras = import_keras()
    inp = keras.Input((16, 16, 3))
    x = keras.layers.GlobalAveragePooling2D()(inp)
    model_path = tmp_path / "m.keras"
    keras.Model(inp, keras.layers.Dense(1, activation="sigmoid")(x)).save(model_path)
    rc, _, err = _run(capsys, "evaluate", model_path, empty_npz)
    _assert_clear(rc, err, "no images")
    inp = keras.Input((10,))
    flat_path = tmp_path / "flat.keras"
    keras.Model(inp, keras.layers.Dense(1, activation="sigmoid")(inp)).save(flat_path)
    good = tmp_path / "good.npz"
    np.savez(good, x_train=np.zeros((4, 16, 16, 3), np.uint8), y_train=np.array([0, 1, 0, 1]))
    rc, _, err = _run(capsys, "evaluate", flat_path, good)
    _assert_clear(rc, err, "not images")


# -- item 11: the listed bad inputs are messages, exit 2 ----------------------------------------
def test_bad_dataset_files_are_clear_errors(tmp_path, capsys):
    pets = image_folder(tmp_path / "pets")
    (pets / "classes.txt").write_bytes(b"\xff\xfe\x00c\x00a\x00t")
    cases = [(group_h5(tmp_path / "train_g.h5"), "group"),
             (npy_named_npz(tmp_path / "a.npz"), ".npy"),
             (pets, "UTF-8"),
             (tmp_path / ("n" * 300), "too long")]
    for dataset, needle in cases:
        rc, _, err = _run(capsys, "train", "happymodel", dataset, "--epochs", "1",
                          "--out", tmp_path / "never")
        _assert_clear(rc, err, needle)


def test_diagram_into_a_folder_or_a_read_only_place(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "taken.svg"
    folder.mkdir()
    rc, _, err = _run(capsys, "diagram", "lenet5", "-o", folder)
    _assert_clear(rc, err, "taken.svg", "is a folder")

    def read_only(self, *a, **k):
        raise OSError(errno.EROFS, "Read-only file system", str(self))
    monkeypatch.setattr(Path, "write_text", read_only)
    rc, _, err = _run(capsys, "diagram", "lenet5", "-o", tmp_path / "ro.svg")
    _assert_clear(rc, err, "ro.svg", "read-only")


def test_train_out_on_a_file_or_a_read_only_place(tmp_path, capsys, monkeypatch):
    npz = tmp_path / "d.npz"
    rng = np.random.default_rng(0)
    np.savez(npz, x_train=rng.integers(0, 255, (8, 16, 16, 3), dtype=np.uint8),
             y_train=np.arange(8) % 2)
    afile = tmp_path / "afile"
    afile.write_text("x")
    rc, _, err = _run(capsys, "train", "happymodel", npz, "--epochs", "1",
                      "--validation-split", "0", "--out", afile)
    _assert_clear(rc, err, "afile")

    real_mkdir = Path.mkdir

    def read_only(self, *a, **k):
        if self.name == "ro_run":
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        return real_mkdir(self, *a, **k)
    monkeypatch.setattr(Path, "mkdir", read_only)
    rc, _, err = _run(capsys, "train", "happymodel", npz, "--epochs", "1",
                      "--validation-split", "0", "--out", tmp_path / "ro_run")
    _assert_clear(rc, err, "ro_run", "read-only")


def test_inspect_with_a_billion_classes(capsys):
    rc, _, err = _run(capsys, "inspect", "mobilenet", "--classes", "1000000000")
    _assert_clear(rc, err, "at most 100,000")


# -- item 14: Ctrl-C at any moment ---------------------------------------------------------------
def test_ctrl_c_while_the_parser_is_built_is_quiet(capsys, monkeypatch):
    import cnnexplorer.cli as cli

    def interrupted(*a, **k):
        raise KeyboardInterrupt
    monkeypatch.setattr(cli, "build_parser", interrupted)
    rc, out, err = _run(capsys, "inspect", "lenet5")
    assert rc == 130 and "Traceback" not in err and out == ""
