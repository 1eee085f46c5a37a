"""The door's rules for several faces, in one place for the core, the GUI and the CLI.

A module of its own, importing only the core's errors, so the CLI's `--faces` choices and the
panel's rule box can name them without loading the door. The verdict applies them
(core.door.verdict.DoorVerdict.deciding_index).
"""

from __future__ import annotations

from cnnexplorer.core.errors import ConfigError

#: the rules for several faces: the CLI's `--faces` word -> the words the panel shows
RULES = {
    "any": "anyone smiles",
    "largest": "the largest face",
    "all": "everyone smiles",
}
#: what a door should do with several faces: open when anyone in front of it smiles. A
#: smiling visitor is not kept out by a frowning passer-by behind them or by the larger face
#: of whoever stands nearer the camera (the issue's photo of two men: the smiling one 0.99,
#: the larger face 0.00), and "everyone" grows harder with every face in the frame, a face
#: on a poster or a half-hidden one included. docs/door.md says more.
DEFAULT_RULE = "any"


def check_rule(rule: str) -> str:
    """`rule` as one of RULES' keys; a clear message otherwise."""
    text = str(rule).strip().lower()
    if text not in RULES:
        raise ConfigError(f"the rule for several faces must be one of {', '.join(RULES)}; "
                          f"received {rule!r}")
    return text
