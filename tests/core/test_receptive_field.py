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


def assert_every_layer_matches_a_hand_count(network, windows: dict[str, tuple[int, int]]):
    """Walk `network` layer by layer: the layers named in `windows` slide a (kernel, stride)
    window, every other one keeps the field before it (activations, LRN, Dropout), and from
    the Flatten on every layer sees the whole input. Returns the hand counts in order."""
    fields = receptive_fields(network)
    whole = network.input_shape[:2]
    chain: list[tuple[int, int]] = []
    sizes = []
    flattened = False
    for node in network.nodes:
        field = fields[node.name]
        if node.name in windows:
            chain.append(windows[node.name])
            sizes.append(hand_count(chain))
        flattened = flattened or node.kind == "Flatten"
        if flattened:
            assert field.whole_input and field.size == whole, node.name
            continue
        assert not field.whole_input, node.name
        assert field.size == (hand_count(chain),) * 2, node.name
        jump = 1
        for _, stride in chain:
            jump *= stride
        assert field.jump == (jump, jump), node.name
    assert len(chain) == len(windows), "a window layer is missing from the network"
    return sizes


def test_every_lenet5_layer_matches_a_hand_count():
    # classic LeNet-5: 5x5 conv, 2x2/2 pool, 5x5 conv, 2x2/2 pool, 5x5 conv
    windows = {"c1": (5, 1), "s2": (2, 2), "c3": (5, 1), "s4": (2, 2), "c5": (5, 1)}
    sizes = assert_every_layer_matches_a_hand_count(zoo.get("lenet5").network(), windows)
    assert sizes == [5, 6, 14, 16, 32]


def test_every_vgg16_layer_matches_a_hand_count():
    # five stages of 3x3 convs (2, 2, 3, 3, 3), each closed by a 2x2/2 pool
    windows = {}
    for stage, convs in enumerate((2, 2, 3, 3, 3), start=1):
        windows.update({f"block{stage}_conv{i}": (3, 1) for i in range(1, convs + 1)})
        windows[f"block{stage}_pool"] = (2, 2)
    sizes = assert_every_layer_matches_a_hand_count(zoo.get("vgg16").network(), windows)
    assert sizes[-1] == 212  # Araujo et al.'s VGG-16 figure


def test_every_alexnet_layer_matches_a_hand_count():
    # the paper's figure 2 (kernel, stride), LRN on so that its layers are walked too
    windows = {"conv1": (11, 4), "pool1": (3, 2), "conv2": (5, 1), "pool2": (3, 2),
               "conv3": (3, 1), "conv4": (3, 1), "conv5": (3, 1), "pool5": (3, 2)}
    network = zoo.get("alexnet").network(options={"lrn": True})
    sizes = assert_every_layer_matches_a_hand_count(network, windows)
    assert sizes == [11, 19, 51, 67, 99, 131, 163, 195]  # Araujo et al.'s AlexNet ends at 195
    assert [n.name for n in network.nodes][-6:] == ["flatten", "fc6", "drop6", "fc7", "drop7",
                                                   "fc8"]


def test_after_global_pooling_the_whole_input_is_seen():
    f = fields_of("resnet50")
    assert f["avg_pool"].whole_input and f["avg_pool"].size == (224, 224)
    assert f["fc1000"].whole_input


def test_every_cost_row_carries_its_field():
    report = cost_report(zoo.get("googlenet").network())
    fields = receptive_fields(report.network)
    assert all(r.receptive_field == fields[r.name] for r in report.rows)
    assert all(r.receptive_field is not None for r in report.rows)


def narrowed(network):
    """`network` with one filter per convolution and one linear unit per Dense: the field
    does not depend on the channel counts, and one channel makes the count cheap."""
    import dataclasses

    from cnnexplorer.core.arch.kinds.convolution import Conv2D
    from cnnexplorer.core.arch.kinds.dense import Dense

    def narrow(layer):
        if isinstance(layer, Conv2D):
            return dataclasses.replace(layer, filters=1)
        if isinstance(layer, Dense):  # linear: a softmax over one unit never changes
            return dataclasses.replace(layer, units=1, activation=None)
        return layer

    return dataclasses.replace(network, nodes=tuple(
        dataclasses.replace(n, layer=narrow(n.layer)) for n in network.nodes))


