"""Transfer learning as in the notes: take a trained network, replace its head for the new
classes, freeze the first N blocks, train the rest.

When everything but the head is frozen, the frozen part is a fixed function of the image:
`train_cached` computes its outputs once, stores them in an HDF5 file in the cache folder, and
trains only the head on them (the notes' "precompute and save to disk" trick), then puts the
trained head back on the full network. Frozen BatchNormalization layers run in inference
mode in both paths, so the head sees the same features either way.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from cnnexplorer import paths
from cnnexplorer.core.safe_files import atomic_path
from cnnexplorer.core.errors import TrainingError
from cnnexplorer.core.keras.model_setup import PreparedModel
from cnnexplorer.core.data.images import scale_pixels
from cnnexplorer.core.data.adapt import adapt_images
from cnnexplorer.core.keras.build import import_keras
from cnnexplorer.core.data.base import Dataset
from cnnexplorer.core.train.engine import train

HEAD_NAME = "transfer_head"
_KERNEL_KINDS = ("Conv2D", "Dense", "DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose")


def _layer_index_graph(model):
    """For each layer, the index of the last layer that consumes its output."""
    layers = model.layers
    index = {id(layer): i for i, layer in enumerate(layers)}
    last_use = list(range(len(layers)))
    for j, layer in enumerate(layers):
        for node in getattr(layer, "_inbound_nodes", []):
            for t in getattr(node, "input_tensors", []):
                src = getattr(getattr(t, "_keras_history", None), "operation", None)
                i = index.get(id(src))
                if i is not None:
                    last_use[i] = max(last_use[i], j)
    return last_use


def model_blocks(model, network=None) -> list[tuple[str, list[str]]]:
    """The model's layers (input and head excluded) grouped into blocks, in order.

    With the spec `network`, blocks are its top-level blocks ("stage2", "conv"...). Without
    it, a block ends where the graph narrows to one tensor (after each residual block's
    Add + ReLU, say) and the next layer has weights: a block holds whole residual units.
    """
    layers = [l for l in model.layers if type(l).__name__ != "InputLayer"]
    body = layers[:-1]  # the last layer is the head that transfer learning replaces
    blocks: list[tuple[str, list[str]]] = []
    if network is not None:
        names = {n.name: (n.block.split("/")[0] if n.block else n.name) for n in network.nodes}
        for layer in body:
            key = names.get(layer.name, blocks[-1][0] if blocks else layer.name)
            if blocks and blocks[-1][0] == key:
                blocks[-1][1].append(layer.name)
            else:
                blocks.append((key, [layer.name]))
        return _merge_weightless(model, blocks)
    last_use = _layer_index_graph(model)
    all_layers = model.layers
    pos = {l.name: i for i, l in enumerate(all_layers)}
    current: list[str] = []
    has_kernel = False
    for layer in body:
        i = pos[layer.name]
        is_cut = max(last_use[:i - 1], default=0) <= i - 1  # only the previous output is live
        starts_unit = type(layer).__name__ in _KERNEL_KINDS + ("ZeroPadding2D",)
        if current and has_kernel and is_cut and starts_unit:
            blocks.append((f"block{len(blocks) + 1}", current))
            current, has_kernel = [], False
        current.append(layer.name)
        has_kernel = has_kernel or type(layer).__name__ in _KERNEL_KINDS
    if current:
        blocks.append((f"block{len(blocks) + 1}", current))
    return blocks


def _merge_weightless(model, blocks):
    """A block without weights (say the old head's Flatten) joins the block before it:
    freezing it alone would change nothing, and the slider would have a dead step."""
    out: list[tuple[str, list[str]]] = []
    for name, names in blocks:
        weighted = any(model.get_layer(n).weights for n in names)
        if out and not weighted:
            out[-1][1].extend(names)
        else:
            out.append((name, list(names)))
    return out


@dataclass
class TransferModel:
    prepared: PreparedModel  # the full model with its new head, ready for training.train
    blocks: list  # (block name, layer names), head excluded
    frozen_blocks: int
    features_layer: str  # the layer whose output feeds the head
    source: str

    @property
    def all_but_head_frozen(self) -> bool:
        return self.frozen_blocks >= len(self.blocks)

    @cached_property
    def feature_model(self):
        keras = _keras()
        m = self.prepared.model
        return keras.Model(m.inputs, m.get_layer(self.features_layer).output,
                           name="frozen_part")


def _keras():
    return import_keras()


def build_transfer_model(base, dataset, freeze_blocks: int, network=None, seed: int = 0,
                         source: str = "") -> TransferModel:
    """Replace `base`'s head for `dataset`'s classes and freeze its first `freeze_blocks`.

    Args:
        base: a trained keras.Model (a saved run's model or an opened .keras/.h5 file).
        network: its spec Network, when known (gives the blocks their course names).
    """
    keras = _keras()
    last = base.layers[-1]
    if type(last).__name__ != "Dense":
        raise TrainingError(f"model {base.name!r} ends with {type(last).__name__} "
                            f"{last.name!r}, not a Dense classifier: no head to replace")
    blocks = model_blocks(base, network)
    if not 0 <= freeze_blocks <= len(blocks):
        raise TrainingError(f"freeze blocks must be 0..{len(blocks)} for {base.name!r}; "
                            f"received {freeze_blocks!r}")
    features = last.input
    features_layer = features._keras_history.operation.name
    binary = dataset.num_classes == 2
    units = 1 if binary else dataset.num_classes
    x = features
    if len(features.shape) > 2:
        x = keras.layers.Flatten(name=HEAD_NAME + "_flatten")(x)
    out = keras.layers.Dense(units, activation="sigmoid" if binary else "softmax",
                             kernel_initializer=keras.initializers.GlorotUniform(seed=seed),
                             name=HEAD_NAME)(x)
    model = keras.Model(base.inputs, out, name=f"{base.name}_transfer")
    frozen = {name for _, names in blocks[:freeze_blocks] for name in names}
    for layer in model.layers:
        if layer.name in frozen:
            layer.trainable = False
    shape = tuple(base.input_shape[1:])
    notes = [f"head {last.name!r} replaced by {HEAD_NAME!r} ({units} "
             f"{'sigmoid unit' if binary else 'softmax units'})",
             f"frozen: {freeze_blocks} of {len(blocks)} blocks"
             + (f" (up to {blocks[freeze_blocks - 1][0]})" if freeze_blocks else "")]
    info = {"key": "transfer", "source": source or base.name, "base_model": base.name,
            "frozen_blocks": freeze_blocks, "blocks": len(blocks), "input_shape": list(shape),
            "classes": units}
    prepared = PreparedModel(model, shape, binary, notes, info, None)
    return TransferModel(prepared, blocks, freeze_blocks, features_layer, source)


@dataclass
class FeatureSet:
    """Cached frozen activations standing in for a Dataset (same attributes training uses)."""
    name: str
    class_names: list
    x_train: np.ndarray  # float32 (N, D)
    y_train: np.ndarray
    x_test: np.ndarray | None = None
    y_test: np.ndarray | None = None
    source: str = ""
    fingerprint: str = ""
    build_seconds: float = 0.0
    from_cache: bool = False
    skipped: list = field(default_factory=list)

    @property
    def input_shape(self):
        return tuple(self.x_train.shape[1:])

    @property
    def num_classes(self):
        return len(self.class_names)

    def split_validation(self, fraction, seed=0):
        return Dataset.split_validation(self, fraction, seed)  # type: ignore[arg-type]


def _cache_key(tm: TransferModel, dataset) -> str:
    h = hashlib.sha256(dataset.fingerprint.encode())
    h.update(tm.features_layer.encode())
    for w in tm.feature_model.get_weights():
        h.update(np.ascontiguousarray(w).data)
    return h.hexdigest()[:20]


def cached_features(tm: TransferModel, dataset, batch_size: int = 64,
                    cache_dir=None) -> FeatureSet:
    """The frozen part's outputs for every train and test image, from the HDF5 cache or
    computed once and stored there (`<cache>/activations/<key>.h5`)."""
    import h5py

    folder = Path(cache_dir) if cache_dir else paths.cache_dir() / "activations"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{_cache_key(tm, dataset)}.h5"
    t0 = time.perf_counter()
    arrays, from_cache = {}, False
    if path.is_file():
        try:
            with h5py.File(path, "r") as f:
                arrays = {k: f[k][()] for k in f.keys()}
            from_cache = True
        except (OSError, RuntimeError, KeyError, ValueError, TypeError):
            arrays = {}  # a damaged cache (a kill mid-write of an older version): recompute
    if not arrays:
        shape = tm.prepared.input_shape
        fm = tm.feature_model
        for split, x in (("train", dataset.x_train), ("test", dataset.x_test)):
            if x is None:
                continue
            feats = fm.predict(scale_pixels(adapt_images(x, shape)), batch_size=batch_size,
                               verbose=0)
            arrays[split] = np.asarray(feats, np.float32).reshape(len(x), -1)
        with atomic_path(path, ".h5") as tmp, h5py.File(tmp, "w") as f:
            for k, v in arrays.items():
                f.create_dataset(k, data=v)
    y_test = dataset.y_test if "test" in arrays else None
    return FeatureSet(f"{dataset.name} (cached activations)", list(dataset.class_names),
                      arrays["train"], dataset.y_train, arrays.get("test"), y_test,
                      str(path), dataset.fingerprint, time.perf_counter() - t0, from_cache)


def head_model(tm: TransferModel, feature_dim: int):
    """A model of the head alone, sharing the initial weights of the full model's head."""
    keras = _keras()
    dense = tm.prepared.model.get_layer(HEAD_NAME)
    inp = keras.Input((feature_dim,), name="frozen_activations")
    out = keras.layers.Dense(dense.units, activation=dense.activation, name=HEAD_NAME)(inp)
    m = keras.Model(inp, out, name="head")
    m.get_layer(HEAD_NAME).set_weights(dense.get_weights())
    return m


def train_transfer(tm: TransferModel, dataset, config, *, cache: bool = False, on_event=None,
                   stop=None, out=None, runs_root=None):
    """Train a transfer model; with `cache`, only the head, on cached frozen activations.

    The run folder receives the full model (frozen part + trained head) either way.
    Returns (TrainResult, FeatureSet or None).
    """
    if not cache:
        return train(tm.prepared, dataset, config, on_event=on_event, stop=stop, out=out,
                     runs_root=runs_root), None
    if not tm.all_but_head_frozen:
        raise TrainingError(f"caching activations needs every block frozen "
                            f"({tm.frozen_blocks} of {len(tm.blocks)} are): the frozen part "
                            f"must be a fixed function of the image")
    feats = cached_features(tm, dataset, batch_size=max(config.batch_size, 64))
    head = head_model(tm, feats.x_train.shape[1])
    prepared = PreparedModel(head, feats.input_shape, tm.prepared.binary,
                             tm.prepared.notes + [f"head trained on cached activations "
                                                  f"({feats.source})"],
                             {**tm.prepared.arch_info, "cached_activations": feats.source})
    result = train(prepared, feats, config, on_event=on_event, stop=stop, out=out,
                   runs_root=runs_root)
    full = tm.prepared.model
    dense = full.get_layer(HEAD_NAME)
    current_head = head.get_layer(HEAD_NAME).get_weights()
    # The run's files hold the head alone: replace them with the whole network.
    if result.best_weights is not None:
        head.set_weights(result.best_weights)
        dense.set_weights(head.get_layer(HEAD_NAME).get_weights())
        result.run.save_model(full, "best")
    dense.set_weights(current_head)
    result.run.save_model(full, "last")
    if result.best_weights is None:
        result.run.save_model(full, "best")
    result.model = full
    if result.best_weights is not None:
        result.best_weights = _full_best(full, head, result.best_weights)
    return result, feats


def _full_best(full, head, best_head_weights):
    """The full network's weights with the best head in place (for evaluation)."""
    dense = full.get_layer(HEAD_NAME)
    current = dense.get_weights()
    head.set_weights(best_head_weights)
    dense.set_weights(head.get_layer(HEAD_NAME).get_weights())
    weights = full.get_weights()
    dense.set_weights(current)
    return weights
