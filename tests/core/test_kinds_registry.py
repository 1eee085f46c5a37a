"""The layer-kind registry: stable IDs, one kind per Keras class, and the walk-through of
docs/architecture.md (a new kind is one file) run as written."""

import re
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pytest

from cnnexplorer.core.arch import kinds
from cnnexplorer.core.arch.graph import NetworkBuilder
from cnnexplorer.core.arch.kinds import Layer, registry
from cnnexplorer.core.arch.kinds.merging import Add, Multiply
from cnnexplorer.core.arch.kinds.pooling import GlobalAveragePooling2D, GlobalMaxPooling2D
from cnnexplorer.core.arch.spec_io import network_from_dict, network_to_dict
from cnnexplorer.core.errors import ConfigError, ShapeError

DOC = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"


@pytest.fixture
def scratch_registry():
    """Kinds registered inside a test are forgotten after it."""
    saved = dict(registry._BY_ID), dict(registry._BY_KERAS_CLASS)
    yield registry
    for table, before in zip((registry._BY_ID, registry._BY_KERAS_CLASS), saved):
        table.clear()
        table.update(before)


def test_every_kind_has_its_own_id_and_is_found_by_it():
    assert len(registry.KINDS) >= 33
    for kind_id, cls in registry.KINDS.items():
        assert cls.__dict__["kind_id"] == kind_id, cls  # declared, not inherited
        assert re.fullmatch(r"[a-z][a-z0-9_]*", kind_id)
        assert registry.get(kind_id) is cls
        assert getattr(kinds, cls.__name__) is cls  # kinds.Conv2D
    # one display name per kind: the table's "Type" column tells them apart
    names = [cls.kind for cls in registry.KINDS.values()]
    assert len(names) == len(set(names))
    assert registry.get("conv2d").kind == "Conv2D"
    assert registry.get("batchnorm").kind == "BatchNormalization"


def test_each_keras_class_imports_as_one_kind():
    assert registry.for_keras_class("Convolution2D") is registry.get("conv2d")
    assert registry.for_keras_class("SeparableConv2D") is registry.get("separable_conv2d")
    assert registry.for_keras_class("MyCustomLayer") is None
    for name, cls in registry.KERAS_CLASSES.items():
        assert name in cls.__dict__["keras_classes"]


def test_an_unknown_id_lists_the_known_ones():
    with pytest.raises(ConfigError, match="unknown layer kind 'conv3d'; known: .*conv2d"):
        registry.get("conv3d")


def test_registering_a_taken_id_or_keras_class_is_refused(scratch_registry):
    @dataclass(frozen=True, kw_only=True)
    class Twin(Layer):
        kind_id: ClassVar[str] = "conv2d"

    with pytest.raises(ConfigError, match="kind_id 'conv2d' .* already taken"):
        scratch_registry.register(Twin)

    @dataclass(frozen=True, kw_only=True)
    class Thief(Layer):
        kind_id: ClassVar[str] = "thief"
        keras_classes: ClassVar[tuple[str, ...]] = ("Dense",)

    with pytest.raises(ConfigError, match="Keras class 'Dense' already imports as kind 'dense'"):
        scratch_registry.register(Thief)

    @dataclass(frozen=True, kw_only=True)
    class Inheritor(Add):
        pass

    with pytest.raises(ConfigError, match="Inheritor needs its own kind_id"):
        scratch_registry.register(Inheritor)
    assert "thief" not in scratch_registry.KINDS


def test_merges_take_one_shape_unless_imported_to_broadcast():
    se = [(7, 7, 32), (1, 1, 32)]  # squeeze-and-excitation scales each channel
    with pytest.raises(ShapeError, match="Multiply needs inputs of one shape"):
        Multiply().output_shape(se)
    assert Multiply(broadcast=True).output_shape(se) == (7, 7, 32)
    with pytest.raises(ShapeError, match="cannot be broadcast together: 7x7x32, 7x7x16"):
        Add(broadcast=True).output_shape([(7, 7, 32), (7, 7, 16)])
    assert Multiply.from_keras({}, se) == Multiply(broadcast=True)


def test_global_pools_keep_dims_when_asked():
    assert GlobalAveragePooling2D().output_shape([(7, 7, 1024)]) == (1024,)
    assert GlobalMaxPooling2D(keepdims=True).output_shape([(7, 7, 1024)]) == (1, 1, 1024)
    assert GlobalMaxPooling2D.from_keras({"keepdims": True}, [(7, 7, 8)]).keepdims


def _doc_example_source() -> str:
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    found = [b for b in blocks if '"""PReLU' in b]
    assert len(found) == 1, "docs/architecture.md lost its worked example"
    return found[0]


@pytest.fixture
def prelu(scratch_registry, monkeypatch):
    """The PReLU kind of docs/architecture.md, as if saved as kinds/prelu.py."""
    module = types.ModuleType("cnnexplorer.core.arch.kinds.prelu")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    exec(compile(_doc_example_source(), "docs/architecture.md", "exec"), module.__dict__)
    return module.PReLU


def _with_prelu(prelu_cls):
    b = NetworkBuilder("prelu_net")
    x = b.input((8, 8, 3), name="image")
    x = b.conv2d(x, 4, 3, padding="same", name="conv")
    x = b.add(prelu_cls(shared_axes=(1, 2)), x, "prelu")
    x = b.flatten(x)
    return b.build(b.dense(x, 2, activation="softmax", name="out"))


def test_the_documented_example_kind_is_one_file_that_works_everywhere(prelu):
    assert registry.get("prelu") is prelu
    assert registry.for_keras_class("PReLU") is prelu
    network = _with_prelu(prelu)
    node = network.node("prelu")
    assert node.output_shape == (8, 8, 4)
    assert (node.trainable_params, node.non_trainable_params, node.macs) == (4, 0, 0)
    assert node.layer.summary() == "per channel"
    assert prelu().params([(8, 8, 4)], (8, 8, 4)) == (256, 0)  # one slope per value
    data = network_to_dict(network)
    assert [n["kind"] for n in data["nodes"]][2] == "prelu"
    assert network_from_dict(data) == network


def test_the_documented_example_kind_translates_both_ways_with_keras(prelu):
    pytest.importorskip("keras")
    from cnnexplorer.core.keras.build import build_keras_model, import_keras
    from cnnexplorer.core.keras.importer import network_from_keras

    network = _with_prelu(prelu)
    model = build_keras_model(network)
    assert model.get_layer("prelu").__class__.__name__ == "PReLU"
    assert model.count_params() == sum(n.params for n in network.nodes)
    again = network_from_keras(model, name="prelu_net")
    assert again.node("prelu").layer == prelu(shared_axes=(1, 2))  # not Opaque
    assert [(n.name, n.output_shape, n.params, n.macs) for n in again.nodes] == \
        [(n.name, n.output_shape, n.params, n.macs) for n in network.nodes]
    import_keras().backend.clear_session()
