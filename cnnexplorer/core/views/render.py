"""A `CostReport` as text: a terminal table, Markdown and CSV.

The rows come from `cost.cost_report`; this module only lays them out, so the CLI, the GUI's
export and the docs show the same numbers. `display_items` gives the display order (layers
with their block subtotals after each block's last layer) for any other view to reuse.

    report = cost_report(network)
    print(render_text(report, title="ResNet-50", batch_size=32))
"""

from __future__ import annotations

import csv
import io
import textwrap
from dataclasses import dataclass
from typing import Iterator, Sequence

from cnnexplorer.core.arch.cost import (
    BYTES_PER_VALUE,
    MAC_NOTE,
    CostReport,
    LayerRow,
    Subtotal,
)
from cnnexplorer.core.formatting import readable_bytes, readable_count, shape_text
from cnnexplorer.core.arch.course_words import PLAIN_BLOCK

# -- display order -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DisplayItem:
    """One line of a cost table: a layer, or the subtotal of a block that just ended."""

    kind: str  # "layer" | "block"
    depth: int  # block nesting depth: 0 for top-level layers and top-level blocks
    row: LayerRow | None = None
    subtotal: Subtotal | None = None

    @property
    def label(self) -> str:
        if self.row is not None:
            return self.row.name
        return self.subtotal.block.rsplit("/", 1)[-1]  # type: ignore[union-attr]


def display_items(report: CostReport, subtotals: bool = True) -> Iterator[DisplayItem]:
    """Layers in order; after the last layer of a block, that block's subtotal (innermost first).

    A block's subtotal comes after its *last* layer, so a block that a branch leaves and
    re-enters is still summed once, over all its layers (`report.blocks` holds the sums).
    """
    last: dict[str, int] = {}
    for i, r in enumerate(report.rows):
        parts = r.block.split("/") if r.block else []
        for depth in range(1, len(parts) + 1):
            last["/".join(parts[:depth])] = i
    ends: dict[int, list[str]] = {}
    for path, i in last.items():
        ends.setdefault(i, []).append(path)
    for i, r in enumerate(report.rows):
        yield DisplayItem("layer", r.block.count("/") + 1 if r.block else 0, row=r)
        if subtotals:
            for path in sorted(ends.get(i, ()), key=lambda p: -p.count("/")):
                yield DisplayItem("block", path.count("/"), subtotal=report.blocks[path])


# -- cell formats ------------------------------------------------------------------------------


def fmt_int(n: int | None) -> str:
    return "n/a" if n is None else f"{n:,}"


def fmt_share(macs: int | None, total: int) -> str:
    """Share of the network's MACs; blank for layers that cost none, so the heavy ones stand out."""
    if not macs or not total:
        return ""
    share = 100.0 * macs / total
    return f"{share:.1f}%" if share >= 0.1 else "<0.1%"


def fmt_field(row: LayerRow) -> str:
    """The receptive field as the table shows it: '35x35', 'all 64x64', or '?' when unknown."""
    return row.receptive_field.text() if row.receptive_field is not None else "?"


def _settings(row: LayerRow) -> str:
    # An Input's summary repeats its shape and BN's repeats its type: say nothing twice.
    return "" if row.type in ("Input", "BatchNormalization") else row.summary


def _cells(item: DisplayItem, total_macs: int) -> list[str]:
    if item.row is not None:
        r = item.row
        kind = f"{r.type} ({r.role})" if r.role else r.type  # "Conv2D (shortcut)"
        return [r.name, kind, _settings(r), shape_text(r.output_shape), fmt_int(r.params),
                "not counted" if r.macs is None else fmt_int(r.macs),
                fmt_share(r.macs, total_macs), fmt_field(r)]
    s = item.subtotal
    assert s is not None
    macs = f">= {s.macs:,}" if s.macs_lower_bound else f"{s.macs:,}"
    layers = f"{s.layers} layer{'' if s.layers == 1 else 's'}"
    if s.kind != PLAIN_BLOCK:  # the course's name: "identity block, 10 layers"
        layers = f"{s.kind}, {layers}"
    return [f"= {item.label} total", layers, "", "", fmt_int(s.params), macs,
            fmt_share(s.macs, total_macs), ""]


HEADERS = ("Layer", "Type", "Settings", "Output shape", "Params", "MACs", "MACs %",
           "Receptive field")
_RIGHT = (False, False, False, False, True, True, True, True)


_OPTIMIZER_NAMES = {"adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop", "sgd": "SGD momentum",
                    "sgd_plain": "SGD"}

# -- totals ------------------------------------------------------------------------------------


def totals_lines(report: CostReport, batch_size: int | None = None,
                 optimizer: str = "adam") -> list[tuple[str, str]]:
    """(label, value) pairs: params, MACs, FLOPs, weight memory, activations, training memory."""
    t = report.totals
    ge = ">= " if t.macs_lower_bound else ""
    lines = [
        ("Params", f"{t.params:,} (trainable {t.trainable_params:,}; "
                   f"non-trainable {t.non_trainable_params:,})"),
        ("MACs", f"{ge}{t.macs:,} ({ge}{readable_count(t.macs)}) per image"),
        ("FLOPs", f"{ge}{t.flops:,} ({ge}{readable_count(t.flops)}) = 2 x MACs"),
        ("Weight memory", f"{readable_bytes(t.weight_bytes)} (float32)"),
        ("Activations", f"{readable_bytes(t.activation_bytes)} per image "
                        f"(every layer's output, float32)"),
    ]
    if batch_size:
        m = report.training_memory(batch_size, optimizer)
        lines.append((f"Training memory, batch {batch_size}",
                      f"about {readable_bytes(m.total)} = weights {readable_bytes(m.weights)} "
                      f"+ gradients {readable_bytes(m.gradients)} + {_OPTIMIZER_NAMES.get(optimizer, optimizer)} state "
                      f"{readable_bytes(m.optimizer_state)} + activations "
                      f"{readable_bytes(m.activations)}"))
    if t.macs_lower_bound:
        lines.append(("Note", "layers marked 'not counted' (kinds the core does not model) "
                              "are left out: MAC totals are lower bounds"))
    return lines


