"""Kinds that shape the graph rather than compute: its Input, and Opaque for a layer the core
does not model (a user's custom layer in an imported file)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from cnnexplorer.core.arch.kinds.base import Layer, Shape
from cnnexplorer.core.arch.kinds.registry import register
from cnnexplorer.core.errors import ConfigError
from cnnexplorer.core.formatting import shape_text


@register
@dataclass(frozen=True, kw_only=True)
class Input(Layer):
    """Where the graph starts; the Keras builder makes it with `keras.Input(shape)`."""

    kind_id: ClassVar[str] = "input"
    kind: ClassVar[str] = "Input"
    arity: ClassVar[int | None] = 0
    shape: Shape

    def __post_init__(self):
        if not self.shape or not all(isinstance(d, int) and d >= 1 for d in self.shape):
            raise ConfigError(f"input shape must be positive integers; received {self.shape!r}")

    def output_shape(self, inputs):
        return tuple(self.shape)

    def summary(self):
        return shape_text(self.shape)

    def to_keras(self, keras, name):
        return keras.Input(shape=tuple(self.shape), name=name)


@register
@dataclass(frozen=True, kw_only=True)
class Opaque(Layer):
    """A layer kind the core does not model (e.g. a user's custom layer from an imported file).

    Its output shape and parameters come from where it was read; its MACs are not counted
    (None), which marks every total that includes it as a lower bound. It has no Keras
    translation: a network holding one cannot be rebuilt from its spec.
    """

    kind_id: ClassVar[str] = "opaque"
    kind: ClassVar[str] = "Opaque"
    arity: ClassVar[int | None] = None
    class_name: str
    shape: Shape
    trainable: int = 0
    non_trainable: int = 0

    def receptive_window(self) -> None:
        return None  # Keras' own layer: its window is unknown

    def output_shape(self, inputs):
        return tuple(self.shape)

    def params(self, inputs, output):
        return self.trainable, self.non_trainable

    def macs(self, inputs, output):
        return None

    def summary(self):
        return self.class_name
