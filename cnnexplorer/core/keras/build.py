"""Spec `Network` -> `keras.Model` (functional API, the spec's layer names).

Keras (and so TensorFlow) is imported only when `build_keras_model` is called: the rest of
the core stays instant. Each layer kind has one small translation in `_TRANSLATIONS`.
"""

from __future__ import annotations

import os
from typing import Callable

from cnnexplorer.core.errors import ConfigError
from cnnexplorer.core.arch.graph import Network, Node


def import_keras():
    """Import Keras quietly (TensorFlow's start-up notices go to the log level set here)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    return keras


def _lrn_layer_class(keras):
    """AlexNet's LRN as a registered, serializable Keras layer (no Lambda: safe mode stays on)."""

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

    return LocalResponseNormalization


_LRN_CLASS = None


def lrn_class():
    global _LRN_CLASS
    if _LRN_CLASS is None:
        _LRN_CLASS = _lrn_layer_class(import_keras())
    return _LRN_CLASS


def _conv(k, node: Node, s):
    return k.layers.Conv2D(s.filters, s.kernel_size, strides=s.strides, padding=s.padding,
                           groups=s.groups, dilation_rate=s.dilation_rate, use_bias=s.use_bias,
                           activation=s.activation, name=node.name)


def _pool(cls_name):
    def make(k, node, s):
        return getattr(k.layers, cls_name)(pool_size=s.pool_size, strides=s.strides,
                                           padding=s.padding, name=node.name)
    return make


_TRANSLATIONS: dict[str, Callable] = {
    "ZeroPadding2D": lambda k, n, s: k.layers.ZeroPadding2D(s.padding, name=n.name),
    "Conv2D": _conv,
    "BatchNormalization": lambda k, n, s: k.layers.BatchNormalization(
        axis=-1, center=s.center, scale=s.scale, epsilon=s.epsilon, momentum=s.momentum,
        name=n.name),
    "Activation": lambda k, n, s: k.layers.Activation(s.activation, name=n.name),
    "MaxPooling2D": _pool("MaxPooling2D"),
    "AveragePooling2D": _pool("AveragePooling2D"),
    "GlobalAveragePooling2D": lambda k, n, s: k.layers.GlobalAveragePooling2D(name=n.name),
    "GlobalMaxPooling2D": lambda k, n, s: k.layers.GlobalMaxPooling2D(name=n.name),
    "Flatten": lambda k, n, s: k.layers.Flatten(name=n.name),
    "Dense": lambda k, n, s: k.layers.Dense(s.units, activation=s.activation,
                                            use_bias=s.use_bias, name=n.name),
    "Dropout": lambda k, n, s: k.layers.Dropout(s.rate, name=n.name),
    "Add": lambda k, n, s: k.layers.Add(name=n.name),
    "Multiply": lambda k, n, s: k.layers.Multiply(name=n.name),
    "Concatenate": lambda k, n, s: k.layers.Concatenate(axis=s.axis, name=n.name),
    "LocalResponseNormalization": lambda k, n, s: lrn_class()(
        depth_radius=s.depth_radius, bias=s.bias, alpha=s.alpha, beta=s.beta, name=n.name),
}


def register_translation(kind: str, make: Callable) -> None:
    """Add the Keras translation of an extra layer kind: make(keras, node, layer) -> Layer."""
    _TRANSLATIONS[kind] = make


def build_keras_model(network: Network, seed: int | None = None):
    """Build the `keras.Model` described by `network`; same layer names as the spec.

    Args:
        network: the spec graph.
        seed: when given, Keras' global seed is set first so the initial weights repeat.
    """
    keras = import_keras()
    if seed is not None:
        keras.utils.set_random_seed(seed)
    tensors = {}
    model_inputs = []
    for node in network.nodes:
        if node.kind == "Input":
            t = keras.Input(shape=node.output_shape, name=node.name)
            model_inputs.append(t)
        else:
            make = _TRANSLATIONS.get(node.kind)
            if make is None:
                raise ConfigError(f"layer {node.name!r}: no Keras translation for kind "
                                  f"{node.kind!r}")
            layer = make(keras, node, node.layer)
            args = [tensors[i] for i in node.inputs]
            t = layer(args if node.layer.arity is None else args[0])
        tensors[node.name] = t
    outputs = [tensors[o] for o in network.outputs]
    return keras.Model(model_inputs if len(model_inputs) > 1 else model_inputs[0],
                       outputs if len(outputs) > 1 else outputs[0], name=network.name)
