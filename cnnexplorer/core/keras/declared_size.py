"""How many weights a saved model's configuration declares, read without building it.

Keras builds every layer of a model file (allocating its variables) before it reads a single
stored weight, so a 19 KB `.keras` whose `config.json` says Dense(8000) on 64x64x3 inputs made
`inspect` use 2.5 GB (Dense(60000): 15 GB), then failed on the weights' shapes. Here the
configuration is walked as JSON: each input layer's declared shape is carried through the
graph with the project's own layer kinds (`core.arch.kinds`: the same arithmetic as the layer
tables), and the weights of each known layer are counted. `check_declared_weights` compares
the count with what the file stores (a trained or untrained model stores every weight, at
least one byte each) and with memory, before `keras.models.load_model` is called.

Layers the kinds do not know count with the shapes their `build_config` declares where a
formula is known (Embedding), else as 0: the count is what the file certainly declares.
"""

from __future__ import annotations

from typing import Any

from cnnexplorer.core.arch.kinds import registry
from cnnexplorer.core.errors import ModelFileError
from cnnexplorer.core.safe_files import MAX_ARRAY_BYTES

#: a model declaring more weights than this many bytes beyond what it stores is refused
STORED_SLACK_BYTES = 2**20
_MODEL_CLASSES = ("Functional", "Model", "Sequential")

Shape = tuple[int, ...]


def _shape(value) -> Shape | None:
    """A declared shape without its batch axis; None when unknown or not a shape."""
    if not isinstance(value, (list, tuple)) or not value:
        return None
    dims = value[1:]
    if not all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in dims):
        return None
    return tuple(dims)


def _input_shape(layer_config: dict) -> Shape | None:
    config = layer_config.get("config") or {}
    return _shape(config.get("batch_shape") or config.get("batch_input_shape"))


def _build_shapes(layer: dict) -> list[Shape] | None:
    declared = (layer.get("build_config") or {}).get("input_shape")
    if isinstance(declared, (list, tuple)) and declared and isinstance(declared[0], list):
        shapes = [_shape(s) for s in declared]
    else:
        shapes = [_shape(declared)]
    known = [s for s in shapes if s is not None]
    return known if len(known) == len(shapes) else None


def _history_names(node) -> list[str]:
    """The source layer names of one inbound node: Keras 3 (`keras_history` in the
    arguments' tensors) and Keras 2 (`[[name, node, tensor, kwargs], ...]`)."""
    names: list[str] = []

    def walk(item, depth=0):
        if depth > 20:
            return
        if isinstance(item, dict):
            history = (item.get("config") or {}).get("keras_history") \
                if item.get("class_name") == "__keras_tensor__" else None
            if isinstance(history, list) and history and isinstance(history[0], str):
                names.append(history[0])
                return
            for value in item.values():
                walk(value, depth + 1)
        elif isinstance(item, list):
            if len(item) >= 3 and isinstance(item[0], str) and isinstance(item[1], int):
                names.append(item[0])
                return
            for value in item:
                walk(value, depth + 1)

    walk(node)
    return names


def _layer_weights(layer: dict, inputs: list[Shape] | None) -> tuple[int, Shape | None]:
    """(weights, output shape) of one layer config given its input shapes."""
    class_name = layer.get("class_name")
    config = layer.get("config") or {}
    if class_name in _MODEL_CLASSES and isinstance(config.get("layers"), list):
        return _model_weights(layer)
    if inputs is None:
        inputs = _build_shapes(layer)
    if class_name == "Embedding":
        rows, width = config.get("input_dim"), config.get("output_dim")
        if isinstance(rows, int) and isinstance(width, int) and rows > 0 and width > 0:
            return rows * width, None
    kind = registry.for_keras_class(class_name) if isinstance(class_name, str) else None
    if kind is None or inputs is None:
        return 0, None
    try:
        translated = kind.from_keras(config, inputs)
        out = translated.output_shape(inputs)
        trainable, frozen = translated.params(inputs, out)
    except Exception:  # noqa: BLE001 - a setting the kinds do not model: not counted
        return 0, None
    return int(trainable) + int(frozen), tuple(out)


def _model_weights(model: dict, depth: int = 0) -> tuple[int, Shape | None]:
    """(weights, output shape) of a Functional or Sequential config, shapes carried from its
    input layers through the graph (not the shapes the file claims each layer was built
    with: Keras rebuilds the graph from the inputs)."""
    config = model.get("config") or {}
    layers = config.get("layers")
    if not isinstance(layers, list):
        return 0, None
    total, shapes, current = 0, {}, None
    sequential = model.get("class_name") == "Sequential"
    build = _build_shapes(model) if sequential else None
    if build:
        current = build[0]
    for layer in layers:
        if not isinstance(layer, dict):
            continue
        name = layer.get("name") or (layer.get("config") or {}).get("name")
        if layer.get("class_name") == "InputLayer":
            shapes[name] = current = _input_shape(layer)
            continue
        if sequential:
            inputs = [current] if current is not None else None
        else:
            nodes = layer.get("inbound_nodes") or []
            sources = _history_names(nodes[0]) if nodes else []
            found = [shapes.get(s) for s in sources]
            known = [s for s in found if s is not None]
            inputs = known if known and len(known) == len(found) else None
        weights, out = _layer_weights(layer, inputs)
        total += weights
        shapes[name] = current = out
    return total, current


def declared_weights(config: Any) -> int:
    """The number of weights a model configuration (config.json, or an .h5's
    `model_config`) declares; 0 for anything that is not a model configuration."""
    if not isinstance(config, dict):
        return 0
    if config.get("class_name") in _MODEL_CLASSES:
        return _model_weights(config)[0]
    return _layer_weights(config, None)[0]


def check_declared_weights(config: Any, stored_bytes: int, name: str) -> int:
    """Refuse a model whose configuration declares more weights than its file stores (at
    least one byte a weight, beyond STORED_SLACK_BYTES) or than memory holds as float32.

    Returns:
        The declared weight count.
    """
    try:
        count = declared_weights(config)
    except RecursionError:
        raise ModelFileError(f"{name}: the model configuration nests too deeply to read; "
                             f"refused") from None
    nbytes = 4 * count
    if nbytes > MAX_ARRAY_BYTES:
        raise ModelFileError(f"{name}: the model's configuration declares {count:,} weights "
                             f"({nbytes:,} bytes as float32); more than {MAX_ARRAY_BYTES:,} "
                             f"bytes is refused before building it")
    if count > stored_bytes + STORED_SLACK_BYTES:
        raise ModelFileError(
            f"{name}: the model's configuration declares {count:,} weights ({nbytes:,} bytes "
            f"as float32) but the file stores {stored_bytes:,} bytes of weights; refused before "
            f"building it (a damaged file, or a configuration edited to declare huge layers)")
    return count

