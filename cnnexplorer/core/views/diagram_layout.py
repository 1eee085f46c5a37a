"""Block diagram layout of a spec `Network`, in plain Python (no Qt), shared by the GUI's
diagram view, the SVG writer and `cnnexplorer diagram`.

Layers are boxes stacked top to bottom; parallel branches (Inception's four paths, a ResNet
shortcut) stand side by side; every edge carries its source's output shape; a block (stage,
residual block, Inception module, imported nested model) can be collapsed to one box.

The method is a small layered ("Sugiyama") layout, enough for CNNs:
1. rank: longest path from the inputs, so the branches of a fork start on one row (the
   four paths of an Inception module, a ResNet shortcut conv beside the main path's first);
2. long edges get one dummy point per rank they cross, so they can pass beside the boxes;
3. order within a rank: the trunk (the longest input-to-output path) in column 0, everything
   else after it by the mean column of its predecessors (few crossings, stable);
4. edges are routed orthogonally through the gaps between ranks; the gap after a rank grows
   by the padding of the block frames that end or start there, so frames never overlap.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from cnnexplorer.core.arch.course_words import PLAIN_BLOCK, course_words
from cnnexplorer.core.arch.graph import Network
from cnnexplorer.core.arch.receptive_field import receptive_fields
from cnnexplorer.core.formatting import compact_count, shape_text
from cnnexplorer.core.views.kind_colours import kind_fill

BOX_W, BOX_H, BLOCK_H = 184, 40, 56
COL_GAP, RANK_GAP, MARGIN = 28, 34, 16
FRAME_PAD, FRAME_LABEL = 8, 15

def kind_color(kind: str) -> str:
    """A box's fill: the type's colour (core.views.kind_colours, the charts' too), tinted."""
    return kind_fill(kind)


@dataclass(frozen=True)
class Box:
    id: str  # a layer name, or "block:<path>" for a collapsed block
    x: float
    y: float
    w: float
    h: float
    title: str
    subtitle: str  # one line ("shortcut: Conv2D 1x1/2, 256" names the layer's role); a
    # collapsed block's has two ("identity block, 10 layers\nP params, M MACs")
    kind: str  # the layer kind, or "_block"
    layers: tuple[str, ...]  # the spec layers this box stands for
    block: str  # a layer's block path; for a collapsed block, its own path
    color: str

    @property
    def is_block(self) -> bool:
        return self.kind == "_block"

    @property
    def center(self) -> tuple[float, float]:
        return self.x + self.w / 2, self.y + self.h / 2


@dataclass(frozen=True)
class Edge:
    src: str
    dst: str
    points: tuple[tuple[float, float], ...]  # orthogonal polyline, source to target
    label: str  # the source's output shape, e.g. "56x56x256"
    label_at: tuple[float, float] | None  # where to write it (one label per source)


@dataclass(frozen=True)
class Frame:
    block: str
    x: float
    y: float
    w: float
    h: float
    depth: int  # 0 for a top-level block
    kind: str = PLAIN_BLOCK  # the course's name: "identity block", "Inception module", ...

    @property
    def label(self) -> str:
        name = self.block.rsplit("/", 1)[-1]
        return name if self.kind == PLAIN_BLOCK else f"{name}: {self.kind}"


@dataclass(frozen=True)
class DiagramLayout:
    title: str
    boxes: tuple[Box, ...]
    edges: tuple[Edge, ...]
    frames: tuple[Frame, ...]
    width: float
    height: float
    collapsed: frozenset[str] = field(default_factory=frozenset)
    blocks: tuple[str, ...] = ()  # every block path of the network (collapsible)

    def box(self, box_id: str) -> Box:
        for b in self.boxes:
            if b.id == box_id:
                return b
        raise KeyError(box_id)

    def box_of_layer(self, layer: str) -> Box | None:
        """The box that shows a layer (its own, or its collapsed block's)."""
        for b in self.boxes:
            if layer in b.layers:
                return b
        return None


def _prefixes(block: str) -> list[str]:
    parts = block.split("/") if block else []
    return ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]


def all_blocks(network: Network) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for n in network.nodes:
        for p in _prefixes(n.block):
            seen.setdefault(p, None)
    return tuple(seen)


def blocks_at_depth(network: Network, depth: int) -> set[str]:
    """The block paths `depth` levels deep (1 = top-level stages), to collapse them all."""
    return {b for b in all_blocks(network) if b.count("/") + 1 == depth}