# -- renderers ---------------------------------------------------------------------------------


def render_text(report: CostReport, title: str | None = None, batch_size: int | None = None,
                subtotals: bool = True, width: int = 100) -> str:
    """A fixed-width table for a terminal: layers indented by block, subtotals, totals."""
    total_macs = report.totals.macs
    body = []
    for item in display_items(report, subtotals):
        cells = _cells(item, total_macs)
        cells[0] = "  " * item.depth + cells[0]
        body.append((item.kind, cells))
    widths = [max([len(h)] + [len(c[i]) for _, c in body]) for i, h in enumerate(HEADERS)]

    def line(cells: Sequence[str]) -> str:
        out = [c.rjust(w) if right else c.ljust(w)
               for c, w, right in zip(cells, widths, _RIGHT)]
        return "  ".join(out).rstrip()

    rule = "-" * len(line(["x" * w for w in widths]))
    out = []
    if title:
        out += [title, ""]
    out += [line(HEADERS), rule]
    for _kind, cells in body:
        out.append(line(cells))
    out.append(rule)
    pairs = totals_lines(report, batch_size)
    label_w = max(len(k) for k, _ in pairs)
    out += [f"{k + ':':<{label_w + 1}}  {v}" for k, v in pairs]
    out.append("")
    out += textwrap.wrap(MAC_NOTE, width=width)
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(report: CostReport, title: str | None = None,
                    batch_size: int | None = None, subtotals: bool = True) -> str:
    """A GitHub-flavoured Markdown table; block subtotals in bold, then the totals as a list."""
    total_macs = report.totals.macs
    out = []
    if title:
        out += [f"### {_md(title)}", ""]
    out.append("| " + " | ".join(("Block",) + HEADERS) + " |")
    out.append("|" + "|".join(["---"] + ["---:" if right else "---" for right in _RIGHT]) + "|")
    for item in display_items(report, subtotals):
        cells = [_md(c) for c in _cells(item, total_macs)]
        if item.row is not None:
            block = item.row.block
            cells[0] = f"`{cells[0]}`"
        else:
            block = item.subtotal.block  # type: ignore[union-attr]
            cells = [f"**{c}**" if c else "" for c in cells]
        out.append("| " + " | ".join([_md(block)] + cells) + " |")
    out.append("")
    out += [f"- **{k}**: {_md(v)}" for k, v in totals_lines(report, batch_size)]
    out += ["", f"_{MAC_NOTE}_", ""]
    return "\n".join(out)


# new columns last: scripts reading the earlier columns by position keep working
CSV_COLUMNS = ("kind", "name", "block", "type", "settings", "output_shape", "params",
               "trainable_params", "non_trainable_params", "macs", "mac_share",
               "activation_bytes", "weight_bytes", "role", "receptive_field")


def render_csv(report: CostReport, subtotals: bool = True) -> str:
    """One row per layer (kind=layer), per block (kind=block) and the totals (kind=total).

    Numbers are plain integers (no separators) so a spreadsheet or pandas reads them as
    numbers; filter on `kind` to keep only the layers. An uncounted MAC figure is empty.
    """
    t = report.totals
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)

    def share(macs):
        return f"{macs / t.macs:.6f}" if macs and t.macs else "0"

    for item in display_items(report, subtotals):
        if item.row is not None:
            r = item.row
            w.writerow(["layer", r.name, r.block, r.type, r.summary, shape_text(r.output_shape),
                        r.params, r.trainable_params, r.non_trainable_params,
                        "" if r.macs is None else r.macs, share(r.macs), r.activation_bytes,
                        r.weight_bytes, r.role,
                        "" if r.receptive_field is None else fmt_field(r)])
        else:
            s = item.subtotal
            assert s is not None
            w.writerow(["block", s.block, s.block, "", f"{s.layers} layers", "", s.params,
                        s.trainable_params, s.non_trainable_params, s.macs, share(s.macs),
                        s.activation_bytes, s.params * BYTES_PER_VALUE, s.kind, ""])
    w.writerow(["total", report.network.name, "", "", f"{len(report.rows)} layers",
                shape_text(report.network.output_shapes[0]) if report.network.outputs else "",
                t.params, t.trainable_params, t.non_trainable_params, t.macs,
                "1.000000" if t.macs else "0", t.activation_bytes, t.weight_bytes, "", ""])
    return buf.getvalue()


def heading(meta) -> str:
    """'ResNet-50 (ImageNet form) [resnet50]: input 224x224x3, 1000 classes, width=1.0'."""
    parts = [f"input {shape_text(meta.input_shape)}"]
    if meta.classes is not None:
        parts.append(f"{meta.classes} class{'es' if meta.classes != 1 else ''}")
    parts += [f"{k}={str(v).lower() if isinstance(v, bool) else v}"
              for k, v in (meta.options or {}).items()]
    return f"{meta.title} [{meta.architecture}]: " + ", ".join(parts)
