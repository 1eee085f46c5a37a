"""Layer-level rules: output shapes, params and MACs of each kind, and the errors on bad input."""

import pytest

from cnnexplorer.core.arch import kinds as K
from cnnexplorer.core.errors import ConfigError, ShapeError
from cnnexplorer.core.arch.graph import NetworkBuilder


def cost(layer, *shapes):
    """(output shape, (trainable, non-trainable), MACs) of a layer fed by `shapes`."""
    shapes = list(shapes)
    out = layer.output_shape(shapes)
    return out, layer.params(shapes, out), layer.macs(shapes, out)


@pytest.mark.parametrize("size, kernel, stride, padding, expected", [
    (28, 5, 1, "valid", 24),
    (28, 5, 1, "same", 28),
    (227, 11, 4, "valid", 55),   # AlexNet conv1
    (224, 7, 2, "same", 112),    # GoogLeNet conv1
    (230, 7, 2, "valid", 112),   # ResNet-50 conv1 after ZeroPadding 3
    (7, 3, 2, "same", 4),        # same rounds up: ceil(7 / 2)
    (7, 3, 2, "valid", 3),       # valid rounds down: floor((7 - 3) / 2) + 1
    (4, 5, 1, "valid", 0),       # too small: no output
])
def test_window_output_follows_keras(size, kernel, stride, padding, expected):
    assert K.window_output(size, kernel, stride, padding) == expected


def test_window_output_with_dilation():
    # A 3x3 kernel dilated by 2 spans 5 pixels.
    assert K.window_output(9, 3, 1, "valid", dilation=2) == 5


def test_conv_valid_counts_weights_bias_and_macs():
    out, params, macs = cost(K.Conv2D(filters=16, kernel_size=5), (14, 14, 6))
    assert out == (10, 10, 16)
    assert params == (5 * 5 * 6 * 16 + 16, 0)
    assert macs == 5 * 5 * 6 * 16 * 10 * 10


def test_conv_same_strided_without_bias():
    out, params, macs = cost(K.Conv2D(filters=64, kernel_size=3, strides=2, padding="same",
                                      use_bias=False), (56, 56, 32))
    assert out == (28, 28, 64)
    assert params == (3 * 3 * 32 * 64, 0)
    assert macs == 3 * 3 * 32 * 64 * 28 * 28


def test_conv_rectangular_kernel_and_strides():
    out, params, macs = cost(K.Conv2D(filters=8, kernel_size=(1, 7), strides=(1, 2)), (17, 17, 4))
    assert out == (17, 6, 8)
    assert params == (7 * 4 * 8 + 8, 0)
    assert macs == 7 * 4 * 8 * 17 * 6


def test_grouped_conv_divides_weights_and_macs_by_groups():
    plain = cost(K.Conv2D(filters=256, kernel_size=5, padding="same"), (27, 27, 96))
    grouped = cost(K.Conv2D(filters=256, kernel_size=5, padding="same", groups=2), (27, 27, 96))
    assert grouped[0] == plain[0] == (27, 27, 256)
    assert grouped[1] == (5 * 5 * 48 * 256 + 256, 0)  # AlexNet's two-GPU conv2
    assert grouped[2] * 2 == plain[2]


def test_grouped_conv_rejects_channels_not_divisible():
    with pytest.raises(ShapeError, match="groups=4 must divide the input channels \\(6\\)"):
        K.Conv2D(filters=8, kernel_size=3, groups=4).output_shape([(8, 8, 6)])
    with pytest.raises(ConfigError, match="groups must divide filters \\(10\\); received groups=4"):
        K.Conv2D(filters=10, kernel_size=3, groups=4)


@pytest.mark.parametrize("settings, message", [
    ({"filters": 0}, "filters must be a positive integer; received 0"),
    ({"filters": 8, "kernel_size": 0}, "kernel_size must be positive integers; received 0"),
    ({"filters": 8, "kernel_size": (3, 3, 3)}, "kernel_size must be an integer or a pair"),
    ({"filters": 8, "strides": -1}, "strides must be positive integers; received -1"),
    ({"filters": 8, "padding": "full"}, "padding must be 'valid' or 'same'; received 'full'"),
    ({"filters": 8, "activation": "relux"}, "unknown activation 'relux'"),
])
def test_conv_bad_settings(settings, message):
    with pytest.raises(ConfigError, match=message.replace("(", "\\(").replace(")", "\\)")):
        K.Conv2D(**settings)


