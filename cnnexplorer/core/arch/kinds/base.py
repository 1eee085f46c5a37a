"""What every layer kind is: the `Layer` base class and the checks its kinds share.

A kind is a small frozen dataclass holding a layer's settings (never its name or wiring, which
live in the graph's `Node`). It answers, from its input shapes, the output shape, the parameter
count (trainable, non-trainable, counted the way Keras counts them) and the multiply-accumulates
(MACs) of one forward pass for one image; and it translates itself to and from Keras.

Shapes never include the batch axis: `(H, W, C)` for images, `(N,)` for vectors.

Counting convention (shown in the UI and docs/costs.md): convolutions and Dense count their
multiplies (the bias adds are ignored); everything element-wise (BatchNorm, activations,
pooling, Add, Concatenate ...) costs 0 MACs. One MAC is one multiply plus one add;
FLOPs = 2 x MACs.

Keras is never imported here: `to_keras` receives the imported `keras` module from
`core/keras/build.py`, and `from_keras` reads the plain dict of `layer.get_config()`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any, ClassVar

from cnnexplorer.core.errors import ConfigError, ShapeError
from cnnexplorer.core.formatting import shape_text

Shape = tuple[int, ...]

ACTIVATIONS = ("linear", "relu", "relu6", "tanh", "sigmoid", "softmax", "elu", "selu", "swish",
               "gelu", "hard_sigmoid", "softplus", "leaky_relu")


@dataclass(frozen=True)
class SlidingWindow:
    """How a layer widens what one of its output positions sees of the network's input.

    The receptive-field recurrence (Araujo et al., "Computing Receptive Fields of Convolutional
    Neural Networks", Distill 2019) needs, per axis, the layer's kernel size f, stride s and
    dilation d: r_out = r_in + (d * (f - 1)) * j_in and j_out = j_in * s. `whole` marks a
    layer whose every output depends on every input position (global pooling, Flatten).
    """

    kernel: tuple[int, int] = (1, 1)
    stride: tuple[int, int] = (1, 1)
    dilation: tuple[int, int] = (1, 1)
    whole: bool = False


#: element-wise layers (BatchNorm, activations, Add ...): each output sees one position
POINTWISE = SlidingWindow()
#: layers that mix every position: each output sees the whole input
WHOLE = SlidingWindow(whole=True)


class Untranslated(Exception):
    """A Keras layer setting a kind does not model: the importer keeps that layer as Opaque."""


@dataclass(frozen=True, kw_only=True)
class Layer:
    """Base of every layer kind. A kind overrides the questions whose default does not fit."""

    #: the stable registered ID written in spec files ("conv2d"); never changes once shipped
    kind_id: ClassVar[str] = ""
    #: the name shown in tables and diagrams, the Keras class name as a rule ("Conv2D")
    kind: ClassVar[str] = "Layer"
    #: Keras class names that import as this kind (`from_keras` reads their config)
    keras_classes: ClassVar[tuple[str, ...]] = ()
    #: number of inputs; None means two or more
    arity: ClassVar[int | None] = 1

    # -- shape and cost ------------------------------------------------------------------------
    def output_shape(self, inputs: list[Shape]) -> Shape:
        return inputs[0]

    def params(self, inputs: list[Shape], output: Shape) -> tuple[int, int]:
        """(trainable, non_trainable) parameters."""
        return 0, 0

    def macs(self, inputs: list[Shape], output: Shape) -> int | None:
        """Multiply-accumulates for one image; None when this kind's cost is not counted."""
        return 0

    def receptive_window(self) -> SlidingWindow | None:
        """The window this layer slides over its input, for receptive fields; None for a
        kind whose effect on them is not modelled (the field is then unknown downstream)."""
        return POINTWISE

    def settings(self) -> dict:
        """The layer's settings as plain data (for JSON, tables and the diagram)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def summary(self) -> str:
        """A few words on the key settings, e.g. '7x7/2, 64' for a strided conv."""
        return ""

    # -- Keras, both ways ----------------------------------------------------------------------
    def to_keras(self, keras, name: str):
        """This layer as a Keras layer called `name` (`keras` is the imported module)."""
        raise ConfigError(f"layer {name!r}: no Keras translation for kind {self.kind!r}")

    @classmethod
    def from_keras(cls, config: dict[str, Any], input_shapes: list[Shape]) -> Layer:
        """The kind for a Keras layer of one of `keras_classes`, from its `get_config()`.

        Raises Untranslated (or KeyError/TypeError/ValueError on an unexpected config) for a
        setting the kind does not model; the importer then keeps the layer as Opaque.
        """
        raise Untranslated(f"{cls.kind} is not read from Keras")


# -- checks the kinds share ----------------------------------------------------------------------
def pair(value, what: str) -> tuple[int, int]:
    """Accept 3 or (3, 3) the way Keras does; reject anything else with the value received."""
    if isinstance(value, int) and not isinstance(value, bool):
        both = (value, value)
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        both = (value[0], value[1])
    else:
        raise ConfigError(f"{what} must be an integer or a pair of integers; received {value!r}")
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in both):
        raise ConfigError(f"{what} must be positive integers; received {value!r}")
    return both


def check_padding(value: str) -> str:
    if value not in ("valid", "same"):
        raise ConfigError(f"padding must be 'valid' or 'same'; received {value!r}")
    return value


def check_activation(value: str | None) -> str | None:
    if value is not None and value not in ACTIVATIONS:
        raise ConfigError(f"unknown activation {value!r}; known: {', '.join(ACTIVATIONS)}")
    return value


def carry_activation(layer: Layer, activation: str | None) -> Layer:
    """Set an activation the core's list does not know (an imported 'hard_swish') on `layer`.

    The core validates activations against a short list for its own zoo; an imported model may
    use any Keras activation. It costs 0 MACs either way, so the name is only carried along.
    """
    object.__setattr__(layer, "activation", activation)
    return layer


def expect_rank(shape: Shape, rank: int, kind: str) -> None:
    if len(shape) != rank:
        what = "an image (H x W x C)" if rank == 3 else f"a rank-{rank} tensor"
        raise ShapeError(f"{kind} needs {what}; received shape {shape_text(shape)}")


def window_output(size: int, window: int, stride: int, padding: str, dilation: int = 1) -> int:
    """Output length of a sliding window, Keras' rule: same -> ceil(n/s), valid -> floor."""
    if padding == "same":
        return math.ceil(size / stride)
    effective = (window - 1) * dilation + 1
    if size < effective:
        return 0
    return (size - effective) // stride + 1


# -- reading a Keras config (plain dicts: no Keras needed) ---------------------------------------
def config_activation(config: dict) -> str | None:
    """The activation a Keras config names, None for linear; 'silu' read as 'swish'."""
    act = config.get("activation")
    if isinstance(act, dict):  # a serialized activation object
        act = act.get("config", {}).get("name") or act.get("class_name")
    if not isinstance(act, str) or act == "linear":
        return None
    return "swish" if act == "silu" else act  # Keras' swish is silu under a second name


def known_activation(act: str | None) -> str | None:
    """`act` when the core's list knows it, else None (to be carried after construction)."""
    return act if act is None or act in ACTIVATIONS else None


def with_config_activation(layer: Layer, config: dict) -> Layer:
    """Carry the config's activation onto `layer` when the core's list does not know it."""
    act = config_activation(config)
    if act is not None and act not in ACTIVATIONS:
        carry_activation(layer, act)
    return layer


def require_channels_last(config: dict) -> None:
    if config.get("data_format", "channels_last") != "channels_last":
        raise Untranslated("channels_first")


def require_last_axis(config: dict, input_shapes: list[Shape], key: str = "axis") -> None:
    """The kinds normalise over the channels (last axis) only, as Keras' defaults do."""
    axis = config.get(key, -1)
    if isinstance(axis, (list, tuple)):
        if len(axis) != 1:
            raise Untranslated("several axes")
        axis = axis[0]
    rank = len(input_shapes[0]) + 1  # Keras' axis counts the batch
    if axis not in (-1, rank - 1):
        raise Untranslated(f"axis {axis}")
