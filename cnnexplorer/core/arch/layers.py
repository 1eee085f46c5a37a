"""Declarative layer kinds: shape inference and cost, in plain Python.

Each kind is a small frozen dataclass holding the layer's settings (never its name or wiring,
which live in the graph's `Node`). A kind answers three questions from its input shapes:
the output shape, the parameter count (trainable, non-trainable, counted the way Keras counts
them) and the multiply-accumulates (MACs) of one forward pass for one image.

Shapes never include the batch axis: `(H, W, C)` for images, `(N,)` for vectors.

Counting convention (shown in the UI and docs):
  Conv2D  k_h * k_w * (C_in / groups) * C_out * H_out * W_out MACs; the bias adds are ignored.
  Dense   in * out MACs; the bias adds are ignored.
  Everything else (BatchNorm, activations, pooling, Add, Concatenate ...) costs 0 MACs.
One MAC is one multiply plus one add; FLOPs = 2 x MACs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import ClassVar

from cnnexplorer.core.errors import ConfigError, ShapeError

Shape = tuple[int, ...]

ACTIVATIONS = ("linear", "relu", "relu6", "tanh", "sigmoid", "softmax", "elu", "selu", "swish",
               "gelu", "hard_sigmoid", "softplus", "leaky_relu")


def _pair(value, what: str) -> tuple[int, int]:
    """Accept 3 or (3, 3) the way Keras does; reject anything else with the value received."""
    if isinstance(value, int) and not isinstance(value, bool):
        pair = (value, value)
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        pair = (value[0], value[1])
    else:
        raise ConfigError(f"{what} must be an integer or a pair of integers; received {value!r}")
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in pair):
        raise ConfigError(f"{what} must be positive integers; received {value!r}")
    return pair


def _padding(value: str) -> str:
    if value not in ("valid", "same"):
        raise ConfigError(f"padding must be 'valid' or 'same'; received {value!r}")
    return value


def _activation(value: str | None) -> str | None:
    if value is not None and value not in ACTIVATIONS:
        raise ConfigError(f"unknown activation {value!r}; known: {', '.join(ACTIVATIONS)}")
    return value


def _fmt(shape: Shape) -> str:
    return "x".join(str(d) for d in shape)


def _expect_rank(shape: Shape, rank: int, kind: str) -> None:
    if len(shape) != rank:
        what = "an image (H x W x C)" if rank == 3 else f"a rank-{rank} tensor"
        raise ShapeError(f"{kind} needs {what}; received shape {_fmt(shape)}")


def window_output(size: int, window: int, stride: int, padding: str, dilation: int = 1) -> int:
    """Output length of a sliding window, Keras' rule: same -> ceil(n/s), valid -> floor."""
    if padding == "same":
        return math.ceil(size / stride)
    effective = (window - 1) * dilation + 1
    if size < effective:
        return 0
    return (size - effective) // stride + 1


