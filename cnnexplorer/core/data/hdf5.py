"""The course's HDF5 files (Happy House, SIGNS): `train_*.h5` / `test_*.h5` or one file.

A test file without its training partner loads as a test-only set (no training images):
evaluation and prediction use it, training says what it is (`Dataset.require_training_images`).

Keys: `train_set_x` (m, H, W, C) uint8, `train_set_y` (m,) or (1, m), `list_classes`;
the test file has `test_set_x`, `test_set_y` (and usually `list_classes` again).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from cnnexplorer.core.errors import DatasetError
from cnnexplorer.core.data.arrays import (
    as_labels,
    check_image_shape,
    class_names_for,
    images_from_chunks,
    resize_splits,
)
from cnnexplorer.core.safe_files import (
    MAX_CLASSES,
    check_array_size,
    check_hdf5_link,
    check_regular,
)

from cnnexplorer.core.data.base import Dataset


def partner_path(path: Path) -> Path | None:
    """The other file of a `train_X.h5` / `test_X.h5` pair, when the name follows the course."""
    name = path.name
    for this, other in (("train_", "test_"), ("test_", "train_")):
        if name.lower().startswith(this):
            return path.with_name(other + name[len(this):])
    return None


def _open(path: Path):
    import h5py

    check_regular(path, DatasetError, what="an HDF5 file")
    try:
        return h5py.File(path, "r")
    except FileNotFoundError as exc:
        raise DatasetError(f"{path}: no such file") from exc
    except (OSError, ValueError) as exc:
        raise DatasetError(f"{path}: not an HDF5 file h5py can open ({exc})") from exc


#: an HDF5 dataset declaring more than this many bytes...
STORED_FLOOR_BYTES = 2**20
#: ...must store at least 1/MAX_STORED_RATIO of them: deflate, the strongest filter h5py
#: reads without plugins, compresses at most about 1032 times. Unwritten chunks read as the
#: fill value, so a 2 KB file can declare 12000x64x64x3 float64 (4 GB of 0.5).
MAX_STORED_RATIO = 1100


def _dataset(f, key: str, file: Path, max_items: int | None = None):
    """The h5py dataset under `key`, after checking what the file declares, before anything
    is read: a dataset (not a group) of this file (no external link, external storage or
    virtual dataset), of a size that fits in memory, backed by the bytes the file stores."""
    import h5py

    what = f"{file}: key '{key}'"
    obj = check_hdf5_link(f, key, str(file), DatasetError)
    if not isinstance(obj, h5py.Dataset):
        kind = "a group" if isinstance(obj, h5py.Group) else type(obj).__name__
        raise DatasetError(f"{what} is {kind}, not an array")
    if obj.shape is None:
        raise DatasetError(f"{what} is an empty HDF5 dataset (no shape)")
    declared = check_array_size(obj.shape, obj.dtype.itemsize, what, DatasetError)
    if max_items is not None and int(np.prod(obj.shape, dtype=np.int64)) > max_items:
        raise DatasetError(f"{what} declares shape {obj.shape}; more than {max_items:,} "
                           f"entries is refused")
    if declared > STORED_FLOOR_BYTES:
        stored = obj.id.get_storage_size()
        if declared > MAX_STORED_RATIO * stored:
            raise DatasetError(
                f"{what} declares shape {obj.shape} ({obj.dtype}) = {declared:,} bytes but "
                f"the file stores {stored:,} bytes of it; the rest would be the fill value "
                f"(an unwritten or forged dataset); refused")
    return obj


def _guarded_read(what: str, read):
    try:
        return read()
    except (OSError, ValueError, TypeError, KeyError, RuntimeError) as exc:
        raise DatasetError(f"{what} cannot be read ({type(exc).__name__}: "
                           f"{str(exc)[:200]})") from None


def _read_array(f, key: str, file: Path, max_items: int | None = None) -> np.ndarray:
    """The whole array stored under `key` (labels, class names), checked by `_dataset`."""
    obj = _dataset(f, key, file, max_items)
    return _guarded_read(f"{file}: key '{key}'", lambda: obj[()])


def _label_count(shape, what: str) -> int:
    """How many labels a `(m,)`, `(1, m)` or `(m, 1)` shape holds (as_labels' shapes)."""
    if len(shape) == 1:
        return int(shape[0])
    if len(shape) == 2 and 1 in shape:
        return int(shape[0] * shape[1])
    raise DatasetError(f"{what} must hold labels of shape (m,) or (1, m); found shape "
                       f"{tuple(shape)}")


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
    wx, wy = f"{file}: key '{kx}'", f"{file}: key '{ky}'"
    ox, oy = _dataset(f, kx, file), _dataset(f, ky, file)
    # both lengths from the declared shapes, before a pixel is read
    images = check_image_shape(ox.shape, wx)[0]
    labels = _label_count(oy.shape, wy)
    if images != labels:
        raise DatasetError(f"{file}: key '{kx}' has {images} images but key '{ky}' has "
                           f"{labels} labels")
    x = _guarded_read(wx, lambda: images_from_chunks(lambda i, j: ox[i:j], ox.shape,
                                                     ox.dtype, wx))
    y = as_labels(_guarded_read(wy, lambda: oy[()]), wy)
    return x, y


def _check_range(y: np.ndarray, names: list[str], file: Path, key: str) -> None:
    if len(y) and (y.min() < 0 or y.max() >= len(names)):
        raise DatasetError(f"{file}: key '{key}' has labels {int(y.min())}..{int(y.max())} but "
                           f"'list_classes' has {len(names)} classes (labels 0..{len(names) - 1})")


def _read_file(file: Path) -> dict:
    """Keys, splits and class names of one file; a damaged file is a DatasetError."""
    try:
        with _open(file) as f:
            keys = sorted(f.keys())
            entry = {"keys": keys}
            for split in ("train", "test"):
                if f"{split}_set_x" in f or f"{split}_set_y" in f:
                    entry[split] = _read_split(f, file, split, keys)
            if "list_classes" in f:
                entry["classes"] = _class_names(
                    _read_array(f, "list_classes", file, max_items=MAX_CLASSES), file)
            return entry
    except DatasetError:
        raise
    except (OSError, RuntimeError, KeyError, ValueError, TypeError, IndexError) as exc:
        # what the HDF5 library says about a damaged structure ("ran off the end of the
        # image buffer", "bad object header"...)
        raise DatasetError(f"{file}: a damaged HDF5 file ({type(exc).__name__}: "
                           f"{str(exc)[:200]})") from None


def load_hdf5(path, image_size=None, resize: str = "stretch", progress=None):
    """Load a course HDF5 file, finding the other file of a train/test pair by its name."""
    path = Path(os.fspath(path))
    check_regular(path, DatasetError, what="an HDF5 file")
    files = {}
    for file in (path, partner_path(path)):
        if file is None or not file.is_file():
            continue
        files[file] = _read_file(file)
    main = files[path]
    if "train" not in main and "test" not in main:
        raise DatasetError(f"{path}: missing key 'train_set_x' (or 'test_set_x'); the file has "
                           f"keys {', '.join(main['keys']) or '(none)'}")
    train = next(((f, e["train"]) for f, e in files.items() if "train" in e), None)
    test = next(((f, e["test"]) for f, e in files.items() if "test" in e), None)
    if train is None:
        assert test is not None  # the file has a train or a test split, checked above
        # A test file on its own (the course's test_happy.h5 without train_happy.h5) is a
        # valid set to evaluate and predict on: no training images, the test split kept.
        train = (test[0], (test[1][0][:0], test[1][1][:0]))
    names = next((e["classes"] for e in files.values() if "classes" in e), None)
    if names is None:
        # No 'list_classes': number the classes by the labels found (bounded).
        names = class_names_for([train[1][1], test[1][1] if test else None], str(path))
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
