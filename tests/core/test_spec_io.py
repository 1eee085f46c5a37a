"""spec_io: lossless JSON round trip, loud failures on damaged files, and the shipped
keras.applications specs (equal to a fresh Keras import, loaded without TensorFlow)."""

import gzip
import json

import pytest

from pathlib import Path

from cnnexplorer.core.arch import zoo
from cnnexplorer.core.arch.kinds import registry
from cnnexplorer.core.arch.kinds.convolution import DepthwiseConv2D
from cnnexplorer.core.arch.kinds.merging import Multiply, Subtract
from cnnexplorer.core.arch.kinds.normalization import LocalResponseNormalization
from cnnexplorer.core.arch.kinds.pooling import GlobalAveragePooling2D
from cnnexplorer.core.arch.kinds.structure import Opaque
from cnnexplorer.core.arch.cost import cost_report
from cnnexplorer.core.errors import ConfigError
from cnnexplorer.core.arch.graph import NetworkBuilder
from cnnexplorer.core.arch.spec_io import load_spec, network_from_dict, network_to_dict, save_spec
from cnnexplorer.core.arch.zoo import applications as apps
from cnnexplorer.paths import resource

DATA = Path(__file__).parent / "data"
COURSE = [e for e in zoo.entries() if e.family != apps.FAMILY]


def _rows(network):
    return [(r.name, r.type, r.block, tuple(r.output_shape), r.params, r.trainable_params,
             r.non_trainable_params, r.macs, r.summary) for r in cost_report(network).rows]


@pytest.mark.parametrize("entry", COURSE, ids=lambda e: e.key)
def test_every_course_entry_round_trips_through_json(entry):
    network = entry.network()
    data = json.loads(json.dumps(network_to_dict(network)))  # through text: lists, not tuples
    again = network_from_dict(data)
    assert again == network
    assert _rows(again) == _rows(network)
    assert cost_report(again).totals == cost_report(network).totals


def _with_opaque_and_extra_kinds():
    b = NetworkBuilder("odd")
    x = b.input((16, 16, 3), name="image")
    x = b.add(DepthwiseConv2D(kernel_size=3, padding="same", activation="hard_silu"), x, "dw")
    pooled = b.add(GlobalAveragePooling2D(keepdims=True), x, "squeeze")
    x = b.add(Multiply(broadcast=True), [x, pooled], "excite")
    x = b.add(Opaque(class_name="MyLayer", shape=(8, 8, 5), trainable=17, non_trainable=3),
              x, "custom")
    x = b.flatten(x)
    return b.build(b.dense(x, 4, name="out"))


def test_opaque_and_extra_kinds_round_trip_through_a_gzip_file(tmp_path):
    network = _with_opaque_and_extra_kinds()
    path = save_spec(tmp_path / "odd.json.gz", network)
    assert path.read_bytes()[:2] == b"\x1f\x8b"  # gzip
    again = load_spec(path)
    assert again == network
    custom = again.node("custom")
    assert custom.layer.class_name == "MyLayer" and custom.output_shape == (8, 8, 5)
    assert (custom.trainable_params, custom.non_trainable_params, custom.macs) == (17, 3, None)
    assert again.node("dw").layer.activation == "hard_silu"  # not in the core's list: kept
    assert again.node("excite").layer.broadcast  # HxWxC * 1x1xC, as Keras broadcasts
    assert again.node("squeeze").output_shape == (1, 1, 3)
    assert [p.name for p in tmp_path.iterdir()] == ["odd.json.gz"]  # no temp file left


def test_files_name_kinds_by_their_registered_id():
    data = network_to_dict(_with_opaque_and_extra_kinds())
    assert data["version"] == 2
    assert [n["kind"] for n in data["nodes"]] == [
        "input", "depthwise_conv2d", "global_avg_pool2d", "multiply", "opaque", "flatten", "dense"]
    assert all(set(n) <= {"name", "kind", "settings", "inputs", "block", "params"}
               for n in data["nodes"])
    for node in network_to_dict(zoo.build("googlenet"))["nodes"]:
        assert registry.get(node["kind"]).kind_id == node["kind"]


def _odd_v1_equivalent():
    """The network tests/core/data/spec_v1_odd.json was written from (by the version-1 code,
    whose "layers_extra" merges broadcast and whose global pool kept dims)."""
    b = NetworkBuilder("odd")
    x = b.input((16, 16, 3), name="image")
    x = b.add(DepthwiseConv2D(kernel_size=3, padding="same", activation="hard_silu"), x, "dw")
    pooled = b.add(GlobalAveragePooling2D(keepdims=True), x, "squeeze")
    x = b.add(Multiply(broadcast=True), [x, pooled], "excite")
    custom = b.add(Opaque(class_name="MyLayer", shape=(8, 8, 5), trainable=17,
                          non_trainable=3), x, "custom")
    x = b.add(LocalResponseNormalization(), custom, "lrn")
    x = b.add(Subtract(broadcast=True), [x, custom], "sub")
    x = b.add(GlobalAveragePooling2D(), x)
    return b.build(b.dense(x, 4, name="out"))