@dataclass(frozen=True, kw_only=True)
class Layer:
    """Base of every layer kind. Subclasses override the three questions they answer."""

    kind: ClassVar[str] = "Layer"
    arity: ClassVar[int | None] = 1  # number of inputs; None means two or more

    def output_shape(self, inputs: list[Shape]) -> Shape:
        return inputs[0]

    def params(self, inputs: list[Shape], output: Shape) -> tuple[int, int]:
        """(trainable, non_trainable) parameters."""
        return 0, 0

    def macs(self, inputs: list[Shape], output: Shape) -> int | None:
        """Multiply-accumulates for one image; None when this kind's cost is not counted."""
        return 0

    def settings(self) -> dict:
        """The layer's settings as plain data (for JSON, tables and the diagram)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def summary(self) -> str:
        """A few words on the key settings, e.g. '7x7/2, 64' for a strided conv."""
        return ""


@dataclass(frozen=True, kw_only=True)
class Input(Layer):
    kind: ClassVar[str] = "Input"
    arity: ClassVar[int | None] = 0
    shape: Shape

    def __post_init__(self):
        if not self.shape or not all(isinstance(d, int) and d >= 1 for d in self.shape):
            raise ConfigError(f"input shape must be positive integers; received {self.shape!r}")

    def output_shape(self, inputs):
        return tuple(self.shape)

    def summary(self):
        return _fmt(self.shape)


@dataclass(frozen=True, kw_only=True)
class ZeroPadding2D(Layer):
    kind: ClassVar[str] = "ZeroPadding2D"
    padding: tuple[tuple[int, int], tuple[int, int]] = ((1, 1), (1, 1))

    def __post_init__(self):
        pad = self.padding
        if isinstance(pad, int):
            pad = ((pad, pad), (pad, pad))
        elif isinstance(pad, (tuple, list)) and len(pad) == 2 and all(isinstance(p, int) for p in pad):
            pad = ((pad[0], pad[0]), (pad[1], pad[1]))
        else:
            pad = tuple(tuple(p) for p in pad)
        if len(pad) != 2 or any(len(p) != 2 or min(p) < 0 for p in pad):
            raise ConfigError(f"ZeroPadding2D padding must be non-negative; received {self.padding!r}")
        object.__setattr__(self, "padding", pad)

    def output_shape(self, inputs):
        _expect_rank(inputs[0], 3, self.kind)
        h, w, c = inputs[0]
        (t, b), (l, r) = self.padding
        return (h + t + b, w + l + r, c)

    def summary(self):
        (t, b), (l, r) = self.padding
        return f"pad {t}" if len({t, b, l, r}) == 1 else f"pad {t},{b},{l},{r}"


@dataclass(frozen=True, kw_only=True)
class Conv2D(Layer):
    kind: ClassVar[str] = "Conv2D"
    filters: int
    kernel_size: tuple[int, int] = (3, 3)
    strides: tuple[int, int] = (1, 1)
    padding: str = "valid"
    groups: int = 1
    dilation_rate: tuple[int, int] = (1, 1)
    use_bias: bool = True
    activation: str | None = None

    def __post_init__(self):
        object.__setattr__(self, "kernel_size", _pair(self.kernel_size, "kernel_size"))
        object.__setattr__(self, "strides", _pair(self.strides, "strides"))
        object.__setattr__(self, "dilation_rate", _pair(self.dilation_rate, "dilation_rate"))
        _padding(self.padding)
        _activation(self.activation)
        if not isinstance(self.filters, int) or self.filters < 1:
            raise ConfigError(f"Conv2D filters must be a positive integer; received {self.filters!r}")
        if not isinstance(self.groups, int) or self.groups < 1 or self.filters % self.groups:
            raise ConfigError(
                f"Conv2D groups must divide filters ({self.filters}); received groups={self.groups!r}")

    def output_shape(self, inputs):
        _expect_rank(inputs[0], 3, self.kind)
        h, w, c = inputs[0]
        if c % self.groups:
            raise ShapeError(f"Conv2D groups={self.groups} must divide the input channels ({c})")
        kh, kw = self.kernel_size
        oh = window_output(h, kh, self.strides[0], self.padding, self.dilation_rate[0])
        ow = window_output(w, kw, self.strides[1], self.padding, self.dilation_rate[1])
        if oh < 1 or ow < 1:
            raise ShapeError(f"input {_fmt(inputs[0])} is too small for a {kh}x{kw} kernel "
                             f"with '{self.padding}' padding")
        return (oh, ow, self.filters)

    def params(self, inputs, output):
        c_in = inputs[0][2]
        kh, kw = self.kernel_size
        weights = kh * kw * (c_in // self.groups) * self.filters
        return weights + (self.filters if self.use_bias else 0), 0

    def macs(self, inputs, output):
        kh, kw = self.kernel_size
        oh, ow, c_out = output
        return kh * kw * (inputs[0][2] // self.groups) * c_out * oh * ow

    def summary(self):
        kh, kw = self.kernel_size
        s = f"/{self.strides[0]}" if self.strides != (1, 1) else ""
        g = f", g{self.groups}" if self.groups > 1 else ""
        same = ", same" if self.padding == "same" and (kh > 1 or kw > 1) else ""
        act = f", {self.activation}" if self.activation not in (None, "linear") else ""
        return f"{kh}x{kw}{s}, {self.filters}{g}{same}{act}"


@dataclass(frozen=True, kw_only=True)
class BatchNormalization(Layer):
    """Keras keeps gamma/beta trainable and the moving mean/variance as non-trainable params."""

    kind: ClassVar[str] = "BatchNormalization"
    center: bool = True
    scale: bool = True
    epsilon: float = 1e-3
    momentum: float = 0.99

    def params(self, inputs, output):
        c = inputs[0][-1]
        return c * (int(self.center) + int(self.scale)), 2 * c

    def summary(self):
        return "BN"


@dataclass(frozen=True, kw_only=True)
class Activation(Layer):
    kind: ClassVar[str] = "Activation"
    activation: str = "relu"

    def __post_init__(self):
        _activation(self.activation)

    def summary(self):
        return self.activation


@dataclass(frozen=True, kw_only=True)
class _Pool2D(Layer):
    pool_size: tuple[int, int] = (2, 2)
    strides: tuple[int, int] | None = None  # None means the pool size, as in Keras
    padding: str = "valid"

    def __post_init__(self):
        object.__setattr__(self, "pool_size", _pair(self.pool_size, "pool_size"))
        strides = self.pool_size if self.strides is None else _pair(self.strides, "strides")
        object.__setattr__(self, "strides", strides)
        _padding(self.padding)

    def output_shape(self, inputs):
        _expect_rank(inputs[0], 3, self.kind)
        h, w, c = inputs[0]
        ph, pw = self.pool_size
        oh = window_output(h, ph, self.strides[0], self.padding)
        ow = window_output(w, pw, self.strides[1], self.padding)
        if oh < 1 or ow < 1:
            raise ShapeError(f"input {_fmt(inputs[0])} is too small for a {ph}x{pw} pool")
        return (oh, ow, c)

    def summary(self):
        ph, pw = self.pool_size
        s = f"/{self.strides[0]}" if self.strides != self.pool_size else ""
        return f"{ph}x{pw}{s}"


@dataclass(frozen=True, kw_only=True)
class MaxPooling2D(_Pool2D):
    kind: ClassVar[str] = "MaxPooling2D"


@dataclass(frozen=True, kw_only=True)
class AveragePooling2D(_Pool2D):
    kind: ClassVar[str] = "AveragePooling2D"


@dataclass(frozen=True, kw_only=True)
class GlobalAveragePooling2D(Layer):
    kind: ClassVar[str] = "GlobalAveragePooling2D"

    def output_shape(self, inputs):
        _expect_rank(inputs[0], 3, self.kind)
        return (inputs[0][2],)


@dataclass(frozen=True, kw_only=True)
class GlobalMaxPooling2D(GlobalAveragePooling2D):
    kind: ClassVar[str] = "GlobalMaxPooling2D"


@dataclass(frozen=True, kw_only=True)
class Flatten(Layer):
    kind: ClassVar[str] = "Flatten"

    def output_shape(self, inputs):
        return (math.prod(inputs[0]),)


@dataclass(frozen=True, kw_only=True)
class Dense(Layer):
    kind: ClassVar[str] = "Dense"
    units: int
    activation: str | None = None
    use_bias: bool = True

    def __post_init__(self):
        _activation(self.activation)
        if not isinstance(self.units, int) or self.units < 1:
            raise ConfigError(f"Dense units must be a positive integer; received {self.units!r}")

    def output_shape(self, inputs):
        return tuple(inputs[0][:-1]) + (self.units,)

    def params(self, inputs, output):
        return inputs[0][-1] * self.units + (self.units if self.use_bias else 0), 0

    def macs(self, inputs, output):
        # A Dense on a rank-3 tensor applies to every position, like a 1x1 conv.
        return math.prod(inputs[0]) * self.units

    def summary(self):
        act = f", {self.activation}" if self.activation not in (None, "linear") else ""
        return f"{self.units}{act}"


@dataclass(frozen=True, kw_only=True)
class Dropout(Layer):
    kind: ClassVar[str] = "Dropout"
    rate: float = 0.5

    def __post_init__(self):
        if not 0 <= self.rate < 1:
            raise ConfigError(f"Dropout rate must be in [0, 1); received {self.rate!r}")

    def summary(self):
        return f"p={self.rate:g}"


@dataclass(frozen=True, kw_only=True)
class LocalResponseNormalization(Layer):
    """AlexNet's LRN (k=2, n=5, alpha=1e-4, beta=0.75); no parameters."""

    kind: ClassVar[str] = "LocalResponseNormalization"
    depth_radius: int = 2
    bias: float = 2.0
    alpha: float = 1e-4
    beta: float = 0.75

    def summary(self):
        return f"LRN n={2 * self.depth_radius + 1}"


