"""`cnnexplorer`: no argument opens the window; subcommands serve scripts.

Each subcommand lives in `cnnexplorer/commands/<name>.py` and exposes
`register(subparsers)`, which adds its parser and sets `func(args) -> int`. Only the module of
the subcommand asked for is imported (all of them for `--help`), so one subcommand's heavy
imports never slow another. Errors the core raises on purpose (`CnnExplorerError`) and bad
arguments print one line to stderr and exit with code 2; nothing prints a traceback unless
CNNEXPLORER_DEBUG=1 is set; TensorFlow's start-up messages are hidden likewise.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from cnnexplorer.core.errors import CnnExplorerError
from cnnexplorer.core.keras.quiet import quiet_tensorflow
from cnnexplorer import __version__

#: subcommand modules, in the order `--help` lists them
COMMANDS = ("list", "inspect", "compare", "diagram", "train", "evaluate", "predict")
#: the command-line flag of each setting a core error can name (CnnExplorerError.setting)
SETTING_FLAGS = {"start_from": "--from", "freeze": "--freeze", "input_shape": "--input"}


def _worded(exc: CnnExplorerError) -> str:
    """The core's message, pointing at the flag of the setting at fault when it names one."""
    flag = SETTING_FLAGS.get(getattr(exc, "setting", None) or "")
    return f"{flag}: {exc}" if flag else str(exc)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (the usage itself is one `--help` away)."""
    def error(self, message: str):  # argparse's hook, name fixed by the base class
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The full parser, or with `only` the parser with that one subcommand registered."""
    parser = _Parser(
        prog="cnnexplorer",
        description="See, cost, train and use the convolutional networks of the course. "
                    "Without a subcommand, opens the desktop window.")
    parser.add_argument("--version", action="version", version=f"cnnexplorer {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        if only is not None and name != only:
            continue
        importlib.import_module(f".commands.{name}", __package__).register(sub)
    return parser


def _printable_streams() -> None:
    """Names that are not UTF-8 (bytes kept as surrogates by the OS layer) print with a
    replacement character instead of raising UnicodeEncodeError halfway through the output."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")
        except (AttributeError, ValueError, OSError):  # a replaced or closed stream
            pass


def main(argv: list[str] | None = None) -> int:
    try:
        code = _main(argv)
    except KeyboardInterrupt:  # Ctrl-C while parsing or importing: no traceback
        print("cnnexplorer: interrupted", file=sys.stderr)
        code = 130
    disk_full = sys.modules.get("cnnexplorer.core.disk_full")
    if argv is None and disk_full is not None and disk_full.hdf5_write_failed:
        # the program itself (not a caller in Python): HDF5's exit handler crashes on the
        # objects a write to a full disk left (a segmentation fault after our message), so
        # end without the C exit handlers
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        os._exit(code)
    return code


def _main(argv: list[str] | None = None) -> int:
    _printable_streams()
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv:
        from cnnexplorer.gui.app import run_app

        return run_app()
    quiet_tensorflow()  # before any command can import TensorFlow (core/keras/quiet.py)
    parser = build_parser(argv[0] if argv[0] in COMMANDS else None)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors end here
        return exc.code if isinstance(exc.code, int) else 2
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except CnnExplorerError as exc:
        print(f"cnnexplorer {args.command}: error: {_worded(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C while a command starts (imports, loads, waits)
        print(f"cnnexplorer {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `cnnexplorer inspect vgg16 | head`: the reader left; say nothing more.
        sys.stdout = open(os.devnull, "w")
        return 0
    except Exception as exc:  # a bug, not the user's fault: still one line, traceback on demand
        if os.environ.get("CNNEXPLORER_DEBUG"):
            raise
        print(f"cnnexplorer {args.command}: internal error: {type(exc).__name__}: {exc} "
              f"(set CNNEXPLORER_DEBUG=1 for the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
