"""Layers that move values without computing: ZeroPadding2D, Cropping2D, UpSampling2D,
Flatten, Reshape. No parameters, 0 MACs."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from cnnexplorer.core.arch.kinds.base import (
    WHOLE, Layer, SlidingWindow, expect_rank, pair, require_channels_last,
)
from cnnexplorer.core.arch.kinds.registry import register
from cnnexplorer.core.errors import ConfigError, ShapeError
from cnnexplorer.core.formatting import shape_text


@register
@dataclass(frozen=True, kw_only=True)
class ZeroPadding2D(Layer):
    kind_id: ClassVar[str] = "zero_padding2d"
    kind: ClassVar[str] = "ZeroPadding2D"
    keras_classes: ClassVar[tuple[str, ...]] = ("ZeroPadding2D",)
    padding: tuple[tuple[int, int], tuple[int, int]] = ((1, 1), (1, 1))

    def __post_init__(self):
        pad = self.padding
        if isinstance(pad, int):
            pad = ((pad, pad), (pad, pad))
        elif (isinstance(pad, (tuple, list)) and len(pad) == 2
              and all(isinstance(p, int) for p in pad)):
            pad = ((pad[0], pad[0]), (pad[1], pad[1]))
        else:
            pad = tuple(tuple(p) for p in pad)
        if len(pad) != 2 or any(len(p) != 2 or min(p) < 0 for p in pad):
            raise ConfigError(f"ZeroPadding2D padding must be non-negative; "
                              f"received {self.padding!r}")
        object.__setattr__(self, "padding", pad)

    def output_shape(self, inputs):
        expect_rank(inputs[0], 3, self.kind)
        h, w, c = inputs[0]
        (t, b), (l, r) = self.padding
        return (h + t + b, w + l + r, c)

    def summary(self):
        (t, b), (l, r) = self.padding
        return f"pad {t}" if len({t, b, l, r}) == 1 else f"pad {t},{b},{l},{r}"

    def to_keras(self, keras, name):
        return keras.layers.ZeroPadding2D(self.padding, name=name)

    @classmethod
    def from_keras(cls, config, input_shapes):
        require_channels_last(config)
        return cls(padding=tuple(tuple(p) for p in config["padding"]))


@register
@dataclass(frozen=True, kw_only=True)
class Cropping2D(Layer):
    kind_id: ClassVar[str] = "cropping2d"
    kind: ClassVar[str] = "Cropping2D"
    keras_classes: ClassVar[tuple[str, ...]] = ("Cropping2D",)
    cropping: tuple[tuple[int, int], tuple[int, int]] = ((0, 0), (0, 0))

    def output_shape(self, inputs):
        expect_rank(inputs[0], 3, self.kind)
        h, w, c = inputs[0]
        (t, b), (l, r) = self.cropping
        if h - t - b < 1 or w - l - r < 1:
            raise ShapeError(f"cropping {self.cropping!r} removes all of {shape_text(inputs[0])}")
        return (h - t - b, w - l - r, c)

    def summary(self):
        (t, b), (l, r) = self.cropping
        return f"crop {t},{b},{l},{r}"

    def to_keras(self, keras, name):
        return keras.layers.Cropping2D(self.cropping, name=name)

    @classmethod
    def from_keras(cls, config, input_shapes):
        require_channels_last(config)
        return cls(cropping=tuple(tuple(p) for p in config["cropping"]))


@register
@dataclass(frozen=True, kw_only=True)
class UpSampling2D(Layer):
    kind_id: ClassVar[str] = "upsampling2d"
    kind: ClassVar[str] = "UpSampling2D"
    keras_classes: ClassVar[tuple[str, ...]] = ("UpSampling2D",)
    size: tuple[int, int] = (2, 2)
    interpolation: str = "nearest"

    def receptive_window(self) -> None:
        return None  # a fractional step: not modelled

    def __post_init__(self):
        object.__setattr__(self, "size", pair(self.size, "size"))

    def output_shape(self, inputs):
        expect_rank(inputs[0], 3, self.kind)
        h, w, c = inputs[0]
        return (h * self.size[0], w * self.size[1], c)

    def summary(self):
        return f"x{self.size[0]} {self.interpolation}"

    def to_keras(self, keras, name):
        return keras.layers.UpSampling2D(self.size, interpolation=self.interpolation, name=name)

    @classmethod
    def from_keras(cls, config, input_shapes):
        return cls(size=tuple(config["size"]),
                   interpolation=config.get("interpolation", "nearest"))


@register
@dataclass(frozen=True, kw_only=True)
class Flatten(Layer):
    kind_id: ClassVar[str] = "flatten"
    kind: ClassVar[str] = "Flatten"
    keras_classes: ClassVar[tuple[str, ...]] = ("Flatten",)

    def receptive_window(self) -> SlidingWindow:
        return WHOLE  # every output mixes every position

    def output_shape(self, inputs):
        return (math.prod(inputs[0]),)

    def to_keras(self, keras, name):
        return keras.layers.Flatten(name=name)

    @classmethod
    def from_keras(cls, config, input_shapes):
        return cls()


@register
@dataclass(frozen=True, kw_only=True)
class Reshape(Layer):
    kind_id: ClassVar[str] = "reshape"
    kind: ClassVar[str] = "Reshape"
    keras_classes: ClassVar[tuple[str, ...]] = ("Reshape",)
    target_shape: tuple[int, ...] = ()

    def receptive_window(self) -> SlidingWindow:
        return WHOLE  # every output mixes every position

    def output_shape(self, inputs):
        total = math.prod(inputs[0])
        target = list(self.target_shape)
        unknown = [i for i, d in enumerate(target) if d == -1]
        known = math.prod(d for d in target if d != -1)
        if len(unknown) > 1 or known < 1:
            raise ShapeError(f"Reshape target {self.target_shape!r} is not a valid shape")
        if unknown:
            if total % known:
                raise ShapeError(f"cannot reshape {shape_text(inputs[0])} to {self.target_shape!r}")
            target[unknown[0]] = total // known
        if math.prod(target) != total:
            raise ShapeError(f"cannot reshape {shape_text(inputs[0])} ({total} values) to "
                             f"{shape_text(target)}")
        return tuple(target)

    def summary(self):
        return "-> " + shape_text(self.target_shape)

    def to_keras(self, keras, name):
        return keras.layers.Reshape(self.target_shape, name=name)

    @classmethod
    def from_keras(cls, config, input_shapes):
        return cls(target_shape=tuple(config["target_shape"]))
