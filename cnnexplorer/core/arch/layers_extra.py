"""Layer kinds beyond the zoo's, met in imported Keras models and keras.applications.

Registered with `layers.register_kind` (for the spec) and `keras_build.register_translation`
(so an imported spec builds back into the same Keras model). Same conventions as `layers.py`:
shapes without the batch axis, params counted the way Keras counts them, MACs for one image.

Counting:
  DepthwiseConv2D  k_h*k_w*C_in*depth_multiplier*H_out*W_out
  SeparableConv2D  the depthwise part above + the pointwise 1x1: C_in*dm*filters*H_out*W_out
  Conv2DTranspose  k_h*k_w*C_in*filters*H_in*W_in (every input pixel scatters a kernel)
  Rescaling, Normalization, ReLU, Reshape, Cropping, UpSampling, element-wise merges: 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from cnnexplorer.core.arch import layers as L
from cnnexplorer.core.errors import ConfigError, ShapeError
from cnnexplorer.core.keras.build import register_translation

Shape = L.Shape


def _fmt(shape) -> str:
    return "x".join(str(d) for d in shape)


def _set_activation(layer: L.Layer, activation: str | None) -> None:
    """Keep a Keras activation name the core's list does not know (e.g. 'hard_swish').

    The core validates activations against a short list for its own zoo; an imported model may
    use any Keras activation. It costs 0 MACs either way, so the name is only carried along.
    """
    object.__setattr__(layer, "activation", activation)


@dataclass(frozen=True, kw_only=True)
class DepthwiseConv2D(L.Layer):
    kind: ClassVar[str] = "DepthwiseConv2D"
    kernel_size: tuple[int, int] = (3, 3)
    strides: tuple[int, int] = (1, 1)
    padding: str = "valid"
    depth_multiplier: int = 1
    dilation_rate: tuple[int, int] = (1, 1)
    use_bias: bool = True
    activation: str | None = None

    def __post_init__(self):
        object.__setattr__(self, "kernel_size", L._pair(self.kernel_size, "kernel_size"))
        object.__setattr__(self, "strides", L._pair(self.strides, "strides"))
        object.__setattr__(self, "dilation_rate", L._pair(self.dilation_rate, "dilation_rate"))
        L._padding(self.padding)
        if not isinstance(self.depth_multiplier, int) or self.depth_multiplier < 1:
            raise ConfigError(f"{self.kind} depth_multiplier must be a positive integer; "
                              f"received {self.depth_multiplier!r}")

    def _spatial(self, shape: Shape) -> tuple[int, int]:
        L._expect_rank(shape, 3, self.kind)
        h, w, _ = shape
        kh, kw = self.kernel_size
        oh = L.window_output(h, kh, self.strides[0], self.padding, self.dilation_rate[0])
        ow = L.window_output(w, kw, self.strides[1], self.padding, self.dilation_rate[1])
        if oh < 1 or ow < 1:
            raise ShapeError(f"input {_fmt(shape)} is too small for a {kh}x{kw} kernel "
                             f"with '{self.padding}' padding")
        return oh, ow

    def output_shape(self, inputs):
        oh, ow = self._spatial(inputs[0])
        return (oh, ow, inputs[0][2] * self.depth_multiplier)

    def _depthwise_weights(self, c_in: int) -> int:
        kh, kw = self.kernel_size
        return kh * kw * c_in * self.depth_multiplier

    def params(self, inputs, output):
        c_in = inputs[0][2]
        bias = c_in * self.depth_multiplier if self.use_bias else 0
        return self._depthwise_weights(c_in) + bias, 0

    def macs(self, inputs, output):
        oh, ow, _ = output
        return self._depthwise_weights(inputs[0][2]) * oh * ow

    def summary(self):
        kh, kw = self.kernel_size
        s = f"/{self.strides[0]}" if self.strides != (1, 1) else ""
        dm = f", x{self.depth_multiplier}" if self.depth_multiplier > 1 else ""
        return f"dw {kh}x{kw}{s}{dm}"


@dataclass(frozen=True, kw_only=True)
class SeparableConv2D(DepthwiseConv2D):
    """Depthwise k x k per channel, then a pointwise 1x1 to `filters` (Xception)."""

    kind: ClassVar[str] = "SeparableConv2D"
    filters: int = 1

    def __post_init__(self):
        super().__post_init__()
        if not isinstance(self.filters, int) or self.filters < 1:
            raise ConfigError(f"SeparableConv2D filters must be a positive integer; "
                              f"received {self.filters!r}")

    def output_shape(self, inputs):
        oh, ow = self._spatial(inputs[0])
        return (oh, ow, self.filters)

    def params(self, inputs, output):
        c_in = inputs[0][2]
        pointwise = c_in * self.depth_multiplier * self.filters
        return (self._depthwise_weights(c_in) + pointwise
                + (self.filters if self.use_bias else 0)), 0

    def macs(self, inputs, output):
        oh, ow, _ = output
        c_in = inputs[0][2]
        pointwise = c_in * self.depth_multiplier * self.filters
        return (self._depthwise_weights(c_in) + pointwise) * oh * ow

    def summary(self):
        kh, kw = self.kernel_size
        s = f"/{self.strides[0]}" if self.strides != (1, 1) else ""
        return f"sep {kh}x{kw}{s}, {self.filters}"


@dataclass(frozen=True, kw_only=True)
class Conv2DTranspose(L.Layer):
    kind: ClassVar[str] = "Conv2DTranspose"
    filters: int = 1
    kernel_size: tuple[int, int] = (3, 3)
    strides: tuple[int, int] = (1, 1)
    padding: str = "valid"
    use_bias: bool = True
    activation: str | None = None

    def __post_init__(self):
        object.__setattr__(self, "kernel_size", L._pair(self.kernel_size, "kernel_size"))
        object.__setattr__(self, "strides", L._pair(self.strides, "strides"))
        L._padding(self.padding)

    def output_shape(self, inputs):
        L._expect_rank(inputs[0], 3, self.kind)
        h, w, _ = inputs[0]
        out = []
        for n, k, s in ((h, self.kernel_size[0], self.strides[0]),
                        (w, self.kernel_size[1], self.strides[1])):
            out.append(n * s if self.padding == "same" else (n - 1) * s + max(k, s))
        return (out[0], out[1], self.filters)

    def params(self, inputs, output):
        kh, kw = self.kernel_size
        return kh * kw * inputs[0][2] * self.filters + (self.filters if self.use_bias else 0), 0

    def macs(self, inputs, output):
        kh, kw = self.kernel_size
        h, w, c = inputs[0]
        return kh * kw * c * self.filters * h * w

    def summary(self):
        kh, kw = self.kernel_size
        return f"up {kh}x{kw}/{self.strides[0]}, {self.filters}"


@dataclass(frozen=True, kw_only=True)
class Rescaling(L.Layer):
    kind: ClassVar[str] = "Rescaling"
    scale: float | tuple = 1.0
    offset: float | tuple = 0.0

    def summary(self):
        scale = f"{self.scale:.4g}" if isinstance(self.scale, float) else "per-channel"
        return f"x{scale}" + (f" +{self.offset:g}" if isinstance(self.offset, float)
                              and self.offset else "")


@dataclass(frozen=True, kw_only=True)
class Normalization(L.Layer):
    """(x - mean) / sqrt(variance); Keras stores mean, variance and a count as
    non-trainable weights when they are adapted rather than given."""

    kind: ClassVar[str] = "Normalization"
    axis: tuple[int, ...] = (-1,)
    stored_stats: bool = True
    invert: bool = False

    def params(self, inputs, output):
        if not self.stored_stats:
            return 0, 0
        shape = inputs[0]
        kept = 1
        for a in self.axis:
            a = a - 1 if a > 0 else a  # Keras' axis counts the batch
            kept *= shape[a]
        return 0, 2 * kept + 1

    def summary(self):
        return "denormalize" if self.invert else "(x-mean)/std"


@dataclass(frozen=True, kw_only=True)
class ReLU(L.Layer):
    kind: ClassVar[str] = "ReLU"
    max_value: float | None = None
    negative_slope: float = 0.0
    threshold: float = 0.0

    def summary(self):
        if self.max_value is not None:
            return f"ReLU{self.max_value:g}" if float(self.max_value).is_integer() \
                else f"min(max(x,0),{self.max_value:g})"
        return "leaky" if self.negative_slope else "relu"


@dataclass(frozen=True, kw_only=True)
class LeakyReLU(L.Layer):
    kind: ClassVar[str] = "LeakyReLU"
    negative_slope: float = 0.3

    def summary(self):
        return f"slope {self.negative_slope:g}"


@dataclass(frozen=True, kw_only=True)
class Softmax(L.Layer):
    kind: ClassVar[str] = "Softmax"
    axis: int = -1

    def summary(self):
        return "softmax"


@dataclass(frozen=True, kw_only=True)
class LayerNormalization(L.Layer):
    kind: ClassVar[str] = "LayerNormalization"
    center: bool = True
    scale: bool = True
    epsilon: float = 1e-3

    def params(self, inputs, output):
        c = inputs[0][-1]
        return c * (int(self.center) + int(self.scale)), 0

    def summary(self):
        return "LN"


@dataclass(frozen=True, kw_only=True)
class Reshape(L.Layer):
    kind: ClassVar[str] = "Reshape"
    target_shape: tuple[int, ...] = ()

    def output_shape(self, inputs):
        total = math.prod(inputs[0])
        target = list(self.target_shape)
        unknown = [i for i, d in enumerate(target) if d == -1]
        known = math.prod(d for d in target if d != -1)
        if len(unknown) > 1 or known < 1:
            raise ShapeError(f"Reshape target {self.target_shape!r} is not a valid shape")
        if unknown:
            if total % known:
                raise ShapeError(f"cannot reshape {_fmt(inputs[0])} to {self.target_shape!r}")
            target[unknown[0]] = total // known
        if math.prod(target) != total:
            raise ShapeError(f"cannot reshape {_fmt(inputs[0])} ({total} values) to "
                             f"{_fmt(target)}")
        return tuple(target)

    def summary(self):
        return "-> " + _fmt(self.target_shape)


@dataclass(frozen=True, kw_only=True)
class Cropping2D(L.Layer):
    kind: ClassVar[str] = "Cropping2D"
    cropping: tuple[tuple[int, int], tuple[int, int]] = ((0, 0), (0, 0))

    def output_shape(self, inputs):
        L._expect_rank(inputs[0], 3, self.kind)
        h, w, c = inputs[0]
        (t, b), (l, r) = self.cropping
        if h - t - b < 1 or w - l - r < 1:
            raise ShapeError(f"cropping {self.cropping!r} removes all of {_fmt(inputs[0])}")
        return (h - t - b, w - l - r, c)

    def summary(self):
        (t, b), (l, r) = self.cropping
        return f"crop {t},{b},{l},{r}"


@dataclass(frozen=True, kw_only=True)
class UpSampling2D(L.Layer):
    kind: ClassVar[str] = "UpSampling2D"
    size: tuple[int, int] = (2, 2)
    interpolation: str = "nearest"

    def __post_init__(self):
        object.__setattr__(self, "size", L._pair(self.size, "size"))

    def output_shape(self, inputs):
        L._expect_rank(inputs[0], 3, self.kind)
        h, w, c = inputs[0]
        return (h * self.size[0], w * self.size[1], c)

    def summary(self):
        return f"x{self.size[0]} {self.interpolation}"


@dataclass(frozen=True, kw_only=True)
class GlobalAveragePooling2D(L.GlobalAveragePooling2D):
    """Keras' global pool with `keepdims` (MobileNet keeps 1x1xC before its 1x1 conv head)."""

    keepdims: bool = False

    def output_shape(self, inputs):
        L._expect_rank(inputs[0], 3, self.kind)
        return (1, 1, inputs[0][2]) if self.keepdims else (inputs[0][2],)

    def summary(self):
        return "keepdims" if self.keepdims else ""


