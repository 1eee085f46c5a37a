"""The spatial size vs channels progression of a network, with parallel branches side by side.

Plotted in network order, an Inception module's branches (1x1 64, 3x3 reduce 96, 3x3 128,
5x5 reduce 16, ...) read as a zig-zag of channel counts. Here each image-shaped layer is
placed at its depth (the longest path from the input), so the layers of parallel branches
share an x position and every edge is its own segment: a module fans out and joins again.

    prog = shape_progression(network)
    prog.points[0]   # ProgressionPoint(name="input", x=0, height=224, channels=3)
    prog.segments    # ((i, j), ...): point i feeds point j
"""

from __future__ import annotations

from dataclasses import dataclass

from cnnexplorer.core.arch.graph import Network


@dataclass(frozen=True)
class ProgressionPoint:
    name: str
    x: int  # depth: layers of parallel branches share it
    height: int  # n_H
    channels: int  # n_C


@dataclass(frozen=True)
class Progression:
    points: tuple[ProgressionPoint, ...]  # in network order
    segments: tuple[tuple[int, int], ...]  # indexes into points, source first

    @property
    def depth(self) -> int:
        """The number of x positions (0 when nothing is image-shaped)."""
        return max((p.x for p in self.points), default=-1) + 1

    @property
    def trunk(self) -> tuple[int, ...]:
        """The points alone at their depth, in order: the main path, from which parallel
        branches leave and to which they return (drawn bold, the branches thin)."""
        count: dict[int, int] = {}
        for p in self.points:
            count[p.x] = count.get(p.x, 0) + 1
        return tuple(i for i, p in enumerate(self.points) if count[p.x] == 1)

    def branch_segments(self) -> tuple[tuple[int, int], ...]:
        """The segments with an end on a parallel branch (a depth shared by several points)."""
        trunk = set(self.trunk)
        return tuple(s for s in self.segments if not (s[0] in trunk and s[1] in trunk))


def shape_progression(network: Network) -> Progression:
    """Image-shaped (H x W x C) layers at their depth, wired as in the network.

    A vector layer (Flatten, Dense) ends the picture: its image-shaped inputs keep their place
    and nothing after it is drawn. Depth counts image-shaped layers only, so the x axis has no
    gaps where a BN or ReLU is followed by a pool.
    """
    depth: dict[str, int] = {}
    points: list[ProgressionPoint] = []
    index: dict[str, int] = {}
    segments: list[tuple[int, int]] = []
    for node in network.nodes:
        if len(node.output_shape) != 3:
            continue
        sources = [i for i in node.inputs if i in index]
        depth[node.name] = max((depth[i] + 1 for i in sources), default=0)
        index[node.name] = len(points)
        h, _w, c = node.output_shape
        points.append(ProgressionPoint(node.name, depth[node.name], h, c))
        segments += [(index[i], index[node.name]) for i in sources]
    return Progression(tuple(points), tuple(segments))
