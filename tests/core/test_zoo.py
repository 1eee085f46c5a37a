"""The zoo as data: course order, keys, options, invalid configurations (no Keras here)."""

import re

import pytest

from cnnexplorer.core.arch.cost import cost_report
from cnnexplorer.core.errors import ConfigError, ShapeError
from cnnexplorer.core.arch.zoo import build, entries, get

KEYS_OTHERS_RELY_ON = ("happymodel", "happymodel3", "resnet50", "resnet50_course", "lenet5",
                       "alexnet", "vgg16", "nin_1x1", "inception_5x5", "inception_module",
                       "googlenet", "plain_net", "residual_net")

COURSE_ORDER = ("LeNet-5", "AlexNet", "VGG-16", "Residual networks", "1x1 convolutions",
                "Inception", "Happy House", "Plain vs residual")

# The course's hand-written specs; other families (e.g. the imported keras.applications
# entries, which build a Keras model to get their spec) are tested where they are written.
COURSE_ENTRIES = [e for e in entries() if e.family in COURSE_ORDER]
#: "25.6 M parameters", "3.86 G MACs", "1.58 G multiply-adds" in a description
_TYPED_COST = re.compile(r"([0-9]+(?:\.[0-9]+)?) ?([kMG]) (parameters|MACs|multiply-adds)")
_UNIT = {"k": 1e3, "M": 1e6, "G": 1e9}


def test_keys_exist():
    keys = [e.key for e in entries()]
    for key in KEYS_OTHERS_RELY_ON:
        assert key in keys
    assert len(set(keys)) == len(keys)
    assert all(k == k.lower() and " " not in k for k in keys)


def test_families_in_course_order():
    families = []
    for e in entries():
        if not families or families[-1] != e.family:
            families.append(e.family)
    # Each family appears once, as one contiguous run, in the order the course meets them;
    # families outside the course may follow.
    assert len(set(families)) == len(families)
    assert tuple(families[:len(COURSE_ORDER)]) == COURSE_ORDER


@pytest.mark.parametrize("entry", COURSE_ENTRIES, ids=lambda e: e.key)
def test_entry_defaults_build_and_describe_themselves(entry):
    # how fast: benchmarks/bench_inspect.py (no wall-clock assertion on a shared machine)
    net = entry.network()
    report = cost_report(net)
    assert net.input_shape == entry.default_input
    assert entry.description and entry.title
    # a cost typed in the description is the one the app computes, to the digits written
    for typed in _TYPED_COST.finditer(entry.description):
        number, unit, what = typed.group(1), typed.group(2), typed.group(3)
        computed = report.totals.params if what == "parameters" else report.totals.macs
        decimals = len(number.partition(".")[2])
        assert round(computed / _UNIT[unit], decimals) == float(number), typed.group(0)
    assert report.totals.params > 0 and report.totals.macs > 0
    assert not report.totals.macs_lower_bound
    if entry.default_classes is not None:
        assert net.output_shapes[0] == (entry.default_classes,)
    for opt in entry.options:
        assert opt.label and opt.parse(opt.default) == opt.default


@pytest.mark.parametrize("alias, key", [("LeNet", "lenet5"), ("vgg-16", "vgg16"),
                                        ("inception_v1", "googlenet"), ("NIN", "nin_1x1"),
                                        ("residual", "residual_net")])
def test_aliases(alias, key):
    assert get(alias).key == key


# -- invalid configurations name the layer or option and the value ------------------------

