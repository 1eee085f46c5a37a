"""`cnnexplorer list`: the zoo's architectures, their defaults and options."""

from __future__ import annotations

import sys
import textwrap

from cnnexplorer.commands.json_output import json_text
from cnnexplorer.core.formatting import shape_text


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "list", help="list the architectures of the zoo and their options",
        description="List every architecture 'cnnexplorer inspect' and the app know: key, "
                    "title, default input and classes, and the options --set accepts.")
    p.add_argument("--json", action="store_true",
                   help="print JSON (key, title, family, description, defaults, options)")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="also print each architecture's description")
    p.set_defaults(func=run)


def entry_to_dict(entry) -> dict:
    return {
        "key": entry.key, "title": entry.title, "family": entry.family,
        "description": entry.description, "aliases": list(entry.aliases),
        "default_input": list(entry.default_input), "default_classes": entry.default_classes,
        "options": [{"key": o.key, "label": o.label, "kind": o.kind, "default": o.default,
                     "choices": list(o.choices), "minimum": o.minimum, "maximum": o.maximum,
                     "help": o.help} for o in entry.options],
    }


def _option_text(o) -> str:
    if o.kind == "choice":
        return f"{o.key}={o.default} ({'|'.join(map(str, o.choices))})"
    if o.kind == "bool":
        return f"{o.key}={'true' if o.default else 'false'} (true|false)"
    lo = "" if o.minimum is None else f"{o.minimum:g}"
    hi = "" if o.maximum is None else f"{o.maximum:g}"
    rng = f" ({lo}..{hi})" if lo or hi else ""
    return f"{o.key}={o.default}{rng}"


def run(args) -> int:
    from cnnexplorer.core.arch import zoo

    entries = zoo.entries()
    if args.json:
        sys.stdout.write(json_text([entry_to_dict(e) for e in entries], indent=2) + "\n")
        return 0
    key_w = max(len(e.key) for e in entries)
    out, family = [], None
    for e in entries:
        if e.family != family:
            family = e.family
            out += ["" if out else None, f"{family}:"]
        shape = shape_text(e.default_input)
        classes = ("no classifier" if e.default_classes is None else
                   f"{e.default_classes} class{'' if e.default_classes == 1 else 'es'}")
        out.append(f"  {e.key:<{key_w}}  {e.title}  [{shape}, {classes}]")
        pad = " " * (key_w + 4)
        if e.options:
            out.append(pad + "--set " + ", ".join(_option_text(o) for o in e.options))
        if e.aliases:
            out.append(pad + "aliases: " + ", ".join(e.aliases))
        if args.verbose:
            out += textwrap.wrap(e.description, width=100, initial_indent=pad,
                                 subsequent_indent=pad)
    out += ["", f"{len(entries)} architectures. Details: cnnexplorer inspect KEY "
                f"[--input HxWxC] [--classes N] [--set KEY=VALUE]"]
    sys.stdout.write("\n".join(line for line in out if line is not None) + "\n")
    return 0
