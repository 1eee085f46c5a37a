"""The course's HDF5 files (Happy House, SIGNS): `train_*.h5` / `test_*.h5` or one file.

Keys: `train_set_x` (m, H, W, C) uint8, `train_set_y` (m,) or (1, m), `list_classes`;
the test file has `test_set_x`, `test_set_y` (and usually `list_classes` again).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from cnnexplorer.core.errors import DatasetError
from cnnexplorer.core.data.arrays import as_images, as_labels, resize_splits


def partner_path(path: Path) -> Path | None:
    """The other file of a `train_X.h5` / `test_X.h5` pair, when the name follows the course."""
    name = path.name
    for this, other in (("train_", "test_"), ("test_", "train_")):
        if name.lower().startswith(this):
            return path.with_name(other + name[len(this):])
    return None


def _open(path: Path):
    import h5py

    try:
        return h5py.File(path, "r")
    except FileNotFoundError as exc:
        raise DatasetError(f"{path}: no such file") from exc
    except OSError as exc:
        raise DatasetError(f"{path}: not an HDF5 file h5py can open ({exc})") from exc


def _class_names(raw, file: Path) -> list[str]:
    arr = np.asarray(raw).reshape(-1)
    names = []
    for v in arr:
        if isinstance(v, bytes):
            names.append(v.decode("utf-8", "replace"))
        elif isinstance(v, (np.integer, int)):
            names.append(str(int(v)))
        elif isinstance(v, (np.floating, float)) and float(v).is_integer():
            names.append(str(int(v)))
        else:
            names.append(str(v))
    if len(names) < 2:
        raise DatasetError(f"{file}: key 'list_classes' must list at least 2 classes; "
                           f"found {names}")
    return names


def _read_split(f, file: Path, split: str, present: list[str]):
    kx, ky = f"{split}_set_x", f"{split}_set_y"
    for key in (kx, ky):
        if key not in f:
            raise DatasetError(f"{file}: missing key '{key}'; the file has keys "
                               f"{', '.join(present) or '(none)'}")
    x = as_images(f[kx][()], f"{file}: key '{kx}'")
    y = as_labels(f[ky][()], f"{file}: key '{ky}'")
    if len(x) != len(y):
        raise DatasetError(f"{file}: key '{kx}' has {len(x)} images but key '{ky}' has "
                           f"{len(y)} labels")
    return x, y


def _check_range(y: np.ndarray, names: list[str], file: Path, key: str) -> None:
    if len(y) and (y.min() < 0 or y.max() >= len(names)):
        raise DatasetError(f"{file}: key '{key}' has labels {int(y.min())}..{int(y.max())} but "
                           f"'list_classes' has {len(names)} classes (labels 0..{len(names) - 1})")


def load_hdf5(path, image_size=None, resize: str = "stretch", progress=None):
    """Load a course HDF5 file, finding the other file of a train/test pair by its name."""
    from cnnexplorer.core.data.base import Dataset

    path = Path(os.fspath(path))
    if not path.is_file():
        raise DatasetError(f"{path}: no such file")
    files = {}
    for file in (path, partner_path(path)):
        if file is None or not file.is_file():
            continue
        with _open(file) as f:
            keys = sorted(f.keys())
            entry = {"keys": keys}
            for split in ("train", "test"):
                if f"{split}_set_x" in f or f"{split}_set_y" in f:
                    entry[split] = _read_split(f, file, split, keys)
            if "list_classes" in f:
                entry["classes"] = _class_names(f["list_classes"][()], file)
            files[file] = entry
    main = files[path]
    if "train" not in main and "test" not in main:
        raise DatasetError(f"{path}: missing key 'train_set_x' (or 'test_set_x'); the file has "
                           f"keys {', '.join(main['keys']) or '(none)'}")
    train = next(((f, e["train"]) for f, e in files.items() if "train" in e), None)
    test = next(((f, e["test"]) for f, e in files.items() if "test" in e), None)
    if train is None:
        other = partner_path(path)
        raise DatasetError(f"{path}: holds only the test split (test_set_x) and its training "
                           f"file {other.name if other else 'train_*.h5'} was not found beside it")
    names = next((e["classes"] for e in files.values() if "classes" in e), None)
    labels_max = max(int(train[1][1].max(initial=0)),
                     int(test[1][1].max(initial=0)) if test else 0)
    if names is None:
        # No 'list_classes': number the classes by the labels found.
        names = [str(i) for i in range(max(2, labels_max + 1))]
    x_train, y_train = train[1]
    _check_range(y_train, names, train[0], "train_set_y")
    x_test = y_test = None
    if test is not None:
        x_test, y_test = test[1]
        _check_range(y_test, names, test[0], "test_set_y")
        if image_size is None and x_test.shape[1:] != x_train.shape[1:]:
            raise DatasetError(f"{test[0]}: test images are {x_test.shape[1:]} but the training "
                               f"images of {train[0]} are {x_train.shape[1:]}")
    x_train, x_test = resize_splits(x_train, x_test, image_size, resize, progress)
    stem = path.stem
    for prefix in ("train_", "test_"):
        if stem.lower().startswith(prefix):
            stem = stem[len(prefix):]
    sources = " + ".join(str(f) for f in files)
    return Dataset(name=stem, class_names=names, x_train=x_train, y_train=y_train,
                   x_test=x_test, y_test=y_test, source=sources)