@dataclass(frozen=True, kw_only=True)
class GlobalMaxPooling2D(GlobalAveragePooling2D):
    kind: ClassVar[str] = "GlobalMaxPooling2D"


def broadcast_shapes(kind: str, inputs: list[Shape]) -> Shape:
    """NumPy broadcasting of the inputs' shapes, as Keras' merge layers do it."""
    if len(inputs) < 2:
        raise ShapeError(f"{kind} needs at least two inputs; received {len(inputs)}")
    rank = max(len(s) for s in inputs)
    out = [1] * rank
    for s in inputs:
        padded = (1,) * (rank - len(s)) + tuple(s)
        for i, d in enumerate(padded):
            if d != 1 and out[i] != 1 and d != out[i]:
                raise ShapeError(f"{kind} inputs cannot be broadcast together: "
                                 + ", ".join(_fmt(x) for x in inputs))
            out[i] = max(out[i], d)
    return tuple(out)


def _merge(name: str, base: type[L.Layer] = L.Layer) -> type[L.Layer]:
    """An element-wise merge kind that broadcasts (squeeze-and-excitation: HxWxC * 1x1xC)."""

    def output_shape(self, inputs):
        return broadcast_shapes(self.kind, inputs)

    cls = type(name, (base,), {"__annotations__": {}, "kind": name, "arity": None,
                               "output_shape": output_shape, "__module__": __name__,
                               "__qualname__": name})
    return dataclass(frozen=True, kw_only=True)(cls)