def test_a_version_1_file_naming_module_classes_still_loads():
    data = json.loads((DATA / "spec_v1_odd.json").read_text())
    assert data["version"] == 1
    impls = {n["name"]: n.get("impl") for n in data["nodes"]}
    assert impls["excite"] == "layers_extra.Multiply" and impls["sub"] is None
    again = load_spec(DATA / "spec_v1_odd.json")
    assert again == _odd_v1_equivalent()
    assert again.node("dw").layer.activation == "hard_silu"
    assert again.node("sub").layer.broadcast  # "Subtract" alone meant layers_extra's
    assert not again.node("global_average_pooling2d").layer.keepdims
    # written back, it is a version-2 file that loads to the same network
    assert network_from_dict(json.loads(json.dumps(network_to_dict(again)))) == again


def test_the_shipped_efficientnet_written_by_version_1_loads_as_the_regenerated_file():
    old = load_spec(DATA / "spec_v1_efficientnetb0.json.gz")
    shipped = load_spec(apps.shipped_spec(zoo.get("efficientnetb0"),
                                          zoo.get("efficientnetb0").config()))
    assert old == shipped
    assert _rows(old) == _rows(shipped)


def test_a_version_1_file_with_an_unknown_class_names_it(tmp_path):
    data = json.loads((DATA / "spec_v1_odd.json").read_text())
    _node(data, "excite")["impl"] = "layers_extra.Warp"
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ConfigError, match="'excite'.*unknown layer class 'layers_extra.Warp'"):
        load_spec(path)


def test_keras_split_of_params_is_kept(tmp_path):
    """The importer adopts Keras' counts (a frozen layer): stored, restored."""
    from dataclasses import replace

    from cnnexplorer.core.arch.graph import Network

    net = zoo.build("happymodel")
    nodes = tuple(replace(n, trainable_params=0, non_trainable_params=n.params)
                  if n.name == "conv0" else n for n in net.nodes)
    frozen = Network(net.name, nodes, net.outputs)
    again = load_spec(save_spec(tmp_path / "f.json", frozen))
    assert again.node("conv0").trainable_params == 0
    assert again.node("conv0").non_trainable_params == net.node("conv0").params


def _node(data, name):
    return next(n for n in data["nodes"] if n.get("name") == name)


def _tamper(tmp_path, change):
    data = network_to_dict(zoo.build("happymodel"))
    change(data)
    path = tmp_path / "happy.json.gz"
    path.write_bytes(gzip.compress(json.dumps(data).encode()))
    return path


@pytest.mark.parametrize("change, needles", [
    (lambda d: _node(d, "conv0")["settings"].update(filters=33), ["recorded totals", "changed"]),
    (lambda d: _node(d, "conv0").update(kind="Conv3D"),
     ["'conv0'", "unknown layer kind 'Conv3D'"]),
    (lambda d: _node(d, "conv0")["settings"].update(filterz=3),
     ["'conv0'", "no setting 'filterz'"]),
    (lambda d: _node(d, "conv0")["settings"].update(kernel_size=[0, 7]), ["'conv0'", "kernel_size"]),
    (lambda d: _node(d, "bn0").update(inputs=["nowhere"]), ["'bn0'", "'nowhere'"]),
    (lambda d: d["nodes"][3].pop("name"), ["node 3", "malformed"]),
    (lambda d: d.update(version=99), ["version 99"]),
    (lambda d: d.update(outputs=["ghost"]), ["outputs", "ghost"]),
])
def test_a_tampered_spec_fails_naming_the_file_and_node(tmp_path, change, needles):
    path = _tamper(tmp_path, change)
    with pytest.raises(ConfigError) as info:
        load_spec(path)
    message = str(info.value)
    assert str(path) in message or "version" in message
    for needle in needles:
        assert needle in message, message


@pytest.mark.parametrize("content", [b"", b"\x1f\x8b\x08\x00garbage", gzip.compress(b"{not json")])
def test_a_corrupt_file_is_a_config_error(tmp_path, content):
    path = tmp_path / "broken.json.gz"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match="broken.json.gz: not a readable spec file"):
        load_spec(path)
    with pytest.raises(ConfigError, match="does not exist"):
        load_spec(tmp_path / "missing.json.gz")


def test_every_default_application_config_is_shipped_and_found():
    for entry in zoo.entries():
        if entry.family == apps.FAMILY:
            assert apps.shipped_spec(entry, entry.config()) is not None, entry.key
            assert not entry.needs_keras()
    mobilenet = zoo.get("mobilenet")
    assert not mobilenet.needs_keras(options={"alpha": "0.25"})
    assert mobilenet.needs_keras(classes=10)  # not pre-generated: built with Keras
    assert mobilenet.needs_keras(input_shape=(160, 160, 3))
    assert not zoo.get("resnet50").needs_keras()  # a course entry never needs Keras
    total = sum(p.stat().st_size for p in resource(apps.SPEC_DIR).iterdir())
    assert total < 2_000_000


def test_shipped_spec_equals_a_fresh_keras_import():
    """The small MobileNet (alpha 0.25) is rebuilt with Keras and imported: same network,
    row for row, as the shipped file (imports TensorFlow; a few seconds)."""
    from cnnexplorer.core.keras.build import import_keras
    from cnnexplorer.tools.make_app_specs import _fresh

    pytest.importorskip("keras")
    entry = zoo.get("mobilenet")
    cfg = entry.config(options={"alpha": 0.25})
    shipped = load_spec(apps.shipped_spec(entry, cfg))
    fresh = _fresh(entry, cfg)
    import_keras().backend.clear_session()
    assert _rows(shipped) == _rows(fresh)
    assert shipped == fresh
    assert cost_report(shipped).totals.params == 475_544