def perturbed_lines(network, axis: int) -> dict[str, np.ndarray]:
    """Brute force, independent of core/arch/receptive_field.py: for every layer, the input
    rows (axis 0) or columns (axis 1) whose pixels change that layer's centre position.

    The network is built in Keras (narrowed) with positive kernels (1 / fan-in), zero biases
    and BatchNorm as the identity, and fed all-zero images with one whole row (or column)
    set to 1, one image per line. Every layer's output is then zero wherever the line does
    not reach and positive wherever it does (ReLU and max pooling keep a positive value), so
    "changed" is "nonzero", with no rounding to hide a faint path."""
    from cnnexplorer.core.keras.build import build_keras_model, import_keras

    keras = import_keras()
    policy = keras.config.dtype_policy()
    keras.config.set_dtype_policy("float32")  # a faint path (~1e-18) underflows in float16
    try:
        model = build_keras_model(narrowed(network))
    finally:
        keras.config.set_dtype_policy(policy)
    for w in model.weights:
        kind = w.path.rsplit("/", 1)[-1]
        if kind == "kernel":
            value = 1.0 / int(np.prod(w.shape[:-1]))
        else:
            value = 1.0 if kind in ("gamma", "moving_variance") else 0.0
        w.assign(np.full(w.shape, value, np.float32))
    names = [n.name for n in network.nodes]
    probe = keras.Model(model.inputs, [model.get_layer(n).output for n in names])
    lines = network.input_shape[axis]
    reached: dict[str, list[np.ndarray]] = {n: [] for n in names}
    for start in range(0, lines, 64):
        chunk = np.arange(start, min(lines, start + 64))
        x = np.zeros((len(chunk), *network.input_shape), np.float32)
        if axis == 0:
            x[np.arange(len(chunk)), chunk] = 1.0
        else:
            x[np.arange(len(chunk)), :, chunk] = 1.0
        for name, out in zip(names, probe.predict_on_batch(x)):
            if out.ndim == 4:  # every channel of the centre position (a Concatenate's
                out = out[:, out.shape[1] // 2, out.shape[2] // 2]  # come from every path)
            reached[name].append(out.reshape(len(chunk), -1).sum(axis=1) > 0)
    return {n: np.nonzero(np.concatenate(r))[0] for n, r in reached.items()}


def assert_fields_match_brute_force(network, axis: int, names=None):
    """Every named layer's field (all by default) along `axis` equals the perturbation count.
    The count must not touch the border (a field clipped by the image would look smaller),
    except after global pooling or Flatten, which must see every line."""
    computed = receptive_fields(network)
    lines = network.input_shape[axis]
    counted = perturbed_lines(network, axis)
    checked = 0
    for name in names or counted:
        field, seen = computed[name], counted[name]
        if field.whole_input:
            assert (seen.min(), seen.max(), len(seen)) == (0, lines - 1, lines), name
        else:
            assert 0 < seen.min() and seen.max() < lines - 1, f"{name}: clipped, {seen}"
            assert seen.max() - seen.min() + 1 == field.size[axis], (name, field, seen)
        checked += 1
    return checked


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


def test_branched_fields_match_a_brute_force_count():
    network = branched_network()
    names = ["stem", "res_b", "res_short", "res_add", "pool", "inc_3x3", "inc_5x5",
             "inc_concat", "after"]
    assert_fields_match_brute_force(network, 0, names)
    computed = receptive_fields(network)
    # the join takes the largest path: the 3x3 path beats the 1x1 shortcut
    assert computed["res_add"].size == computed["res_b"].size
    assert computed["res_short"].size[0] < computed["res_b"].size[0]


@pytest.mark.slow
@pytest.mark.parametrize("key, long_side", [
    # long enough that the deepest centre field (515, 483, 715) is not clipped; the short
    # side only has to leave the last layers a centre position
    ("resnet50_course", 640), ("resnet50", 576), ("googlenet", 800)])
def test_every_layer_of_the_branched_zoo_nets_matches_a_brute_force_count(key, long_side):
    for axis in (0, 1):
        shape = [64, 64, 3]
        shape[axis] = long_side
        network = zoo.get(key).network(input_shape=tuple(shape))
        checked = assert_fields_match_brute_force(network, axis)
        assert checked == len(network.nodes)


def test_inspect_json_names_each_layers_field():
    from cnnexplorer.core.arch.cost import report_to_dict

    data = report_to_dict(cost_report(zoo.get("happymodel").network()))
    by_name = {la["name"]: la for la in data["layers"]}
    assert by_name["conv0"]["receptive_field"] == [7, 7]
    assert by_name["max_pool"]["receptive_field"] == [8, 8]
    assert by_name["max_pool"]["jump"] == [2, 2]
    assert by_name["fc"]["receptive_field_whole_input"] is True