@pytest.mark.parametrize("key, kwargs, error, message", [
    ("vgg16", {"input_shape": (16, 16, 3)}, ShapeError,
     r"layer 'block5_pool' \(MaxPooling2D\): input 1x1x512 is too small for a 2x2 pool"),
    ("alexnet", {"input_shape": (64, 64, 3)}, ShapeError,
     r"layer 'pool5' \(MaxPooling2D\): input 2x2x256 is too small for a 3x3 pool"),
    ("lenet5", {"input_shape": (28, 28, 1)}, ShapeError,
     r"layer 'c5' \(Conv2D\): input 4x4x16 is too small for a 5x5 kernel"),
    ("googlenet", {"input_shape": (32, 32, 3), "aux_heads": True}, ShapeError,
     r"layer 'aux1_avg_pool'.* 2x2x512 is too small for a 5x5 pool"),
    ("resnet50_course", {"input_shape": (32, 32, 3)}, ShapeError, r"layer 'avg_pool'"),
    ("nin_1x1", {"input_shape": (1, 1, 192), "pool": True}, ShapeError, r"layer 'max_pool'"),
    ("lenet5", {"classes": 0}, ConfigError, r"classes must be a positive integer; received 0"),
    ("googlenet", {"classes": -2}, ConfigError, r"received -2"),
    ("lenet5", {"variant": "retro"}, ConfigError,
     r"option variant must be one of classic, modern; received 'retro'"),
    ("vgg16", {"width": 0}, ConfigError, r"option width must be in \[0.01, 8\]; received 0"),
    ("vgg16", {"head": "gap"}, ConfigError, r"option head must be one of fc, global_avg"),
    ("alexnet", {"dropout": 1.5}, ConfigError, r"option dropout must be in \[0, 0.95\]; received 1.5"),
    ("alexnet", {"lrn": "maybe"}, ConfigError, r"option lrn must be true or false; received"),
    ("nin_1x1", {"out_channels": "lots"}, ConfigError,
     r"option out_channels must be an integer; received 'lots'"),
    ("plain_net", {"depth": 0}, ConfigError, r"option depth must be 1..200; received 0"),
    ("inception_5x5", {"bottleneck_width": 0}, ConfigError, r"option bottleneck_width"),
    ("residual_net", {"shortcut": True}, ConfigError,
     r"residual_net has no option 'shortcut'; its options: depth, width, stem_stride, batch_norm"),
    ("nin_1x1", {"classes": 3}, ConfigError, r"no classifier, so it takes no classes; "
                                             r"received classes=3"),
    ("inception_module", {"input_shape": (28, 28)}, ConfigError,
     r"input shape must be three positive integers"),
    ("inception_module", {"c1": 0, "c3": 0, "c5": 0, "bottleneck": False}, ShapeError,
     r"layer 'inception_output' \(Concatenate\): .* received 1"),
])
def test_invalid_configurations(key, kwargs, error, message):
    kwargs = dict(kwargs)
    input_shape = kwargs.pop("input_shape", None)
    classes = kwargs.pop("classes", None)
    with pytest.raises(error, match=message):
        build(key, input_shape, classes, **kwargs)


def test_unknown_architecture_lists_the_known_ones():
    with pytest.raises(ConfigError, match=r"unknown architecture 'lenet7'; known: lenet5, "):
        get("lenet7")


def test_options_parse_cli_strings():
    net = build("googlenet", (96, 96, 3), 5, aux_heads="on", lrn="yes", dropout="0")
    assert [net.node(o).output_shape for o in net.outputs] == [(5,), (5,), (5,)]
    assert "norm1" in net and "norm2" in net and "dropout" not in net


# -- family specifics ---------------------------------------------------------------------

def test_lenet_variants_differ_in_activation_and_pooling_only():
    classic, modern = build("lenet5"), build("lenet5", variant="modern")
    assert classic.node("s2").kind == "AveragePooling2D"
    assert modern.node("s2").kind == "MaxPooling2D"
    assert classic.node("c1").layer.activation == "tanh"
    assert modern.node("c3").layer.activation == "relu"
    assert classic.node("c5").kind == "Conv2D" and classic.node("c5").output_shape == (1, 1, 120)
    assert [n.output_shape for n in classic.nodes if n.name in ("c1", "s2", "c3", "s4")] == \
        [(28, 28, 6), (14, 14, 6), (10, 10, 16), (5, 5, 16)]
    # No padding anywhere in the classic network.
    assert all(getattr(n.layer, "padding", "valid") == "valid" for n in classic.nodes)


