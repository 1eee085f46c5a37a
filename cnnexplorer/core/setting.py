"""One declaration for every value a user sets: its type, limits, default, help and messages.

Two families of settings use it: the options of a zoo entry (`ZooEntry.options`: `--set
KEY=VALUE` on the command line, one control each in the Architecture panel) and the
hyperparameters of a training run (the fields of `TrainConfig`: `cnnexplorer train --lr X`, the
Training panel's boxes). One validator (`Setting.parse`) reads a value from either front end
(text typed on the command line or a form's number) and words what is wrong the same way
everywhere ("... must be 1..4096; received 0"); one form builder
(gui/widgets/setting_control.py) makes both panels' controls from the declaration.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

from cnnexplorer.core.errors import ConfigError

KINDS = ("int", "float", "bool", "choice")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


@dataclass(frozen=True)
class Setting:
    """How one setting is entered and checked: the one place its limits live.

    Attributes:
        key: its name in code, in saved files and after `--set` ("width", "batch_size").
        label: the form's row label ("Width multiplier").
        default: the value when none is given.
        kind: "int", "float", "bool" or "choice" (one of `choices`).
        minimum, maximum: the allowed range of a number; `open_min` / `open_max` exclude that
            end (a learning rate above 0, a validation fraction below 1). None: unbounded.
        help: the tooltip and the command line's help.
        said_as: how messages name it ("batch size"); empty: "option KEY", the `--set` name.
        flag, metavar: its own command-line option ("--lr"), if it has one.
        form_maximum: where there is no maximum, the largest value the form's box offers
            (a diverging learning rate stays possible from the command line, for teaching).
        step, decimals: the form's spin-box step (None: 1 for an integer, 0.1 or 1 for a
            number by its range) and a number's shown decimals.
    """

    key: str
    label: str
    default: Any
    kind: str = "int"
    choices: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    open_min: bool = False
    open_max: bool = False
    help: str = ""
    said_as: str = ""
    flag: str | None = None
    metavar: str = "X"
    form_maximum: float | None = None
    step: float | None = None
    decimals: int = 3

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"setting {self.key}: kind must be one of {', '.join(KINDS)}; "
                             f"received {self.kind!r}")
        if (self.kind == "choice") != bool(self.choices):
            raise ValueError(f"setting {self.key}: choices go with kind 'choice', and only there")

    @property
    def is_integer(self) -> bool:
        return self.kind == "int"

    @property
    def subject(self) -> str:
        """The setting as a message names it."""
        return self.said_as or f"option {self.key}"

    def _number(self, value: float) -> str:
        return str(int(value)) if self.is_integer else f"{value:g}"

    def range_text(self) -> str:
        """What is allowed, as the end of "X must be ...": "1..65536", "in [0, 1)"."""
        if self.kind == "choice":
            return f"one of {', '.join(map(str, self.choices))}"
        if self.kind == "bool":
            return "true or false"
        lo = "" if self.minimum is None else self._number(self.minimum)
        hi = "" if self.maximum is None else self._number(self.maximum)
        if self.open_min and self.minimum == 0:
            return "a positive number" + (f" up to {hi}" if hi else "")
        if not lo and not hi:
            return "an integer" if self.is_integer else "a finite number"
        if not hi:
            return f"{'above' if self.open_min else 'at least'} {lo}"
        if not lo:
            return f"{'below' if self.open_max else 'at most'} {hi}"
        if self.is_integer and not (self.open_min or self.open_max):
            return f"{lo}..{hi}"
        return f"in {'(' if self.open_min else '['}{lo}, {hi}{')' if self.open_max else ']'}"

    def parse(self, value: Any) -> Any:
        """`value` as this setting's type, or ConfigError "<subject> must be ...; received
        <value>". Text (from the command line) is read as the setting's type; a number with
        an integer value is accepted for an integer setting."""
        read, wrong = self._read(value)
        if wrong:
            raise ConfigError(f"{self.subject} must be {wrong}; received {value!r}",
                              setting=self.key)
        return read

    def _read(self, value: Any) -> tuple[Any, str]:
        """(the value read, "") or (None, what it must be)."""
        if self.kind == "choice":
            text = value.strip().lower() if isinstance(value, str) else None
            for choice in self.choices:
                if value == choice or text == str(choice).lower():
                    return choice, ""
            return None, self.range_text()
        if self.kind == "bool":
            if isinstance(value, (bool, int)) and value in (0, 1):
                return bool(value), ""
            if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
                return value.strip().lower() in _TRUE, ""
            return None, self.range_text()
        kind = "an integer" if self.is_integer else "a number"
        if isinstance(value, bool):
            return None, kind
        number = _number_in(value, self.is_integer)
        if number is None:
            return None, kind
        if isinstance(number, float) and not math.isfinite(number):
            return None, "a finite number"
        if self.is_integer:
            if isinstance(number, float) and not number.is_integer():
                return None, kind
            number = int(number)
        below = self.minimum is not None and (number <= self.minimum if self.open_min
                                              else number < self.minimum)
        above = self.maximum is not None and (number >= self.maximum if self.open_max
                                              else number > self.maximum)
        if below or above:
            return None, self.range_text()
        return number, ""


def _number_in(value: Any, integer: bool) -> int | float | None:
    """A number as typed (text) or given; None when it is not one. Integer text stays an
    exact int (a 400-digit count must not turn into a float's infinity)."""
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text) if integer else float(text)
        except ValueError:
            try:
                return float(text)  # "1e3" for an integer: its value decides
            except ValueError:
                return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return None
