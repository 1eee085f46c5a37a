"""The careful door: each face judged with its mirror, and by several models together."""

from __future__ import annotations

import numpy as np
import pytest

from cnnexplorer.core.door.careful import CarefulDoor
from cnnexplorer.core.door.inference import DoorModel, preprocess
from cnnexplorer.core.door.verdict import TIGHT_CROP, judge_image
from cnnexplorer.core.errors import ModelFileError


def door_of(seed: int, shape=(16, 16, 3)) -> DoorModel:
    import keras

    keras.utils.set_random_seed(seed)
    inputs = keras.Input(shape)
    x = keras.layers.Flatten()(keras.layers.Conv2D(2, 3)(inputs))
    return DoorModel(keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(x)),
                     f"door{seed}")


def test_the_mirror_averages_the_face_and_its_mirror_image():
    door = door_of(0)
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
    careful = CarefulDoor(door, mirror=True)
    expected = (door.probability(image) + door.probability(image[:, ::-1])) / 2
    assert careful.probability(image) == pytest.approx(expected, rel=1e-5)
    # an asymmetric image: the careful answer really differs from the plain one
    assert careful.probability(image) != pytest.approx(door.probability(image), rel=1e-4)
    assert careful.passes == 2


def test_a_symmetric_face_and_a_single_member_change_nothing():
    door = door_of(1)
    half = np.random.default_rng(1).integers(0, 256, (16, 8, 3), dtype=np.uint8)
    symmetric = np.concatenate([half, half[:, ::-1]], axis=1)
    assert CarefulDoor(door).probability(symmetric) == pytest.approx(
        door.probability(symmetric), rel=1e-5)
    image = np.random.default_rng(2).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    assert CarefulDoor(door, mirror=False).probability(image) == pytest.approx(
        door.probability(image), rel=1e-6)


def test_several_models_are_averaged():
    a, b = door_of(2), door_of(3)
    images = np.random.default_rng(3).integers(0, 256, (5, 16, 16, 3), dtype=np.uint8)
    batch = np.concatenate([preprocess(im, a.input_shape) for im in images])
    together = CarefulDoor(a, [b], mirror=False).predict_batch(batch)
    np.testing.assert_allclose(together, (a.predict_batch(batch) + b.predict_batch(batch)) / 2,
                               rtol=1e-6)
    assert CarefulDoor(a, [b]).passes == 4


def test_models_of_other_input_sizes_are_refused():
    with pytest.raises(ModelFileError, match="door4 takes 32x32x3 faces and door2 16x16x3"):
        CarefulDoor(door_of(2), [door_of(4, (32, 32, 3))])


def test_the_verdict_path_judges_carefully():
    door = door_of(5)
    image = np.random.default_rng(5).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    careful = CarefulDoor(door)
    verdict = judge_image(careful, image)  # a small face-less image: judged whole
    assert verdict.mode == TIGHT_CROP
    assert verdict.probability == pytest.approx(careful.probability(image), rel=1e-5)