def test_alexnet_lrn_and_dropout_options_add_no_parameters():
    base = cost_report(build("alexnet")).totals
    lrn = build("alexnet", lrn=True, dropout=0)
    assert [n.name for n in lrn.nodes if n.kind == "LocalResponseNormalization"] == \
        ["norm1", "norm2"]
    assert lrn.consumers("conv1")[0].name == "norm1"
    assert not any(n.kind == "Dropout" for n in lrn.nodes)
    assert cost_report(lrn).totals.params == base.params
    assert not any(n.kind == "Conv2D" and n.layer.groups != 1 for n in lrn.nodes)


def test_vgg_width_multiplier_and_head():
    net = build("vgg16", width=0.5, head="global_avg")
    assert net.node("block5_conv3").output_shape == (14, 14, 256)
    assert net.node("avg_pool").output_shape == (256,)
    assert "fc1" not in net


def test_nin_shrinks_keeps_and_grows_channels():
    for out in (32, 192, 256):
        net = build("nin_1x1", out_channels=out)
        assert net.output_shapes == ((28, 28, out),)
        assert cost_report(net).totals.macs == 192 * out * 28 * 28
    both = build("nin_1x1", pool=True)
    assert both.output_shapes == ((28, 28, 32), (14, 14, 192))
    six = build("nin_6x6", out_channels=4)
    assert six.output_shapes == ((6, 6, 4),) and six.node("conv_1x1").params == 32 * 4 + 4


def test_inception_module_naive_keeps_pool_channels():
    net = build("inception_module")
    assert net.output_shapes == ((28, 28, 256),)
    naive = build("inception_module", bottleneck=False)
    assert naive.output_shapes == ((28, 28, 64 + 128 + 32 + 192),)
    assert not any(n.name.endswith("_reduce") or n.name.endswith("_proj") for n in naive.nodes)
    assert cost_report(naive).totals.macs > 2 * cost_report(net).totals.macs


def test_googlenet_shapes_and_aux_heads():
    net = build("googlenet")
    assert len(net.outputs) == 1
    expect = {"pool2": (28, 28, 192), "inception_3a_output": (28, 28, 256),
              "inception_3b_output": (28, 28, 480), "inception_4a_output": (14, 14, 512),
              "inception_4e_output": (14, 14, 832), "inception_5b_output": (7, 7, 1024),
              "avg_pool": (1024,)}
    for name, shape in expect.items():
        assert net.node(name).output_shape == shape
    aux = build("googlenet", aux_heads=True)
    assert aux.outputs == ("predictions", "aux1_predictions", "aux2_predictions")
    assert aux.node("aux1_avg_pool").output_shape == (4, 4, 512)
    assert aux.node("aux2_conv").params == 528 * 128 + 128
    assert aux.node("aux1_dropout").layer.rate == 0.7
    head = 528 * 128 + 128 + 2048 * 1024 + 1024 + 1024 * 1000 + 1000
    assert cost_report(aux).totals.params - cost_report(net).totals.params == \
        head + head - 16 * 128


@pytest.mark.parametrize("depth, width, bn", [(1, 8, True), (8, 16, True), (20, 4, False)])
def test_plain_and_residual_differ_only_by_shortcuts(depth, width, bn):
    plain = build("plain_net", depth=depth, width=width, batch_norm=bn)
    res = build("residual_net", depth=depth, width=width, batch_norm=bn)
    p, r = cost_report(plain).totals, cost_report(res).totals
    assert (p.params, p.trainable_params, p.macs) == (r.params, r.trainable_params, r.macs)
    adds = [n for n in res.nodes if n.kind == "Add"]
    assert len(adds) == depth and not any(n.kind == "Add" for n in plain.nodes)
    assert [n.name for n in res.nodes if n.kind != "Add"] == [n.name for n in plain.nodes]
    convs = [n for n in plain.nodes if n.kind == "Conv2D"]
    assert len(convs) == 2 * depth + 1
    assert any(n.kind == "BatchNormalization" for n in plain.nodes) == bn
