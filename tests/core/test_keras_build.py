"""The spec core and the Keras builder agree, over the whole course zoo.

For every course entry, at its default and at non-default configurations (other input,
other classes, an option changed), the Keras model built from the spec has exactly the
spec's total / trainable / non-trainable params, the same params per layer, and the same
output shape at every named layer. The big defaults (VGG-16, AlexNet, GoogLeNet, ResNet-50)
are built at full size once; their other rows use small widths and inputs.
"""

import math

import numpy as np
import pytest

from cnnexplorer.core.arch.cost import cost_report
from cnnexplorer.core.keras.build import build_keras_model, import_keras, lrn_class
from cnnexplorer.core.arch.zoo import build, entries

# The course's hand-written families (test_zoo.py checks their order); imported families such
# as "Keras applications" come from Keras already and are tested where they are written.
COURSE_FAMILIES = ("LeNet-5", "AlexNet", "VGG-16", "Residual networks", "1x1 convolutions",
                   "Inception", "Happy House", "Plain vs residual")
COURSE_ENTRIES = [e for e in entries() if e.family in COURSE_FAMILIES]

#: (key, input shape, classes, options); None means the entry's default.
CONFIGS = [
    ("lenet5", None, None, {}),
    ("lenet5", (36, 36, 3), 5, {"variant": "modern"}),
    ("lenet5", (40, 40, 1), 1, {}),
    ("alexnet", None, None, {}),
    ("alexnet", (131, 131, 3), 7, {"lrn": True, "dropout": 0, "fc_units": 64}),
    ("vgg16", None, None, {}),
    ("vgg16", (64, 64, 3), 10, {"width": 0.25, "fc_units": 128}),
    ("vgg16", (48, 40, 1), 3, {"width": 0.5, "head": "global_avg"}),
    ("resnet50_course", None, None, {}),
    ("resnet50_course", (96, 96, 1), 4, {"width": 0.25}),
    ("resnet50", None, None, {}),
    ("resnet50", (128, 96, 3), 10, {"width": 0.25}),
    ("resnet50", None, 2, {"width": 0.125, "pooling": "avg7"}),
    ("nin_1x1", None, None, {}),
    ("nin_1x1", (14, 14, 64), None, {"out_channels": 256, "pool": True}),
    ("nin_6x6", None, None, {}),
    ("nin_6x6", (6, 6, 8), None, {"out_channels": 3, "pool": True}),
    ("inception_5x5", None, None, {}),
    ("inception_5x5", (12, 12, 64), None, {"bottleneck": True, "bottleneck_width": 8,
                                           "out_channels": 24}),
    ("inception_module", None, None, {}),
    ("inception_module", (10, 10, 32), None, {"bottleneck": False, "c1": 8, "c3": 0}),
    ("googlenet", None, None, {}),
    ("googlenet", (160, 160, 3), 5, {"aux_heads": True, "lrn": True}),
    ("googlenet", (96, 96, 1), 1, {"dropout": 0}),
    ("happymodel", None, None, {}),
    ("happymodel", (32, 32, 1), 3, {"filters": 8, "kernel": 5, "padding": 1}),
    ("happymodel3", None, None, {}),
    ("happymodel3", (48, 48, 3), 2, {"base_filters": 4}),
    ("doornet", None, None, {}),
    ("doornet", (48, 48, 3), 3, {"filters": 8, "head": "global_pool", "dropout": 0}),
    ("doornet", (32, 32, 1), 1, {"filters": 4, "convs": 2}),
    ("plain_net", None, None, {}),
    ("plain_net", (32, 32, 1), 10, {"depth": 3, "width": 8, "batch_norm": False}),
    ("residual_net", None, None, {}),
    ("residual_net", (32, 32, 1), 10, {"depth": 3, "width": 8, "batch_norm": False}),
]


def _size(weights) -> int:
    return sum(math.prod(w.shape) for w in weights)


@pytest.fixture(scope="module")
def keras():
    k = import_keras()
    yield k
    k.backend.clear_session()


