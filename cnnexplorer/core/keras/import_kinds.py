"""Keras layer config -> the core's layer kind: one small translator per Keras class.

Used by `keras_import`; each translator receives the layer's `get_config()` and its input
shapes (without the batch axis) and returns a core layer, or raises `Untranslated` for a
setting the core does not model (the importer then keeps the layer as `Opaque`).
"""

from __future__ import annotations

from cnnexplorer.core.arch import layers as L
from cnnexplorer.core.arch import layers_extra as X


class Untranslated(Exception):
    """A Keras layer this module cannot express as a core kind (it becomes Opaque)."""

def _activation(cfg: dict) -> str | None:
    act = cfg.get("activation")
    if isinstance(act, dict):  # a serialized activation object
        act = act.get("config", {}).get("name") or act.get("class_name")
    if not isinstance(act, str) or act == "linear":
        return None
    return "swish" if act == "silu" else act  # Keras' swish is silu under a second name


def _channels_last(cfg: dict) -> None:
    if cfg.get("data_format", "channels_last") != "channels_last":
        raise Untranslated("channels_first")


def _with_activation(layer: L.Layer, cfg: dict) -> L.Layer:
    act = _activation(cfg)
    if act is not None and act not in L.ACTIVATIONS:
        X._set_activation(layer, act)
    return layer


def _conv(cfg, shapes):
    _channels_last(cfg)
    layer = L.Conv2D(filters=cfg["filters"], kernel_size=tuple(cfg["kernel_size"]),
                     strides=tuple(cfg["strides"]), padding=cfg["padding"],
                     groups=cfg.get("groups", 1), dilation_rate=tuple(cfg["dilation_rate"]),
                     use_bias=cfg["use_bias"],
                     activation=_known(_activation(cfg)))
    return _with_activation(layer, cfg)


def _known(act):
    return act if act is None or act in L.ACTIVATIONS else None


def _depthwise(cfg, shapes):
    _channels_last(cfg)
    layer = X.DepthwiseConv2D(kernel_size=tuple(cfg["kernel_size"]),
                              strides=tuple(cfg["strides"]), padding=cfg["padding"],
                              depth_multiplier=cfg.get("depth_multiplier", 1),
                              dilation_rate=tuple(cfg["dilation_rate"]), use_bias=cfg["use_bias"],
                              activation=_activation(cfg))
    return layer


def _separable(cfg, shapes):
    _channels_last(cfg)
    return X.SeparableConv2D(filters=cfg["filters"], kernel_size=tuple(cfg["kernel_size"]),
                             strides=tuple(cfg["strides"]), padding=cfg["padding"],
                             depth_multiplier=cfg.get("depth_multiplier", 1),
                             dilation_rate=tuple(cfg["dilation_rate"]), use_bias=cfg["use_bias"],
                             activation=_activation(cfg))


def _conv_transpose(cfg, shapes):
    _channels_last(cfg)
    if cfg.get("output_padding") or tuple(cfg.get("dilation_rate", (1, 1))) != (1, 1):
        raise Untranslated("output_padding/dilation")
    return X.Conv2DTranspose(filters=cfg["filters"], kernel_size=tuple(cfg["kernel_size"]),
                             strides=tuple(cfg["strides"]), padding=cfg["padding"],
                             use_bias=cfg["use_bias"], activation=_activation(cfg))


def _last_axis(cfg, shapes, key="axis"):
    axis = cfg.get(key, -1)
    if isinstance(axis, (list, tuple)):
        if len(axis) != 1:
            raise Untranslated("several axes")
        axis = axis[0]
    rank = len(shapes[0]) + 1  # Keras' axis counts the batch
    if axis not in (-1, rank - 1):
        raise Untranslated(f"axis {axis}")


def _batch_norm(cfg, shapes):
    _last_axis(cfg, shapes)
    return L.BatchNormalization(center=cfg["center"], scale=cfg["scale"],
                                epsilon=cfg["epsilon"], momentum=cfg["momentum"])


def _activation_layer(cfg, shapes):
    act = _activation(cfg) or "linear"
    layer = L.Activation(activation=_known(act) or "linear")
    return _with_activation(layer, {"activation": act})


