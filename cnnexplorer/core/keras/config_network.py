"""A saved model's spec `Network` read from its configuration alone, without Keras.

`inspect model.keras` used to load the model with Keras (TensorFlow's start-up, every weight
allocated) to print a table that only needs the layers' settings and shapes. When every layer
of the file's `config.json` is one the project's layer kinds translate (`core.arch.kinds`),
the table is built here from the JSON: the same kinds, the same arithmetic, the same block
names (`import_names.infer_blocks`) as the Keras importer, and layers marked not trainable
count as frozen. Anything else (an unknown or user-defined layer, a layer called more than
once, a multi-output layer, a Keras 2 configuration) gives None and the caller asks Keras
(`importer.import_model`), which also checks each translation against Keras' own shapes.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import replace
from pathlib import Path

from cnnexplorer.core.arch.graph import Network, NetworkBuilder
from cnnexplorer.core.arch.kinds import registry
from cnnexplorer.core.keras.import_names import infer_blocks

_MODEL_CLASSES = ("Functional", "Model", "Sequential")


class _NotReadable(Exception):
    """Something this reader does not translate: let Keras read the file."""


def _shape(value) -> tuple[int, ...]:
    if not isinstance(value, list) or len(value) < 2:
        raise _NotReadable("no input shape")
    dims = value[1:]
    if not all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in dims):
        raise _NotReadable("an unknown input size")
    return tuple(dims)


def _sources(layer: dict) -> list[str]:
    """The layers feeding a layer's one call (Keras 3 `keras_history` of its arguments)."""
    nodes = layer.get("inbound_nodes") or []
    if len(nodes) != 1:
        raise _NotReadable("a layer called more than once (or never)")
    names: list[str] = []

    def walk(item):
        if isinstance(item, dict):
            if item.get("class_name") == "__keras_tensor__":
                history = (item.get("config") or {}).get("keras_history")
                if not (isinstance(history, list) and len(history) == 3
                        and isinstance(history[0], str) and history[2] == 0):
                    raise _NotReadable("a tensor from a multi-output layer")
                names.append(history[0])
                return
            for value in item.values():
                walk(value)
        elif isinstance(item, list):
            for value in item:
                walk(value)

    walk(nodes[0].get("args", []) if isinstance(nodes[0], dict) else None)
    if not names:
        raise _NotReadable("a call without tensor arguments")
    return names


