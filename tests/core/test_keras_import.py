"""Keras model -> spec: round trip over the zoo, extra kinds against Keras, nested, shared,
frozen and custom layers, and the clear messages for files that are not (safe) models."""

import json
import math

import pytest

from cnnexplorer.core.arch import zoo
from cnnexplorer.core.arch.cost import cost_report
from cnnexplorer.core.errors import CnnExplorerError, ModelFileError
from cnnexplorer.core.keras.build import build_keras_model, import_keras
from cnnexplorer.core.keras.importer import import_model, network_from_keras
from cnnexplorer.core.keras.sources import load_network

#: small configurations for the big entries, so saving and loading stays fast
SMALL = {
    "alexnet": dict(classes=10, options={"fc_units": 64, "lrn": True}),
    "vgg16": dict(input_shape=(32, 32, 3), classes=10,
                  options={"width": 0.125, "fc_units": 64}),
    "resnet50": dict(input_shape=(64, 64, 3), classes=10, options={"width": 0.125}),
    "resnet50_course": dict(options={"width": 0.125}),
    "googlenet": dict(input_shape=(160, 160, 3), classes=10,
                      options={"aux_heads": True, "lrn": True}),
    # one keras.applications entry too: its extra kinds (depthwise, ReLU6, keepdims) build back
    "mobilenet": dict(input_shape=(64, 64, 3), classes=5, options={"alpha": 0.25}),
}
COURSE_ENTRIES = [e.key for e in zoo.entries() if e.family != "Keras applications"]


@pytest.fixture(scope="module")
def keras():
    return import_keras()


def rows(network):
    return [(r.name, r.type, r.output_shape, r.params, r.trainable_params, r.macs)
            for r in cost_report(network).rows]


@pytest.mark.parametrize("key", COURSE_ENTRIES + ["mobilenet"])
def test_round_trip_spec_keras_file_spec(key, keras, tmp_path):
    kwargs = SMALL.get(key, {})
    spec = zoo.get(key).network(kwargs.get("input_shape"), kwargs.get("classes"),
                                kwargs.get("options"))
    model = build_keras_model(spec)
    path = tmp_path / f"{key}.keras"
    model.save(path)
    imported = import_model(path)
    if len(spec.outputs) == 1:
        assert rows(imported) == rows(spec)
    else:  # several heads: the walk back from each output lists an aux head after the trunk
        assert sorted(rows(imported)) == sorted(rows(spec))
    assert imported.outputs == spec.outputs
    assert cost_report(imported).totals.params == model.count_params()
    assert not cost_report(imported).totals.macs_lower_bound


def test_legacy_h5_full_model(keras, tmp_path):
    spec = zoo.build("happymodel")
    path = tmp_path / "happy.h5"
    build_keras_model(spec).save(path)
    assert rows(import_model(path)) == rows(spec)


def _extra_kinds_model(keras):
    L = keras.layers
    x0 = keras.Input((32, 32, 3), name="image")
    x = L.Rescaling(1 / 255, name="rescale")(x0)
    x = L.Normalization(axis=-1, name="norm")(x)
    x = L.Conv2D(16, 3, padding="same", name="conv")(x)
    x = L.ReLU(max_value=6.0, name="relu6")(x)
    a = L.DepthwiseConv2D(3, strides=2, padding="same", depth_multiplier=2, name="dw")(x)
    b = L.SeparableConv2D(32, 5, strides=2, padding="same", use_bias=False, name="sep")(x)
    g = L.Conv2D(32, 3, padding="same", groups=4, activation="hard_silu", name="grouped")(b)
    se = L.GlobalAveragePooling2D(keepdims=True, name="se_pool")(g)
    se = L.Conv2D(32, 1, activation="sigmoid", name="se_gate")(se)
    g = L.Multiply(name="se_scale")([g, se])
    x = L.Concatenate(axis=1, name="stack_rows")([a, g])  # joins heights: 16+16 rows
    x = L.Cropping2D(((1, 1), (2, 0)), name="crop")(x)
    x = L.UpSampling2D(2, name="up")(x)
    x = L.Conv2DTranspose(8, 3, strides=2, padding="valid", name="deconv")(x)
    x = L.LayerNormalization(name="ln")(x)
    y = L.GlobalMaxPooling2D(name="gmp")(x)
    y = L.Reshape((2, 4), name="reshape")(y)
    y = L.Flatten(name="flat")(y)
    y = L.Dense(5, activation="softmax", name="out")(y)
    return keras.Model(x0, y, name="extra_kinds")


