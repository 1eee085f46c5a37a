"""One path into the door model (core.door.prepare): a face read from a training folder and
the same face cut from a live frame reach the model as equal arrays."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from cnnexplorer.core.data.images import scale_pixels
from cnnexplorer.core.door.captures import load_captures, save_capture
from cnnexplorer.core.door.faces import Face
from cnnexplorer.core.door.prepare import face_square, prepare_face, prepare_faces
from cnnexplorer.core.door.smiles import load_smiles
from cnnexplorer.core.door.verdict import FACES, judge_image
from door_samples import BrightnessDoor, FixedFinder


def colour_face(side: int, seed: int = 0) -> np.ndarray:
    """A colourful, detailed square: every grey level and resize rounding shows in it."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:side, 0:side] / side
    base = np.stack([200 * xx + 30, 180 * yy + 40, 120 * (xx * yy) + 60], axis=-1)
    return np.clip(base + rng.normal(0, 25, base.shape), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("side", [64, 96, 150])
def test_a_training_crop_and_the_same_face_in_a_live_frame_give_equal_arrays(tmp_path, side):
    crop = colour_face(side, seed=side)
    for label in ("smile", "nosmile"):
        (tmp_path / label).mkdir()
    name = "face.png"
    Image.fromarray(crop).save(tmp_path / "smile" / name)
    Image.fromarray(colour_face(side, 1)).save(tmp_path / "nosmile" / "other.png")
    ds = load_smiles(tmp_path, channels=1, size=64)
    split = "train" if f"smile/{name}" in ds.split_names["train"] else "held_out"
    x = ds.x_train if split == "train" else ds.x_test
    trained = x[ds.split_names[split].index(f"smile/{name}")]

    frame = np.full((480, 640, 3), 90, np.uint8)
    frame[100:100 + side, 200:200 + side] = crop
    face = Face((200, 100, side, side), 0.9, ((0, 0),) * 5, (200, 100, side, side))
    door = BrightnessDoor((64, 64, 1))
    verdict = judge_image(door, frame, finder=FixedFinder([face]))
    assert verdict.mode == FACES
    live = verdict.judged[0].crop
    assert live.dtype == trained.dtype == np.uint8 and live.shape == (64, 64, 1)
    np.testing.assert_array_equal(live, trained)
    # what the model was fed is that array scaled, nothing else
    np.testing.assert_array_equal(door.seen[0][0], scale_pixels(trained))


def test_a_capture_trains_as_the_panel_judged_it(tmp_path):
    frame = np.full((480, 640, 3), 70, np.uint8)
    frame[50:178, 300:428] = colour_face(128, 3)
    box = (300, 50, 128, 128)
    for i in range(3):
        save_capture(face_square(frame, box), "happy", root=tmp_path)
        save_capture(colour_face(128, 10 + i), "not_happy", root=tmp_path)
    ds = load_captures(tmp_path, size=(64, 64), channels=1)
    live = judge_image(BrightnessDoor((64, 64, 1)), frame,
                       finder=FixedFinder([Face(box, 0.9, ((0, 0),) * 5, box)])).judged[0].crop
    assert ds.x_train.shape == (6, 64, 64, 1)
    np.testing.assert_array_equal(ds.x_train[ds.y_train == 1][0], live)


def test_prepare_face_converts_then_resizes_and_face_square_repeats_the_edge():
    rgb = colour_face(40)
    grey = prepare_face(rgb, (20, 20, 1))
    assert grey.shape == (20, 20, 1) and grey.dtype == np.uint8
    # grey first: the same as resizing Pillow's grey image, within rounding of the luma
    pil = np.asarray(Image.fromarray(rgb).convert("L").resize((20, 20), Image.BILINEAR,
                                                              reducing_gap=2.0))
    assert np.abs(grey[..., 0].astype(int) - pil.astype(int)).max() <= 1
    batch = prepare_faces([rgb, rgb[:30, :30]], (20, 20, 3))
    assert batch.shape == (2, 20, 20, 3)
    image = np.zeros((50, 50, 3), np.uint8)
    image[:, :10] = 255
    square = face_square(image, (-20, 0, 50, 50))
    assert square.shape == (50, 50, 3) and square[:, :30].min() == 255
    with pytest.raises(ValueError, match="outside"):
        face_square(image, (100, 100, 20, 20))