def _pool(cls):
    def make(cfg, shapes):
        _channels_last(cfg)
        return cls(pool_size=tuple(cfg["pool_size"]),
                   strides=tuple(cfg["strides"]) if cfg.get("strides") else None,
                   padding=cfg["padding"])
    return make


def _global(cls):
    def make(cfg, shapes):
        _channels_last(cfg)
        return cls(keepdims=bool(cfg.get("keepdims", False)))
    return make


def _dense(cfg, shapes):
    layer = L.Dense(units=cfg["units"], activation=_known(_activation(cfg)),
                    use_bias=cfg["use_bias"])
    return _with_activation(layer, cfg)


def _zero_pad(cfg, shapes):
    _channels_last(cfg)
    return L.ZeroPadding2D(padding=tuple(tuple(p) for p in cfg["padding"]))


def _cropping(cfg, shapes):
    _channels_last(cfg)
    return X.Cropping2D(cropping=tuple(tuple(p) for p in cfg["cropping"]))


def _normalization(cfg, shapes):
    axis = cfg.get("axis", -1)
    axis = tuple(axis) if isinstance(axis, (list, tuple)) else (axis,)
    return X.Normalization(axis=axis, stored_stats=cfg.get("mean") is None,
                           invert=bool(cfg.get("invert", False)))


def _number(v):
    return float(v) if isinstance(v, (int, float)) else tuple(v)


def _relu(cfg, shapes):
    mv = cfg.get("max_value")
    return X.ReLU(max_value=None if mv is None else float(mv),
                  negative_slope=float(cfg.get("negative_slope", 0.0)),
                  threshold=float(cfg.get("threshold", 0.0)))


def _concat(cfg, shapes):
    return L.Concatenate(axis=cfg.get("axis", -1))


TRANSLATORS = {
    "Conv2D": _conv,
    "Convolution2D": _conv,
    "DepthwiseConv2D": _depthwise,
    "SeparableConv2D": _separable,
    "Conv2DTranspose": _conv_transpose,
    "BatchNormalization": _batch_norm,
    "Activation": _activation_layer,
    "ReLU": _relu,
    "LeakyReLU": lambda c, s: X.LeakyReLU(negative_slope=float(
        c.get("negative_slope", c.get("alpha", 0.3)))),
    "Softmax": lambda c, s: X.Softmax(axis=c.get("axis", -1) if isinstance(
        c.get("axis", -1), int) else -1),
    "LayerNormalization": lambda c, s: (_last_axis(c, s), X.LayerNormalization(
        center=c["center"], scale=c["scale"], epsilon=c["epsilon"]))[1],
    "MaxPooling2D": _pool(L.MaxPooling2D),
    "AveragePooling2D": _pool(L.AveragePooling2D),
    "GlobalAveragePooling2D": _global(X.GlobalAveragePooling2D),
    "GlobalMaxPooling2D": _global(X.GlobalMaxPooling2D),
    "Flatten": lambda c, s: L.Flatten(),
    "Dense": _dense,
    "Dropout": lambda c, s: L.Dropout(rate=float(c["rate"])),
    "ZeroPadding2D": _zero_pad,
    "Cropping2D": _cropping,
    "UpSampling2D": lambda c, s: X.UpSampling2D(size=tuple(c["size"]),
                                                interpolation=c.get("interpolation", "nearest")),
    "Reshape": lambda c, s: X.Reshape(target_shape=tuple(c["target_shape"])),
    "Rescaling": lambda c, s: X.Rescaling(scale=_number(c["scale"]),
                                          offset=_number(c["offset"])),
    "Normalization": _normalization,
    "Add": lambda c, s: X.Add(),
    "Multiply": lambda c, s: X.Multiply(),
    "Subtract": lambda c, s: X.Subtract(),
    "Average": lambda c, s: X.Average(),
    "Maximum": lambda c, s: X.Maximum(),
    "Minimum": lambda c, s: X.Minimum(),
    "Concatenate": _concat,
    "LocalResponseNormalization": lambda c, s: L.LocalResponseNormalization(
        depth_radius=c["depth_radius"], bias=c["bias"], alpha=c["alpha"], beta=c["beta"]),
}
