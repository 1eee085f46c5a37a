"""Pooling: MaxPooling2D, AveragePooling2D and the global pools. No parameters, 0 MACs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from cnnexplorer.core.arch.kinds.base import (
    WHOLE, Layer, SlidingWindow, check_padding, expect_rank, pair, require_channels_last,
    window_output,
)
from cnnexplorer.core.arch.kinds.registry import register
from cnnexplorer.core.errors import ShapeError
from cnnexplorer.core.formatting import shape_text


@dataclass(frozen=True, kw_only=True)
class _Pool2D(Layer):
    pool_size: tuple[int, int] = (2, 2)
    strides: tuple[int, int] | None = None  # None means the pool size, as in Keras
    padding: str = "valid"

    def receptive_window(self) -> SlidingWindow:
        return SlidingWindow(self.pool_size, self.strides or self.pool_size, (1, 1))

    def __post_init__(self):
        object.__setattr__(self, "pool_size", pair(self.pool_size, "pool_size"))
        strides = self.pool_size if self.strides is None else pair(self.strides, "strides")
        object.__setattr__(self, "strides", strides)
        check_padding(self.padding)

    def output_shape(self, inputs):
        expect_rank(inputs[0], 3, self.kind)
        h, w, c = inputs[0]
        ph, pw = self.pool_size
        oh = window_output(h, ph, self.strides[0], self.padding)
        ow = window_output(w, pw, self.strides[1], self.padding)
        if oh < 1 or ow < 1:
            raise ShapeError(f"input {shape_text(inputs[0])} is too small for a {ph}x{pw} pool")
        return (oh, ow, c)

    def summary(self):
        ph, pw = self.pool_size
        s = f"/{self.strides[0]}" if self.strides != self.pool_size else ""
        return f"{ph}x{pw}{s}"

    def to_keras(self, keras, name):
        return getattr(keras.layers, self.kind)(pool_size=self.pool_size, strides=self.strides,
                                                padding=self.padding, name=name)

    @classmethod
    def from_keras(cls, config, input_shapes):
        require_channels_last(config)
        return cls(pool_size=tuple(config["pool_size"]),
                   strides=tuple(config["strides"]) if config.get("strides") else None,
                   padding=config["padding"])


@register
@dataclass(frozen=True, kw_only=True)
class MaxPooling2D(_Pool2D):
    kind_id: ClassVar[str] = "max_pool2d"
    kind: ClassVar[str] = "MaxPooling2D"
    keras_classes: ClassVar[tuple[str, ...]] = ("MaxPooling2D",)


@register
@dataclass(frozen=True, kw_only=True)
class AveragePooling2D(_Pool2D):
    kind_id: ClassVar[str] = "avg_pool2d"
    kind: ClassVar[str] = "AveragePooling2D"
    keras_classes: ClassVar[tuple[str, ...]] = ("AveragePooling2D",)


@dataclass(frozen=True, kw_only=True)
class _GlobalPool2D(Layer):
    """HxWxC -> C, or 1x1xC with `keepdims` (MobileNet keeps it before its 1x1 conv head)."""

    keepdims: bool = False

    def receptive_window(self) -> SlidingWindow:
        return WHOLE  # every output mixes every position

    def output_shape(self, inputs):
        expect_rank(inputs[0], 3, self.kind)
        return (1, 1, inputs[0][2]) if self.keepdims else (inputs[0][2],)

    def summary(self):
        return "keepdims" if self.keepdims else ""

    def to_keras(self, keras, name):
        return getattr(keras.layers, self.kind)(keepdims=self.keepdims, name=name)

    @classmethod
    def from_keras(cls, config, input_shapes):
        require_channels_last(config)
        return cls(keepdims=bool(config.get("keepdims", False)))


@register
@dataclass(frozen=True, kw_only=True)
class GlobalAveragePooling2D(_GlobalPool2D):
    kind_id: ClassVar[str] = "global_avg_pool2d"
    kind: ClassVar[str] = "GlobalAveragePooling2D"
    keras_classes: ClassVar[tuple[str, ...]] = ("GlobalAveragePooling2D",)


@register
@dataclass(frozen=True, kw_only=True)
class GlobalMaxPooling2D(_GlobalPool2D):
    kind_id: ClassVar[str] = "global_max_pool2d"
    kind: ClassVar[str] = "GlobalMaxPooling2D"
    keras_classes: ClassVar[tuple[str, ...]] = ("GlobalMaxPooling2D",)
