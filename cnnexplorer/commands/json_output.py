"""Every `--json` output is strict JSON (RFC 8259): no NaN or Infinity tokens.

Python's `json.dumps` writes `NaN` for a float nan, which `JSON.parse`, `jq` and strict
parsers refuse. A value that is not a finite number (a diverged loss, say) is written as
`null`, and `allow_nan=False` makes any slip an error here rather than bad output.
"""

from __future__ import annotations

import json
import math


def _finite_or_none(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite_or_none(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite_or_none(v) for v in value]
    return value


def json_text(value, indent: int | None = None) -> str:
    """`value` as strict JSON text (no trailing newline); non-finite floats become null."""
    return json.dumps(_finite_or_none(value), indent=indent, allow_nan=False)
