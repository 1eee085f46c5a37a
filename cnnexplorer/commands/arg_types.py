"""What a user types on the command line, parsed once for every subcommand.

argparse value types (`positive_int`, `number`) and the `--input HxWxC` / `--set KEY=VALUE`
parsers. Their messages echo the value received; argparse types end in argparse's one-line
usage error, the parsers raise ConfigError; both exit with code 2 (cli.main).
"""

from __future__ import annotations

import argparse
import math
from typing import Sequence

from cnnexplorer.core.errors import ConfigError


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive integer; received {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer; received {text!r}")
    return value


def batch_size(text: str) -> int:
    """A batch size: a positive integer within the training setting's limit (one home for
    it: `TrainConfig.batch_size`), so a batch of 10**400 never reaches a float."""
    from cnnexplorer.core.train.config import TrainConfig

    value = positive_int(text)
    limit = int(TrainConfig.settings()["batch_size"][0].maximum)
    if value > limit:
        raise argparse.ArgumentTypeError(f"must be at most {limit:,}; received "
                                         f"{text[:40]!r}")
    return value


def number(text: str) -> float:
    """A finite float: 'nan' and 'inf' are refused here, before they reach a model or JSON."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number; received {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number; received {text!r}")
    return value


def parse_input_shape(text: str) -> tuple[int, int, int]:
    """'64x64x3' (or '64,64,3') -> (64, 64, 3); anything else raises ConfigError."""
    raw = str(text).strip().lower()
    parts = [p.strip() for p in raw.replace(",", "x").replace("*", "x").split("x")]
    example = "three positive integers H x W x C, e.g. 64x64x3"
    if len(parts) != 3:
        raise ConfigError(f"input shape must be {example}; received {text!r}")
    try:
        dims = tuple(int(p) for p in parts)
    except ValueError:
        raise ConfigError(f"input shape must be {example}; received {text!r}") from None
    if any(d < 1 for d in dims):
        raise ConfigError(f"input shape must be {example} (every size at least 1); "
                          f"received {text!r}")
    return dims  # type: ignore[return-value]


def _is_non_finite_number(value: str) -> bool:
    try:
        return not math.isfinite(float(value))
    except ValueError:
        return False  # not a number at all: the option's own check judges it


def parse_set(items: Sequence[str] | None) -> dict[str, str]:
    """['width=0.5', 'aux=on'] -> {'width': '0.5', 'aux': 'on'}; values stay strings.

    Refuses a missing '=', an empty key or value, a key given twice, and 'nan'/'inf' values.
    The zoo entry's declared options then check the key and coerce the value, so an unknown
    key or a bad value is reported with the option's name and the value received.
    """
    out: dict[str, str] = {}
    for item in items or ():
        key, sep, value = str(item).partition("=")
        key, value = key.strip(), value.strip()
        if not sep:
            raise ConfigError(f"--set takes KEY=VALUE; received {item!r} (no '=')")
        if not key:
            raise ConfigError(f"--set takes KEY=VALUE; received {item!r} (no key)")
        if not value:
            raise ConfigError(f"--set {key}= has no value; received {item!r}")
        if key in out:
            raise ConfigError(f"option {key} is set twice: {out[key]!r} and {value!r}")
        if _is_non_finite_number(value):
            raise ConfigError(f"--set {key}: must be a finite number; received {value!r}")
        out[key] = value
    return out
