"""One colour per layer type, for every view that colours by type.

The cost charts draw a bar in a type's colour and the diagram fills a box with a light tint of
the same colour, so a convolution is blue in both. Types of one family share a hue (the
convolutions, the poolings, the activations, the merges); a type not in the table gets a
spare colour chosen from its name, the same in every view and every run.
"""

from __future__ import annotations

import zlib

# Tableau 10: mid-tone colours with enough contrast against white and near-black
_BLUE, _ORANGE, _RED, _TEAL, _GREEN = "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f"
_YELLOW, _PURPLE, _PINK, _BROWN, _GREY = "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"

#: the colour of each layer type (a chart's bar; the diagram tints it for a box's fill)
KIND_COLOURS = {
    "Conv2D": _BLUE, "Conv2DTranspose": _BLUE, "SeparableConv2D": _BLUE,
    "DepthwiseConv2D": _ORANGE,
    "Dense": _RED,
    "BatchNormalization": _GREEN, "LayerNormalization": _GREEN, "Normalization": _GREEN,
    "Rescaling": _GREEN,
    "LocalResponseNormalization": _PURPLE,
    "MaxPooling2D": _TEAL, "AveragePooling2D": _TEAL,
    "GlobalAveragePooling2D": _TEAL, "GlobalMaxPooling2D": _TEAL,
    "Activation": _YELLOW, "ReLU": _YELLOW, "LeakyReLU": _YELLOW, "Softmax": _YELLOW,
    "Add": _BROWN, "Multiply": _BROWN, "Subtract": _BROWN, "Concatenate": _BROWN,
    "Input": _GREY, "Dropout": _GREY, "Flatten": _GREY, "ZeroPadding2D": _GREY,
    "Opaque": _PINK,
    "_block": _PURPLE,  # a collapsed block in the diagram
}
_SPARE = (_ORANGE, _PURPLE, _TEAL, _YELLOW, _PINK, _BROWN, _GREY)
#: how far a diagram box's fill goes from the type's colour towards white (text stays legible)
FILL_TINT = 0.62


def kind_colour(kind: str) -> str:
    """The type's colour, '#rrggbb'; a type without one gets a spare chosen by its name."""
    if kind in KIND_COLOURS:
        return KIND_COLOURS[kind]
    return _SPARE[zlib.crc32(kind.encode("utf-8")) % len(_SPARE)]


def kind_fill(kind: str, tint: float = FILL_TINT) -> str:
    """The type's colour mixed with white: a box's fill under dark text."""
    rgb = [int(kind_colour(kind)[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * tint):02x}" for c in rgb)
