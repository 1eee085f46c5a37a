"""The spec graph: named nodes wired in topological order, shapes and costs inferred as built.

A `NetworkBuilder` is used like the Keras functional API, but every call returns the name of
the new node (a str) and infers its shape at once, so a configuration that cannot work fails
at the layer that breaks, with that layer's name in the message.

    b = NetworkBuilder("HappyModel")
    x = b.input((64, 64, 3))
    with b.block("stage1"):
        x = b.conv2d(x, 32, 7, name="conv0")
    net = b.build(x)
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterable, Sequence

from cnnexplorer.core.arch.kinds.activations import Activation
from cnnexplorer.core.arch.kinds.base import Layer, Shape
from cnnexplorer.core.arch.kinds.convolution import Conv2D
from cnnexplorer.core.arch.kinds.dense import Dense, Dropout
from cnnexplorer.core.arch.kinds.merging import Add, Concatenate
from cnnexplorer.core.arch.kinds.normalization import (
    BatchNormalization, LocalResponseNormalization,
)
from cnnexplorer.core.arch.kinds.pooling import (
    AveragePooling2D, GlobalAveragePooling2D, MaxPooling2D,
)
from cnnexplorer.core.arch.kinds.reshaping import Flatten, ZeroPadding2D
from cnnexplorer.core.arch.kinds.structure import Input
from cnnexplorer.core.errors import ConfigError, ShapeError
from cnnexplorer.core.formatting import shape_text


@dataclass(frozen=True)
class Node:
    """One layer in a network: its settings, wiring, block path, and inferred shape and cost."""

    name: str
    layer: Layer
    inputs: tuple[str, ...]
    block: str  # "/"-separated path, e.g. "stage2/res2a"; "" for the top level
    output_shape: Shape
    trainable_params: int
    non_trainable_params: int
    macs: int | None  # None: a kind whose cost is not counted

    @property
    def kind(self) -> str:
        return self.layer.kind

    @property
    def params(self) -> int:
        return self.trainable_params + self.non_trainable_params


@dataclass(frozen=True)
class Network:
    """A whole architecture as data: nodes in topological order, one input, named outputs."""

    name: str
    nodes: tuple[Node, ...]
    outputs: tuple[str, ...]

    def __post_init__(self):
        object.__setattr__(self, "_by_name", {n.name: n for n in self.nodes})

    def node(self, name: str) -> Node:
        try:
            return self._by_name[name]  # type: ignore[attr-defined]
        except KeyError:
            raise KeyError(f"no layer named {name!r} in {self.name}") from None

    def __contains__(self, name: str) -> bool:
        return name in self._by_name  # type: ignore[attr-defined]

    @property
    def inputs(self) -> tuple[Node, ...]:
        return tuple(n for n in self.nodes if n.kind == "Input")

    @property
    def input_shape(self) -> Shape:
        return self.inputs[0].output_shape

    @property
    def output_shapes(self) -> tuple[Shape, ...]:
        return tuple(self.node(o).output_shape for o in self.outputs)

    def consumers(self, name: str) -> list[Node]:
        return [n for n in self.nodes if name in n.inputs]


def _snake(kind: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z][a-z])", "_", kind).lower().replace("2_d", "2d")


class NetworkBuilder:
    """Builds a `Network` node by node; see the module docstring."""

    def __init__(self, name: str):
        self.name = name
        self._nodes: dict[str, Node] = {}
        self._block: list[str] = []
        self._counters: dict[str, int] = {}

    # -- core ------------------------------------------------------------------------------
    def shape(self, tensor: str) -> Shape:
        return self._nodes[tensor].output_shape

    @contextmanager
    def block(self, name: str):
        """Group the layers added inside into a block (nested blocks join with '/')."""
        self._block.append(name)
        try:
            yield
        finally:
            self._block.pop()

    def _auto_name(self, layer: Layer) -> str:
        base = _snake(layer.kind)
        while True:
            n = self._counters.get(base, 0)
            self._counters[base] = n + 1
            name = base if n == 0 else f"{base}_{n}"
            if name not in self._nodes:
                return name

    def free_name(self, name: str, prefix: str = "") -> str:
        """`name` if no node has it yet, else `prefix_name` (then `prefix_name_1`, ...): how
        both model importers keep the names of a nested model's layers apart from the outer
        model's (core.keras.importer from a live model, core.keras.config_network from its
        saved configuration)."""
        if name not in self._nodes:
            return name
        base = f"{prefix}_{name}" if prefix else name
        candidate, i = base, 1
        while candidate in self._nodes:
            candidate, i = f"{base}_{i}", i + 1
        return candidate

    def _new(self, cls: type[Layer], name: str | None, **settings) -> Layer:
        """Make a layer for a convenience method; a bad setting names the layer it was for."""
        try:
            return cls(**settings)
        except ConfigError as exc:
            raise type(exc)(f"layer {name or cls.kind!r} ({cls.kind}): {exc}") from None

    def add(self, layer: Layer, inputs: str | Sequence[str] = (), name: str | None = None) -> str:
        """Add a layer fed by `inputs` (node names); returns the new node's name."""
        inputs = (inputs,) if isinstance(inputs, str) else tuple(inputs)
        name = name or self._auto_name(layer)
        if name in self._nodes:
            raise ConfigError(f"two layers are named {name!r} in {self.name}")
        for i in inputs:
            if i not in self._nodes:
                raise ConfigError(f"layer {name!r} is fed by {i!r}, which does not exist")
        if layer.arity is not None and len(inputs) != layer.arity:
            raise ConfigError(f"layer {name!r} ({layer.kind}) takes {layer.arity} input(s); "
                              f"received {len(inputs)}")
        in_shapes = [self._nodes[i].output_shape for i in inputs]
        try:
            out = tuple(layer.output_shape(in_shapes))
            if any(d < 1 for d in out):
                raise ShapeError(f"output shape would be {shape_text(out)}")
            trainable, frozen = layer.params(in_shapes, out)
            macs = layer.macs(in_shapes, out)
        except ConfigError as exc:
            raise type(exc)(f"layer {name!r} ({layer.kind}): {exc}") from None
        self._nodes[name] = Node(name, layer, inputs, "/".join(self._block), out,
                                 trainable, frozen, macs)
        return name

    def build(self, outputs: str | Iterable[str]) -> Network:
        outputs = (outputs,) if isinstance(outputs, str) else tuple(outputs)
        return Network(self.name, tuple(self._nodes.values()), outputs)

    # -- conveniences mirroring Keras' layer names -----------------------------------------
    def input(self, shape: Sequence[int], name: str = "input") -> str:
        shape = tuple(shape)
        if not shape or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 1
                                for d in shape):
            raise ConfigError(f"input shape must be positive integers; received {shape!r}")
        return self.add(Input(shape=shape), (), name)

    def conv2d(self, x, filters, kernel_size, strides=1, padding="valid", name=None, **kw) -> str:
        return self.add(self._new(Conv2D, name, filters=filters, kernel_size=kernel_size,
                                   strides=strides, padding=padding, **kw), x, name)

    def batch_norm(self, x, name=None, **kw) -> str:
        return self.add(self._new(BatchNormalization, name, **kw), x, name)

    def activation(self, x, activation="relu", name=None) -> str:
        return self.add(self._new(Activation, name, activation=activation), x, name)

    def zero_pad(self, x, padding, name=None) -> str:
        return self.add(self._new(ZeroPadding2D, name, padding=padding), x, name)

    def max_pool(self, x, pool_size=2, strides=None, padding="valid", name=None) -> str:
        return self.add(self._new(MaxPooling2D, name, pool_size=pool_size, strides=strides,
                                  padding=padding),
                        x, name)

    def avg_pool(self, x, pool_size=2, strides=None, padding="valid", name=None) -> str:
        return self.add(self._new(AveragePooling2D, name, pool_size=pool_size,
                                  strides=strides, padding=padding), x, name)

    def global_avg_pool(self, x, name=None) -> str:
        return self.add(GlobalAveragePooling2D(), x, name)

    def flatten(self, x, name=None) -> str:
        return self.add(Flatten(), x, name)

    def dense(self, x, units, activation=None, name=None, **kw) -> str:
        return self.add(self._new(Dense, name, units=units, activation=activation, **kw),
                        x, name)

    def dropout(self, x, rate, name=None) -> str:
        return self.add(self._new(Dropout, name, rate=rate), x, name)

    def lrn(self, x, name=None, **kw) -> str:
        return self.add(self._new(LocalResponseNormalization, name, **kw), x, name)

    def add_(self, xs: Sequence[str], name=None) -> str:
        return self.add(Add(), xs, name)

    def concat(self, xs: Sequence[str], axis=-1, name=None) -> str:
        return self.add(self._new(Concatenate, name, axis=axis), xs, name)

    def classifier(self, x, classes: int | None, name: str) -> str:
        """The output layer: one sigmoid unit for a binary task, else a softmax over classes.

        `classes` is an entry's `cfg.classes`, None only for an entry without a classifier,
        which has no business calling this.
        """
        if classes is None:
            raise ConfigError(f"{name}: a classifier needs a number of classes")
        if classes == 1:
            return self.dense(x, 1, activation="sigmoid", name=name)
        return self.dense(x, classes, activation="softmax", name=name)
