"""Platt scaling of the door's log-odds, the calibration error, and folding the fit into the
model's last unit (core.door.calibration); small faces (core.door.robustness.small_faces)."""

import numpy as np
import pytest

from cnnexplorer.core.door.calibration import (
    expected_calibration_error,
    fit_platt,
    fold_into_sigmoid,
    log_odds,
    sigmoid,
    source_weights,
)
from cnnexplorer.core.errors import TrainingError


def test_fit_platt_recovers_the_scaling_that_made_the_labels():
    rng = np.random.default_rng(0)
    z = rng.normal(0, 3, 40_000)
    y = rng.uniform(size=z.size) < sigmoid(0.5 * z - 1.0)
    a, b = fit_platt(z, y)
    assert a == pytest.approx(0.5, abs=0.03) and b == pytest.approx(-1.0, abs=0.05)


def test_weights_let_each_source_count_alike():
    # source A (9,000 faces) wants a=1, b=0; source B (1,000) wants a=1, b=-3
    rng = np.random.default_rng(1)
    za, zb = rng.normal(0, 2, 9000), rng.normal(0, 2, 1000)
    ya = rng.uniform(size=za.size) < sigmoid(za)
    yb = rng.uniform(size=zb.size) < sigmoid(zb - 3)
    z, y = np.r_[za, zb], np.r_[ya, yb]
    source = np.array(["a"] * 9000 + ["b"] * 1000)
    w = source_weights(source)
    assert w[source == "a"].sum() == pytest.approx(w[source == "b"].sum())
    _, b_plain = fit_platt(z, y)
    _, b_even = fit_platt(z, y, w)
    assert b_even < b_plain - 0.5  # the small source pulls the offset as much as the large


def test_fit_platt_refuses_one_class():
    with pytest.raises(TrainingError, match="both classes"):
        fit_platt([0.1, 0.2], [1, 1])


def test_calibration_error_of_calibrated_and_of_overconfident_answers():
    rng = np.random.default_rng(2)
    p = rng.uniform(size=50_000)
    y = rng.uniform(size=p.size) < p
    assert expected_calibration_error(y, p) < 0.01
    sure = np.where(p >= 0.5, 1.0, 0.0)  # always certain: off by about a quarter
    assert expected_calibration_error(y, sure) == pytest.approx(0.25, abs=0.01)


def test_log_odds_inverts_sigmoid_and_stays_finite():
    z = np.array([-5.0, 0.0, 3.0])
    assert np.allclose(log_odds(sigmoid(z)), z)
    assert np.isfinite(log_odds([0.0, 1.0])).all()


def test_folding_gives_the_scaled_probability_through_the_model():
    import keras

    inp = keras.Input((3,))
    out = keras.layers.Dense(1, activation="sigmoid", name="fc")(inp)
    model = keras.Model(inp, out)
    x = np.random.default_rng(3).normal(size=(8, 3)).astype(np.float32)
    before = np.asarray(model(x)).ravel()
    fold_into_sigmoid(model, 0.7, -0.4)
    after = np.asarray(model(x)).ravel()
    assert np.allclose(after, sigmoid(0.7 * log_odds(before) - 0.4), atol=1e-5)


def test_folding_refuses_a_model_without_a_sigmoid_unit():
    import keras

    inp = keras.Input((3,))
    model = keras.Model(inp, keras.layers.Dense(2, activation="softmax")(inp))
    with pytest.raises(TrainingError, match="one-unit sigmoid Dense"):
        fold_into_sigmoid(model, 1.0, 0.0)


def test_small_faces_lose_detail_but_keep_size_and_are_seeded():
    from cnnexplorer.core.door.robustness import small_faces

    rng = np.random.default_rng(4)
    x = rng.integers(0, 256, (6, 64, 64, 1), dtype=np.uint8)
    out = small_faces(x, seed=5)
    assert out.shape == x.shape and out.dtype == np.uint8
    # noise shrunk to 20-30 px and back is far smoother than the original
    def roughness(a):
        return np.abs(np.diff(a.astype(float), axis=2)).mean()
    assert roughness(out) < roughness(x) / 2
    assert np.array_equal(out, small_faces(x, seed=5))
    assert not np.array_equal(out, small_faces(x, seed=6))
