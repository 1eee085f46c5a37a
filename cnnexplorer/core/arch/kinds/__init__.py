"""Layer kinds: one module per family, each kind declaring all it knows in one class.

A kind holds its settings, its shape / params / MACs rule, its Keras translation both ways
and a stable ID (`kind_id`), and registers itself (`registry.register`). Importing this
package imports every module in its folder, so every kind is registered before anyone looks
one up; adding a kind is adding one file here (docs/architecture.md walks through one).

    from cnnexplorer.core.arch.kinds import Conv2D, registry
    registry.get("conv2d") is Conv2D

Every registered kind is also reachable as an attribute of this package by its class name.
"""

from __future__ import annotations

import importlib
import pkgutil

from cnnexplorer.core.arch.kinds import registry
from cnnexplorer.core.arch.kinds.base import (
    ACTIVATIONS, Layer, Shape, Untranslated, window_output,
)

__all__ = ["ACTIVATIONS", "Layer", "Shape", "Untranslated", "registry", "window_output"]

_INFRASTRUCTURE = {"base", "registry"}


def _import_family_modules() -> None:
    """Import every kind module in this folder, in name order (each registers its kinds)."""
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name not in _INFRASTRUCTURE and not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")


_import_family_modules()


def __getattr__(name: str):
    """A registered kind by its class name (`kinds.Conv2D`), found in the registry."""
    for cls in registry.KINDS.values():
        if cls.__name__ == name:
            return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
