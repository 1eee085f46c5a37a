"""The open dialogs' name filters, built from the suffix lists the loaders themselves use.

A filter typed by hand drifts from what the loader reads (the model dialog once lacked .hdf5,
the dataset dialogs .hdf); these are built from core.file_kinds' lists, which the loaders
read too, so a suffix added there shows in every dialog.
"""

from __future__ import annotations

from typing import Sequence

from cnnexplorer.core.file_kinds import (HDF5_SUFFIXES, IMAGE_EXTENSIONS, MODEL_SUFFIXES,
                                         NPZ_SUFFIXES)

ALL_FILES = "All files (*)"


def patterns(suffixes: Sequence[str]) -> str:
    """(".keras", ".h5") -> "*.keras *.h5"."""
    return " ".join(f"*{suffix}" for suffix in suffixes)


def dialog_filter(*groups: tuple[str, Sequence[str]], all_files: bool = True) -> str:
    """Qt's filter string: "Label (*.a *.b);;Other (*.c);;All files (*)"."""
    parts = [f"{label} ({patterns(suffixes)})" for label, suffixes in groups]
    return ";;".join(parts + ([ALL_FILES] if all_files else []))


MODEL_FILTER = dialog_filter(("Keras models", MODEL_SUFFIXES))
HDF5_FILTER = dialog_filter(("HDF5 datasets", HDF5_SUFFIXES))
DATASET_FILTER = dialog_filter(("Datasets", HDF5_SUFFIXES + NPZ_SUFFIXES),
                               ("Course HDF5", HDF5_SUFFIXES), ("NumPy", NPZ_SUFFIXES))
IMAGE_FILTER = dialog_filter(("Images", IMAGE_EXTENSIONS))
