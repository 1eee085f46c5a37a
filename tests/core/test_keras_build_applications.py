"""VGG-16 and ResNet-50 against keras.applications (weights=None), layer by layer.

Params come from Keras; MACs are computed from each Keras layer's config and output shape by
the convention of the core (conv k_h*k_w*(C_in/groups)*C_out*H_out*W_out, dense in*out, all
else 0), so a layer whose kernel, stride or padding differed would show here. Each Keras
application is built once (no download: weights=None).
"""

import math
import re

import pytest

from cnnexplorer.core.arch.cost import cost_report
from cnnexplorer.core.keras.build import import_keras
from cnnexplorer.core.arch.zoo import build


def keras_layer_macs(layer) -> int:
    """MACs of one Keras layer for one image, by the core's counting convention."""
    name = type(layer).__name__
    if name not in ("Conv2D", "Dense"):
        return 0
    c_in = layer.input.shape[-1]
    out = tuple(layer.output.shape[1:])
    if name == "Conv2D":
        kh, kw = layer.kernel_size
        return kh * kw * (c_in // layer.groups) * math.prod(out)
    return math.prod(layer.input.shape[1:]) * layer.units


def _weights(ws) -> int:
    return sum(math.prod(w.shape) for w in ws)


def compare(spec, model, keras_name):
    """Every spec node against its Keras twin; returns the matched Keras layer names."""
    matched = []
    for node in spec.nodes:
        kname = keras_name(node) if node.kind != "Input" else model.layers[0].name
        layer = model.get_layer(kname)
        where = f"{node.name} <-> {kname}"
        assert type(layer).__name__ in (node.kind, "InputLayer"), where
        assert tuple(layer.output.shape[1:]) == node.output_shape, where
        assert _weights(layer.trainable_weights) == node.trainable_params, where
        assert _weights(layer.non_trainable_weights) == node.non_trainable_params, where
        assert keras_layer_macs(layer) == node.macs, where
        matched.append(kname)
    # One to one: every Keras layer has exactly one spec twin.
    assert sorted(matched) == sorted(layer.name for layer in model.layers)
    return matched


@pytest.fixture(scope="module")
def keras():
    k = import_keras()
    yield k
    k.backend.clear_session()


def test_vgg16_matches_keras_applications(keras):
    spec = build("vgg16")
    model = keras.applications.VGG16(weights=None)
    try:
        compare(spec, model, lambda node: node.name)  # the same names as Keras
        totals = cost_report(spec).totals
        assert model.count_params() == totals.params == 138_357_544
        assert sum(keras_layer_macs(layer) for layer in model.layers) == totals.macs \
            == 15_470_264_320
    finally:
        del model
        keras.backend.clear_session()


_RES = re.compile(r"^(res|bn)(\d)([a-f])_branch(2a|2b|2c|1)$")
_BRANCH = {"2a": 1, "2b": 2, "2c": 3, "1": 0}
_STEM = {"conv1": "conv1_conv", "bn_conv1": "conv1_bn", "pool1": "pool1_pool",
         "fc1000": "predictions"}


def resnet_keras_name(spec):
    """The course's names (res2a_branch2a, bn2a_branch1 ...) -> keras.applications' ones
    (conv2_block1_1_conv, conv2_block1_0_bn ...); activations follow the layer they read."""

    def rename(name: str) -> str:
        m = _RES.match(name)
        if m:
            kind, stage, block, branch = m.groups()
            n = "abcdef".index(block) + 1
            return f"conv{stage}_block{n}_{_BRANCH[branch]}_{'conv' if kind == 'res' else 'bn'}"
        m = re.match(r"^res(\d)([a-f])_(add|relu)$", name)
        if m:
            stage, block, what = m.groups()
            n = "abcdef".index(block) + 1
            return f"conv{stage}_block{n}_{'add' if what == 'add' else 'out'}"
        return _STEM.get(name, name)

    def keras_name(node) -> str:
        if node.kind == "Activation" and _RES.match(node.inputs[0]):
            # conv_bn_relu's ReLU after bn2a_branch2a is Keras' conv2_block1_1_relu.
            return rename(node.inputs[0])[: -len("bn")] + "relu"
        return rename(node.name)

    return keras_name


def test_resnet50_matches_keras_applications(keras):
    spec = build("resnet50")
    model = keras.applications.ResNet50(weights=None)
    try:
        matched = compare(spec, model, resnet_keras_name(spec))
        assert "conv5_block3_2_relu" in matched and "conv3_block1_0_bn" in matched
        totals = cost_report(spec).totals
        assert model.count_params() == totals.params == 25_636_712
        assert _weights(model.non_trainable_weights) == totals.non_trainable_params == 53_120
        assert sum(keras_layer_macs(layer) for layer in model.layers) == totals.macs \
            == 3_857_973_248
        # The stride sits on the first 1x1 conv of a convolutional block, as in the notes.
        assert model.get_layer("conv3_block1_1_conv").strides == (2, 2)
        assert spec.node("res3a_branch2a").layer.strides == (2, 2)
        assert spec.node("res3a_branch2b").layer.strides == (1, 1)
    finally:
        del model
        keras.backend.clear_session()
