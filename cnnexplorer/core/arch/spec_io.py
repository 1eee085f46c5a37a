"""A spec `Network` as JSON, and back: lossless, checked, without TensorFlow.

Used to ship the keras.applications entries as data (`resources/app_specs/`), so choosing one
never imports Keras. The file stores only what cannot be recomputed: each node's name, layer
kind and settings, inputs and block. Loading rebuilds the network through `NetworkBuilder`,
so shapes, params and MACs are recomputed by the same code as for a zoo entry, and a file
that was edited into something inconsistent fails with a ConfigError naming the file and node.

Two things are stored beyond the settings:
- `params` on a node whose counts differ from what its kind computes: the Keras importer adopts
  Keras' own split (a frozen layer, the second call of a shared layer counts 0);
- `totals` (layers, params, trainable params, counted MACs), compared after loading, so a
  tampered setting that still builds (a filter count, a kernel size) is caught too.

Format (version 2):
    {"format": "cnnexplorer-spec", "version": 2, "name": str, "outputs": [str, ...],
     "nodes": [{"name", "kind", "settings", "inputs", "block", ["params"]}, ...],
     "totals": {"layers", "params", "trainable_params", "macs"}}
"kind" is the layer kind's registered ID ("conv2d", `kinds/registry.py`), which never changes.
Version 1 named kinds by display name and "module.Class"; those files still load through the
alias table in `spec_aliases.py`.
Tuples are written as lists and read back as tuples (layer settings only hold tuples).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import zlib
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from cnnexplorer.core.arch.graph import Network, NetworkBuilder
from cnnexplorer.core.arch.kinds import ACTIVATIONS, Layer, registry
from cnnexplorer.core.arch.kinds.base import carry_activation
from cnnexplorer.core.arch.spec_aliases import v1_kind
from cnnexplorer.core.errors import ConfigError
from cnnexplorer.core.safe_files import MAX_TEXT_BYTES, atomic_write_bytes, read_bytes

FORMAT = "cnnexplorer-spec"
VERSION = 2
#: versions this program reads (1: kinds named by display name and "module.Class")
READABLE_VERSIONS = (1, 2)


def _plain(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def _tuples(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    return value


# -- Network -> dict ---------------------------------------------------------------------------
def network_to_dict(network: Network) -> dict:
    """The JSON-ready form of `network` (see the module docstring)."""
    nodes = []
    shapes: dict[str, tuple] = {}
    for node in network.nodes:
        layer = node.layer
        item: dict[str, Any] = {"name": node.name, "kind": layer.kind_id}
        item["settings"] = {f.name: _plain(getattr(layer, f.name)) for f in fields(layer)}
        item["inputs"] = list(node.inputs)
        item["block"] = node.block
        in_shapes = [shapes[i] for i in node.inputs]
        computed = layer.params(in_shapes, node.output_shape)
        if tuple(computed) != (node.trainable_params, node.non_trainable_params):
            item["params"] = [node.trainable_params, node.non_trainable_params]
        shapes[node.name] = node.output_shape
        nodes.append(item)
    return {"format": FORMAT, "version": VERSION, "name": network.name,
            "outputs": list(network.outputs), "nodes": nodes, "totals": _totals(network)}


def _totals(network: Network) -> dict:
    return {"layers": len(network.nodes),
            "params": sum(n.params for n in network.nodes),
            "trainable_params": sum(n.trainable_params for n in network.nodes),
            "macs": sum(n.macs or 0 for n in network.nodes)}


# -- dict -> Network ---------------------------------------------------------------------------
def network_from_dict(data: Any, source: str = "spec") -> Network:
    """Rebuild a Network from `network_to_dict`'s output; ConfigError naming `source` and the
    node when anything is missing, unknown or inconsistent."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ConfigError(f"{source}: not a CNN Explorer spec (no \"format\": \"{FORMAT}\")")
    version = data.get("version")
    if version not in READABLE_VERSIONS:
        raise ConfigError(f"{source}: spec version {version!r} is not supported "
                          f"(this program reads versions "
                          f"{', '.join(map(str, READABLE_VERSIONS))})")
    try:
        name, outputs, items = data["name"], data["outputs"], data["nodes"]
    except KeyError as exc:
        raise ConfigError(f"{source}: the spec has no {exc.args[0]!r}") from None
    if not isinstance(items, list) or not items:
        raise ConfigError(f"{source}: \"nodes\" must be a non-empty list")
    builder = NetworkBuilder(str(name))
    overrides: dict[str, tuple[int, int]] = {}
    blocks: dict[str, str] = {}
    for index, item in enumerate(items):
        label = f"node {index}"
        try:
            label = f"node {index} ({item['name']!r})"
            layer = _make_layer(item, version)
            inputs = [str(i) for i in item.get("inputs", [])]
            node_name = builder.add(layer, inputs, str(item["name"]))
            blocks[node_name] = str(item.get("block", ""))
            if "params" in item:
                t, f = item["params"]
                if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0
                           for v in (t, f)):
                    raise ConfigError(f"params must be two non-negative integers; "
                                      f"received {item['params']!r}")
                overrides[node_name] = (t, f)
        except ConfigError as exc:
            raise ConfigError(f"{source}: {label}: {exc}") from None
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ConfigError(f"{source}: {label}: malformed entry "
                              f"({type(exc).__name__}: {exc})") from None
    try:
        network = builder.build([str(o) for o in outputs])
        for o in network.outputs:
            network.node(o)
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"{source}: bad \"outputs\": {exc}") from None
    nodes = []
    for node in network.nodes:
        changes: dict[str, Any] = {"block": blocks[node.name]}
        if node.name in overrides:
            changes["trainable_params"], changes["non_trainable_params"] = overrides[node.name]
        nodes.append(replace(node, **changes))
    network = Network(network.name, tuple(nodes), network.outputs)
    expected = data.get("totals")
    if expected is not None and expected != _totals(network):
        raise ConfigError(f"{source}: the layers do not add up to the recorded totals "
                          f"(recorded {expected}, rebuilt {_totals(network)}): the file was "
                          f"changed or damaged")
    return network


