"""`cnnexplorer inspect ARCH`: the layer table, block subtotals and totals of an architecture.

Pure spec arithmetic for the zoo's own specs: nothing here imports TensorFlow, Keras or Qt,
so the table of ResNet-50 prints in milliseconds (tests/test_cli.py checks that no such module
is loaded). Only a model file or a keras.applications entry needs Keras to be read.
"""

from __future__ import annotations

import argparse
import difflib
import sys

from cnnexplorer.commands.arg_types import parse_input_shape, parse_set
from cnnexplorer.commands.shared_options import (add_memory_batch, add_output_formats,
                                                 add_zoo_configuration)
from cnnexplorer.commands.json_output import json_text
from cnnexplorer.core.views.render import heading, render_csv, render_markdown, render_text
from cnnexplorer.core.keras.sources import load_network
from cnnexplorer.core.arch.cost import cost_report, report_to_dict
from cnnexplorer.core.arch.working import layer_working
from cnnexplorer.core.errors import ConfigError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "inspect", help="print an architecture's layers, shapes, params and MACs",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Print the layer table of an architecture: output shape, params, MACs and share\n"
            "of the total per layer, block subtotals, and the totals (params, MACs,\n"
            "FLOPs = 2 x MACs, weight and training memory). The zoo's own architectures\n"
            "need no TensorFlow: the numbers come from their spec."),
        epilog=(
            "examples:\n"
            "  cnnexplorer inspect resnet50\n"
            "  cnnexplorer inspect resnet50_course --input 64x64x3 --classes 6\n"
            "  cnnexplorer inspect inception_5x5 --set bottleneck=true\n"
            "  cnnexplorer inspect vgg16 --set width=0.5 --batch 8 --json\n"
            "  cnnexplorer inspect resnet50 --layer res2a_branch2b   # the working of one layer"))
    p.add_argument("arch", metavar="ARCH",
                   help="a zoo key or alias (see 'cnnexplorer list'), e.g. resnet50, or a "
                        "saved .keras/.h5 model file (read with Keras)")
    add_zoo_configuration(p, example="width=0.5")
    add_memory_batch(p)
    p.add_argument("--no-subtotals", dest="subtotals", action="store_false",
                   help="leave out the block subtotal lines")
    p.add_argument("--layer", metavar="NAME",
                   help="show the working of one layer instead of the table: the course's "
                        "formulas for its output size, parameters, MACs and receptive field, "
                        "filled in with its numbers")
    add_output_formats(p, json_help="print JSON instead of a table",
                       csv_help="print CSV (one row per layer/block)")
    p.set_defaults(func=run)


def run(args) -> int:

    shape = parse_input_shape(args.input_shape) if args.input_shape is not None else None
    options = parse_set(args.options)
    network, meta = load_network(args.arch, shape, args.classes, options)
    report = cost_report(network)
    if args.layer is not None:
        return show_working(network, report, args)
    if args.json:
        data = report_to_dict(report, architecture=meta.architecture, classes=meta.classes,
                              batch_size=args.batch)
        data["title"] = meta.title
        data["options"] = meta.options
        text = json_text(data, indent=2) + "\n"
    elif args.markdown:
        text = render_markdown(report, heading(meta), args.batch, args.subtotals)
    elif args.csv:
        text = render_csv(report, args.subtotals)
    else:
        text = render_text(report, heading(meta), args.batch, args.subtotals)
    sys.stdout.write(text)
    return 0


def show_working(network, report, args) -> int:
    """`inspect ARCH --layer NAME`: one layer's working, as text or (--json) as data."""
    if args.layer not in network:
        names = [n.name for n in network.nodes]
        close = difflib.get_close_matches(args.layer, names, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ConfigError(f"{network.name} has no layer named {args.layer!r}{hint} "
                         f"(`cnnexplorer inspect {args.arch}` lists them)")
    working = layer_working(network, args.layer, report)
    if args.json:
        sys.stdout.write(json_text(working.to_dict(), indent=2) + "\n")
    else:
        sys.stdout.write(working.text())
    return 0
