"""Multi-crop and ensembles at test time (the notes' "state of computer vision")."""

from __future__ import annotations

import numpy as np
import pytest

from cnnexplorer.core.data.base import Dataset
from cnnexplorer.core.errors import TrainingError
from cnnexplorer.core.train.crops_and_ensembles import (
    CROP_FRACTION,
    Member,
    compare_test_time,
    crop_windows,
)


def tiny_model(size: int, classes: int, seed: int):
    import keras

    keras.utils.set_random_seed(seed)
    inputs = keras.Input((size, size, 3))
    x = keras.layers.Conv2D(2, 3, padding="same")(inputs)
    x = keras.layers.GlobalAveragePooling2D()(x)
    outputs = (keras.layers.Dense(1, activation="sigmoid")(x) if classes == 2
               else keras.layers.Dense(classes, activation="softmax")(x))
    return keras.Model(inputs, outputs)


def dataset_of(x: np.ndarray, y: np.ndarray, classes: int) -> Dataset:
    return Dataset(name="tiny", x_train=x, y_train=y, x_test=x, y_test=y,
                   class_names=[f"c{i}" for i in range(classes)])


def test_windows_cut_the_corners_the_centre_and_their_mirrors():
    # an image whose four corners and centre each hold a value of their own
    size = 16
    image = np.zeros((1, size, size, 3), np.uint8)
    image[0, 0, 0], image[0, 0, -1], image[0, -1, 0], image[0, -1, -1] = 10, 20, 30, 40
    image[0, size // 2, size // 2] = 50
    windows = crop_windows(size, size, 10)
    assert len(windows) == 10
    side = round(size * CROP_FRACTION)
    assert all((w.height, w.width) == (side, side) for w in windows)
    by_name = {w.name: w.cut(image)[0, :, :, 0] for w in windows}
    assert by_name["top-left"][0, 0] == 10
    assert by_name["top-right"][0, -1] == 20
    assert by_name["bottom-left"][-1, 0] == 30
    assert by_name["bottom-right"][-1, -1] == 40
    # each corner window holds its own corner and no other
    assert 20 not in by_name["top-left"] and 40 not in by_name["top-left"]
    assert 10 not in by_name["bottom-right"]
    assert 50 in by_name["centre"] and 10 not in by_name["centre"]
    # the mirrored top-left window has its corner value at its top-right
    assert by_name["top-left mirrored"][0, -1] == 10
    np.testing.assert_array_equal(by_name["centre mirrored"], by_name["centre"][:, ::-1])


@pytest.mark.parametrize("crops, count", [(1, 1), (2, 2), (10, 10)])
def test_window_counts(crops, count):
    assert len(crop_windows(64, 64, crops)) == count


def test_a_crop_count_not_offered_is_refused():
    with pytest.raises(TrainingError, match="one of 1, 2, 10; received 3"):
        crop_windows(64, 64, 3)


def test_ten_crops_of_a_constant_image_equal_the_single_crop():
    model = tiny_model(16, 3, seed=0)
    x = np.full((4, 16, 16, 3), 123, np.uint8)
    y = np.array([0, 1, 2, 0])
    comparison = compare_test_time([Member("m", model)], dataset_of(x, y, 3), crops=10)
    single, ten = comparison.rows
    assert (single.crops, ten.crops) == (1, 10)
    np.testing.assert_allclose(ten.result.probabilities, single.result.probabilities,
                               rtol=1e-5, atol=1e-6)
    # the ten passes really ran: each row is charged the passes it used
    assert (single.passes, ten.passes) == (1, 10)
    assert ten.seconds_per_image > single.seconds_per_image


def test_an_ensemble_of_one_model_equals_the_model():
    rng = np.random.default_rng(1)
    x = rng.integers(0, 256, (12, 16, 16, 3), dtype=np.uint8)
    y = rng.integers(0, 2, 12)
    model = tiny_model(16, 2, seed=1)
    comparison = compare_test_time([Member("m", model)], dataset_of(x, y, 2), crops=1)
    assert len(comparison.rows) == 1
    expected = model.predict(x.astype(np.float32) / 255.0, verbose=0)[:, 0]
    np.testing.assert_allclose(comparison.rows[0].result.probabilities[:, 1], expected,
                               rtol=1e-5, atol=1e-6)


def test_the_ensemble_averages_its_members():
    rng = np.random.default_rng(2)
    x = rng.integers(0, 256, (10, 16, 16, 3), dtype=np.uint8)
    y = rng.integers(0, 3, 10)
    a, b = tiny_model(16, 3, seed=2), tiny_model(16, 3, seed=3)
    comparison = compare_test_time([Member("a", a), Member("b", b)], dataset_of(x, y, 3),
                                   crops=2)
    labels = [r.label for r in comparison.rows]
    assert labels == ["a", "b", "ensemble of 2", "a, 2 crops", "b, 2 crops",
                      "ensemble of 2, 2 crops"]
    rows = {r.label: r for r in comparison.rows}
    np.testing.assert_allclose(
        rows["ensemble of 2"].result.probabilities,
        (rows["a"].result.probabilities + rows["b"].result.probabilities) / 2, rtol=1e-6)
    np.testing.assert_allclose(
        rows["ensemble of 2, 2 crops"].result.probabilities,
        (rows["a, 2 crops"].result.probabilities + rows["b, 2 crops"].result.probabilities) / 2,
        rtol=1e-6)
    # an ensemble's price is the sum of its members' passes
    ens = rows["ensemble of 2"]
    assert ens.passes == 2
    assert ens.seconds_per_image == pytest.approx(
        rows["a"].seconds_per_image + rows["b"].seconds_per_image)


def test_members_with_different_classes_are_refused():
    x = np.zeros((4, 16, 16, 3), np.uint8)
    y = np.array([0, 1, 0, 1])
    members = [Member("two", tiny_model(16, 2, 0)), Member("three", tiny_model(16, 3, 0))]
    with pytest.raises(TrainingError, match="three predicts 3 classes and two 2"):
        compare_test_time(members, dataset_of(x, y, 2))
