"""Generated sets: deterministic, balanced, the right shapes, cached on first use."""

import numpy as np
import pytest

from cnnexplorer.core.data import BUILTINS, builtin_names, load_dataset
from cnnexplorer.core.data.generated import cache_path, digits, happy, signs


@pytest.mark.parametrize("module, shape, classes", [(happy, (64, 64, 3), 2),
                                                     (signs, (64, 64, 3), 6),
                                                     (digits, (32, 32, 1), 10)])
def test_generators_are_deterministic_and_varied(module, shape, classes):
    a = module.generate(seed=5, n_train=24, n_test=12)
    b = module.generate(seed=5, n_train=24, n_test=12)
    c = module.generate(seed=6, n_train=24, n_test=12)
    x_train, y_train, x_test, y_test, names = a
    assert x_train.shape == (24,) + shape and x_test.shape == (12,) + shape
    assert x_train.dtype == np.uint8 and len(names) == classes
    np.testing.assert_array_equal(x_train, b[0])
    np.testing.assert_array_equal(y_test, b[3])
    assert not np.array_equal(x_train, c[0])
    assert set(np.unique(y_train)) <= set(range(classes))
    # No two images alike, and real contrast in each.
    assert len({img.tobytes() for img in x_train}) == 24
    assert (x_train.reshape(24, -1).std(axis=1) > 10).all()


def test_happy_names_and_balance():
    x_train, y_train, *_ , names = happy.generate(seed=1, n_train=200, n_test=0)
    assert names == ["not happy", "happy"]
    assert 70 < y_train.sum() < 130  # roughly balanced


def test_signs_and_digits_are_balanced():
    assert np.bincount(signs.generate(seed=2, n_train=60, n_test=12)[1]).tolist() == [10] * 6
    assert np.bincount(digits.generate(seed=3, n_train=50, n_test=10)[3]).tolist() == [1] * 10


def test_builtin_is_generated_once_then_cached():
    assert builtin_names() == ["happy-faces", "hand-signs", "digits"]
    assert not cache_path("happy-faces").exists()
    messages = []
    ds = load_dataset("happy-faces", progress=lambda d, t, m: messages.append(m))
    assert ds.class_names == ["not happy", "happy"] and ds.input_shape == (64, 64, 3)
    assert len(ds.x_train) == 600 and len(ds.x_test) == 150
    assert messages[0] == "generating Happy faces (first use)"
    assert cache_path("happy-faces").is_file()
    again = load_dataset("happy-faces", progress=lambda d, t, m: messages.append(m))
    assert again.fingerprint == ds.fingerprint and len(messages) == 2
    assert again.name == "happy-faces" and again.source.startswith("built-in")
    small = load_dataset("happy-faces", image_size=32)
    assert small.input_shape == (32, 32, 3) and small.fingerprint != ds.fingerprint
    # a damaged cache file is regenerated, not reported
    cache_path("happy-faces").write_bytes(b"garbage")
    assert load_dataset("happy-faces").fingerprint == ds.fingerprint
    assert "64x64x3" in BUILTINS["happy-faces"].description
