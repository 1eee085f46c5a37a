"""A convolution at work: the hand sum of patch x weights + bias, through the activation,
equals the value the model computed, at every kind of position."""

from __future__ import annotations

import numpy as np
import pytest

from cnnexplorer.core.errors import ModelFileError
from cnnexplorer.core.keras.conv_at_work import ConvProbe, conv_at_work


def model_with(padding: str, strides: int, activation: str, dilation: int = 1):
    import keras

    keras.utils.set_random_seed(0)
    inputs = keras.Input((11, 9, 3))
    x = keras.layers.Conv2D(4, 3, padding="same", name="first")(inputs)
    x = keras.layers.Conv2D(5, (3, 5) if dilation == 1 else 3, strides=strides,
                            padding=padding, dilation_rate=dilation, activation=activation,
                            name="probe")(x)
    return keras.Model(inputs, keras.layers.Flatten()(x))


@pytest.mark.parametrize("padding, strides, activation, dilation", [
    ("valid", 1, "linear", 1), ("same", 1, "relu", 1), ("same", 2, "relu", 1),
    ("valid", 2, "tanh", 1), ("same", 1, "linear", 2),
])
def test_the_hand_sum_is_the_models_value_everywhere(padding, strides, activation, dilation):
    model = model_with(padding, strides, activation, dilation)
    image = np.random.default_rng(1).random((11, 9, 3)).astype(np.float32)
    probe = ConvProbe.run(model, image, "probe")
    n_h, n_w, _c = probe.output_shape
    for row in range(n_h):
        for col in range(n_w):
            w = probe.at(row, col, (row + col) % 5)
            assert w.value == pytest.approx(w.model_value, rel=1e-4, abs=1e-5)
    one = conv_at_work(model, image, "probe", n_h - 1, 0, 2)
    assert one.value == pytest.approx(one.model_value, rel=1e-4, abs=1e-5)


def test_corner_taps_on_same_padding_are_zero_and_marked():
    model = model_with("same", 1, "linear")
    image = np.random.default_rng(2).random((11, 9, 3)).astype(np.float32)
    w = conv_at_work(model, image, "probe", 0, 0, 0)
    assert w.patch.shape == (3, 5, 4) and w.kernel.shape == (3, 5, 4)
    assert w.padded[0].all() and w.padded[:, :2].all() and not w.padded[1:, 2:].any()
    assert (w.patch[w.padded] == 0).all()
    assert w.per_channel.shape == (4,)
    assert "z = sum(patch * W) + b" in w.summary()


def test_layers_that_are_not_convolutions_are_refused():
    model = model_with("valid", 1, "linear")
    image = np.zeros((11, 9, 3), np.float32)
    with pytest.raises(ModelFileError, match="Flatten"):
        conv_at_work(model, image, model.layers[-1].name, 0, 0, 0)
    with pytest.raises(ModelFileError, match="outside its"):
        conv_at_work(model, image, "probe", 50, 0, 0)


def test_a_sequential_model_never_called_is_probed_too():
    """Regression: the probe asked `model.input`, which a Keras 3 Sequential that was built
    but never called does not have (AttributeError), so the door's greyscale model lost every
    frame it judged with its conv layer's maps shown. `model.inputs` is defined."""
    import keras

    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input((8, 8, 1)),
                              keras.layers.Conv2D(4, 3, activation="relu", name="conv"),
                              keras.layers.Flatten(), keras.layers.Dense(1)])
    image = np.random.default_rng(3).random((8, 8, 1)).astype(np.float32)
    probe = ConvProbe.run(model, image, "conv")
    assert probe.output_shape == (6, 6, 4)
    w = probe.at(5, 0, 3)
    assert w.patch.shape == (3, 3, 1) and w.value == pytest.approx(w.model_value, abs=1e-5)
