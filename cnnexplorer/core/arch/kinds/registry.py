"""The layer-kind registry: stable IDs and Keras class names -> kind classes.

A kind joins with the `@register` decorator in the module that defines it; the `kinds`
package imports every module in its folder, so a new kind is one new file (docs/architecture.md).
Spec files name kinds by ID (`spec_io`), the Keras builder asks each layer for `to_keras`, and
the Keras importer looks a Keras class up here to find the kind that reads its config.
"""

from __future__ import annotations

import re
from types import MappingProxyType

from cnnexplorer.core.arch.kinds.base import Layer
from cnnexplorer.core.errors import ConfigError

_ID = re.compile(r"[a-z][a-z0-9_]*")

_BY_ID: dict[str, type[Layer]] = {}
_BY_KERAS_CLASS: dict[str, type[Layer]] = {}

#: read-only views: kind ID -> class, Keras class name -> kind class
KINDS = MappingProxyType(_BY_ID)
KERAS_CLASSES = MappingProxyType(_BY_KERAS_CLASS)


def register(cls: type[Layer]) -> type[Layer]:
    """Class decorator: add `cls` to the registry under its `kind_id` and `keras_classes`.

    The ID must be the class's own (not inherited from the kind it extends), lower-case, and
    not taken; a Keras class name may import as one kind only. Registering the same class
    again (a module imported twice) changes nothing.
    """
    kind_id = cls.__dict__.get("kind_id")
    if not isinstance(kind_id, str) or not _ID.fullmatch(kind_id):
        raise ConfigError(f"layer kind {cls.__qualname__} needs its own kind_id: lower-case "
                          f"letters, digits and '_'; it has {kind_id!r}")
    taken = _BY_ID.get(kind_id)
    if taken is not None and taken is not cls and not _same_class(taken, cls):
        raise ConfigError(f"kind_id {kind_id!r} of {cls.__module__}.{cls.__qualname__} is "
                          f"already taken by {taken.__module__}.{taken.__qualname__}")
    for name in cls.__dict__.get("keras_classes", ()):
        owner = _BY_KERAS_CLASS.get(name)
        if owner is not None and owner.kind_id != kind_id:
            raise ConfigError(f"Keras class {name!r} already imports as kind "
                              f"{owner.kind_id!r}; {kind_id!r} cannot claim it too")
    _BY_ID[kind_id] = cls
    for name in cls.__dict__.get("keras_classes", ()):
        _BY_KERAS_CLASS[name] = cls
    return cls


def _same_class(a: type, b: type) -> bool:
    """The same class from a module executed again (importlib.reload in a test)."""
    return (a.__module__, a.__qualname__) == (b.__module__, b.__qualname__)


def get(kind_id: str) -> type[Layer]:
    """The kind registered as `kind_id`; ConfigError listing the known IDs otherwise."""
    try:
        return _BY_ID[kind_id]
    except (KeyError, TypeError):
        raise ConfigError(f"unknown layer kind {kind_id!r}; known: "
                          f"{', '.join(sorted(_BY_ID))}") from None


def for_keras_class(class_name: str) -> type[Layer] | None:
    """The kind that reads Keras layers of class `class_name`, or None (imported as Opaque)."""
    return _BY_KERAS_CLASS.get(class_name)
