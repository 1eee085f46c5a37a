"""The architecture zoo: every network of the course as a configurable spec.

Importing this package registers the families in the order the course meets them.
"""

from . import happy, resnet  # noqa: F401  (registration on import)
from .registry import ArchConfig, Option, ZooEntry, build, entries, get, register

__all__ = ["ArchConfig", "Option", "ZooEntry", "build", "entries", "get", "register"]
