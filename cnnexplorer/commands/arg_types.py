"""argparse value types shared by the subcommands; their messages echo the value received."""

from __future__ import annotations

import argparse


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive integer; received {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer; received {text!r}")
    return value


def number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number; received {text!r}") from None