def test_extra_kinds_match_keras_layer_by_layer(keras):
    model = _extra_kinds_model(keras)
    net = network_from_keras(model)
    assert [n.kind for n in net.nodes if n.kind == "Opaque"] == []
    for node in net.nodes[1:]:
        layer = model.get_layer(node.name)
        assert node.params == layer.count_params(), node.name
        assert node.output_shape == tuple(layer.output.shape[1:]), node.name
    by = {n.name: n for n in net.nodes}
    assert by["norm"].non_trainable_params == 7 and by["norm"].trainable_params == 0
    assert by["dw"].output_shape == (16, 16, 32)
    assert by["dw"].macs == 3 * 3 * 16 * 2 * 16 * 16  # k*k*C_in*depth_multiplier*H*W
    assert by["sep"].macs == (5 * 5 * 16 + 16 * 32) * 16 * 16  # depthwise + pointwise
    assert by["grouped"].macs == 3 * 3 * (32 // 4) * 32 * 16 * 16
    assert by["grouped"].layer.activation == "hard_silu"  # unknown to the zoo, carried along
    assert by["se_scale"].output_shape == (16, 16, 32) and by["se_scale"].macs == 0
    assert by["stack_rows"].output_shape == (32, 16, 32)
    assert by["deconv"].macs == 3 * 3 * 32 * 8 * (60 * 28)  # every input pixel, after up x2
    assert by["relu6"].layer.summary() == "ReLU6"
    assert cost_report(net).totals.params == model.count_params()


def test_extra_kinds_build_back_into_the_same_keras_model(keras):
    model = _extra_kinds_model(keras)
    rebuilt = build_keras_model(network_from_keras(model))
    assert rebuilt.count_params() == model.count_params()
    for layer in model.layers[1:]:
        assert rebuilt.get_layer(layer.name).output.shape == layer.output.shape


def test_nested_model_is_inlined_under_its_name(keras, tmp_path):
    L = keras.layers
    inner_in = keras.Input((16, 16, 8))
    y = L.Conv2D(8, 3, padding="same", name="conv")(inner_in)
    y = L.BatchNormalization(name="bn")(y)
    inner = keras.Model(inner_in, L.Add(name="add")([y, inner_in]), name="residual_unit")
    stack = keras.Sequential([L.Conv2D(4, 1, name="squeeze"), L.ReLU(name="act")],
                             name="head_stack")
    x0 = keras.Input((16, 16, 3), name="img")
    x = L.Conv2D(8, 3, padding="same", name="conv")(x0)  # same name as inside: renamed
    x = inner(x)
    x = stack(x)
    model = keras.Model(x0, L.GlobalAveragePooling2D(name="gap")(x), name="outer")
    path = tmp_path / "nested.keras"
    model.save(path)
    net = import_model(path)
    blocks = {n.name: n.block for n in net.nodes}
    assert blocks["residual_unit_conv"] == "residual_unit" and blocks["conv"] == ""
    assert blocks["bn"] == "residual_unit" and blocks["squeeze"] == "head_stack"
    assert net.node("add").inputs == ("bn", "conv")
    report = cost_report(net)
    assert report.totals.params == model.count_params()
    assert report.blocks["residual_unit"].params == inner.count_params()


def test_shared_and_frozen_layers_count_like_keras(keras):
    L = keras.layers
    x0 = keras.Input((8,), name="x")
    shared = L.Dense(8, name="shared")
    y = shared(shared(x0))
    frozen = L.Dense(4, name="frozen")
    frozen.trainable = False
    model = keras.Model(x0, frozen(y))
    net = network_from_keras(model)
    assert [n.name for n in net.nodes] == ["x", "shared", "shared_call1", "frozen"]
    report = cost_report(net)
    assert report.totals.params == model.count_params() == 72 + 36
    assert report.row("frozen").trainable_params == 0
    assert report.row("frozen").non_trainable_params == 36
    assert report.row("shared_call1").macs == 64  # computed twice, stored once


def test_custom_layer_is_shown_as_not_counted(keras, tmp_path):
    @keras.saving.register_keras_serializable(package="cnnexplorer_tests")
    class Scale(keras.layers.Layer):
        def build(self, input_shape):
            self.gain = self.add_weight(shape=(input_shape[-1],), initializer="ones")

        def call(self, x):
            return x * self.gain

    x0 = keras.Input((10, 10, 3), name="img")
    x = keras.layers.Conv2D(4, 3, name="conv")(x0)
    x = Scale(name="scale")(x)
    model = keras.Model(x0, keras.layers.Flatten(name="flat")(x))
    path = tmp_path / "custom.keras"
    model.save(path)
    report = cost_report(import_model(path))
    row = report.row("scale")
    assert row.type == "Opaque" and row.summary == "Scale"
    assert row.macs is None and row.params == 4 and row.output_shape == (8, 8, 4)
    assert report.totals.macs_lower_bound and report.totals.macs == 3 * 3 * 3 * 4 * 64
    assert report.totals.params == model.count_params()
    from cnnexplorer.core.views.render import render_text

    line = next(ln for ln in render_text(report).splitlines() if ln.startswith("scale"))
    assert "not counted" in line and ">= 6,912" in render_text(report)


def test_not_a_model_truncated_and_lambda_files_give_clear_messages(keras, tmp_path):
    text = tmp_path / "notes.keras"
    text.write_text("these are my notes, not a model")
    with pytest.raises(ModelFileError, match=r"notes\.keras.*not a Keras model file"):
        import_model(text)
    good = tmp_path / "good.keras"
    build_keras_model(zoo.build("happymodel")).save(good)
    data = good.read_bytes()
    cut = tmp_path / "cut.keras"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match=r"cut\.keras.*(truncated|zip)"):
        import_model(cut)
    h5 = tmp_path / "cut.h5"
    build_keras_model(zoo.build("happymodel")).save(tmp_path / "whole.h5")
    h5.write_bytes((tmp_path / "whole.h5").read_bytes()[:3000])
    with pytest.raises(ModelFileError, match=r"cut\.h5"):
        import_model(h5)
    x0 = keras.Input((4,))
    lam = keras.Model(x0, keras.layers.Lambda(lambda t: t * 2, name="double")(x0))
    lam_path = tmp_path / "lambda.keras"
    lam.save(lam_path)
    with pytest.raises(ModelFileError, match=r"lambda\.keras.*Lambda.*safe mode"):
        import_model(lam_path)