def _make_layer(item: dict, version: int) -> Layer:
    if version == 1:
        kind_id, implied = v1_kind(item)
    else:
        kind_id, implied = item["kind"], {}
    cls = registry.get(kind_id)
    settings = item.get("settings", {})
    if not isinstance(settings, dict):
        raise ConfigError(f"settings must be an object; received {settings!r}")
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(settings) - known)
    if unknown:
        raise ConfigError(f"{cls.kind} has no setting {unknown[0]!r}; its settings: "
                          f"{', '.join(sorted(known)) or 'none'}")
    values = {**implied, **{k: _tuples(v) for k, v in settings.items()}}
    # An activation the core's list does not know (imported 'hard_silu') is carried by name,
    # exactly as the Keras importer does it: built without, then set.
    activation = values.get("activation")
    if isinstance(activation, str) and activation not in ACTIVATIONS:
        values["activation"] = None
        return carry_activation(cls(**values), activation)
    return cls(**values)


# -- files -------------------------------------------------------------------------------------
def save_spec(path: str | os.PathLike, network: Network) -> Path:
    """Write `network` as JSON (gzip when the name ends in .gz), atomically: a reader never
    sees half a file. The gzip header carries no time, so regenerating gives the same bytes."""
    path = Path(path)
    text = json.dumps(network_to_dict(network), separators=(",", ":"), sort_keys=False)
    raw = text.encode("utf-8")
    if path.suffix == ".gz":
        raw = gzip.compress(raw, compresslevel=9, mtime=0)
    atomic_write_bytes(path, raw)
    return path


def load_spec(path: str | os.PathLike) -> Network:
    """Read a spec written by `save_spec`; ConfigError naming the file for anything wrong."""
    path = Path(path)
    if not os.path.lexists(path):
        raise ConfigError(f"spec file {str(path)!r} does not exist")
    raw = read_bytes(path, ConfigError, what="a spec file")
    try:
        if path.suffix == ".gz":
            with gzip.GzipFile(fileobj=io.BytesIO(raw)) as gz:
                raw = gz.read(MAX_TEXT_BYTES + 1)  # bounded: a gzip bomb stops here
            if len(raw) > MAX_TEXT_BYTES:
                raise ValueError(f"unpacks to more than {MAX_TEXT_BYTES:,} bytes")
        data = json.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"spec file {str(path)!r} does not exist") from None
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ConfigError(f"{path}: not a readable spec file ({type(exc).__name__}: "
                          f"{str(exc)[:160]})") from None
    return network_from_dict(data, source=str(path))
