"""Spec `Network` -> `keras.Model` (functional API, the spec's layer names).

Keras (and so TensorFlow) is imported only when `build_keras_model` is called: the rest of
the core stays instant. Each layer kind translates itself (`Layer.to_keras`, next to its
shape and cost rules in `core/arch/kinds/`); this module only wires the layers together.
"""

from __future__ import annotations

import os
import threading

from cnnexplorer.core.arch.graph import Network
from cnnexplorer.core.arch.kinds import normalization


#: held while Keras (and TensorFlow) are first imported: two threads importing TensorFlow at
#: once (the Training panel's device look-up and a run starting) see half-initialised modules
#: ("module 'dataset_ops' has no attribute 'DatasetV2'")
IMPORT_LOCK = threading.RLock()


def import_keras():
    """Import Keras quietly (TensorFlow's start-up notices go to the log level set here)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with IMPORT_LOCK:
        import keras

    return keras


def lrn_class():
    """The registered Keras class of AlexNet's LRN (model files that hold one need it)."""
    return normalization.keras_layer_class(import_keras())


def build_keras_model(network: Network, seed: int | None = None):
    """Build the `keras.Model` described by `network`; same layer names as the spec.

    Args:
        network: the spec graph.
        seed: when given, Keras' global seed is set first so the initial weights repeat.

    Raises ConfigError naming the layer whose kind has no Keras translation (Opaque).
    """
    keras = import_keras()
    if seed is not None:
        keras.utils.set_random_seed(seed)
    tensors: dict = {}
    model_inputs = []
    for node in network.nodes:
        if node.layer.arity == 0:  # an Input: to_keras gives the model's input tensor
            t = node.layer.to_keras(keras, node.name)
            model_inputs.append(t)
        else:
            layer = node.layer.to_keras(keras, node.name)
            args = [tensors[i] for i in node.inputs]
            t = layer(args if node.layer.arity is None else args[0])
        tensors[node.name] = t
    outputs = [tensors[o] for o in network.outputs]
    return keras.Model(model_inputs if len(model_inputs) > 1 else model_inputs[0],
                       outputs if len(outputs) > 1 else outputs[0], name=network.name)
