"""Cost breakdown of a spec `Network`: rows as data, block subtotals, totals, training memory.

Rows are plain data; the Qt table model, the CLI text table and the JSON export all render
the same rows, so the numbers a user sees never disagree between views.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from cnnexplorer.core.arch.course_words import PLAIN_BLOCK, course_words
from cnnexplorer.core.arch.graph import Network
from cnnexplorer.core.arch.receptive_field import ReceptiveField, receptive_fields

BYTES_PER_VALUE = 4  # float32 weights and activations

MAC_NOTE = ("1 MAC = one multiply + one add; FLOPs = 2 x MACs. Conv2D counts "
            "k_h*k_w*(C_in/groups)*C_out*H_out*W_out, Dense in*out; bias adds, BatchNorm, "
            "activations, pooling, Add and Concatenate count 0. The course's 'multiplications' "
            "are MACs.")


@dataclass(frozen=True)
class LayerRow:
    name: str
    type: str
    block: str
    output_shape: tuple[int, ...]
    params: int
    trainable_params: int
    non_trainable_params: int
    macs: int | None  # None: not counted for this kind (the totals are then lower bounds)
    mac_share: float  # of the network's counted MACs, 0..1
    activation_elements: int
    activation_bytes: int
    weight_bytes: int
    summary: str
    role: str = ""  # the course's word for the layer's part in its block ("shortcut", "3x3 reduce")
    #: the input pixels one output position sees (core.arch.receptive_field); None: unknown
    receptive_field: ReceptiveField | None = None
    #: the window a convolution or pooling slides (the course's f x f) and its step (s);
    #: None for a layer without one (Dense, BatchNorm, Add, global pooling ...)
    kernel: tuple[int, int] | None = None
    stride: tuple[int, int] | None = None


@dataclass
class Subtotal:
    """Sums over the rows of one block path (and everything nested under it)."""

    block: str
    kind: str = PLAIN_BLOCK  # the course's name for the block ("identity block", ...)
    layers: int = 0
    params: int = 0
    trainable_params: int = 0
    non_trainable_params: int = 0
    macs: int = 0
    macs_lower_bound: bool = False
    activation_bytes: int = 0

    def add(self, row: LayerRow) -> None:
        self.layers += 1
        self.params += row.params
        self.trainable_params += row.trainable_params
        self.non_trainable_params += row.non_trainable_params
        if row.macs is None:
            self.macs_lower_bound = True
        else:
            self.macs += row.macs
        self.activation_bytes += row.activation_bytes


@dataclass(frozen=True)
class Totals:
    params: int
    trainable_params: int
    non_trainable_params: int
    macs: int
    macs_lower_bound: bool  # True when some layer's MACs are not counted
    activation_elements: int  # per image, all layer outputs
    activation_bytes: int
    weight_bytes: int

    @property
    def flops(self) -> int:
        return 2 * self.macs


@dataclass(frozen=True)
class TrainingMemory:
    """A rough estimate of training memory at a batch size, float32, Adam by default.

    weights + gradients + optimizer state (2 slots for Adam, 1 for momentum SGD/RMSprop) +
    every layer's output kept for backprop at the batch size. Framework workspace is ignored.
    """

    batch_size: int
    weights: int
    gradients: int
    optimizer_state: int
    activations: int

    @property
    def total(self) -> int:
        return self.weights + self.gradients + self.optimizer_state + self.activations


@dataclass(frozen=True)
class CostReport:
    network: Network
    rows: tuple[LayerRow, ...]
    totals: Totals
    blocks: dict[str, Subtotal] = field(default_factory=dict)

    def row(self, name: str) -> LayerRow:
        for r in self.rows:
            if r.name == name:
                return r
        raise KeyError(name)

    def training_memory(self, batch_size: int, optimizer: str = "adam") -> TrainingMemory:
        slots = {"adam": 2, "adamw": 2, "rmsprop": 1, "sgd": 1, "sgd_plain": 0}.get(optimizer, 2)
        w = self.totals.params * BYTES_PER_VALUE
        g = self.totals.trainable_params * BYTES_PER_VALUE
        return TrainingMemory(batch_size, w, g, slots * g,
                              self.totals.activation_bytes * batch_size)


def sliding_window(settings: dict) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    """(kernel, stride) from a layer's settings: a convolution's kernel_size or a pooling's
    pool_size, with its strides; (None, None) for a layer that slides no window."""
    kernel = settings.get("kernel_size") or settings.get("pool_size")
    if kernel is None:
        return None, None
    stride = settings.get("strides") or kernel  # Keras: a pooling's stride defaults to its size
    return tuple(kernel), tuple(stride)


def cost_report(network: Network) -> CostReport:
    """Compute every row, the block subtotals and the totals of a network."""
    counted = sum(n.macs for n in network.nodes if n.macs is not None)
    words = course_words(network)
    fields = receptive_fields(network)
    rows = []
    for n in network.nodes:
        elements = math.prod(n.output_shape)
        kernel, stride = sliding_window(n.layer.settings())
        rows.append(LayerRow(
            name=n.name, type=n.kind, block=n.block, output_shape=n.output_shape,
            params=n.params, trainable_params=n.trainable_params,
            non_trainable_params=n.non_trainable_params, macs=n.macs,
            mac_share=(n.macs or 0) / counted if counted else 0.0,
            activation_elements=elements, activation_bytes=elements * BYTES_PER_VALUE,
            weight_bytes=n.params * BYTES_PER_VALUE, summary=n.layer.summary(),
            role=words.role(n.name), receptive_field=fields[n.name], kernel=kernel,
            stride=stride))
    blocks: dict[str, Subtotal] = {}
    for r in rows:
        parts = r.block.split("/") if r.block else []
        for depth in range(1, len(parts) + 1):
            path = "/".join(parts[:depth])
            blocks.setdefault(path, Subtotal(path, words.block_kind(path))).add(r)
    totals = Totals(
        params=sum(r.params for r in rows),
        trainable_params=sum(r.trainable_params for r in rows),
        non_trainable_params=sum(r.non_trainable_params for r in rows),
        macs=counted,
        macs_lower_bound=any(r.macs is None for r in rows),
        activation_elements=sum(r.activation_elements for r in rows),
        activation_bytes=sum(r.activation_bytes for r in rows),
        weight_bytes=sum(r.weight_bytes for r in rows))
    return CostReport(network, tuple(rows), totals, blocks)


def report_to_dict(report: CostReport, architecture: str | None = None,
                   classes: int | None = None, batch_size: int | None = None) -> dict:
    """The JSON shape of `cnnexplorer inspect --json` (more keys than the minimum)."""
    t = report.totals
    out = {
        "architecture": architecture or report.network.name,
        "input_shape": list(report.network.input_shape),
        "classes": classes,
        "layers": [{
            "name": r.name, "type": r.type, "block": r.block,
            "output_shape": list(r.output_shape), "params": r.params,
            "trainable_params": r.trainable_params,
            "non_trainable_params": r.non_trainable_params,
            "macs": r.macs, "mac_share": r.mac_share,
            "activation_bytes": r.activation_bytes, "summary": r.summary,
            # [rows, columns] of input pixels one output position sees; null: unknown
            "receptive_field": (list(r.receptive_field.size) if r.receptive_field else None),
            "receptive_field_whole_input": bool(r.receptive_field
                                                and r.receptive_field.whole_input),
            "jump": list(r.receptive_field.jump) if r.receptive_field else None,
        } for r in report.rows],
        "blocks": {path: {"layers": s.layers, "params": s.params, "macs": s.macs}
                   for path, s in report.blocks.items()},
        "totals": {
            "params": t.params, "trainable_params": t.trainable_params,
            "non_trainable_params": t.non_trainable_params, "macs": t.macs, "flops": t.flops,
            "macs_lower_bound": t.macs_lower_bound, "weight_bytes": t.weight_bytes,
            "activation_bytes_per_image": t.activation_bytes,
        },
        "mac_convention": MAC_NOTE,
    }
    if batch_size:
        m = report.training_memory(batch_size)
        out["training_memory"] = {"batch_size": batch_size, "weights": m.weights,
                                  "gradients": m.gradients,
                                  "optimizer_state": m.optimizer_state,
                                  "activations": m.activations, "total": m.total}
    return out
