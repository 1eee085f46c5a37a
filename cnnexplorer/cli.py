"""`cnnexplorer`: no argument opens the window; subcommands serve scripts.

Each subcommand lives in `cnnexplorer/commands/<name>.py` and exposes
`register(subparsers)`, which adds its parser and sets `func(args) -> int`. Errors the core
raises on purpose (`CnnExplorerError`) print one line to stderr and exit with code 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .core.errors import CnnExplorerError

#: subcommand modules, in the order `--help` lists them
COMMANDS = ("list", "inspect", "diagram", "train", "evaluate", "predict")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cnnexplorer",
        description="See, cost, train and use the convolutional networks of the course. "
                    "Without a subcommand, opens the desktop window.")
    from . import __version__

    parser.add_argument("--version", action="version", version=f"cnnexplorer {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f".commands.{name}", __package__)
        except ModuleNotFoundError as exc:
            if exc.name == f"{__package__}.commands.{name}":
                continue  # a subcommand not written yet
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        from .gui.app import run_app

        return run_app()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except CnnExplorerError as exc:
        print(f"cnnexplorer {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
