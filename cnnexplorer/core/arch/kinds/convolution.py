"""Convolutions: Conv2D, DepthwiseConv2D, SeparableConv2D, Conv2DTranspose.

MACs for one image (the bias adds are ignored):
  Conv2D           k_h * k_w * (C_in / groups) * C_out * H_out * W_out
  DepthwiseConv2D  k_h * k_w * C_in * depth_multiplier * H_out * W_out
  SeparableConv2D  the depthwise part above + the pointwise 1x1: C_in * dm * filters * H_out * W_out
  Conv2DTranspose  k_h * k_w * C_in * filters * H_in * W_in (every input pixel scatters a kernel)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from cnnexplorer.core.arch.kinds.base import (
    Layer, Shape, SlidingWindow, Untranslated, check_activation, check_padding, config_activation,
    expect_rank, known_activation, pair, require_channels_last, window_output,
    with_config_activation,
)
from cnnexplorer.core.arch.kinds.registry import register
from cnnexplorer.core.errors import ConfigError, ShapeError
from cnnexplorer.core.formatting import shape_text


def _normalise_window(layer, *pairs: str) -> None:
    """Turn the named int-or-pair settings into (h, w) pairs and check the padding: the part
    of validation every sliding-window kind shares."""
    for name in pairs:
        object.__setattr__(layer, name, pair(getattr(layer, name), name))
    check_padding(layer.padding)


def _activation_suffix(activation: str | None) -> str:
    return f", {activation}" if activation not in (None, "linear") else ""


@register
@dataclass(frozen=True, kw_only=True)
class Conv2D(Layer):
    kind_id: ClassVar[str] = "conv2d"
    kind: ClassVar[str] = "Conv2D"
    keras_classes: ClassVar[tuple[str, ...]] = ("Conv2D", "Convolution2D")
    filters: int
    kernel_size: tuple[int, int] = (3, 3)
    strides: tuple[int, int] = (1, 1)
    padding: str = "valid"
    groups: int = 1
    dilation_rate: tuple[int, int] = (1, 1)
    use_bias: bool = True
    activation: str | None = None

    def receptive_window(self) -> SlidingWindow:
        return SlidingWindow(self.kernel_size, self.strides, self.dilation_rate)

    def __post_init__(self):
        _normalise_window(self, "kernel_size", "strides", "dilation_rate")
        check_activation(self.activation)
        if not isinstance(self.filters, int) or self.filters < 1:
            raise ConfigError(f"Conv2D filters must be a positive integer; "
                              f"received {self.filters!r}")
        if not isinstance(self.groups, int) or self.groups < 1 or self.filters % self.groups:
            raise ConfigError(f"Conv2D groups must divide filters ({self.filters}); "
                              f"received groups={self.groups!r}")

    def output_shape(self, inputs):
        expect_rank(inputs[0], 3, self.kind)
        h, w, c = inputs[0]
        if c % self.groups:
            raise ShapeError(f"Conv2D groups={self.groups} must divide the input channels ({c})")
        kh, kw = self.kernel_size
        oh = window_output(h, kh, self.strides[0], self.padding, self.dilation_rate[0])
        ow = window_output(w, kw, self.strides[1], self.padding, self.dilation_rate[1])
        if oh < 1 or ow < 1:
            raise ShapeError(f"input {shape_text(inputs[0])} is too small for a {kh}x{kw} kernel "
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
        return f"{kh}x{kw}{s}, {self.filters}{g}{same}{_activation_suffix(self.activation)}"

    def to_keras(self, keras, name):
        return keras.layers.Conv2D(self.filters, self.kernel_size, strides=self.strides,
                                   padding=self.padding, groups=self.groups,
                                   dilation_rate=self.dilation_rate, use_bias=self.use_bias,
                                   activation=self.activation, name=name)

    @classmethod
    def from_keras(cls, config, input_shapes):
        require_channels_last(config)
        layer = cls(filters=config["filters"], kernel_size=tuple(config["kernel_size"]),
                    strides=tuple(config["strides"]), padding=config["padding"],
                    groups=config.get("groups", 1),
                    dilation_rate=tuple(config["dilation_rate"]), use_bias=config["use_bias"],
                    activation=known_activation(config_activation(config)))
        return with_config_activation(layer, config)


@register
@dataclass(frozen=True, kw_only=True)
class DepthwiseConv2D(Layer):
    """One k x k filter (or `depth_multiplier` of them) per input channel (MobileNet)."""

    kind_id: ClassVar[str] = "depthwise_conv2d"
    kind: ClassVar[str] = "DepthwiseConv2D"
    keras_classes: ClassVar[tuple[str, ...]] = ("DepthwiseConv2D",)
    kernel_size: tuple[int, int] = (3, 3)
    strides: tuple[int, int] = (1, 1)
    padding: str = "valid"
    depth_multiplier: int = 1
    dilation_rate: tuple[int, int] = (1, 1)
    use_bias: bool = True
    activation: str | None = None

    def receptive_window(self) -> SlidingWindow:
        return SlidingWindow(self.kernel_size, self.strides, self.dilation_rate)

    def __post_init__(self):
        _normalise_window(self, "kernel_size", "strides", "dilation_rate")
        if not isinstance(self.depth_multiplier, int) or self.depth_multiplier < 1:
            raise ConfigError(f"{self.kind} depth_multiplier must be a positive integer; "
                              f"received {self.depth_multiplier!r}")

    def _spatial(self, shape: Shape) -> tuple[int, int]:
        expect_rank(shape, 3, self.kind)
        h, w, _ = shape
        kh, kw = self.kernel_size
        oh = window_output(h, kh, self.strides[0], self.padding, self.dilation_rate[0])
        ow = window_output(w, kw, self.strides[1], self.padding, self.dilation_rate[1])
        if oh < 1 or ow < 1:
            raise ShapeError(f"input {shape_text(shape)} is too small for a {kh}x{kw} kernel "
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

    def to_keras(self, keras, name):
        return keras.layers.DepthwiseConv2D(
            self.kernel_size, strides=self.strides, padding=self.padding,
            depth_multiplier=self.depth_multiplier, dilation_rate=self.dilation_rate,
            use_bias=self.use_bias, activation=self.activation, name=name)

    @classmethod
    def from_keras(cls, config, input_shapes):
        require_channels_last(config)
        return cls(kernel_size=tuple(config["kernel_size"]), strides=tuple(config["strides"]),
                   padding=config["padding"], depth_multiplier=config.get("depth_multiplier", 1),
                   dilation_rate=tuple(config["dilation_rate"]), use_bias=config["use_bias"],
                   activation=config_activation(config))


@register
@dataclass(frozen=True, kw_only=True)
class SeparableConv2D(DepthwiseConv2D):
    """Depthwise k x k per channel, then a pointwise 1x1 to `filters` (Xception)."""

    kind_id: ClassVar[str] = "separable_conv2d"
    kind: ClassVar[str] = "SeparableConv2D"
    keras_classes: ClassVar[tuple[str, ...]] = ("SeparableConv2D",)
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

    def to_keras(self, keras, name):
        return keras.layers.SeparableConv2D(
            self.filters, self.kernel_size, strides=self.strides, padding=self.padding,
            depth_multiplier=self.depth_multiplier, dilation_rate=self.dilation_rate,
            use_bias=self.use_bias, activation=self.activation, name=name)

    @classmethod
    def from_keras(cls, config, input_shapes):
        require_channels_last(config)
        return cls(filters=config["filters"], kernel_size=tuple(config["kernel_size"]),
                   strides=tuple(config["strides"]), padding=config["padding"],
                   depth_multiplier=config.get("depth_multiplier", 1),
                   dilation_rate=tuple(config["dilation_rate"]), use_bias=config["use_bias"],
                   activation=config_activation(config))


@register
@dataclass(frozen=True, kw_only=True)
class Conv2DTranspose(Layer):
    kind_id: ClassVar[str] = "conv2d_transpose"
    kind: ClassVar[str] = "Conv2DTranspose"
    keras_classes: ClassVar[tuple[str, ...]] = ("Conv2DTranspose",)
    filters: int = 1
    kernel_size: tuple[int, int] = (3, 3)
    strides: tuple[int, int] = (1, 1)
    padding: str = "valid"
    use_bias: bool = True
    activation: str | None = None

    def receptive_window(self) -> None:
        return None  # a fractional step: not modelled

    def __post_init__(self):
        _normalise_window(self, "kernel_size", "strides")

    def output_shape(self, inputs):
        expect_rank(inputs[0], 3, self.kind)
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

    def to_keras(self, keras, name):
        return keras.layers.Conv2DTranspose(
            self.filters, self.kernel_size, strides=self.strides, padding=self.padding,
            use_bias=self.use_bias, activation=self.activation, name=name)

    @classmethod
    def from_keras(cls, config, input_shapes):
        require_channels_last(config)
        if config.get("output_padding") or tuple(config.get("dilation_rate", (1, 1))) != (1, 1):
            raise Untranslated("output_padding/dilation")
        return cls(filters=config["filters"], kernel_size=tuple(config["kernel_size"]),
                   strides=tuple(config["strides"]), padding=config["padding"],
                   use_bias=config["use_bias"], activation=config_activation(config))
