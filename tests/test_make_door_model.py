"""The door model's recipe pieces (tools/make_door_model): faces framed as the door frames
them, the training mix and the calibration mix."""

import numpy as np

from cnnexplorer.tools import make_door_model as tool


def test_door_framed_takes_a_face_less_image_whole_and_keeps_a_cache(tmp_path):
    rng = np.random.default_rng(0)
    flat = np.full((3, 48, 48, 1), 120, np.uint8) + rng.integers(0, 3, (3, 48, 48, 1),
                                                                  dtype=np.uint8)
    cache = tmp_path / "framed.npy"
    out = tool.door_framed(flat, cache=cache)
    assert out.shape == (3, 64, 64, 1) and out.dtype == np.uint8
    # no face in flat grey: the image is taken whole, resized as the door resizes it
    from cnnexplorer.core.data.images import resize_array
    assert np.array_equal(out[0], resize_array(flat[0], (64, 64)))
    assert cache.is_file()
    marked = np.load(cache)
    marked[0, 0, 0, 0] = 7
    np.save(cache, marked)
    assert tool.door_framed(flat, cache=cache)[0, 0, 0, 0] == 7  # read back, not redone


def test_training_mix_adds_small_faces_cartoons_and_non_faces():
    rng = np.random.default_rng(1)
    sx = rng.integers(0, 256, (40, 64, 64, 1), dtype=np.uint8)
    fx = rng.integers(0, 256, (60, 64, 64, 1), dtype=np.uint8)
    sy, fy = np.r_[np.ones(10), np.zeros(30)], np.r_[np.ones(20), np.zeros(40)]
    x, y, n_small = tool.training_mix(sx, sy, fx, fy, seed=0)
    faces = 100
    assert len(x) == len(y) == faces + 600 + tool.NON_FACES
    assert y[:faces].tolist() == np.r_[sy, fy].tolist()
    assert (y[-tool.NON_FACES:] == 0).all()
    changed = int((x[:faces] != np.concatenate([sx, fx])).any(axis=(1, 2, 3)).sum())
    assert changed == n_small and 0 < n_small < faces
    assert sx.max() > 0 and x.dtype == np.uint8


def test_calibration_mix_names_each_source():
    x = np.zeros((4, 64, 64, 1), np.uint8)
    cx, cy, source = tool.calibration_mix(x, np.array([0, 1, 0, 1]), x[:3],
                                          np.array([1, 0, 0]), seed=0)
    assert len(cx) == len(cy) == len(source) == 11
    assert sorted(set(source)) == ["fer2013 public", "smiles", "smiles small"]
    assert cy[source == "smiles small"].tolist() == [0, 1, 0, 1]


def test_the_command_line_passes_the_width_and_the_smiles_share_on(monkeypatch, tmp_path,
                                                                   capsys):
    """--filters (a fresh DoorNet's width) and --smiles-repeat (SMILEsmileD's weight in the
    mix) reach make_door_model, and the defaults are the bundled door's recipe."""
    seen = {}

    def fake(*args, **kwargs):
        seen["args"] = args
        seen["convs"] = kwargs["convs"]
        return {}

    monkeypatch.setattr(tool, "make_door_model", fake)
    base = ["--smiles", str(tmp_path), "--fer", str(tmp_path), "--out", str(tmp_path / "m")]
    assert tool.main(base + ["--filters", "48", "--smiles-repeat", "2", "--convs", "1"]) == 0
    assert seen["args"][-2:] == (48, 2) and seen["convs"] == 1
    assert tool.main(base) == 0
    from cnnexplorer.core.door.inference import BUNDLED_DOORNET

    assert seen["args"][-2:] == (BUNDLED_DOORNET["filters"], tool.SMILES_REPEAT)
    assert seen["convs"] == BUNDLED_DOORNET["convs"]
    capsys.readouterr()
