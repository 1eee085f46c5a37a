"""Input preprocessing inside a model: Rescaling and Normalization (EfficientNet). 0 MACs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from cnnexplorer.core.arch.kinds.base import Layer
from cnnexplorer.core.arch.kinds.registry import register
from cnnexplorer.core.errors import ConfigError


def _number(value):
    """A scalar as float, a per-channel list as a tuple (settings hold tuples, not lists)."""
    return float(value) if isinstance(value, (int, float)) else tuple(value)


@register
@dataclass(frozen=True, kw_only=True)
class Rescaling(Layer):
    kind_id: ClassVar[str] = "rescaling"
    kind: ClassVar[str] = "Rescaling"
    keras_classes: ClassVar[tuple[str, ...]] = ("Rescaling",)
    scale: float | tuple = 1.0
    offset: float | tuple = 0.0

    def summary(self):
        scale = f"{self.scale:.4g}" if isinstance(self.scale, float) else "per-channel"
        return f"x{scale}" + (f" +{self.offset:g}" if isinstance(self.offset, float)
                              and self.offset else "")

    def to_keras(self, keras, name):
        return keras.layers.Rescaling(self.scale, self.offset, name=name)

    @classmethod
    def from_keras(cls, config, input_shapes):
        return cls(scale=_number(config["scale"]), offset=_number(config["offset"]))


@register
@dataclass(frozen=True, kw_only=True)
class Normalization(Layer):
    """(x - mean) / sqrt(variance); Keras stores mean, variance and a count as
    non-trainable weights when they are adapted rather than given."""

    kind_id: ClassVar[str] = "normalization"
    kind: ClassVar[str] = "Normalization"
    keras_classes: ClassVar[tuple[str, ...]] = ("Normalization",)
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

    def to_keras(self, keras, name):
        if self.stored_stats:
            return keras.layers.Normalization(axis=self.axis, invert=self.invert, name=name)
        raise ConfigError(f"layer {name!r}: a Normalization with constant mean/variance is not "
                          "rebuilt (its constants are not part of the spec)")

    @classmethod
    def from_keras(cls, config, input_shapes):
        axis = config.get("axis", -1)
        axis = tuple(axis) if isinstance(axis, (list, tuple)) else (axis,)
        return cls(axis=axis, stored_stats=config.get("mean") is None,
                   invert=bool(config.get("invert", False)))
