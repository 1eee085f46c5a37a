"""Keras model (a `.keras` file, a legacy full-model `.h5`, or a live `keras.Model`) -> spec.

The functional graph is walked node by node and each Keras layer becomes the core's layer kind
with the same name (the kind registered for its Keras class reads its config: `from_keras` in
`core/arch/kinds/`), so an imported model gets the same table, costs, charts and diagram as a
zoo entry. Every translated layer is checked against Keras itself: if the kind's output shape
or parameter count disagrees with what Keras reports, the layer is kept as `Opaque`
with Keras' shape and params and MACs "not counted", so totals of params always equal
`model.count_params()` and a MAC total that misses something is marked as a lower bound.

Nested models (a model used as a layer) are inlined: their layers appear under a block named
after the inner model. Keras is imported only inside functions; files load with safe mode on.
"""

from __future__ import annotations

import math
import os
from dataclasses import replace
from pathlib import Path

from cnnexplorer.core.arch.graph import Network, NetworkBuilder
from cnnexplorer.core.arch.kinds import Layer, Untranslated, registry
from cnnexplorer.core.arch.kinds.structure import Opaque
from cnnexplorer.core.errors import ModelFileError
from cnnexplorer.core.keras.build import import_keras
from cnnexplorer.core.keras.import_names import infer_blocks
from cnnexplorer.core.keras.model_io import MODEL_SUFFIXES, is_model_path, load_model


# -- loading --------------------------------------------------------------------------------
def load_keras_file(path: str | os.PathLike):
    """Load a full model file with Keras' safe mode on, or raise ModelFileError saying why."""
    path = Path(path)
    if not path.exists():
        raise ModelFileError(f"model file {str(path)!r} does not exist")
    if not path.is_file():
        raise ModelFileError(f"{str(path)!r} is not a file")
    if not is_model_path(path.name):
        raise ModelFileError(f"{str(path)!r} is not a Keras model file: expected a name "
                             f"ending in {', '.join(MODEL_SUFFIXES)}")
    return load_model(path)


def _shape(tensor) -> tuple[int, ...]:
    """A KerasTensor's shape without the batch axis; unknown sizes become 0 (flagged later)."""
    return tuple(int(d) if d is not None else 0 for d in tuple(tensor.shape)[1:])


def _weight_counts(layer) -> tuple[int, int]:
    trainable = sum(math.prod(w.shape) for w in layer.trainable_weights)
    frozen = sum(math.prod(w.shape) for w in layer.non_trainable_weights)
    return int(trainable), int(frozen)


# -- the graph walk -------------------------------------------------------------------------
def _nodes_in_call_order(model, known: dict[int, str]) -> list:
    """The model's call nodes, parents first, in the order the model's code most likely made
    them: a depth-first walk back from each output, visiting a node's inputs in argument
    order (so `Add([main_path, shortcut])` lists the main path first, like the source).
    Keras' own depth order would interleave parallel branches."""
    order, done = [], set()
    for out in model.outputs:
        history = getattr(out, "_keras_history", None)
        if history is None or history.operation is None or id(out) in known:
            continue
        start = history.operation._inbound_nodes[history.node_index]
        stack = [(start, False)]
        while stack:
            node, expanded = stack.pop()
            if id(node) in done:
                continue
            if expanded:
                done.add(id(node))
                if not node.is_input and type(node.operation).__name__ != "InputLayer":
                    order.append(node)
                continue
            stack.append((node, True))
            for t in reversed(node.input_tensors):
                h = t._keras_history
                if id(t) in known or h.operation is None:
                    continue
                parent = h.operation._inbound_nodes[h.node_index]
                if id(parent) not in done:
                    stack.append((parent, False))
    return order


