"""The figures of ../shared/REFERENCE.md and issue 2's acceptance list, exactly (no Keras)."""

import pytest

from cnnexplorer.core.arch.cost import cost_report
from cnnexplorer.core.arch.zoo import build
from cnnexplorer.core.arch.zoo.inception import GOOGLENET_MODULES


def totals(key, *args, **options):
    return cost_report(build(key, *args, **options)).totals


@pytest.mark.parametrize("key, options, params, macs", [
    ("vgg16", {}, 138_357_544, 15_470_264_320),
    ("resnet50", {}, 25_636_712, 3_857_973_248),
    ("resnet50_course", {}, 23_600_006, None),
    ("happymodel", {}, 37_633, None),
    ("alexnet", {}, 62_378_344, None),
    ("lenet5", {"variant": "modern"}, 61_706, 416_520),
])
def test_published_totals(key, options, params, macs):
    t = totals(key, **options)
    assert t.params == params
    if macs is not None:
        assert t.macs == macs
        assert t.flops == 2 * macs


def test_course_resnet50_trainable():
    t = totals("resnet50_course")
    assert (t.trainable_params, t.non_trainable_params) == (23_546_886, 53_120)
    net = build("resnet50_course")
    # Stage 5's identity blocks use [512, 512, 2048] (the notes' [256, 256, 2048] is a typo).
    assert net.node("res5b_branch2a").output_shape[-1] == 512
    assert net.node("avg_pool").output_shape == (1, 1, 2048)
    assert net.node("fc6").output_shape == (6,)


def test_happymodel_layer_by_layer():
    net = build("happymodel")
    assert net.node("conv0").params == 4_736
    assert (net.node("bn0").trainable_params, net.node("bn0").non_trainable_params) == (64, 64)
    assert net.node("fc").params == 32_769
    assert totals("happymodel").trainable_params == 37_569


def test_inception_cost_example():
    naive = build("inception_5x5")
    assert cost_report(naive).totals.macs == 5 * 5 * 192 * 28 * 28 * 32 == 120_422_400
    bottleneck = build("inception_5x5", bottleneck=True)
    assert bottleneck.node("conv_1x1").macs == 28 * 28 * 16 * 192 == 2_408_448
    assert bottleneck.node("conv_5x5").macs == 28 * 28 * 32 * 5 * 5 * 16 == 10_035_200
    assert cost_report(bottleneck).totals.macs == 12_443_648
    assert bottleneck.output_shapes == naive.output_shapes == ((28, 28, 32),)


def test_lenet5_layer_by_layer():
    modern = build("lenet5", variant="modern")
    params = {n.name: n.params for n in modern.nodes if n.params}
    assert params == {"c1": 156, "c3": 2_416, "c5": 48_120, "f6": 10_164, "output": 850}
    macs = {n.name: n.macs for n in modern.nodes if n.macs}
    assert macs == {"c1": 117_600, "c3": 240_000, "c5": 48_000, "f6": 10_080, "output": 840}
    # The classic variant (C5 as a 5x5 conv, avg pools without coefficients) counts the same.
    assert totals("lenet5").params == 61_706


def test_alexnet_layer_by_layer():
    net = build("alexnet")
    shapes = {n: net.node(n).output_shape for n in ("conv1", "pool1", "conv2", "pool2", "conv5",
                                                   "pool5", "flatten")}
    assert shapes == {"conv1": (55, 55, 96), "pool1": (27, 27, 96), "conv2": (27, 27, 256),
                      "pool2": (13, 13, 256), "conv5": (13, 13, 256), "pool5": (6, 6, 256),
                      "flatten": (9_216,)}
    assert net.node("fc6").params == 9_216 * 4_096 + 4_096


def test_keras_vs_torchvision_resnet50_gap():
    """79,680 = 26,560 conv biases (Keras keeps them) + 53,120 BN moving statistics."""
    net = build("resnet50")
    conv_biases = sum(n.layer.filters for n in net.nodes
                      if n.kind == "Conv2D" and n.layer.use_bias)
    bn_statistics = sum(n.non_trainable_params for n in net.nodes)
    assert (conv_biases, bn_statistics) == (26_560, 53_120)
    assert totals("resnet50").params - conv_biases - bn_statistics == 25_557_032


def test_torchvision_resnet50_macs_put_the_stride_on_the_3x3():
    """Moving the stride from the first 1x1 to the 3x3 makes that 1x1 run at 4x the
    positions: 3.86 G becomes torchvision's 4.09 G."""
    net = build("resnet50")
    strided_1x1 = [n for n in net.nodes if n.kind == "Conv2D" and n.layer.strides == (2, 2)
                   and n.name.endswith("_branch2a")]
    assert [n.name for n in strided_1x1] == ["res3a_branch2a", "res4a_branch2a",
                                             "res5a_branch2a"]
    torchvision = totals("resnet50").macs + sum(3 * n.macs for n in strided_1x1)
    assert torchvision == 4_089_184_256
    assert round(torchvision / 1e9, 2) == 4.09


def test_googlenet_vs_torchvision():
    """torchvision's 6,624,904: its '5x5' branch is a 3x3 conv (a kept bug) and its convs
    have BN (gamma, beta) instead of a bias."""
    t = totals("googlenet")
    assert t.params == 6_998_552
    five_by_five_to_three = sum(16 * c5r * c5 for _, _, _, _, c5r, c5, _ in GOOGLENET_MODULES)
    conv_channels = sum(n.layer.filters for n in build("googlenet").nodes if n.kind == "Conv2D")
    assert t.params - five_by_five_to_three + conv_channels == 6_624_904
    with_aux = totals("googlenet", aux_heads=True)
    assert round(with_aux.params / 1e6, 1) == 13.4


def test_plain_and_residual_have_equal_params():
    assert totals("plain_net").params == totals("residual_net").params
