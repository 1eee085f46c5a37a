"""The zoo's registry: entries, their options, validation and building.

Each family module registers `ZooEntry`s at import. An entry's `build` receives a validated
`ArchConfig` and returns a spec `Network`. Options are declared as `core.setting.Setting`s,
the declaration a training run's settings use too: the CLI (`--set k=v`) and the GUI (one
control per option) are generated from it, and a bad value is worded as everywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from cnnexplorer.core.errors import ConfigError
from cnnexplorer.core.setting import Setting
from cnnexplorer.core.safe_files import MAX_CLASSES
from cnnexplorer.core.arch.graph import Network


@dataclass(frozen=True)
class ArchConfig:
    """A validated configuration of one zoo entry."""

    input_shape: tuple[int, int, int]
    classes: int | None
    options: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.options[key]


@dataclass(frozen=True)
class ZooEntry:
    key: str  # what the CLI takes, e.g. "resnet50"
    title: str  # what the GUI lists, e.g. "ResNet-50 (ImageNet form)"
    family: str  # a heading, e.g. "Residual networks"
    description: str  # a few sentences drawn from the course notes
    default_input: tuple[int, int, int]
    default_classes: int | None  # None: the entry has no classifier (a block on its own)
    build: Callable[[ArchConfig], Network]
    options: tuple[Setting, ...] = ()
    aliases: tuple[str, ...] = ()
    # For entries built with Keras (keras.applications): True when a configuration has no
    # shipped spec, so building it imports Keras. None: a hand-written spec, never Keras.
    keras_build_needed: Callable[[ArchConfig], bool] | None = None

    def option(self, key: str) -> Setting:
        for o in self.options:
            if o.key == key:
                return o
        known = ", ".join(o.key for o in self.options) or "none"
        raise ConfigError(f"{self.key} has no option {key!r}; its options: {known}")

    def config(self, input_shape=None, classes=None, options: dict | None = None) -> ArchConfig:
        """Validate and complete a configuration (defaults for whatever is not given)."""
        shape = tuple(self.default_input if input_shape is None else input_shape)
        if len(shape) != 3 or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 1
                                      for d in shape):
            raise ConfigError(f"input shape must be three positive integers H x W x C; "
                              f"received {input_shape!r}")
        if self.default_classes is None:
            if classes is not None:
                raise ConfigError(f"{self.key} has no classifier, so it takes no classes; "
                                  f"received classes={classes!r}")
        else:
            classes = self.default_classes if classes is None else classes
            if not isinstance(classes, int) or isinstance(classes, bool) or classes < 1:
                raise ConfigError(f"classes must be a positive integer; received {classes!r}")
            if classes > MAX_CLASSES:  # a 10^9-unit layer would be built before any check
                raise ConfigError(f"classes must be at most {MAX_CLASSES:,}; received "
                                  f"{classes:,}")
        values = {o.key: o.default for o in self.options}
        for key, value in (options or {}).items():
            values[key] = self.option(key).parse(value)
        return ArchConfig(shape, classes, values)  # type: ignore[arg-type]

    def needs_keras(self, input_shape=None, classes=None, options: dict | None = None) -> bool:
        """True when building this configuration imports Keras (seconds: the GUI builds it in
        a worker). An invalid configuration gives False: it fails at once with its message."""
        if self.keras_build_needed is None:
            return False
        try:
            cfg = self.config(input_shape, classes, options)
        except ConfigError:
            return False
        return self.keras_build_needed(cfg)

    def network(self, input_shape=None, classes=None, options: dict | None = None) -> Network:
        return self.build(self.config(input_shape, classes, options))


_ENTRIES: dict[str, ZooEntry] = {}
_ALIASES: dict[str, str] = {}


def register(entry: ZooEntry) -> ZooEntry:
    if entry.key in _ENTRIES:
        raise ValueError(f"zoo entry {entry.key!r} registered twice")
    _ENTRIES[entry.key] = entry
    for alias in entry.aliases:
        _ALIASES[alias.lower()] = entry.key
    return entry


def entries() -> list[ZooEntry]:
    """All entries, in registration order (the family modules register in course order)."""
    return list(_ENTRIES.values())


def get(key: str) -> ZooEntry:
    k = key.strip().lower()
    k = _ALIASES.get(k, k)
    if k not in _ENTRIES:
        raise ConfigError(f"unknown architecture {key!r}; known: {', '.join(_ENTRIES)}")
    return _ENTRIES[k]


def build(key: str, input_shape=None, classes=None, **options) -> Network:
    """Build a zoo entry's spec network: `build("resnet50", classes=10)`."""
    return get(key).network(input_shape, classes, options)