class _Reader:
    def __init__(self, name: str):
        self.builder = NetworkBuilder(name)
        self.frozen: set[str] = set()

    def model(self, model: dict, inputs: list[str] | None, prefix: str,
              frozen: bool) -> list[str]:
        config = model.get("config") or {}
        layers = config.get("layers")
        if not isinstance(layers, list):
            raise _NotReadable("a model without layers")
        frozen = frozen or config.get("trainable") is False
        if model.get("class_name") == "Sequential":
            return self.sequential(layers, inputs, prefix, frozen)
        names: dict[str, str] = {}
        feeds = list(inputs) if inputs is not None else None
        for layer in layers:
            name = layer.get("name") or (layer.get("config") or {}).get("name")
            if not isinstance(name, str):
                raise _NotReadable("a layer without a name")
            if layer.get("class_name") == "InputLayer":
                if feeds is None:
                    shape = _shape((layer.get("config") or {}).get("batch_shape"))
                    names[name] = self.builder.input(
                        shape, name=self.builder.free_name(name, prefix))
                elif feeds:
                    names[name] = feeds.pop(0)
                else:
                    raise _NotReadable("more inputs than the call gives")
                continue
            ins = [names[s] if s in names else _missing(s) for s in _sources(layer)]
            names[name] = self.call(layer, ins, prefix, frozen)
        outputs = config.get("output_layers")
        if isinstance(outputs, list) and outputs and isinstance(outputs[0], str):
            outputs = [outputs]  # one output written as [name, 0, 0]
        if not isinstance(outputs, list) or not outputs:
            raise _NotReadable("no output layers")
        result = []
        for out in outputs:
            if not (isinstance(out, list) and len(out) == 3 and out[2] == 0 and out[0] in names):
                raise _NotReadable("an output this reader does not follow")
            result.append(names[out[0]])
        return result

    def sequential(self, layers: list, inputs: list[str] | None, prefix: str,
                   frozen: bool) -> list[str]:
        x = inputs[0] if inputs else None
        for layer in layers:
            name = (layer.get("config") or {}).get("name") or layer.get("name")
            if layer.get("class_name") == "InputLayer":
                if x is None:
                    shape = _shape((layer.get("config") or {}).get("batch_shape"))
                    x = self.builder.input(shape, name=self.builder.free_name(str(name), prefix))
                continue
            if x is None:
                raise _NotReadable("a Sequential without an input")
            x = self.call(layer, [x], prefix, frozen)
        if x is None:
            raise _NotReadable("an empty Sequential")
        return [x]

    def call(self, layer: dict, ins: list[str], prefix: str, frozen: bool) -> str:
        class_name = layer.get("class_name")
        config = layer.get("config") or {}
        name = layer.get("name") or config.get("name")
        if class_name in _MODEL_CLASSES:
            with self.builder.block(str(name)):
                outs = self.model(layer, ins, str(name), frozen)
            if len(outs) != 1:
                raise _NotReadable("a nested model with several outputs")
            return outs[0]
        module = str(layer.get("module") or "")
        kind = registry.for_keras_class(class_name) if isinstance(class_name, str) else None
        if kind is None or not module.startswith("keras") or layer.get("registered_name") \
                not in (None, class_name):
            raise _NotReadable(f"layer class {class_name!r}")
        in_shapes = [self.builder.shape(i) for i in ins]
        spec = kind.from_keras(config, in_shapes)
        if spec.arity is not None and spec.arity != len(ins):
            raise _NotReadable("an arity the kind does not take")
        node = self.builder.add(spec, ins, self.builder.free_name(str(name), prefix))
        if frozen or config.get("trainable") is False:
            self.frozen.add(node)
        return node


def _missing(source: str):
    raise _NotReadable(f"layer {source!r} is used before it is defined")


def network_from_config(config, name: str) -> Network | None:
    """The spec Network of a Keras 3 model configuration, or None when a layer is not one
    the kinds translate (see the module docstring)."""
    if not isinstance(config, dict) or config.get("class_name") not in _MODEL_CLASSES:
        return None
    reader = _Reader(name)
    try:
        outputs = reader.model(config, None, "", False)
        network = reader.builder.build(outputs)
    except Exception:  # noqa: BLE001 - anything unexpected: Keras reads the file instead
        return None
    ordered = _call_order(network)
    nodes = []
    for node, block in zip(ordered, infer_blocks(ordered)):
        if node.name in reader.frozen:
            node = replace(node, trainable_params=0,
                           non_trainable_params=node.trainable_params + node.non_trainable_params)
        nodes.append(replace(node, block=block))
    return Network(network.name, tuple(nodes), network.outputs)


def _call_order(network: Network) -> list:
    """The nodes in the importer's order: the inputs, then a depth-first walk back from each
    output visiting a node's inputs in argument order (parents first), so that both ways
    of reading a file give the same table."""
    by_name = {node.name: node for node in network.nodes}
    order = [node for node in network.nodes if node.kind == "Input"]
    done = {node.name for node in order}
    for out in network.outputs:
        stack = [(out, False)]
        while stack:
            name, expanded = stack.pop()
            if name in done:
                continue
            if expanded:
                done.add(name)
                order.append(by_name[name])
                continue
            stack.append((name, True))
            stack.extend((i, False) for i in reversed(by_name[name].inputs) if i not in done)
    return order


def network_from_keras_file(path: Path) -> Network | None:
    """`network_from_config` of a checked `.keras` file's config.json (None for .h5 files)."""
    if path.suffix.lower() != ".keras":
        return None
    try:
        with zipfile.ZipFile(path) as zf:
            config = json.loads(zf.read("config.json"))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, RecursionError):
        return None
    return network_from_config(config, path.stem)
