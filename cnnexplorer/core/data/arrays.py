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

from cnnexplorer.core.data.base import Dataset

_NPY_MAGIC = b"\x93NUMPY"


#: bytes of source pixels converted at a time: a float64 array is never copied whole
CONVERT_CHUNK_BYTES = 64 * 2**20


def check_image_shape(shape, what: str) -> tuple[int, ...]:
    """The `(N, H, W, C)` shape images of a declared `shape` will have; refused (rank,
    channels) from the shape alone, before any pixel is read."""
    shape = tuple(int(d) for d in shape)
    if len(shape) == 3:
        shape = shape + (1,)
    if len(shape) != 4:
        raise DatasetError(f"{what} must hold images of shape (m, H, W, C) or (m, H, W); "
                           f"found rank {len(shape)}, shape {shape}")
    if shape[-1] not in (1, 3):
        raise DatasetError(f"{what} must have 1 or 3 channels (last axis); found shape {shape}")
    return shape


def images_from_chunks(read, shape, dtype, what: str) -> np.ndarray:
    """uint8 `(N, H, W, C)` images from a source read `read(start, stop)` images at a time.

    The rule (one for every loader): uint8 is kept; booleans become 0 and 255 (a black and
    white image, not pixels 0/1); floats in 0..1 are scaled by 255; floats or ints in 0..255
    are rounded/cast; anything else (NaN, infinities, values outside 0..255) is refused. The
    source is converted CONVERT_CHUNK_BYTES at a time (two passes for floats and ints: their
    range decides the rule), so a float64 file costs its uint8 result plus one chunk, not 2-3
    float copies of the whole array.
    """
    dtype = np.dtype(dtype)
    out_shape = check_image_shape(shape, what)
    if dtype.kind not in "fiub":
        raise DatasetError(f"{what} must hold numbers; found dtype {dtype}")
    count = out_shape[0]
    out = np.empty(out_shape, np.uint8)
    if count == 0:
        return out
    per_image = max(1, int(np.prod(out_shape[1:], dtype=np.int64)) * dtype.itemsize)
    step = max(1, CONVERT_CHUNK_BYTES // per_image)
    spans = [(i, min(count, i + step)) for i in range(0, count, step)]

    def chunk(i, j):
        return np.asarray(read(i, j)).reshape((j - i,) + out_shape[1:])

    if dtype == np.uint8 or dtype.kind == "b":
        for i, j in spans:
            part = chunk(i, j)
            out[i:j] = part.view(np.uint8) * np.uint8(255) if dtype.kind == "b" else part
        return out
    lo, hi, nan, inf = np.inf, -np.inf, 0, 0
    for i, j in spans:
        part = chunk(i, j)
        if dtype.kind == "f":
            finite = np.isfinite(part)
            if not finite.all():
                bad_nan = int(np.count_nonzero(np.isnan(part)))
                nan += bad_nan
                inf += int(part.size - np.count_nonzero(finite)) - bad_nan
                continue
        lo, hi = min(lo, float(part.min())), max(hi, float(part.max()))
    if nan or inf:
        raise DatasetError(f"{what} holds {nan:,} NaN and {inf:,} infinite values (of "
                           f"{int(np.prod(out_shape)):,}); every pixel must be a finite number")
    unit = dtype.kind == "f" and hi <= 1.0 and lo >= 0.0
    if not unit and (lo < 0 or hi > 255):
        raise DatasetError(f"{what} must hold pixel values in 0..255 (or 0..1 floats); "
                           f"found {lo:g}..{hi:g} ({dtype})")
    for i, j in spans:
        part = chunk(i, j)
        if unit:
            out[i:j] = np.clip(np.rint(part * 255.0), 0, 255)
        elif dtype.kind == "f":
            out[i:j] = np.rint(part)
        else:
            out[i:j] = part
    return out


def as_images(x, what: str) -> np.ndarray:
    """Images as uint8 `(N, H, W, C)`; `(N, H, W)` grayscale gets a channel axis.

    Float images in 0..1 are scaled by 255; floats or ints in 0..255 are cast; booleans
    become 0/255 (`images_from_chunks` holds the rule).
    """
    x = np.asarray(x)
    if x.dtype == np.uint8:
        return np.ascontiguousarray(x.reshape(check_image_shape(x.shape, what)))
    return images_from_chunks(lambda i, j: x[i:j], x.shape, x.dtype, what)


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
    if len(y):
        # int64 is what the trainer uses: a uint64 label of 2**64-1 must not wrap to -1
        top, bottom = y.max(), y.min()
        if top > np.iinfo(np.int64).max or bottom < np.iinfo(np.int64).min:
            raise DatasetError(f"{what} has labels {_label_text(bottom)}..{_label_text(top)}; "
                               f"labels must be class numbers 0..k-1")
    return y.astype(np.int64)


def _label_text(value) -> str:
    value = value.item() if hasattr(value, "item") else value
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


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