Add = _merge("Add", L.Add)
Multiply = _merge("Multiply", L.Multiply)
Subtract = _merge("Subtract")
Average = _merge("Average")
Maximum = _merge("Maximum")
Minimum = _merge("Minimum")

#: kinds new to the registry (the broadcasting Add/Multiply/global pools reuse core names)
EXTRA_KINDS = (DepthwiseConv2D, SeparableConv2D, Conv2DTranspose, Rescaling, Normalization, ReLU,
               LeakyReLU, Softmax, LayerNormalization, Reshape, Cropping2D, UpSampling2D,
               Subtract, Average, Maximum, Minimum)
for _cls in EXTRA_KINDS:
    L.register_kind(_cls)


# -- Keras translations (spec -> keras.Model), so imported specs build back -------------------
def _dw(k, n, s):
    return k.layers.DepthwiseConv2D(s.kernel_size, strides=s.strides, padding=s.padding,
                                    depth_multiplier=s.depth_multiplier,
                                    dilation_rate=s.dilation_rate, use_bias=s.use_bias,
                                    activation=s.activation, name=n.name)


def _sep(k, n, s):
    return k.layers.SeparableConv2D(s.filters, s.kernel_size, strides=s.strides,
                                    padding=s.padding, depth_multiplier=s.depth_multiplier,
                                    dilation_rate=s.dilation_rate, use_bias=s.use_bias,
                                    activation=s.activation, name=n.name)


