"""Receptive fields: the recurrence against hand counts, the published figures, and a
brute-force count on small branched networks built in Keras."""

from __future__ import annotations

import numpy as np
import pytest

from cnnexplorer.core.arch import zoo
from cnnexplorer.core.arch.cost import cost_report
from cnnexplorer.core.arch.graph import NetworkBuilder
from cnnexplorer.core.arch.receptive_field import receptive_fields


def fields_of(key: str, **kw):
    return receptive_fields(zoo.get(key).network(**kw) if kw else zoo.get(key).network())


def hand_count(layers: list[tuple[int, int]]) -> int:
    """r after a chain of (kernel, stride) layers, counted the slow way: the span of input
    pixels reached by one output position, expanding the span layer by layer backwards."""
    lo, hi = 0, 0  # the output position's span, in the last layer's coordinates
    for kernel, stride in reversed(layers):
        lo, hi = lo * stride, hi * stride + kernel - 1
    return hi - lo + 1


@pytest.mark.parametrize("key, layer, expected", [
    # Araujo et al., Distill 2019, table 1 (the same layouts as Keras' here)
    ("alexnet", "pool5", 195),
    ("vgg16", "block5_pool", 212),
    ("resnet50", "res5c_branch2c", 483),
])
def test_published_figures(key, layer, expected):
    assert fields_of(key)[layer].size == (expected, expected)


def test_single_path_networks_match_a_hand_count():
    # LeNet-5 (classic): 5x5 conv, 2x2/2 pool, 5x5 conv, 2x2/2 pool, 5x5 conv
    f = fields_of("lenet5")
    assert f["c5"].size[0] == hand_count([(5, 1), (2, 2), (5, 1), (2, 2), (5, 1)])
    # VGG-16: five stages of 3x3 convs (2, 2, 3, 3, 3), each closed by a 2x2/2 pool
    chain: list[tuple[int, int]] = []
    for convs in (2, 2, 3, 3, 3):
        chain += [(3, 1)] * convs + [(2, 2)]
    assert fields_of("vgg16")["block5_pool"].size[0] == hand_count(chain)


def test_after_global_pooling_the_whole_input_is_seen():
    f = fields_of("resnet50")
    assert f["avg_pool"].whole_input and f["avg_pool"].size == (224, 224)
    assert f["fc1000"].whole_input


def test_every_cost_row_carries_its_field():
    report = cost_report(zoo.get("googlenet").network())
    fields = receptive_fields(report.network)
    assert all(r.receptive_field == fields[r.name] for r in report.rows)
    assert all(r.receptive_field is not None for r in report.rows)


def brute_force_fields(network, layer_names):
    """For each named layer, the rows and columns of input pixels that change its centre
    position when they change: built in Keras with positive weights, every max pool made an
    average pool (the same window, and a gradient that reaches every pixel of it)."""
    import dataclasses

    import keras

    from cnnexplorer.core.arch.kinds.pooling import AveragePooling2D, MaxPooling2D
    from cnnexplorer.core.keras.build import build_keras_model

    nodes = tuple(dataclasses.replace(n, layer=AveragePooling2D(
        pool_size=n.layer.pool_size, strides=n.layer.strides, padding=n.layer.padding))
        if isinstance(n.layer, MaxPooling2D) else n for n in network.nodes)
    model = build_keras_model(dataclasses.replace(network, nodes=nodes))
    for w in model.weights:
        w.assign(np.full(w.shape, 0.01 if "variance" not in w.path else 1.0, np.float32))
    import tensorflow as tf

    out = {}
    probe = keras.Model(model.inputs, [model.get_layer(n).output for n in layer_names])
    x = tf.ones((1, *network.input_shape))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        outputs = probe(x)
        outputs = outputs if isinstance(outputs, list) else [outputs]
        # every channel of the centre position: a Concatenate's channels come from
        # different paths, and its field is the largest of theirs
        centres = [tf.reduce_sum(o[0, o.shape[1] // 2, o.shape[2] // 2]) for o in outputs]
    for name, centre in zip(layer_names, centres):
        g = np.abs(tape.gradient(centre, x).numpy()[0]).sum(axis=-1)
        rows, cols = np.nonzero(g)
        out[name] = (rows.max() - rows.min() + 1, cols.max() - cols.min() + 1)
    return out


def branched_network():
    """A residual block (3x3 path against a 1x1 shortcut) and an Inception-like join
    (1x1, 3x3 and 5x5 branches and a pooled one), small enough to count by brute force."""
    b = NetworkBuilder("branched")
    x = b.input((48, 48, 3))
    x = b.conv2d(x, 4, 3, strides=2, padding="same", name="stem")
    main = b.conv2d(x, 4, 3, padding="same", name="res_a")
    main = b.conv2d(main, 4, 3, padding="same", name="res_b")
    short = b.conv2d(x, 4, 1, name="res_short")
    x = b.add_([main, short], name="res_add")
    x = b.max_pool(x, 3, strides=2, padding="same", name="pool")
    one = b.conv2d(x, 2, 1, name="inc_1x1")
    three = b.conv2d(b.conv2d(x, 2, 1, name="inc_3x3_reduce"), 2, 3, padding="same",
                     name="inc_3x3")
    five = b.conv2d(b.conv2d(x, 2, 1, name="inc_5x5_reduce"), 2, 5, padding="same",
                    name="inc_5x5")
    pooled = b.conv2d(b.max_pool(x, 3, strides=1, padding="same", name="inc_pool"), 2, 1,
                      name="inc_pool_proj")
    x = b.concat([one, three, five, pooled], name="inc_concat")
    x = b.conv2d(x, 4, 3, padding="same", name="after")
    return b.build(x)


@pytest.mark.slow
def test_branched_fields_match_a_brute_force_count():
    network = branched_network()
    names = ["stem", "res_b", "res_short", "res_add", "pool", "inc_3x3", "inc_5x5",
             "inc_concat", "after"]
    computed = receptive_fields(network)
    counted = brute_force_fields(network, names)
    for name in names:
        assert computed[name].size == counted[name], name
    # the join takes the largest path: the 3x3 path beats the 1x1 shortcut
    assert computed["res_add"].size == computed["res_b"].size
    assert computed["res_short"].size[0] < computed["res_b"].size[0]


def test_inspect_json_names_each_layers_field():
    from cnnexplorer.core.arch.cost import report_to_dict

    data = report_to_dict(cost_report(zoo.get("happymodel").network()))
    by_name = {la["name"]: la for la in data["layers"]}
    assert by_name["conv0"]["receptive_field"] == [7, 7]
    assert by_name["max_pool"]["receptive_field"] == [8, 8]
    assert by_name["max_pool"]["jump"] == [2, 2]
    assert by_name["fc"]["receptive_field_whole_input"] is True
