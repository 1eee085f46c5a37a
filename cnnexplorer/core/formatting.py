"""How numbers and shapes are written, everywhere: tables, CLI, diagram, charts, messages.

One module so that "64x64x3", "12.44 M" and "1.5 MiB" read the same in the terminal, the
GUI and the error messages. Pure functions, no imports beyond the standard library.
"""

from __future__ import annotations

from typing import Iterable

#: the unit ladder of counts (params, MACs, FLOPs): decimal, as papers and Keras write them
COUNT_UNITS = (("T", 1e12), ("G", 1e9), ("M", 1e6), ("k", 1e3))
#: the unit ladder of bytes: binary, as memory is sized
BYTE_UNITS = (("TiB", 2 ** 40), ("GiB", 2 ** 30), ("MiB", 2 ** 20), ("KiB", 2 ** 10))


def shape_text(shape: Iterable[int], spaced: bool = False) -> str:
    """(64, 64, 3) -> '64x64x3' (compact: messages, tables, diagram), or '64 x 64 x 3'."""
    return (" x " if spaced else "x").join(str(d) for d in shape)


def _in_units(n: float, units, shown=lambda value: value) -> tuple[float, str]:
    """`n` in the largest unit it reaches, moved up one unit when the number as written
    (`shown`: rounded as the caller prints it) would reach the next unit: 999_996 is
    '1.00 M', not '1000.00 k'."""
    ladder = list(units) + [("", 1)]  # largest first
    for i, (unit, scale) in enumerate(ladder):
        if abs(n) >= scale or unit == "":
            if i > 0 and abs(shown(n / scale)) >= ladder[i - 1][1] / scale:
                return n / ladder[i - 1][1], ladder[i - 1][0]
            return n / scale, unit
    raise AssertionError("unreachable: the ladder ends with the unit of 1")


def readable_count(n: int | float) -> str:
    """12443648 -> '12.44 M' (two decimals: tables, totals, the CLI)."""
    value, unit = _in_units(float(n), COUNT_UNITS, lambda v: float(f"{v:.2f}"))
    return f"{value:.2f} {unit}" if unit else f"{value:.0f}"


def compact_count(n: int | float, spaced: bool = False) -> str:
    """Three significant digits, for little room: 164000 -> '164k' (a diagram box), or with
    `spaced` '164 k' (a chart's axis ticks); 2500 -> '2.5k'."""
    value, unit = _in_units(float(n), COUNT_UNITS, lambda v: float(f"{v:.3g}"))
    return f"{value:.3g}{' ' if spaced and unit else ''}{unit}"


def readable_bytes(n: int | float) -> str:
    """1572864 -> '1.5 MiB'."""
    value, unit = _in_units(float(n), BYTE_UNITS, lambda v: float(f"{v:.1f}"))
    return f"{value:.1f} {unit}" if unit else f"{value:.0f} B"


def times_text(new: int | float, old: int | float, noun: str) -> str:
    """How `new` compares with `old`, as a ratio that is always 1 or more, worded both ways:
    (12_443_648, 120_422_400, 'multiplications') -> '9.68x fewer multiplications',
    (190_688, 153_632, 'parameters') -> '1.24x more parameters' (never '0.81x fewer', which
    reads as a saving), equal counts -> 'the same number of parameters'."""
    if new == old:
        return f"the same number of {noun}"
    if new <= 0 or old <= 0:  # no ratio to speak of: say which side is larger
        return f"{'more' if new > old else 'fewer'} {noun}"
    if new < old:
        return f"{old / new:.2f}x fewer {noun}"
    return f"{new / old:.2f}x more {noun}"


#: characters that move the cursor, change colours or reorder text in a terminal: C0/C1
#: controls (ESC starts an ANSI sequence, a newline forges a line), DEL, the bidirectional
#: overrides and isolates (U+202A..U+202E, U+2066..U+2069), and lone surrogates
_UNSAFE = {*range(0x00, 0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F),
           *range(0x2066, 0x206A)}


def display_text(text) -> str:
    """`text` (a class or file name from a user's data) safe to print: every control
    character shown as an escape ('\\x1b[31m' stays visible as text, a newline as '\\n'),
    never acted on by the terminal."""
    text = str(text)
    if not any(ord(ch) in _UNSAFE or 0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        return text
    out = []
    for ch in text:
        code = ord(ch)
        if code in _UNSAFE or 0xD800 <= code <= 0xDFFF:
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(ch) or
                       (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"))
        else:
            out.append(ch)
    return "".join(out)