def test_conv_input_too_small_and_wrong_rank():
    with pytest.raises(ShapeError, match="input 4x4x3 is too small for a 5x5 kernel"):
        K.Conv2D(filters=2, kernel_size=5).output_shape([(4, 4, 3)])
    with pytest.raises(ShapeError, match="needs an image .* received shape 100"):
        K.Conv2D(filters=2, kernel_size=1).output_shape([(100,)])


def test_dense_on_vector_and_on_image():
    assert cost(K.Dense(units=84), (120,)) == ((84,), (120 * 84 + 84, 0), 120 * 84)
    # On an image, Keras applies the Dense at every position, like a 1x1 conv.
    assert cost(K.Dense(units=4, use_bias=False), (6, 6, 32)) == ((6, 6, 4), (128, 0),
                                                                  6 * 6 * 32 * 4)
    with pytest.raises(ConfigError, match="units must be a positive integer; received 0"):
        K.Dense(units=0)


def test_batch_norm_moving_statistics_are_non_trainable():
    assert cost(K.BatchNormalization(), (56, 56, 64)) == ((56, 56, 64), (128, 128), 0)
    assert cost(K.BatchNormalization(scale=False), (10,))[1] == (10, 20)


@pytest.mark.parametrize("layer, shape, expected", [
    (K.MaxPooling2D(pool_size=2), (28, 28, 6), (14, 14, 6)),
    (K.MaxPooling2D(pool_size=3, strides=2), (55, 55, 96), (27, 27, 96)),
    (K.MaxPooling2D(pool_size=3, strides=2, padding="same"), (112, 112, 64), (56, 56, 64)),
    (K.MaxPooling2D(pool_size=3, strides=1, padding="same"), (28, 28, 192), (28, 28, 192)),
    (K.AveragePooling2D(pool_size=5, strides=3), (14, 14, 512), (4, 4, 512)),
    (K.AveragePooling2D(pool_size=2), (5, 5, 16), (2, 2, 16)),
    (K.GlobalAveragePooling2D(), (7, 7, 2048), (2048,)),
    (K.GlobalMaxPooling2D(), (3, 5, 8), (8,)),
    (K.Flatten(), (5, 5, 16), (400,)),
    (K.ZeroPadding2D(padding=3), (64, 64, 3), (70, 70, 3)),
    (K.ZeroPadding2D(padding=(1, 2)), (10, 10, 3), (12, 14, 3)),
    (K.ZeroPadding2D(padding=((0, 1), (2, 3))), (10, 10, 3), (11, 15, 3)),
    (K.Activation(activation="tanh"), (10,), (10,)),
    (K.Dropout(rate=0.7), (1024,), (1024,)),
    (K.LocalResponseNormalization(), (55, 55, 96), (55, 55, 96)),
])
def test_weightless_layers_shape_and_zero_cost(layer, shape, expected):
    assert cost(layer, shape) == (expected, (0, 0), 0)


def test_pool_too_small():
    with pytest.raises(ShapeError, match="input 1x1x512 is too small for a 2x2 pool"):
        K.MaxPooling2D(pool_size=2).output_shape([(1, 1, 512)])


def test_bad_weightless_settings():
    with pytest.raises(ConfigError, match="Dropout rate must be in \\[0, 1\\); received 1.0"):
        K.Dropout(rate=1.0)
    with pytest.raises(ConfigError, match="must be non-negative"):
        K.ZeroPadding2D(padding=((1, -1), (0, 0)))
    with pytest.raises(ConfigError, match="input shape must be positive integers"):
        K.Input(shape=(0, 28, 1))


def test_add_needs_equal_shapes():
    assert cost(K.Add(), (7, 7, 2048), (7, 7, 2048)) == ((7, 7, 2048), (0, 0), 0)
    with pytest.raises(ShapeError, match="needs inputs of one shape; received 7x7x2048, 7x7x1024"):
        K.Add().output_shape([(7, 7, 2048), (7, 7, 1024)])
    with pytest.raises(ShapeError, match="at least two inputs; received 1"):
        K.Add().output_shape([(7, 7, 8)])