def test_load_network_accepts_a_model_file(keras, tmp_path):
    path = tmp_path / "happy.keras"
    build_keras_model(zoo.build("happymodel", classes=3)).save(path)
    net, meta = load_network(str(path))
    assert meta.kind == "file" and meta.path == str(path) and meta.classes == 3
    assert meta.input_shape == (64, 64, 3) and rows(net) == rows(zoo.build("happymodel",
                                                                           classes=3))
    with pytest.raises(CnnExplorerError, match="fixed at 64x64x3"):
        load_network(str(path), (32, 32, 3))
    with pytest.raises(CnnExplorerError, match="options"):
        load_network(str(path), options={"width": 2})


def test_inspect_opens_a_model_saved_as_hdf5(keras, tmp_path, capsys):
    # issue 13 defect 6: `.hdf5` is a model file everywhere, not an unknown architecture
    from cnnexplorer.cli import main

    saved = tmp_path / "m.h5"
    build_keras_model(zoo.build("happymodel")).save(saved)
    path = saved.rename(tmp_path / "m.hdf5")
    assert main(["inspect", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["totals"]["params"] == cost_report(zoo.build("happymodel")).totals.params
    net, meta = load_network(str(path))
    assert meta.kind == "file" and rows(net) == rows(zoo.build("happymodel"))


def test_subclassed_model_is_refused_by_name(keras):
    class Tiny(keras.Model):
        def __init__(self):
            super().__init__(name="tiny")
            self.d = keras.layers.Dense(2)

        def call(self, x):
            return self.d(x)

    m = Tiny()
    m(keras.ops.zeros((1, 3)))
    with pytest.raises(ModelFileError, match="'tiny'.*subclassed"):
        network_from_keras(m)
    with pytest.raises(ModelFileError, match="Sequential model 'empty' has no input shape"):
        network_from_keras(keras.Sequential([keras.layers.Dense(3)], name="empty"))
    free = keras.Input((None, None, 3), name="any_size")
    with pytest.raises(ModelFileError, match="'any_size' has an unknown size"):
        network_from_keras(keras.Model(free, keras.layers.Conv2D(4, 3)(free)))


@pytest.mark.parametrize("key, options, published_macs", [
    ("mobilenetv2", {"alpha": 0.35}, None),
    ("mobilenet", {}, 569e6),  # Howard et al. 2017, Table 8: 569 M mult-adds at 224
])
def test_keras_applications_match_count_params(key, options, published_macs, keras):
    entry = zoo.get(key)
    net = entry.network(options=options)
    app = {"mobilenetv2": "MobileNetV2", "mobilenet": "MobileNet"}[key]
    model = getattr(keras.applications, app)(weights=None, **options)
    report = cost_report(net)
    assert report.totals.params == model.count_params()
    assert all(r.type != "Opaque" for r in report.rows)
    assert len({r.block for r in report.rows}) > 10  # blocks read from the layer names
    if published_macs:
        assert math.isclose(report.totals.macs, published_macs, rel_tol=0.005)
    assert entry.network(options=options) is net  # cached per configuration
