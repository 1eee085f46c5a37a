"""Blocks for an imported model, read from its layer names.

A saved Keras model keeps no block structure, but the names of well-made models carry it:
keras.applications write `conv2_block1_1_conv` (ResNetV2, DenseNet), `block1a_dwconv`
(EfficientNet), `block_3_expand` (MobileNetV2), `conv_dw_3` (MobileNet), `block2_sepconv1`
(Xception), and close every Inception module with a Concatenate named `mixedN`. Grouping by
these gives the table subtotals and the diagram's collapsible blocks. A name that matches no
rule stays at the top level; a "block" of a single layer is dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Sequence

_BLOCK_PART = re.compile(r"(?:block|stage|module|cell)(\d*)([a-z]?)(\d*)$")
_STAGE_PART = re.compile(r"(?:conv|stage|res|dense)\d+$")
_MOBILENET = re.compile(r"conv_(?:dw|pw|pad)_(\d+)(?:_|$)")
_INCEPTION_OUT = re.compile(r"mixed_?\w*?\d+[a-z]?$")


def block_from_name(name: str) -> str:
    """The block path one layer name implies, or '' (see the module docstring)."""
    parts = name.split("_")
    for i, part in enumerate(parts):
        m = _BLOCK_PART.fullmatch(part)
        if not m:
            continue
        digits = m.group(1) or m.group(3)
        if not digits:
            if i + 1 < len(parts) and parts[i + 1].isdigit() and i + 2 <= len(parts):
                return "_".join(parts[:i + 2])
            continue
        block = "_".join(parts[:i + 1])
        if i > 0 and _STAGE_PART.fullmatch(parts[i - 1]):
            return f"{'_'.join(parts[:i])}/{block}"  # conv2/conv2_block1
        if m.group(2) and m.group(1):
            return f"block{m.group(1)}/{block}"  # EfficientNet: block2/block2a
        return block
    m = _MOBILENET.match(name)
    if m:
        return f"block_{m.group(1)}"
    return ""


def _inception_modules(nodes) -> dict[str, str]:
    """Layers of each Inception module, walked back from its `mixedN` Concatenate output."""
    consumers = Counter(i for n in nodes for i in n.inputs)
    by_name = {n.name: n for n in nodes}
    outputs = [n for n in nodes if n.kind == "Concatenate" and _INCEPTION_OUT.fullmatch(n.name)
               and "_" not in n.name.removeprefix("mixed_")]
    assigned: dict[str, str] = {}
    previous: set[str] = set()
    for out in outputs:
        stack, members = [out.name], []
        while stack:
            name = stack.pop()
            if name in assigned or name in members or name in previous:
                continue
            node = by_name[name]
            if node.kind == "Input":
                continue
            # The first module has no previous output to stop at: stop at the stem's fork.
            if not previous and name != out.name and consumers[name] > 1:
                continue
            members.append(name)
            stack.extend(node.inputs)
        for name in members:
            assigned[name] = out.name
        previous.add(out.name)
    return assigned


def infer_blocks(nodes: Sequence) -> list[str]:
    """Block paths for the nodes of an imported network (keeps nested-model blocks in front)."""
    inception = _inception_modules(nodes)
    guessed = [inception.get(n.name) or block_from_name(n.name) for n in nodes]
    counts = Counter(guessed)
    out = []
    for node, block in zip(nodes, guessed):
        if counts[block] < 2:
            block = ""
        if node.block and block:
            out.append(f"{node.block}/{block}")
        else:
            out.append(node.block or block)
    return out