@dataclass(frozen=True, kw_only=True)
class _Merge(Layer):
    arity: ClassVar[int | None] = None

    def output_shape(self, inputs):
        if len(inputs) < 2:
            raise ShapeError(f"{self.kind} needs at least two inputs; received {len(inputs)}")
        if any(s != inputs[0] for s in inputs[1:]):
            raise ShapeError(f"{self.kind} needs inputs of one shape; received "
                             + ", ".join(_fmt(s) for s in inputs))
        return inputs[0]


@dataclass(frozen=True, kw_only=True)
class Add(_Merge):
    kind: ClassVar[str] = "Add"


@dataclass(frozen=True, kw_only=True)
class Multiply(_Merge):
    kind: ClassVar[str] = "Multiply"


@dataclass(frozen=True, kw_only=True)
class Concatenate(Layer):
    kind: ClassVar[str] = "Concatenate"
    arity: ClassVar[int | None] = None
    axis: int = -1

    def output_shape(self, inputs):
        if len(inputs) < 2:
            raise ShapeError(f"Concatenate needs at least two inputs; received {len(inputs)}")
        rank = len(inputs[0])
        if self.axis == 0:
            raise ShapeError("Concatenate axis 0 is the batch axis; join along -1 (channels) "
                             "or 1..rank")
        axis = self.axis if self.axis < 0 else self.axis - 1  # Keras' axis counts the batch
        if not -rank <= axis < rank:
            raise ShapeError(f"Concatenate axis {self.axis} is out of range for rank {rank}")
        axis %= rank
        for s in inputs[1:]:
            if len(s) != rank or any(a != b for i, (a, b) in enumerate(zip(s, inputs[0])) if i != axis):
                raise ShapeError("Concatenate inputs differ outside the joined axis: "
                                 + ", ".join(_fmt(s) for s in inputs))
        out = list(inputs[0])
        out[axis] = sum(s[axis] for s in inputs)
        return tuple(out)

    def summary(self):
        return "concat"


@dataclass(frozen=True, kw_only=True)
class Opaque(Layer):
    """A layer kind the core does not model (e.g. a user's custom layer from an imported file).

    Its output shape and parameters come from where it was read; its MACs are not counted
    (None), which marks every total that includes it as a lower bound.
    """

    kind: ClassVar[str] = "Opaque"
    arity: ClassVar[int | None] = None
    class_name: str
    shape: Shape
    trainable: int = 0
    non_trainable: int = 0

    def output_shape(self, inputs):
        return tuple(self.shape)

    def params(self, inputs, output):
        return self.trainable, self.non_trainable

    def macs(self, inputs, output):
        return None

    def summary(self):
        return self.class_name


LAYER_KINDS: dict[str, type[Layer]] = {
    cls.kind: cls
    for cls in (Input, ZeroPadding2D, Conv2D, BatchNormalization, Activation, MaxPooling2D,
                AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D, Flatten, Dense,
                Dropout, LocalResponseNormalization, Add, Multiply, Concatenate, Opaque)
}


def register_kind(cls: type[Layer]) -> type[Layer]:
    """Register an extra layer kind (used by modules that add kinds, e.g. the Keras importer)."""
    LAYER_KINDS[cls.kind] = cls
    return cls

