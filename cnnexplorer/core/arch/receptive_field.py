"""Receptive fields: how much of the input image one output position of each layer sees.

Per axis, from the input (r = 1, j = 1) to each layer, with the layer's kernel f, stride s and
dilation d (`Layer.receptive_window`):

    r_out = r_in + d * (f - 1) * j_in        j_out = j_in * s

where j is the distance in input pixels between two neighbouring output positions. Where paths
join (the Add of a residual block, the Concatenate of an Inception module) the field is the
largest over the paths, as Araujo, Norris and Sim define it in "Computing Receptive Fields of
Convolutional Neural Networks" (Distill, 2019). Padding moves a field but does not widen it.
A layer that mixes every position (global pooling, Flatten) sees the whole input, and so does
everything after it. A kind whose window is not modelled (Conv2DTranspose, an opaque Keras
layer) leaves the field unknown (None) from there on.
"""

from __future__ import annotations

from dataclasses import dataclass

from cnnexplorer.core.arch.graph import Network


@dataclass(frozen=True)
class ReceptiveField:
    """The input pixels one output position of a layer sees: `size` (rows, columns), the
    `jump` between neighbouring positions in input pixels, and whether it is the whole input
    (after a global pooling or Flatten)."""

    size: tuple[int, int]
    jump: tuple[int, int]
    whole_input: bool = False

    def text(self) -> str:
        """'35x35', or 'all 64x64' for a layer that sees the whole input."""
        h, w = self.size
        return f"all {h}x{w}" if self.whole_input else f"{h}x{w}"


def step(field: ReceptiveField, window, input_size: tuple[int, int]) -> ReceptiveField:
    """One layer of the recurrence: the field after a layer with `window` (a SlidingWindow)."""
    if field.whole_input or window.whole:
        return ReceptiveField((input_size[0], input_size[1]), field.jump, whole_input=True)
    size = tuple(r + d * (f - 1) * j for r, f, d, j in
                 zip(field.size, window.kernel, window.dilation, field.jump))
    jump = tuple(j * s for j, s in zip(field.jump, window.stride))
    return ReceptiveField(size, jump)  # type: ignore[arg-type]


def join(fields: list[ReceptiveField]) -> ReceptiveField:
    """Where paths meet: the largest field over the paths (Araujo et al.), per axis."""
    if any(f.whole_input for f in fields):
        return next(f for f in fields if f.whole_input)
    size = tuple(max(f.size[a] for f in fields) for a in range(2))
    jump = tuple(max(f.jump[a] for f in fields) for a in range(2))
    return ReceptiveField(size, jump)  # type: ignore[arg-type]


def receptive_fields(network: Network) -> dict[str, ReceptiveField | None]:
    """The receptive field of every layer of `network`, by layer name (None: unknown)."""
    input_shape = network.input_shape
    input_size = (int(input_shape[0]), int(input_shape[1])) if len(input_shape) == 3 else (1, 1)
    fields: dict[str, ReceptiveField | None] = {}
    for node in network.nodes:
        if not node.inputs:
            fields[node.name] = ReceptiveField((1, 1), (1, 1))
            continue
        before = [fields[i] for i in node.inputs]
        window = node.layer.receptive_window()
        if window is None or any(f is None for f in before):
            fields[node.name] = None
            continue
        fields[node.name] = step(join(before), window, input_size)  # type: ignore[arg-type]
    return fields