def test_concatenate_joins_channels_of_inception_branches():
    branches = [(28, 28, 64), (28, 28, 128), (28, 28, 32), (28, 28, 32)]
    assert cost(K.Concatenate(), *branches) == ((28, 28, 256), (0, 0), 0)
    # Keras' axis counts the batch: axis=1 is the height.
    assert K.Concatenate(axis=1).output_shape([(2, 5, 3), (4, 5, 3)]) == (6, 5, 3)


@pytest.mark.parametrize("axis, shapes, message", [
    (-1, [(28, 28, 64), (14, 14, 64)], "differ outside the joined axis: 28x28x64, 14x14x64"),
    (5, [(2, 2, 2), (2, 2, 2)], "axis 5 is out of range for rank 3"),
    (0, [(2, 2, 2), (2, 2, 2)], "axis 0 is the batch axis"),
    (-1, [(2, 2, 2)], "at least two inputs; received 1"),
])
def test_concatenate_errors(axis, shapes, message):
    with pytest.raises(ShapeError, match=message):
        K.Concatenate(axis=axis).output_shape(shapes)


def test_opaque_macs_are_not_counted():
    layer = K.Opaque(class_name="MyLayer", shape=(10,), trainable=5, non_trainable=2)
    assert cost(layer, (4,)) == ((10,), (5, 2), None)


def test_summaries_name_the_key_settings():
    assert K.Conv2D(filters=64, kernel_size=7, strides=2).summary() == "7x7/2, 64"
    assert K.Conv2D(filters=256, kernel_size=5, padding="same", groups=2,
                    activation="relu").summary() == "5x5, 256, g2, same, relu"
    assert K.MaxPooling2D(pool_size=3, strides=2).summary() == "3x3/2"
    assert K.Dense(units=10, activation="softmax").summary() == "10, softmax"


def test_builder_names_the_layer_that_fails():
    b = NetworkBuilder("t")
    x = b.input((8, 8, 3))
    with pytest.raises(ShapeError, match="layer 'big' \\(Conv2D\\): input 8x8x3 is too small"):
        b.conv2d(x, 4, 9, name="big")
    with pytest.raises(ConfigError, match="layer 'c0' \\(Conv2D\\): .* received 0"):
        b.conv2d(x, 0, 3, name="c0")
    with pytest.raises(ConfigError, match="layer 'd' \\(Dense\\): .* received -3"):
        b.dense(x, -3, name="d")
    y = b.conv2d(x, 4, 3, name="c")
    with pytest.raises(ConfigError, match="two layers are named 'c'"):
        b.conv2d(x, 4, 3, name="c")
    with pytest.raises(ConfigError, match="fed by 'nowhere', which does not exist"):
        b.flatten("nowhere", name="f")
    with pytest.raises(ShapeError, match="layer 'sum' \\(Add\\): .* 8x8x3, 6x6x4"):
        b.add_([x, y], name="sum")
    with pytest.raises(ConfigError, match="takes 1 input\\(s\\); received 2"):
        b.add(K.Flatten(), [x, y], name="f2")


def test_builder_auto_names_follow_keras():
    b = NetworkBuilder("t")
    x = b.input((8, 8, 3))
    names = [b.conv2d(x, 2, 1), b.conv2d(x, 2, 1), b.batch_norm(x), b.max_pool(x)]
    assert names == ["conv2d", "conv2d_1", "batch_normalization", "max_pooling2d"]


def test_builder_blocks_nest():
    b = NetworkBuilder("t")
    x = b.input((8, 8, 3))
    with b.block("stage2"):
        with b.block("res2a"):
            y = b.conv2d(x, 2, 1, name="c")
    net = b.build(y)
    assert net.node("c").block == "stage2/res2a"
    assert net.node("input").block == ""


def test_free_name_keeps_a_nested_models_layers_apart():
    """The one rule both importers use for a nested model's names (was copied in
    core/keras/importer.py and core/keras/config_network.py)."""
    b = NetworkBuilder("outer")
    x = b.input((8, 8, 1))
    assert b.free_name("conv", "inner") == "conv"  # free: kept as it is
    b.add(K.ReLU(), x, "conv")
    assert b.free_name("conv", "inner") == "inner_conv"
    b.add(K.ReLU(), "conv", "inner_conv")
    assert b.free_name("conv", "inner") == "inner_conv_1"
    b.add(K.ReLU(), "inner_conv", "inner_conv_1")
    assert b.free_name("conv", "inner") == "inner_conv_2"
    assert b.free_name("input") == "input_1"  # no prefix at the top level