def test_every_course_entry_has_a_default_and_a_non_default_row():
    for entry in COURSE_ENTRIES:
        rows = [c for c in CONFIGS if c[0] == entry.key]
        assert any(c[1:] == (None, None, {}) for c in rows), entry.key
        assert any(c[1] is not None and c[3] for c in rows), entry.key
        assert any(c[2] is not None for c in rows) or entry.default_classes is None, entry.key


@pytest.mark.parametrize("key, input_shape, classes, options", CONFIGS,
                         ids=[f"{c[0]}-{'default' if c[1:] == (None, None, {}) else i}"
                              for i, c in enumerate(CONFIGS)])
def test_keras_model_matches_spec(keras, key, input_shape, classes, options):
    net = build(key, input_shape, classes, **options)
    totals = cost_report(net).totals
    model = build_keras_model(net)
    try:
        assert model.count_params() == totals.params
        assert _size(model.trainable_weights) == totals.trainable_params
        assert _size(model.non_trainable_weights) == totals.non_trainable_params
        assert model.name == net.name
        assert len(model.layers) == len(net.nodes)
        for node in net.nodes:
            layer = model.get_layer(node.name)
            assert tuple(layer.output.shape[1:]) == node.output_shape, node.name
            assert _size(layer.trainable_weights) == node.trainable_params, node.name
            assert _size(layer.non_trainable_weights) == node.non_trainable_params, node.name
        outputs = model.outputs
        assert [tuple(t.shape[1:]) for t in outputs] == list(net.output_shapes)
    finally:
        del model
        keras.backend.clear_session()


def test_keras_model_runs_and_keeps_names(keras):
    """A small model predicts, with the spec's input name and a softmax over the classes."""
    net = build("alexnet", (67, 67, 3), 4, lrn=True, fc_units=16)
    model = build_keras_model(net, seed=3)
    x = np.random.default_rng(0).random((2, 67, 67, 3), dtype=np.float32)
    y = np.asarray(model(x, training=False))
    assert y.shape == (2, 4)
    np.testing.assert_allclose(y.sum(axis=1), 1.0, rtol=1e-5)
    assert model.inputs[0].name.startswith("input")
    # The same seed gives the same initial weights.
    again = build_keras_model(net, seed=3)
    np.testing.assert_array_equal(model.get_layer("conv1").get_weights()[0],
                                  again.get_layer("conv1").get_weights()[0])
    keras.backend.clear_session()


def test_lrn_matches_tensorflow(keras):
    import tensorflow as tf

    x = (np.random.default_rng(1).standard_normal((2, 3, 3, 9)) * 30).astype(np.float32)
    ours = np.asarray(lrn_class()(depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75)(x))
    ref = tf.nn.local_response_normalization(x, depth_radius=2, bias=2.0, alpha=1e-4,
                                             beta=0.75).numpy()
    # The first and last channels are where a windowed average would go wrong.
    np.testing.assert_allclose(ours, ref, rtol=1e-5)


def test_course_entries_listed_here_are_all_in_the_zoo():
    keys = {e.key for e in entries()}
    assert {c[0] for c in CONFIGS} <= keys


def test_doornet_convs_stacks_units_and_keeps_the_one_conv_names():
    """`convs` 2 adds a second CONV 3x3 -> BN -> ReLU to each block (VGG's stacking); the
    first unit keeps the one-conv names, so DoorNet models saved before still read as they
    were."""
    one = build("doornet")
    two = build("doornet", convs=2)
    convs = [n.name for n in two.nodes if n.kind == "Conv2D"]
    assert convs == ["conv0", "conv1", "conv1_2", "conv2", "conv2_2", "conv3", "conv3_2"]
    assert [n.name for n in one.nodes if n.kind == "Conv2D"] == ["conv0", "conv1", "conv2",
                                                                "conv3"]
    # the second unit of block k sees 2^k filters in and out: 9 x f_k^2 more weights each
    f = 32
    extra = sum(9 * (f * 2 ** k) ** 2 + 4 * f * 2 ** k for k in range(3))
    assert sum(n.params for n in two.nodes) - sum(n.params for n in one.nodes) == extra
    assert two.output_shapes == one.output_shapes