def _ellipsize(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


class _ViewGraph:
    """The network as drawn: layers, with each collapsed block merged into one vertex."""

    def __init__(self, network: Network, collapsed: set[str]):
        self.order: list[str] = []
        self.members: dict[str, list] = defaultdict(list)
        self.vertex_of: dict[str, str] = {}
        for n in network.nodes:
            hidden = next((p for p in _prefixes(n.block) if p in collapsed), None)
            vid = f"block:{hidden}" if hidden else n.name
            if vid not in self.members:
                self.order.append(vid)
            self.members[vid].append(n)
            self.vertex_of[n.name] = vid
        self.index = {v: i for i, v in enumerate(self.order)}
        self.edges: dict[tuple[str, str], str] = {}
        for n in network.nodes:
            v = self.vertex_of[n.name]
            for i in n.inputs:
                u = self.vertex_of[i]
                if u != v and (u, v) not in self.edges:
                    self.edges[(u, v)] = shape_text(network.node(i).output_shape)
        self.succ: dict[str, list[str]] = defaultdict(list)
        self.pred: dict[str, list[str]] = defaultdict(list)
        for u, v in self.edges:
            if self.index[u] < self.index[v]:  # a re-entered block could make a back edge
                self.succ[u].append(v)
                self.pred[v].append(u)


def _ranks(g: _ViewGraph) -> dict[str, int]:
    rank: dict[str, int] = {}
    for v in g.order:
        rank[v] = max((rank[u] + 1 for u in g.pred[v]), default=0)
    return rank


def _trunk(g: _ViewGraph, rank: dict[str, int]) -> set[str]:
    height: dict[str, int] = {}
    for v in reversed(g.order):
        height[v] = max((height[w] + rank[w] - rank[v] for w in g.succ[v]), default=0)
    sources = [v for v in g.order if not g.pred[v]]
    if not sources:
        return set()
    v = max(sources, key=lambda s: (height[s], -g.index[s]))
    trunk = {v}
    while g.succ[v]:
        v = max(g.succ[v], key=lambda w: (height[w] + rank[w], -g.index[w]))
        trunk.add(v)
    return trunk


def layout_network(network: Network, collapsed: Iterable[str] = (),
                   title: str | None = None) -> DiagramLayout:
    """Lay out `network` with the given block paths collapsed to one box each."""
    collapsed = set(collapsed)
    words = course_words(network)
    fields = receptive_fields(network)
    g = _ViewGraph(network, collapsed)
    rank = _ranks(g)
    trunk = _trunk(g, rank)
    n_ranks = max(rank.values(), default=0) + 1

    # Items per rank: real vertices and the dummy points of edges crossing that rank.
    items: list[list[tuple]] = [[] for _ in range(n_ranks)]
    for v in g.order:
        items[rank[v]].append(("v", v))
    for (u, v) in g.edges:
        if g.index[u] < g.index[v]:
            for r in range(rank[u] + 1, rank[v]):
                items[r].append(("d", u, v))
    column: dict[tuple, int] = {}

    def pred_cols(item) -> list[int]:
        if item[0] == "d":
            _, u, v = item
            prev = ("v", u) if rank[u] == rank_now - 1 else ("d", u, v)
            return [column[prev]] if prev in column else []
        return [column[("v", u)] if rank[u] == rank_now - 1 else column.get(("d", u, item[1]), 0)
                for u in g.pred[item[1]] if ("v", u) in column]

    for rank_now, row in enumerate(items):  # noqa: B007 - pred_cols above reads rank_now
        def key(item):
            cols = pred_cols(item)
            on_trunk = item[0] == "v" and item[1] in trunk
            bary = sum(cols) / len(cols) if cols else 0.0
            first = g.index[item[1]] if item[0] == "v" else g.index[item[2]]
            return (0 if on_trunk else 1, bary, 0 if item[0] == "v" else 1, first)
        row.sort(key=key)
        for c, item in enumerate(row):
            column[item] = c

    # Frames: the rank span of each expanded block, to size the gaps between ranks.
    blocks = all_blocks(network)
    frame_ranks: dict[str, list[int]] = {}
    frame_height: dict[str, int] = {}
    for v in g.order:
        node = g.members[v][0]
        path = node.block if not v.startswith("block:") else v[6:]
        own = _prefixes(path) if not v.startswith("block:") else _prefixes(path)[:-1]
        for p in own:
            lo_hi = frame_ranks.setdefault(p, [rank[v], rank[v]])
            lo_hi[0], lo_hi[1] = min(lo_hi[0], rank[v]), max(lo_hi[1], rank[v])
    for p in frame_ranks:
        below = [q.count("/") for q in frame_ranks if q.startswith(p + "/")]
        frame_height[p] = (max(below) - p.count("/")) if below else 0

    def top_pad(p):
        return (frame_height[p] + 1) * (FRAME_PAD + FRAME_LABEL)

    def bottom_pad(p):
        return (frame_height[p] + 1) * FRAME_PAD

    def side_pad(p):
        return (frame_height[p] + 1) * FRAME_PAD

    opens: defaultdict[int, int] = defaultdict(int)
    closes: defaultdict[int, int] = defaultdict(int)
    for p, (lo, hi) in frame_ranks.items():
        opens[lo] = max(opens[lo], top_pad(p))
        closes[hi] = max(closes[hi], bottom_pad(p))
    row_h = [max((BLOCK_H if it[0] == "v" and it[1].startswith("block:") else BOX_H)
                 for it in row if it[0] == "v") if any(it[0] == "v" for it in row) else BOX_H
             for row in items]
    left = MARGIN + max((side_pad(p) for p in frame_ranks), default=0)
    y_of, y = [], MARGIN + opens.get(0, 0)
    for r in range(n_ranks):
        y_of.append(y)
        y += row_h[r] + RANK_GAP + closes.get(r, 0) + opens.get(r + 1, 0)

    def x_of(item) -> float:
        return left + column[item] * (BOX_W + COL_GAP)

    boxes: list[Box] = []
    for v in g.order:
        members = g.members[v]
        x, top = x_of(("v", v)), y_of[rank[v]]
        if v.startswith("block:"):
            path = v[6:]
            params = sum(n.params for n in members)
            macs = [n.macs for n in members]
            counted = compact_count(sum(m for m in macs if m is not None))
            kind = words.block_kind(path)
            count = f"{len(members)} layers"
            sub = (f"{count if kind == PLAIN_BLOCK else f'{kind}, {count}'}\n"
                   f"{compact_count(params)} params, "
                   f"{counted}{'+' if None in macs else ''} MACs")
            boxes.append(Box(v, x, top, BOX_W, BLOCK_H, _ellipsize(path.rsplit("/", 1)[-1], 26),
                             "\n".join(_ellipsize(line, 34) for line in sub.split("\n")),
                             "_block", tuple(n.name for n in members), path,
                             kind_color("_block")))
        else:
            n = members[0]
            summary = n.layer.summary()
            sub = f"{n.kind} {summary}".strip() if n.kind != "Opaque" else f"{summary} (custom)"
            role = words.role(n.name)
            if role:  # the course's word first: "shortcut: Conv2D 1x1/2, 256"
                sub = f"{role}: {sub}"
            rf = fields.get(n.name)
            if rf is not None and not rf.whole_input and n.kind != "Input":
                # the receptive field where the box has room for it (the tooltip has it always)
                with_field = f"{sub}, RF {rf.size[0]}" if rf.size[0] == rf.size[1] else \
                    f"{sub}, RF {rf.text()}"
                if len(with_field) <= 34:
                    sub = with_field
            boxes.append(Box(v, x, top, BOX_W, BOX_H, _ellipsize(n.name, 24),
                             _ellipsize(sub, 34), n.kind, (n.name,), n.block,
                             kind_color(n.kind)))
    by_id = {b.id: b for b in boxes}

    edges: list[Edge] = []
    labelled: set[str] = set()
    for (u, v), label in g.edges.items():
        a, b = by_id[u], by_id[v]
        pts: list[tuple[float, float]]
        if g.index[u] > g.index[v]:  # back edge: straight line, no routing
            pts = [(a.center[0], a.y + a.h), (b.center[0], b.y)]
        else:
            lanes = [a.center[0]]
            lanes += [x_of(("d", u, v)) + BOX_W / 2 for _ in range(rank[u] + 1, rank[v])]
            lanes.append(b.center[0])
            pts = [(lanes[0], a.y + a.h)]
            for i, r in enumerate(range(rank[u], rank[v])):
                gap_top = y_of[r] + row_h[r]
                y_mid = gap_top + closes.get(r, 0) + RANK_GAP * 0.62  # above any frame
                if lanes[i + 1] != lanes[i]:
                    pts += [(lanes[i], y_mid), (lanes[i + 1], y_mid)]
            pts.append((lanes[-1], b.y))
        label_at = None
        if u not in labelled:
            labelled.add(u)
            label_at = (a.center[0] + 5, a.y + a.h + closes.get(rank[u], 0) + 11)
        edges.append(Edge(u, v, tuple(pts), label, label_at))

    frames = []
    for p in frame_ranks:
        inside = [b for b in boxes if b.block == p or b.block.startswith(p + "/")
                  and not (b.is_block and b.block == p)]
        if not inside:
            continue
        x0 = min(b.x for b in inside) - side_pad(p)
        x1 = max(b.x + b.w for b in inside) + side_pad(p)
        y0 = min(b.y for b in inside) - top_pad(p)
        y1 = max(b.y + b.h for b in inside) + bottom_pad(p)
        frames.append(Frame(p, x0, y0, x1 - x0, y1 - y0, p.count("/"), words.block_kind(p)))
    frames.sort(key=lambda f: f.depth)
    lanes = [x + 60 for e in edges for x, _ in e.points]  # a bypass lane and its label
    width = max([b.x + b.w for b in boxes] + [f.x + f.w for f in frames] + lanes,
                default=0) + MARGIN
    height = max([b.y + b.h for b in boxes] + [f.y + f.h for f in frames], default=0) + MARGIN
    return DiagramLayout(title or network.name, tuple(boxes), tuple(edges), tuple(frames),
                         width, height, frozenset(collapsed), blocks)
