"""Activations as layers: Activation, ReLU, LeakyReLU, Softmax. Element-wise: 0 MACs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from cnnexplorer.core.arch.kinds.base import (
    Layer, check_activation, config_activation, known_activation, with_config_activation,
)
from cnnexplorer.core.arch.kinds.registry import register


@register
@dataclass(frozen=True, kw_only=True)
class Activation(Layer):
    kind_id: ClassVar[str] = "activation"
    kind: ClassVar[str] = "Activation"
    keras_classes: ClassVar[tuple[str, ...]] = ("Activation",)
    activation: str = "relu"

    def __post_init__(self):
        check_activation(self.activation)

    def summary(self):
        return self.activation

    def to_keras(self, keras, name):
        return keras.layers.Activation(self.activation, name=name)

    @classmethod
    def from_keras(cls, config, input_shapes):
        act = config_activation(config) or "linear"
        layer = cls(activation=known_activation(act) or "linear")
        return with_config_activation(layer, {"activation": act})


@register
@dataclass(frozen=True, kw_only=True)
class ReLU(Layer):
    kind_id: ClassVar[str] = "relu"
    kind: ClassVar[str] = "ReLU"
    keras_classes: ClassVar[tuple[str, ...]] = ("ReLU",)
    max_value: float | None = None
    negative_slope: float = 0.0
    threshold: float = 0.0

    def summary(self):
        if self.max_value is not None:
            return f"ReLU{self.max_value:g}" if float(self.max_value).is_integer() \
                else f"min(max(x,0),{self.max_value:g})"
        return "leaky" if self.negative_slope else "relu"

    def to_keras(self, keras, name):
        return keras.layers.ReLU(max_value=self.max_value, negative_slope=self.negative_slope,
                                 threshold=self.threshold, name=name)

    @classmethod
    def from_keras(cls, config, input_shapes):
        mv = config.get("max_value")
        return cls(max_value=None if mv is None else float(mv),
                   negative_slope=float(config.get("negative_slope", 0.0)),
                   threshold=float(config.get("threshold", 0.0)))


@register
@dataclass(frozen=True, kw_only=True)
class LeakyReLU(Layer):
    kind_id: ClassVar[str] = "leaky_relu"
    kind: ClassVar[str] = "LeakyReLU"
    keras_classes: ClassVar[tuple[str, ...]] = ("LeakyReLU",)
    negative_slope: float = 0.3

    def summary(self):
        return f"slope {self.negative_slope:g}"

    def to_keras(self, keras, name):
        return keras.layers.LeakyReLU(negative_slope=self.negative_slope, name=name)

    @classmethod
    def from_keras(cls, config, input_shapes):
        # Keras 2 called the slope `alpha`
        return cls(negative_slope=float(config.get("negative_slope", config.get("alpha", 0.3))))


@register
@dataclass(frozen=True, kw_only=True)
class Softmax(Layer):
    kind_id: ClassVar[str] = "softmax"
    kind: ClassVar[str] = "Softmax"
    keras_classes: ClassVar[tuple[str, ...]] = ("Softmax",)
    axis: int = -1

    def summary(self):
        return "softmax"

    def to_keras(self, keras, name):
        return keras.layers.Softmax(axis=self.axis, name=name)

    @classmethod
    def from_keras(cls, config, input_shapes):
        axis = config.get("axis", -1)
        return cls(axis=axis if isinstance(axis, int) else -1)
