"""Array checks shared by the loaders, and the `.npz` loader (Keras' mnist.npz layout).

`what` arguments name the file and key so that every message says where the problem is.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np

from cnnexplorer.core.errors import DatasetError
from cnnexplorer.core.data.images import resize_array
from cnnexplorer.core.safe_files import (
    MAX_ARRAY_BYTES,
    MAX_CLASSES,
    check_array_size,
    check_zip,
    open_regular,
)

_NPY_MAGIC = b"\x93NUMPY"


def as_images(x, what: str) -> np.ndarray:
    """Images as uint8 `(N, H, W, C)`; `(N, H, W)` grayscale gets a channel axis.

    Float images in 0..1 are scaled by 255; floats or ints in 0..255 are cast.
    """
    x = np.asarray(x)
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4:
        raise DatasetError(f"{what} must hold images of shape (m, H, W, C) or (m, H, W); "
                           f"found rank {x.ndim}, shape {x.shape}")
    if x.shape[-1] not in (1, 3):
        raise DatasetError(f"{what} must have 1 or 3 channels (last axis); found shape {x.shape}")
    if x.dtype == np.uint8:
        return np.ascontiguousarray(x)
    if x.dtype.kind not in "fiub":
        raise DatasetError(f"{what} must hold numbers; found dtype {x.dtype}")
    if x.size == 0:
        return x.astype(np.uint8)
    if x.dtype.kind == "f":
        check_finite(x, what)
    lo, hi = float(x.min()), float(x.max())
    if x.dtype.kind == "f" and hi <= 1.0 and lo >= 0.0:
        return np.clip(np.rint(x * 255.0), 0, 255).astype(np.uint8)
    if lo < 0 or hi > 255:
        raise DatasetError(f"{what} must hold pixel values in 0..255 (or 0..1 floats); "
                           f"found {lo:g}..{hi:g} ({x.dtype})")
    return np.rint(x).astype(np.uint8) if x.dtype.kind == "f" else x.astype(np.uint8)


def check_finite(x: np.ndarray, what: str) -> None:
    """Refuse NaN and infinite values, saying how many there are."""
    finite = np.isfinite(x)
    if not finite.all():
        nan = int(np.count_nonzero(np.isnan(x)))
        inf = int(x.size - np.count_nonzero(finite)) - nan
        raise DatasetError(f"{what} holds {nan:,} NaN and {inf:,} infinite values (of "
                           f"{x.size:,}); every pixel must be a finite number")


def class_names_for(labels: list[np.ndarray | None], what: str) -> list[str]:
    """Class names "0".."k-1" numbered by the labels, for data that names no classes.

    Bounded: a label of 10^8 in a tiny file must not build 10^8 names.
    """
    top = max((int(y.max()) for y in labels if y is not None and len(y)), default=0)
    if top >= MAX_CLASSES:
        raise DatasetError(f"{what}: the labels go up to {top} and there are no class names; "
                           f"more than {MAX_CLASSES:,} classes is refused (labels must be "
                           f"0..k-1)")
    return [str(i) for i in range(max(2, top + 1))]


def as_labels(y, what: str) -> np.ndarray:
    """Labels as int64 `(m,)`, accepting the course's `(1, m)` and Keras' `(m, 1)`."""
    y = np.asarray(y)
    if y.ndim == 2 and 1 in y.shape:
        y = y.reshape(-1)
    if y.ndim != 1:
        raise DatasetError(f"{what} must hold labels of shape (m,) or (1, m); found shape "
                           f"{y.shape}")
    if y.dtype.kind not in "iubf":
        raise DatasetError(f"{what} must hold integer labels; found dtype {y.dtype}")
    if y.dtype.kind == "f":
        finite = np.isfinite(y)
        if not finite.all():
            raise DatasetError(f"{what} must hold integer labels; found "
                               f"{int(y.size - np.count_nonzero(finite)):,} NaN or infinite "
                               f"values")
        if not np.all(y == np.round(y)):
            bad = y[y != np.round(y)][:3]
            raise DatasetError(f"{what} must hold integer labels; found {bad.tolist()}")
    return y.astype(np.int64)


def resize_all(x: np.ndarray, size, resize: str, progress=None) -> np.ndarray:
    """Resize every image of `x` to `size` (int or (h, w))."""
    size = (size, size) if isinstance(size, int) else tuple(size)
    if tuple(x.shape[1:3]) == size:
        return x
    out = np.empty((len(x), size[0], size[1], x.shape[3]), np.uint8)
    for i, img in enumerate(x):
        out[i] = resize_array(img, size, resize)
        if progress is not None and i % 256 == 0:
            progress(i, len(x), "resizing")
    return out


def resize_splits(x_train, x_test, image_size, resize: str, progress=None):
    """Both splits resized to `image_size` (None keeps them as they are; no test split stays None)."""
    if image_size is None:
        return x_train, x_test
    x_train = resize_all(x_train, image_size, resize, progress)
    if x_test is not None:
        x_test = resize_all(x_test, image_size, resize, progress)
    return x_train, x_test


def _check_npz(path: Path) -> None:
    """Before NumPy reads anything: a regular file, a zip (not a bare .npy), members whose
    unpacked sizes are bounded, and each array's declared shape within memory and within its
    member (NumPy allocates the declared shape before reading the data)."""
    with open_regular(path, DatasetError, what="a NumPy .npz archive") as fh:
        head = fh.read(6)
    if head == _NPY_MAGIC:
        raise DatasetError(f"{path}: a single NumPy .npy array, not an .npz archive; save "
                           f"the arrays with numpy.savez(path, x_train=..., y_train=...)")
    infos = check_zip(path, DatasetError, max_member=MAX_ARRAY_BYTES,
                      max_total=2 * MAX_ARRAY_BYTES, what="NumPy .npz archive")
    with zipfile.ZipFile(path) as zf:
        for info in infos:
            if not info.filename.endswith(".npy"):
                continue
            key = f"{path}: key '{info.filename[:-4]}'"
            try:
                with zf.open(info) as member:
                    version = np.lib.format.read_magic(member)
                    read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) \
                        else np.lib.format.read_array_header_2_0
                    shape, _order, dtype = read_header(member)
            except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
                raise DatasetError(f"{key}: not a readable array ({exc})") from None
            nbytes = check_array_size(shape, dtype.itemsize, key, DatasetError)
            if not dtype.hasobject and nbytes > info.file_size:
                raise DatasetError(f"{key}: declares shape {shape} ({nbytes:,} bytes) but "
                                   f"holds {info.file_size:,} bytes: a damaged archive")


def load_npz(path, image_size=None, resize: str = "stretch", progress=None):
    """Load `x_train, y_train[, x_test, y_test][, class_names]` from a `.npz` archive."""
    from cnnexplorer.core.data.base import Dataset

    path = Path(os.fspath(path))
    _check_npz(path)
    try:
        archive = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise DatasetError(f"{path}: not a NumPy .npz archive ({exc})") from exc
    with archive:
        keys = sorted(archive.files)
        for key in ("x_train", "y_train"):
            if key not in keys:
                raise DatasetError(f"{path}: missing key '{key}'; the archive has keys "
                                   f"{', '.join(keys) or '(none)'}")
        try:
            x_train = as_images(archive["x_train"], f"{path}: key 'x_train'")
            y_train = as_labels(archive["y_train"], f"{path}: key 'y_train'")
            x_test = y_test = None
            if ("x_test" in keys) != ("y_test" in keys):
                missing = "y_test" if "x_test" in keys else "x_test"
                raise DatasetError(f"{path}: missing key '{missing}' (x_test and y_test come "
                                   f"together)")
            if "x_test" in keys:
                x_test = as_images(archive["x_test"], f"{path}: key 'x_test'")
                y_test = as_labels(archive["y_test"], f"{path}: key 'y_test'")
            names = None
            if "class_names" in keys:
                names = [str(n) for n in archive["class_names"].tolist()]
        except ValueError as exc:  # object arrays need pickle, which we refuse
            raise DatasetError(f"{path}: cannot read an array ({exc})") from exc
    for x, y, kx, ky in ((x_train, y_train, "x_train", "y_train"),
                         (x_test, y_test, "x_test", "y_test")):
        if x is not None and y is not None and len(x) != len(y):
            raise DatasetError(f"{path}: key '{kx}' has {len(x)} images but key '{ky}' has "
                               f"{len(y)} labels")
    if names is None:
        names = class_names_for([y_train, y_test], str(path))
    for y, key in ((y_train, "y_train"), (y_test, "y_test")):
        if y is not None and len(y) and (y.min() < 0 or y.max() >= len(names)):
            raise DatasetError(f"{path}: key '{key}' has labels {int(y.min())}..{int(y.max())} "
                               f"but there are {len(names)} class names")
    x_train, x_test = resize_splits(x_train, x_test, image_size, resize, progress)
    if x_test is not None and x_test.shape[1:] != x_train.shape[1:]:
        raise DatasetError(f"{path}: key 'x_test' holds images of {x_test.shape[1:]} but "
                           f"'x_train' holds {x_train.shape[1:]}")
    return Dataset(name=path.stem, class_names=names, x_train=x_train, y_train=y_train,
                   x_test=x_test, y_test=y_test, source=str(path))
