"""How version-1 spec files named layer kinds, mapped to today's registered kind IDs.

Version 1 (written until the kinds got stable IDs) named a layer by its display kind
("Conv2D") and, where two classes shared that name, by the implementing "module.Class"
("layers_extra.Add": the merge that broadcasts). Those modules are gone; this frozen table
keeps the files users saved loading. It never grows: new kinds only ever appear by ID.
"""

from __future__ import annotations

from typing import Any

from cnnexplorer.core.errors import ConfigError

#: "module.Class" of version 1 -> (kind ID, settings that class implied)
V1_CLASSES: dict[str, tuple[str, dict[str, Any]]] = {
    # the zoo's kinds (module `layers`)
    "layers.Input": ("input", {}),
    "layers.ZeroPadding2D": ("zero_padding2d", {}),
    "layers.Conv2D": ("conv2d", {}),
    "layers.BatchNormalization": ("batchnorm", {}),
    "layers.Activation": ("activation", {}),
    "layers.MaxPooling2D": ("max_pool2d", {}),
    "layers.AveragePooling2D": ("avg_pool2d", {}),
    "layers.GlobalAveragePooling2D": ("global_avg_pool2d", {}),
    "layers.GlobalMaxPooling2D": ("global_max_pool2d", {}),
    "layers.Flatten": ("flatten", {}),
    "layers.Dense": ("dense", {}),
    "layers.Dropout": ("dropout", {}),
    "layers.LocalResponseNormalization": ("lrn", {}),
    "layers.Add": ("add", {}),
    "layers.Multiply": ("multiply", {}),
    "layers.Concatenate": ("concatenate", {}),
    "layers.Opaque": ("opaque", {}),
    # the kinds met in imported models (module `layers_extra`); its merges broadcast
    "layers_extra.DepthwiseConv2D": ("depthwise_conv2d", {}),
    "layers_extra.SeparableConv2D": ("separable_conv2d", {}),
    "layers_extra.Conv2DTranspose": ("conv2d_transpose", {}),
    "layers_extra.Rescaling": ("rescaling", {}),
    "layers_extra.Normalization": ("normalization", {}),
    "layers_extra.ReLU": ("relu", {}),
    "layers_extra.LeakyReLU": ("leaky_relu", {}),
    "layers_extra.Softmax": ("softmax", {}),
    "layers_extra.LayerNormalization": ("layernorm", {}),
    "layers_extra.Reshape": ("reshape", {}),
    "layers_extra.Cropping2D": ("cropping2d", {}),
    "layers_extra.UpSampling2D": ("upsampling2d", {}),
    "layers_extra.GlobalAveragePooling2D": ("global_avg_pool2d", {}),
    "layers_extra.GlobalMaxPooling2D": ("global_max_pool2d", {}),
    "layers_extra.Add": ("add", {"broadcast": True}),
    "layers_extra.Multiply": ("multiply", {"broadcast": True}),
    "layers_extra.Subtract": ("subtract", {"broadcast": True}),
    "layers_extra.Average": ("average", {"broadcast": True}),
    "layers_extra.Maximum": ("maximum", {"broadcast": True}),
    "layers_extra.Minimum": ("minimum", {"broadcast": True}),
}


def v1_kind(item: dict) -> tuple[str, dict[str, Any]]:
    """(kind ID, implied settings) of a version-1 node: its "impl" when it has one, else the
    class its display kind was registered as (the zoo's module first, as v1 looked it up)."""
    kind = item["kind"]
    impl = item.get("impl")
    if impl is not None:
        found = V1_CLASSES.get(impl)
        if found is None or impl.rsplit(".", 1)[-1] != kind:
            raise ConfigError(f"unknown layer class {impl!r} for kind {kind!r}")
        return found
    for module in ("layers", "layers_extra"):
        found = V1_CLASSES.get(f"{module}.{kind}")
        if found is not None:
            return found
    known = sorted({name.rsplit(".", 1)[-1] for name in V1_CLASSES})
    raise ConfigError(f"unknown layer kind {kind!r}; known: {', '.join(known)}")
