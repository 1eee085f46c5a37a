"""`cnnexplorer compare ARCH ...`: the case studies side by side, one row per network.

The rows come from the same cost report as `inspect` (core.arch.case_studies), so a row's
params and MACs always equal that network's `inspect` totals. Pure spec arithmetic: no
TensorFlow for the zoo's own networks.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys

from cnnexplorer.commands.shared_options import add_memory_batch, add_output_formats
from cnnexplorer.commands.json_output import json_text
from cnnexplorer.core.arch.case_studies import accuracy_text, compare_networks
from cnnexplorer.core.errors import ConfigError
from cnnexplorer.core.train.run_accuracy import case_study_accuracies, run_datasets
from cnnexplorer.core.keras.sources import load_network
from cnnexplorer.core.formatting import readable_bytes, readable_count, shape_text

#: the week's case studies, in the notes' order
CASE_STUDIES = ("lenet5", "alexnet", "vgg16", "resnet50", "googlenet")
COLUMNS = ("network", "input", "params", "MACs", "depth", "activations", "train memory",
           "last conv RF", "accuracy")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "compare", help="the case studies side by side: params, MACs, depth, memory, field",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "One row per network: parameters, MACs, depth (layers with weights), activations\n"
            "per image, training memory at a batch size, the receptive field of the last\n"
            "convolution, and the published ImageNet top-1 accuracy of the classic networks\n"
            "(with its source), or with --runs the accuracy of your saved runs on one dataset.\n"
            "Rows equal each network's `cnnexplorer inspect` totals."),
        epilog=("examples:\n"
                "  cnnexplorer compare                       # LeNet-5, AlexNet, VGG-16, "
                "ResNet-50, GoogLeNet\n"
                "  cnnexplorer compare resnet50 mobilenetv2 efficientnetb0 --batch 64 --json\n"
                "  cnnexplorer compare plain_net residual_net --runs hand-signs"))
    p.add_argument("arch", metavar="ARCH", nargs="*",
                   help=f"zoo keys or model files (default: {' '.join(CASE_STUDIES)})")
    add_memory_batch(p)
    p.add_argument("--runs", metavar="DATASET",
                   help="accuracy from the saved runs on DATASET (a name as `train` wrote it "
                        "in the run, e.g. hand-signs) instead of the published figures: each "
                        "network's run, its test accuracy, or its validation accuracy where "
                        "no test was measured (said in the row)")
    add_output_formats(p, json_help="print JSON, one object per network",
                       csv_help="print CSV, one row per network")
    p.set_defaults(func=run)


def run(args) -> int:
    entries = []
    for arch in args.arch or CASE_STUDIES:
        network, meta = load_network(arch)
        entries.append((meta.architecture, meta.title, network))
    runs = None
    if args.runs is not None:
        runs = case_study_accuracies(args.runs)
        if not runs:
            known = run_datasets()
            raise ConfigError(f"--runs {args.runs!r}: no saved run on that dataset with an "
                              f"accuracy; the runs' datasets: "
                              f"{', '.join(known) if known else 'none (no saved runs)'}")
    rows = compare_networks(entries, batch_size=args.batch, run_accuracies=runs)
    if args.json:
        text = json_text({"batch_size": args.batch,
                          "rows": [r.to_dict() for r in rows]}, indent=2) + "\n"
    elif args.csv:
        text = render_csv(rows)
    else:
        text = render_table(rows, markdown=args.markdown)
    sys.stdout.write(text)
    return 0


def _cells(r) -> list[str]:
    ge = ">= " if r.macs_lower_bound else ""
    field = r.last_conv_field.text() if r.last_conv_field else "?"
    acc = accuracy_text(r)
    return [r.title, shape_text(r.input_shape), readable_count(r.params),
            ge + readable_count(r.macs), str(r.depth), readable_bytes(r.activation_bytes),
            readable_bytes(r.training_memory), field, acc]


def render_table(rows, markdown: bool = False) -> str:
    body = [_cells(r) for r in rows]
    sources = sorted({r.accuracy_source for r in rows if r.accuracy_source})
    batch = rows[0].batch_size if rows else 32
    notes = [f"params and MACs: the `inspect` totals (1 MAC = one multiply + one add); depth: "
             f"the most convolution and Dense layers on one path from input to output; train memory: weights, gradients, Adam state and "
             f"activations at batch {batch}; last conv RF: the receptive field of the last "
             f"convolution"] + [f"accuracy: {s}" for s in sources]
    if markdown:
        out = ["| " + " | ".join(COLUMNS) + " |",
               "|" + "|".join(["---", "---"] + ["---:"] * (len(COLUMNS) - 2)) + "|"]
        out += ["| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |" for cells in body]
        return "\n".join(out + [""] + [f"- {n}" for n in notes]) + "\n"
    widths = [max(len(h), *(len(c[i]) for c in body)) for i, h in enumerate(COLUMNS)]

    def line(cells):
        return "  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    out = [line(COLUMNS), "-" * len(line(COLUMNS))] + [line(c) for c in body]
    return "\n".join(out + [""] + notes) + "\n"


def render_csv(rows) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    keys = list(rows[0].to_dict()) if rows else []
    w.writerow(keys)
    for r in rows:
        d = r.to_dict()
        w.writerow(["x".join(map(str, v)) if isinstance(v, list) else
                    "" if v is None else v for v in (d[k] for k in keys)])
    return buf.getvalue()
