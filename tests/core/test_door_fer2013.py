"""FER-2013 reading (core.door.fer2013): the CSV and the image-folder layouts, the challenge's
parts, the happy label, the cache and the messages for what is not FER-2013."""

import numpy as np
import pytest
from PIL import Image

from cnnexplorer.core.door.fer2013 import EMOTIONS, HAPPY, load_fer2013
from cnnexplorer.core.errors import DatasetError


def _write_csv(path, rows):
    lines = ["emotion,pixels,Usage"]
    for emotion, value, usage in rows:
        lines.append(f"{emotion},{' '.join([str(value)] * 2304)},{usage}")
    path.write_text("\n".join(lines) + "\n")


def test_csv_parts_and_happy_label(tmp_path):
    csv = tmp_path / "fer2013.csv"
    _write_csv(csv, [(3, 10, "Training"), (0, 20, "Training"), (3, 30, "PublicTest"),
                     (6, 40, "PrivateTest")])
    faces = load_fer2013(tmp_path)  # the folder holding fer2013.csv
    assert faces.x.shape == (4, 48, 48, 1) and faces.x.dtype == np.uint8
    x, y = faces.select("Training")
    assert y.tolist() == [1, 0] and x[1].min() == 20
    assert faces.select("PrivateTest")[1].tolist() == [0]
    assert faces.counts()["PublicTest"] == {"faces": 1, "happy": 1}


def test_folders_take_the_part_from_the_file_name_and_skip_others(tmp_path):
    for split, name, emotion in [("train", "Training_1.jpg", "happy"),
                                 ("train", "Training_2.jpg", "sad"),
                                 ("test", "PublicTest_3.jpg", "happy"),
                                 ("test", "PrivateTest_4.jpg", "angry"),
                                 ("train", "Training_5.jpg0.jpg", "happy")]:  # an augmented copy
        folder = tmp_path / split / emotion
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.full((48, 48), 100, np.uint8)).save(folder / name)
    cache = tmp_path / "cache"
    faces = load_fer2013(tmp_path, cache_dir=cache)
    assert sorted(faces.names) == ["PrivateTest_4.jpg", "PublicTest_3.jpg", "Training_1.jpg",
                                   "Training_2.jpg"]
    assert faces.counts() == {"Training": {"faces": 2, "happy": 1},
                              "PublicTest": {"faces": 1, "happy": 1},
                              "PrivateTest": {"faces": 1, "happy": 0}}
    assert EMOTIONS[HAPPY] == "happy"
    assert len(list(cache.glob("fer2013-*.npz"))) == 1
    again = load_fer2013(tmp_path, cache_dir=cache)
    assert np.array_equal(again.x, faces.x) and again.names == faces.names


def test_not_fer2013_is_one_clear_message(tmp_path):
    with pytest.raises(DatasetError, match="no FER-2013 faces"):
        load_fer2013(tmp_path)
    with pytest.raises(DatasetError, match="no such file"):
        load_fer2013(tmp_path / "missing")
    bad = tmp_path / "bad.csv"
    bad.write_text("label,image\n1,2\n")
    with pytest.raises(DatasetError, match="missing the column"):
        load_fer2013(bad)
    short = tmp_path / "short.csv"
    short.write_text("emotion,pixels,Usage\n3,1 2 3,Training\n")
    with pytest.raises(DatasetError, match="row 2: expected 2304 pixels"):
        load_fer2013(short)
    ok = tmp_path / "ok.csv"
    _write_csv(ok, [(3, 1, "Training")])
    with pytest.raises(DatasetError, match="part must be one of"):
        load_fer2013(ok).select("Validation")