def _normalization(k, n, s):
    if s.stored_stats:
        return k.layers.Normalization(axis=s.axis, invert=s.invert, name=n.name)
    raise ConfigError(f"layer {n.name!r}: a Normalization with constant mean/variance is not "
                      "rebuilt (its constants are not part of the spec)")


_EXTRA_TRANSLATIONS = {
    "DepthwiseConv2D": _dw,
    "SeparableConv2D": _sep,
    "Conv2DTranspose": lambda k, n, s: k.layers.Conv2DTranspose(
        s.filters, s.kernel_size, strides=s.strides, padding=s.padding, use_bias=s.use_bias,
        activation=s.activation, name=n.name),
    "Rescaling": lambda k, n, s: k.layers.Rescaling(s.scale, s.offset, name=n.name),
    "Normalization": _normalization,
    "ReLU": lambda k, n, s: k.layers.ReLU(max_value=s.max_value,
                                          negative_slope=s.negative_slope,
                                          threshold=s.threshold, name=n.name),
    "LeakyReLU": lambda k, n, s: k.layers.LeakyReLU(negative_slope=s.negative_slope,
                                                    name=n.name),
    "Softmax": lambda k, n, s: k.layers.Softmax(axis=s.axis, name=n.name),
    "LayerNormalization": lambda k, n, s: k.layers.LayerNormalization(
        center=s.center, scale=s.scale, epsilon=s.epsilon, name=n.name),
    "Reshape": lambda k, n, s: k.layers.Reshape(s.target_shape, name=n.name),
    "Cropping2D": lambda k, n, s: k.layers.Cropping2D(s.cropping, name=n.name),
    "UpSampling2D": lambda k, n, s: k.layers.UpSampling2D(s.size, interpolation=s.interpolation,
                                                          name=n.name),
    # The core's global pools gain `keepdims` here; without it they build as before.
    "GlobalAveragePooling2D": lambda k, n, s: k.layers.GlobalAveragePooling2D(
        keepdims=getattr(s, "keepdims", False), name=n.name),
    "GlobalMaxPooling2D": lambda k, n, s: k.layers.GlobalMaxPooling2D(
        keepdims=getattr(s, "keepdims", False), name=n.name),
    "Subtract": lambda k, n, s: k.layers.Subtract(name=n.name),
    "Average": lambda k, n, s: k.layers.Average(name=n.name),
    "Maximum": lambda k, n, s: k.layers.Maximum(name=n.name),
    "Minimum": lambda k, n, s: k.layers.Minimum(name=n.name),
}
for _kind, _make in _EXTRA_TRANSLATIONS.items():
    register_translation(_kind, _make)