class _Walker:
    def __init__(self, keras, name: str):
        self.keras = keras
        self.builder = NetworkBuilder(name)
        self.tensor_names: dict[int, str] = {}  # id(KerasTensor) -> spec node name
        self.keras_counts: dict[str, tuple[int, int]] = {}  # spec name -> Keras' params
        self.seen_layers: dict[int, int] = {}  # id(layer) -> calls translated so far
        self.opaque: list[str] = []

    def walk_functional(self, model, inputs: list[str] | None, prefix: str) -> list[str]:
        """Translate a functional model; `inputs` maps its inputs to outer nodes (None: top)."""
        model_inputs = list(model.inputs)
        if inputs is None:
            for t in model_inputs:
                history = getattr(t, "_keras_history", None)
                layer_name = history.operation.name if history and history.operation \
                    else getattr(t, "name", "input")
                shape = _shape(t)
                if not shape or 0 in shape:
                    raise ModelFileError(f"model {model.name!r}: input {layer_name!r} has an "
                                         f"unknown size {tuple(t.shape)!r}; give it a fixed "
                                         f"shape (e.g. 224x224x3) to compute costs")
                self.tensor_names[id(t)] = self.builder.input(shape, name=self.builder.free_name(
                    layer_name, prefix))
        else:
            for t, outer in zip(model_inputs, inputs):
                self.tensor_names[id(t)] = outer
        for node in _nodes_in_call_order(model, self.tensor_names):
            self.translate_node(node, prefix)
        return [self.tensor_names[id(t)] for t in model.outputs]

    def walk_sequential(self, model, inputs: list[str], prefix: str) -> list[str]:
        x = inputs[0]
        for layer in model.layers:
            x = self.translate_call(layer, [x], None, prefix)
        return [x]

    def translate_node(self, node, prefix: str) -> None:
        layer = node.operation
        ins = [self.tensor_names[id(t)] for t in node.input_tensors]
        outs = node.output_tensors
        name = self.translate_call(layer, ins, outs, prefix)
        for t in outs:
            self.tensor_names[id(t)] = name

    def translate_call(self, layer, ins: list[str], outs, prefix: str) -> str:
        keras = self.keras
        if isinstance(layer, keras.Model):
            block = layer.name
            with self.builder.block(block):
                if isinstance(layer, keras.Sequential) and not hasattr(layer, "_nodes_by_depth"):
                    result = self.walk_sequential(layer, ins, layer.name)
                elif hasattr(layer, "_nodes_by_depth"):
                    result = self.walk_functional(layer, ins, layer.name)
                else:
                    result = None
            if result is not None:
                if len(result) > 1 and outs is not None:
                    for t, r in zip(outs, result):
                        self.tensor_names[id(t)] = r
                return result[0]
        calls = self.seen_layers.get(id(layer), 0)
        self.seen_layers[id(layer)] = calls + 1
        name = layer.name if calls == 0 else f"{layer.name}_call{calls}"
        name = self.builder.free_name(name, prefix)
        in_shapes = [self.builder.shape(i) for i in ins]
        keras_out = _shape(outs[0]) if outs else None
        counts = _weight_counts(layer) if calls == 0 else (0, 0)
        spec = self._translate(layer, in_shapes, keras_out, counts)
        if spec is None:
            if keras_out is None:
                keras_out = _shape(layer.compute_output_spec(
                    *[keras.KerasTensor((None,) + s) for s in in_shapes]))
            spec = Opaque(class_name=type(layer).__name__, shape=keras_out,
                            trainable=counts[0], non_trainable=counts[1])
            self.opaque.append(name)
        self.builder.add(spec, ins, name)
        self.keras_counts[name] = counts
        return name

    def _translate(self, layer, in_shapes, keras_out, counts) -> Layer | None:
        kind = registry.for_keras_class(type(layer).__name__)
        if kind is None or type(layer).__module__.split(".")[0] not in ("keras", "cnnexplorer"):
            return None  # unknown or user-defined (even if it subclasses a known layer)
        try:
            spec = kind.from_keras(layer.get_config(), in_shapes)
            if spec.arity is not None and spec.arity != len(in_shapes):
                return None
            out = tuple(spec.output_shape(in_shapes))
            trainable, frozen = spec.params(in_shapes, out)
        except (Untranslated, KeyError, TypeError, ValueError):
            return None
        if keras_out is not None and out != keras_out:
            return None
        if trainable + frozen != sum(counts) and self.seen_layers[id(layer)] == 1:
            return None
        return spec


def network_from_keras(model, name: str | None = None) -> Network:
    """Translate a live `keras.Model` into the core's spec `Network`.

    Raises ModelFileError for models whose graph cannot be read (subclassed models).
    """
    keras = import_keras()
    if not isinstance(model, keras.Model):
        raise ModelFileError(f"expected a keras.Model; received {type(model).__name__}")
    walker = _Walker(keras, name or model.name)
    functional = getattr(model, "_functional", None) if isinstance(model, keras.Sequential) \
        else model
    if isinstance(model, keras.Sequential) and functional is None:
        raise ModelFileError(f"Sequential model {model.name!r} has no input shape yet: start it "
                             f"with keras.Input((H, W, C)) or call build() to inspect it")
    if functional is None or not hasattr(functional, "_nodes_by_depth"):
        raise ModelFileError(
            f"model {model.name!r} ({type(model).__name__}) has no functional graph to read: "
            f"a subclassed model's call() is Python code. Build it with the functional API or "
            f"as a Sequential with an Input to inspect it")
    outputs = walker.walk_functional(functional, None, "")
    network = walker.builder.build(outputs)
    return _finish(network, walker)


def _finish(network: Network, walker: _Walker) -> Network:
    """Adopt Keras' trainable/non-trainable split (frozen layers, shared layers)."""
    blocks = infer_blocks(network.nodes)
    nodes = []
    for node, block in zip(network.nodes, blocks):
        counts = walker.keras_counts.get(node.name)
        if counts is not None:
            node = replace(node, trainable_params=counts[0], non_trainable_params=counts[1])
        nodes.append(replace(node, block=block))
    return Network(network.name, tuple(nodes), network.outputs)


def import_model(source, name: str | None = None) -> Network:
    """A spec `Network` from a model file path or a live keras.Model."""
    if isinstance(source, (str, os.PathLike)):
        model = load_keras_file(source)
        return network_from_keras(model, name or Path(source).stem)
    return network_from_keras(source, name)
