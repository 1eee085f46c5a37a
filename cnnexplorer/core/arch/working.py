"""The working of one layer: the course's formulas filled in with the layer's own numbers.

`layer_working(network, name)` writes, in the notes' notation (n_H, n_W, n_C, f, s, p), how the
layer's output size, parameters, MACs and receptive field come about, each line as the formula,
the formula with the numbers put in, and the result:

    output height   n_H = floor((n_H_prev + 2p - f) / s) + 1   floor((224 + 2*3 - 7) / 2) + 1 = 112
    parameters      (f * f * n_C_prev + 1) * n_C                 (7 * 7 * 3 + 1) * 64 = 9,472

The arithmetic here is written again from the formulas, not read from the kinds' own rules, so
the tests can hold each against the table (`cost_report`): the working shown for every layer of
every zoo entry must give the table's numbers.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from typing import Any

from cnnexplorer.core.arch.cost import MAC_NOTE, cost_report
from cnnexplorer.core.arch.graph import Network
from cnnexplorer.core.formatting import shape_text


@dataclass(frozen=True)
class WorkingLine:
    """One step: what it is, the formula, the formula with the numbers in, and the result."""

    topic: str
    formula: str
    filled: str
    result: str


@dataclass
class LayerWorking:
    """The working of one layer, and the numbers it arrives at (for the tests and the views)."""

    name: str
    kind: str
    input_shapes: list[tuple[int, ...]]
    lines: list[WorkingLine] = field(default_factory=list)
    output_shape: tuple[int, ...] = ()
    trainable_params: int = 0
    non_trainable_params: int = 0
    macs: int | None = 0
    notes: list[str] = field(default_factory=list)

    def add(self, topic: str, formula: str, filled: str, result) -> None:
        text = f"{result:,}" if isinstance(result, int) else str(result)
        self.lines.append(WorkingLine(topic, formula, filled, text))

    def text(self) -> str:
        """The working as aligned plain text (the CLI's `inspect --layer`)."""
        head = f"{self.name} ({self.kind}), input " + ", ".join(
            shape_text(s) for s in self.input_shapes)
        if not self.lines:
            return head + "\n"
        tw = max(len(ln.topic) for ln in self.lines)
        fw = max(len(ln.formula) for ln in self.lines)
        out = [head, ""]
        for ln in self.lines:
            out.append(f"  {ln.topic:<{tw}}  {ln.formula:<{fw}}  {ln.filled} = {ln.result}")
        out.append("")
        for note in self.notes:
            out += textwrap.wrap(note, width=100, initial_indent="  ", subsequent_indent="  ")
        return "\n".join(out).rstrip() + "\n"

    def to_dict(self) -> dict:
        return {"name": self.name, "kind": self.kind,
                "input_shapes": [list(s) for s in self.input_shapes],
                "output_shape": list(self.output_shape),
                "trainable_params": self.trainable_params,
                "non_trainable_params": self.non_trainable_params, "macs": self.macs,
                "lines": [{"topic": ln.topic, "formula": ln.formula, "filled": ln.filled,
                           "result": ln.result} for ln in self.lines],
                "notes": self.notes}


AXES = (("height", "n_H"), ("width", "n_W"))


def _window_axis(w: LayerWorking, axis: int, n_in: int, f: int, s: int, d: int,
                 padding: str) -> int:
    """One axis of a sliding window's output size, the notes' formula with p worked out."""
    word, sym = AXES[axis]
    f_eff = d * (f - 1) + 1
    f_text = f"{f}" if d == 1 else f"{f_eff}"
    if padding == "same":
        n_out = -(-n_in // s)  # ceil: "same" keeps ceil(n / s) positions
        total = max((n_out - 1) * s + f_eff - n_in, 0)
        p = total / 2
        p_text = f"{p:g}"
        w.add(f"{word} padding", "same: 2p = (ceil(n / s) - 1) * s + f - n",
              f"({n_out} - 1) * {s} + {f_text} - {n_in}", f"{total}, so p = {p_text}"
              + (" (the odd pixel of padding goes after)" if total % 2 else ""))
    else:
        total, p_text = 0, "0"
    n = (n_in + total - f_eff) // s + 1
    sym_prev = f"{sym}_prev"
    w.add(f"output {word}", f"{sym} = floor(({sym_prev} + 2p - f) / s) + 1",
          f"floor(({n_in} + 2*{p_text} - {f_text}) / {s}) + 1", n)
    if d > 1:
        w.notes.append(f"dilation {d}: the {f}-tap kernel spans f = {d} * ({f} - 1) + 1 = "
                       f"{f_eff} pixels")
    return n


def _conv(w: LayerWorking, layer, c_in: int, h: int, wi: int) -> None:
    (fh, fw), (sh, sw), (dh, dw) = layer.kernel_size, layer.strides, layer.dilation_rate
    oh = _window_axis(w, 0, h, fh, sh, dh, layer.padding)
    ow = _window_axis(w, 1, wi, fw, sw, dw, layer.padding)
    kind = type(layer).__name__
    bias = 1 if layer.use_bias else 0
    if kind == "DepthwiseConv2D" or kind == "SeparableConv2D":
        m = layer.depth_multiplier
        c_mid = c_in * m
        dw_params = fh * fw * c_in * m
        w.add("output channels", "n_C = n_C_prev * depth_multiplier", f"{c_in} * {m}", c_mid)
        if kind == "DepthwiseConv2D":
            params = dw_params + (c_mid if bias else 0)
            w.add("parameters", "f_h * f_w * n_C_prev * m" + (" + n_C" if bias else ""),
                  f"{fh} * {fw} * {c_in} * {m}" + (f" + {c_mid}" if bias else ""), params)
            macs = fh * fw * c_in * m * oh * ow
            w.add("MACs", "f_h * f_w * n_C * n_H * n_W", f"{fh} * {fw} * {c_mid} * {oh} * {ow}",
                  macs)
            w.output_shape, w.trainable_params, w.macs = (oh, ow, c_mid), params, macs
            return
        c_out = layer.filters
        pw_params = c_mid * c_out
        params = dw_params + pw_params + (c_out if bias else 0)
        w.add("parameters", "f_h * f_w * n_C_prev * m + n_C_mid * n_C" +
              (" + n_C" if bias else ""),
              f"{fh} * {fw} * {c_in} * {m} + {c_mid} * {c_out}" + (f" + {c_out}" if bias else ""),
              params)
        macs = fh * fw * c_mid * oh * ow + c_mid * c_out * oh * ow
        w.add("MACs", "f_h * f_w * n_C_mid * n_H * n_W + n_C_mid * n_C * n_H * n_W",
              f"{fh} * {fw} * {c_mid} * {oh} * {ow} + {c_mid} * {c_out} * {oh} * {ow}", macs)
        w.output_shape, w.trainable_params, w.macs = (oh, ow, c_out), params, macs
        return
    c_out, g = layer.filters, layer.groups
    per_group = c_in // g
    w.add("output channels", "n_C = number of filters", f"{c_out}", c_out)
    group = f" / {g}" if g > 1 else ""
    params = (fh * fw * per_group + bias) * c_out
    w.add("parameters", f"(f_h * f_w * n_C_prev{' / groups' if g > 1 else ''}"
          f"{' + 1' if bias else ''}) * n_C",
          f"({fh} * {fw} * {c_in}{group}{' + 1' if bias else ''}) * {c_out}", params)
    macs = fh * fw * per_group * c_out * oh * ow
    w.add("MACs", f"f_h * f_w * n_C_prev{' / groups' if g > 1 else ''} * n_C * n_H * n_W",
          f"{fh} * {fw} * {c_in}{group} * {c_out} * {oh} * {ow}", macs)
    w.output_shape, w.trainable_params, w.macs = (oh, ow, c_out), params, macs


def _pool(w: LayerWorking, layer, c: int, h: int, wi: int) -> None:
    (fh, fw), (sh, sw) = layer.pool_size, layer.strides
    oh = _window_axis(w, 0, h, fh, sh, 1, layer.padding)
    ow = _window_axis(w, 1, wi, fw, sw, 1, layer.padding)
    w.add("output channels", "n_C = n_C_prev (each channel pooled alone)", f"{c}", c)
    w.add("parameters", "none: a pooling layer learns nothing", "0", 0)
    w.output_shape = (oh, ow, c)
    w.notes.append("MACs: 0 by the convention (pooling compares or averages, it does not "
                   "multiply by weights)")


def layer_working(network: Network, name: str, report=None) -> LayerWorking:
    """The working of layer `name` (KeyError naming the network when there is none).

    `report` is the network's `cost_report` when the caller has it (a view showing the table
    already does), so selecting a layer costs no second costing of the whole network.
    """
    node = network.node(name)
    ins = [network.node(i).output_shape for i in node.inputs]
    layer: Any = node.layer  # the fields read below are those of the kind `kind` names
    kind = type(layer).__name__
    w = LayerWorking(name, node.kind, ins or [node.output_shape])
    if kind in ("Conv2D", "DepthwiseConv2D", "SeparableConv2D"):
        h, wi, c = ins[0]
        _conv(w, layer, c, h, wi)
    elif kind in ("MaxPooling2D", "AveragePooling2D"):
        h, wi, c = ins[0]
        _pool(w, layer, c, h, wi)
    elif kind == "BatchNormalization":
        c = ins[0][-1]
        learned = int(layer.center) + int(layer.scale)
        w.add("parameters", "4 * n_C: gamma, beta (trained), moving mean and variance (not)",
              f"{learned} * {c} + 2 * {c}", (learned + 2) * c)
        w.output_shape, w.trainable_params, w.non_trainable_params = ins[0], learned * c, 2 * c
        w.notes.append("Keras counts the moving mean and variance as non-trainable parameters")
    elif kind == "Dense":
        n_in = ins[0][-1]
        bias = 1 if layer.use_bias else 0
        params = (n_in + bias) * layer.units
        w.add("parameters", f"(n_in{' + 1' if bias else ''}) * n_out",
              f"({n_in}{' + 1' if bias else ''}) * {layer.units}", params)
        positions = math.prod(ins[0][:-1]) if len(ins[0]) > 1 else 1
        macs = positions * n_in * layer.units
        w.add("MACs", "n_in * n_out" + (" per position" if positions > 1 else ""),
              f"{n_in} * {layer.units}" + (f" * {positions}" if positions > 1 else ""), macs)
        w.output_shape, w.trainable_params, w.macs = (*ins[0][:-1], layer.units), params, macs
    elif kind == "ZeroPadding2D":
        (top, bottom), (left, right) = layer.padding
        h, wi, c = ins[0]
        w.add("output height", "n_H = n_H_prev + top + bottom", f"{h} + {top} + {bottom}",
              h + top + bottom)
        w.add("output width", "n_W = n_W_prev + left + right", f"{wi} + {left} + {right}",
              wi + left + right)
        w.output_shape = (h + top + bottom, wi + left + right, c)
    elif kind == "Flatten":
        size = math.prod(ins[0])
        w.add("output length", " * ".join(["n_H", "n_W", "n_C"][:len(ins[0])]),
              " * ".join(map(str, ins[0])), size)
        w.output_shape = (size,)
    elif kind in ("GlobalAveragePooling2D", "GlobalMaxPooling2D"):
        c = ins[0][-1]
        w.add("output length", "n_C: one value per channel, pooled over n_H * n_W",
              f"{c}", c)
        w.output_shape = (1, 1, c) if layer.keepdims else (c,)
        if layer.keepdims:
            w.notes.append("keepdims: the n_C values are kept as a 1x1xn_C volume")
    elif kind == "Concatenate":
        c = sum(s[-1] for s in ins)
        w.add("output channels", "sum of the inputs' n_C", " + ".join(str(s[-1]) for s in ins),
              c)
        w.output_shape = (*ins[0][:-1], c)
    else:
        # element-wise kinds, global pooling, kinds this page does not work out: the table's
        # own figures, said as such
        w.output_shape = node.output_shape
        w.trainable_params, w.non_trainable_params = (node.trainable_params,
                                                      node.non_trainable_params)
        w.macs = node.macs
        w.notes.append(f"{node.kind}: output {shape_text(node.output_shape)}, "
                       f"{node.params:,} parameters, "
                       f"{'MACs not counted' if node.macs is None else f'{node.macs:,} MACs'}")
    if kind in ("MaxPooling2D", "AveragePooling2D", "ZeroPadding2D", "Flatten", "Concatenate",
                "GlobalAveragePooling2D", "GlobalMaxPooling2D"):
        w.macs = 0
    _share_and_field(network, node, w, report or cost_report(network))
    return w


def _share_and_field(network: Network, node, w: LayerWorking, report) -> None:
    counted = report.totals.macs
    if w.macs and counted:
        w.add("share of MACs", "layer MACs / network MACs", f"{w.macs:,} / {counted:,}",
              f"{100 * w.macs / counted:.2f}%")
    fields = {r.name: r.receptive_field for r in report.rows}
    after = fields[node.name]
    window = node.layer.receptive_window()
    before = [fields[i] for i in node.inputs]
    if after is not None and before and all(b is not None for b in before) and window \
            and not window.whole and not after.whole_input:
        r_in = max(b.size[0] for b in before)
        j_in = max(b.jump[0] for b in before)
        f, s, d = window.kernel[0], window.stride[0], window.dilation[0]
        if len(before) > 1:
            w.notes.append(f"paths join here: the field is the largest of theirs "
                           f"({', '.join(str(b.size[0]) for b in before)})")
        dil = f"{d} * " if d > 1 else ""
        w.add("receptive field", "r = r_prev + (f - 1) * j_prev",
              f"{r_in} + {dil}({f} - 1) * {j_in}", f"{after.size[0]} x {after.size[1]} pixels")
        w.add("jump", "j = j_prev * s", f"{j_in} * {s}", after.jump[0])
    elif after is not None and after.whole_input:
        w.notes.append(f"receptive field: the whole input ({after.text()})")
    w.notes.append(MAC_NOTE)
