"""Where a network comes from: a zoo key (`resnet50`) or a saved Keras model file.

`load_network` is the one entry point the CLI and the GUI use to turn what a user typed or
picked into a spec `Network`. It stays small on purpose: each kind of source is one branch.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cnnexplorer.core.errors import ConfigError, ModelFileError
from cnnexplorer.core.file_kinds import (HDF5_SUFFIXES, IMAGE_EXTENSIONS, MODEL_SUFFIXES,
                                         NPZ_SUFFIXES)
from cnnexplorer.core.formatting import shape_text
from cnnexplorer.core.arch.graph import Network
from cnnexplorer.core.keras.config_network import network_from_keras_file
from cnnexplorer.core.keras.model_io import check_model_file, is_model_path
from cnnexplorer.core.keras.importer import import_model


@dataclass(frozen=True)
class SourceMeta:
    """What a network was built from, for headers, JSON output and saved runs."""

    kind: str  # "zoo" or "file"
    architecture: str  # the zoo key, e.g. "resnet50"; for a file, its name
    title: str  # e.g. "ResNet-50 (ImageNet form)"
    input_shape: tuple[int, ...]  # (height, width, channels) for every source we build
    classes: int | None  # None: no classifier (a block on its own)
    options: dict[str, Any] = field(default_factory=dict)
    path: str | None = None  # the model file, for kind "file"


def load_network(arch: str, input_shape=None, classes=None,
                 options: dict | None = None) -> tuple[Network, SourceMeta]:
    """Resolve `arch` (a zoo key or alias, or a .keras/.h5 file) into a spec network.

    Raises ConfigError naming the architecture, option or value that does not work, and
    ShapeError (a ConfigError) naming the layer when the input is too small; a model file
    that cannot be read raises ModelFileError naming the file (keras_import).
    """
    if is_model_path(arch):
        if not Path(arch).is_file():
            raise ConfigError(f"model file not found: {arch}")
        return _file_source(arch, input_shape, classes, options)
    from cnnexplorer.core.arch import zoo  # noqa: F401 - registers the families; lazy for the GUI's start-up

    entry = _zoo_entry(arch)
    cfg = entry.config(input_shape, classes, options)
    network = entry.build(cfg)
    meta = SourceMeta("zoo", entry.key, entry.title, tuple(cfg.input_shape), cfg.classes,
                      dict(cfg.options))
    return network, meta


def _file_source(path: str, input_shape, classes, options) -> tuple[Network, SourceMeta]:
    """A saved model file as (Network, SourceMeta of kind "file").

    A saved model has a fixed configuration, so an input shape, classes or options other than
    the file's own are refused by name rather than silently ignored.
    """
    if options:
        raise ModelFileError(f"{path}: options ({', '.join(options)}) apply to zoo "
                             f"architectures, not to a saved model")
    # The one place the architecture package reaches into Keras: a model file can only be
    # read by Keras. Imported here so that choosing a zoo entry never loads TensorFlow.

    # The file is checked first (zip bomb, declared sizes); a .keras whose layers the kinds
    # all translate is read from its config.json without Keras, anything else with Keras.
    check_model_file(Path(path))
    network = network_from_keras_file(Path(path)) or import_model(path)
    out = network.output_shapes[0]
    file_classes = out[-1] if len(out) == 1 else None
    if input_shape is not None and tuple(input_shape) != tuple(network.input_shape):
        raise ModelFileError(f"{path}: the model's input is fixed at "
                             f"{shape_text(network.input_shape)}; received an input of "
                             f"{shape_text(input_shape)}", setting="input_shape")
    if classes is not None and classes != file_classes:
        raise ModelFileError(f"{path}: the model has {file_classes} outputs; received "
                             f"classes={classes}")
    meta = SourceMeta("file", Path(path).name, f"{network.name} ({Path(path).name})",
                      tuple(network.input_shape), file_classes, {}, str(path))
    return network, meta


def _zoo_entry(arch: str):
    from cnnexplorer.core.arch import zoo

    if str(arch).lower().endswith(IMAGE_EXTENSIONS + HDF5_SUFFIXES + NPZ_SUFFIXES):
        what = "an image" if str(arch).lower().endswith(IMAGE_EXTENSIONS) else "a dataset file"
        raise ConfigError(f"{arch}: {what}, not an architecture; give a zoo key (the list "
                          f"of architectures) or a model file ({', '.join(MODEL_SUFFIXES)})")
    try:
        return zoo.get(arch)
    except ConfigError:
        # Same message, plus the nearest names: "resnet" or "vgg-16" is a typo, not a mystery.
        names = {e.key: e.key for e in zoo.entries()}
        names.update({a.lower(): e.key for e in zoo.entries() for a in e.aliases})
        close = difflib.get_close_matches(str(arch).strip().lower(), names, n=5, cutoff=0.6)
        keys = list(dict.fromkeys(names[c] for c in close))[:3]  # aliases -> their entry
        hint = f"did you mean {' or '.join(keys)}? " if keys else ""
        known = ", ".join(e.key for e in zoo.entries())
        raise ConfigError(f"unknown architecture {arch!r}; {hint}known: {known} "
                          f"(see 'cnnexplorer list')") from None
