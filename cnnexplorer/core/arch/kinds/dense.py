"""Fully connected: Dense (in * out MACs, the bias adds ignored) and Dropout (0 MACs)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from cnnexplorer.core.arch.kinds.base import (
    Layer, check_activation, config_activation, known_activation, with_config_activation,
)
from cnnexplorer.core.arch.kinds.registry import register
from cnnexplorer.core.errors import ConfigError


@register
@dataclass(frozen=True, kw_only=True)
class Dense(Layer):
    kind_id: ClassVar[str] = "dense"
    kind: ClassVar[str] = "Dense"
    keras_classes: ClassVar[tuple[str, ...]] = ("Dense",)
    units: int
    activation: str | None = None
    use_bias: bool = True

    def __post_init__(self):
        check_activation(self.activation)
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

    def to_keras(self, keras, name):
        return keras.layers.Dense(self.units, activation=self.activation,
                                  use_bias=self.use_bias, name=name)

    @classmethod
    def from_keras(cls, config, input_shapes):
        layer = cls(units=config["units"], activation=known_activation(config_activation(config)),
                    use_bias=config["use_bias"])
        return with_config_activation(layer, config)


@register
@dataclass(frozen=True, kw_only=True)
class Dropout(Layer):
    kind_id: ClassVar[str] = "dropout"
    kind: ClassVar[str] = "Dropout"
    keras_classes: ClassVar[tuple[str, ...]] = ("Dropout",)
    rate: float = 0.5

    def __post_init__(self):
        if not 0 <= self.rate < 1:
            raise ConfigError(f"Dropout rate must be in [0, 1); received {self.rate!r}")

    def summary(self):
        return f"p={self.rate:g}"

    def to_keras(self, keras, name):
        return keras.layers.Dropout(self.rate, name=name)

    @classmethod
    def from_keras(cls, config, input_shapes):
        return cls(rate=float(config["rate"]))
