"""Layers that join branches: the element-wise merges (Add, Multiply, Subtract, Average,
Maximum, Minimum) and Concatenate. No parameters, 0 MACs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from cnnexplorer.core.arch.kinds.base import Layer, Shape
from cnnexplorer.core.arch.kinds.registry import register
from cnnexplorer.core.errors import ShapeError
from cnnexplorer.core.formatting import shape_text


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
                                 + ", ".join(shape_text(x) for x in inputs))
            out[i] = max(out[i], d)
    return tuple(out)


@dataclass(frozen=True, kw_only=True)
class _Merge(Layer):
    """An element-wise merge of two or more inputs.

    The zoo's merges take inputs of one shape, so a wrongly wired shortcut fails at once;
    one imported from Keras broadcasts as Keras does (`broadcast=True`: squeeze-and-excitation
    multiplies HxWxC by 1x1xC).
    """

    arity: ClassVar[int | None] = None
    broadcast: bool = False

    def output_shape(self, inputs):
        if self.broadcast:
            return broadcast_shapes(self.kind, inputs)
        if len(inputs) < 2:
            raise ShapeError(f"{self.kind} needs at least two inputs; received {len(inputs)}")
        if any(s != inputs[0] for s in inputs[1:]):
            raise ShapeError(f"{self.kind} needs inputs of one shape; received "
                             + ", ".join(shape_text(s) for s in inputs))
        return inputs[0]

    def to_keras(self, keras, name):
        return getattr(keras.layers, self.kind)(name=name)

    @classmethod
    def from_keras(cls, config, input_shapes):
        return cls(broadcast=True)


@register
@dataclass(frozen=True, kw_only=True)
class Add(_Merge):
    kind_id: ClassVar[str] = "add"
    kind: ClassVar[str] = "Add"
    keras_classes: ClassVar[tuple[str, ...]] = ("Add",)


@register
@dataclass(frozen=True, kw_only=True)
class Multiply(_Merge):
    kind_id: ClassVar[str] = "multiply"
    kind: ClassVar[str] = "Multiply"
    keras_classes: ClassVar[tuple[str, ...]] = ("Multiply",)


@register
@dataclass(frozen=True, kw_only=True)
class Subtract(_Merge):
    kind_id: ClassVar[str] = "subtract"
    kind: ClassVar[str] = "Subtract"
    keras_classes: ClassVar[tuple[str, ...]] = ("Subtract",)


@register
@dataclass(frozen=True, kw_only=True)
class Average(_Merge):
    kind_id: ClassVar[str] = "average"
    kind: ClassVar[str] = "Average"
    keras_classes: ClassVar[tuple[str, ...]] = ("Average",)


@register
@dataclass(frozen=True, kw_only=True)
class Maximum(_Merge):
    kind_id: ClassVar[str] = "maximum"
    kind: ClassVar[str] = "Maximum"
    keras_classes: ClassVar[tuple[str, ...]] = ("Maximum",)


@register
@dataclass(frozen=True, kw_only=True)
class Minimum(_Merge):
    kind_id: ClassVar[str] = "minimum"
    kind: ClassVar[str] = "Minimum"
    keras_classes: ClassVar[tuple[str, ...]] = ("Minimum",)


@register
@dataclass(frozen=True, kw_only=True)
class Concatenate(Layer):
    kind_id: ClassVar[str] = "concatenate"
    kind: ClassVar[str] = "Concatenate"
    keras_classes: ClassVar[tuple[str, ...]] = ("Concatenate",)
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
            if len(s) != rank or any(a != b for i, (a, b) in enumerate(zip(s, inputs[0]))
                                     if i != axis):
                raise ShapeError("Concatenate inputs differ outside the joined axis: "
                                 + ", ".join(shape_text(s) for s in inputs))
        out = list(inputs[0])
        out[axis] = sum(s[axis] for s in inputs)
        return tuple(out)

    def summary(self):
        return "concat"

    def to_keras(self, keras, name):
        return keras.layers.Concatenate(axis=self.axis, name=name)

    @classmethod
    def from_keras(cls, config, input_shapes):
        return cls(axis=config.get("axis", -1))
