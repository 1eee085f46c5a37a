"""Normalization: BatchNormalization, LayerNormalization and AlexNet's LRN. 0 MACs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from cnnexplorer.core.arch.kinds.base import Layer, require_last_axis
from cnnexplorer.core.arch.kinds.registry import register


@register
@dataclass(frozen=True, kw_only=True)
class BatchNormalization(Layer):
    """Keras keeps gamma/beta trainable and the moving mean/variance as non-trainable params."""

    kind_id: ClassVar[str] = "batchnorm"
    kind: ClassVar[str] = "BatchNormalization"
    keras_classes: ClassVar[tuple[str, ...]] = ("BatchNormalization",)
    center: bool = True
    scale: bool = True
    epsilon: float = 1e-3
    momentum: float = 0.99

    def params(self, inputs, output):
        c = inputs[0][-1]
        return c * (int(self.center) + int(self.scale)), 2 * c

    def summary(self):
        return "BN"

    def to_keras(self, keras, name):
        return keras.layers.BatchNormalization(axis=-1, center=self.center, scale=self.scale,
                                               epsilon=self.epsilon, momentum=self.momentum,
                                               name=name)

    @classmethod
    def from_keras(cls, config, input_shapes):
        require_last_axis(config, input_shapes)
        return cls(center=config["center"], scale=config["scale"], epsilon=config["epsilon"],
                   momentum=config["momentum"])


@register
@dataclass(frozen=True, kw_only=True)
class LayerNormalization(Layer):
    kind_id: ClassVar[str] = "layernorm"
    kind: ClassVar[str] = "LayerNormalization"
    keras_classes: ClassVar[tuple[str, ...]] = ("LayerNormalization",)
    center: bool = True
    scale: bool = True
    epsilon: float = 1e-3

    def params(self, inputs, output):
        c = inputs[0][-1]
        return c * (int(self.center) + int(self.scale)), 0

    def summary(self):
        return "LN"

    def to_keras(self, keras, name):
        return keras.layers.LayerNormalization(center=self.center, scale=self.scale,
                                               epsilon=self.epsilon, name=name)

    @classmethod
    def from_keras(cls, config, input_shapes):
        require_last_axis(config, input_shapes)
        return cls(center=config["center"], scale=config["scale"], epsilon=config["epsilon"])


@register
@dataclass(frozen=True, kw_only=True)
class LocalResponseNormalization(Layer):
    """AlexNet's LRN (k=2, n=5, alpha=1e-4, beta=0.75); no parameters.

    Keras has no LRN layer: `keras_layer_class` defines one (registered for saving, so a
    saved AlexNet opens again with safe mode on) and the importer reads it back by its name.
    """

    kind_id: ClassVar[str] = "lrn"
    kind: ClassVar[str] = "LocalResponseNormalization"
    keras_classes: ClassVar[tuple[str, ...]] = ("LocalResponseNormalization",)
    depth_radius: int = 2
    bias: float = 2.0
    alpha: float = 1e-4
    beta: float = 0.75

    def summary(self):
        return f"LRN n={2 * self.depth_radius + 1}"

    def to_keras(self, keras, name):
        return keras_layer_class(keras)(depth_radius=self.depth_radius, bias=self.bias,
                                        alpha=self.alpha, beta=self.beta, name=name)

    @classmethod
    def from_keras(cls, config, input_shapes):
        return cls(depth_radius=config["depth_radius"], bias=config["bias"],
                   alpha=config["alpha"], beta=config["beta"])


_KERAS_LRN = None


def keras_layer_class(keras):
    """The Keras LRN layer class, defined on first use (Keras is passed in, never imported
    here) and registered as 'cnnexplorer>LocalResponseNormalization'. No Lambda: safe mode
    stays on when a model holding it is loaded."""
    global _KERAS_LRN
    if _KERAS_LRN is not None:
        return _KERAS_LRN

    @keras.saving.register_keras_serializable(package="cnnexplorer")
    class LocalResponseNormalization(keras.layers.Layer):
        def __init__(self, depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75, **kwargs):
            super().__init__(**kwargs)
            self.depth_radius, self.bias, self.alpha, self.beta = depth_radius, bias, alpha, beta

        def call(self, x):
            ops = keras.ops
            r = self.depth_radius
            # Sum of squares over a window of 2r+1 channels, zero beyond the first and last
            # channel (as tf.nn.local_response_normalization). An average pool with 'same'
            # padding would not do: it divides by the in-range count at the edges.
            padded = ops.pad(ops.square(x), [[0, 0]] * (len(x.shape) - 1) + [[r, r]])
            c = x.shape[-1]
            summed = padded[..., 0:c]
            for i in range(1, 2 * r + 1):
                summed = summed + padded[..., i:i + c]
            return x / ops.power(self.bias + self.alpha * summed, self.beta)

        def get_config(self):
            return {**super().get_config(), "depth_radius": self.depth_radius,
                    "bias": self.bias, "alpha": self.alpha, "beta": self.beta}

    _KERAS_LRN = LocalResponseNormalization
    return _KERAS_LRN
