"""Options that several subcommands take, declared once so they read and check alike.

`inspect` and `compare` print the same kinds of output (--json, --markdown, --csv) and estimate
training memory at a batch size (--batch); `inspect` and `diagram` configure a zoo entry
(--input, --classes, --set); `evaluate door` and `predict` judge faces (--threshold, --faces);
`train` and `evaluate` resize a dataset when loading it (--image-size).
"""

from __future__ import annotations

from cnnexplorer.commands.arg_types import batch_size, number, positive_int
from cnnexplorer.core.door.rules import DEFAULT_RULE, RULES
from cnnexplorer.core.door.threshold import DEFAULT_THRESHOLD


def add_output_formats(parser, json_help: str, csv_help: str) -> None:
    """--json, --markdown, --csv: at most one; without any, a text table."""
    formats = parser.add_mutually_exclusive_group()
    formats.add_argument("--json", action="store_true", help=json_help)
    formats.add_argument("--markdown", action="store_true", help="print a Markdown table")
    formats.add_argument("--csv", action="store_true", help=csv_help)


def add_memory_batch(parser) -> None:
    """--batch B: the batch size of the training-memory estimate."""
    parser.add_argument("--batch", metavar="B", type=batch_size, default=32,
                        help="batch size for the training-memory estimate (default: 32)")


def add_zoo_configuration(parser, example: str) -> None:
    """--input, --classes, --set: a zoo entry's input shape, classes and options (a model
    file ignores them); `example` is an option to show in --set's help."""
    parser.add_argument("--input", metavar="HxWxC", dest="input_shape",
                        help="input shape, e.g. 64x64x3 (default: the architecture's own)")
    parser.add_argument("--classes", metavar="N", type=positive_int,
                        help="number of output classes (default: the architecture's own)")
    parser.add_argument("--set", metavar="KEY=VALUE", dest="options", action="append",
                        default=[],
                        help=f"an architecture option, e.g. --set {example}; repeat --set for "
                             f"several ('cnnexplorer list' shows each architecture's options)")


def add_door_judging(parser) -> None:
    """--threshold and --faces: when the door opens, for one face and for several."""
    parser.add_argument("--threshold", type=number, default=DEFAULT_THRESHOLD, metavar="T",
                        help="the door opens when the happy probability is >= T "
                             "(default %(default)s)")
    parser.add_argument("--faces", choices=list(RULES), default=DEFAULT_RULE,
                        help="several faces: open when anyone smiles (any, the default), "
                             "follow the largest face (largest), or open only when everyone "
                             "smiles (all)")


def add_image_size(parser) -> None:
    """--image-size S: resize the dataset's images when loading."""
    parser.add_argument("--image-size", type=positive_int, metavar="S",
                        help="resize the dataset's images to SxS when loading")
