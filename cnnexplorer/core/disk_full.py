"""Telling a full disk from a bug: "the disk is full (PATH)" instead of a traceback.

A full disk reaches us in several disguises: `OSError` with errno ENOSPC (or EDQUOT, a quota)
from our own writes, h5py's `RuntimeError`/`OSError` whose text carries "errno = 28" and the
file name (Keras' weights files), and either of them wrapped by Keras as the cause or context
of another exception.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import io
import re
import shutil
import sys

_FULL = (errno.ENOSPC, errno.EDQUOT)
#: set once a write failed inside HDF5: its library then holds objects it cannot close, and
#: its exit handler crashes on them (a segmentation fault after our message); the command
#: line ends the process without running the C exit handlers when this is set
hdf5_write_failed = False
#: what a model's file holds beyond its arrays (names, config, zip and HDF5 structure)
_FILE_OVERHEAD = 256 * 1024


class DiskFullError(OSError):
    """Too little space for a write we are about to make (checked before HDF5 sees it)."""

    def __init__(self, path, needed: int, free: int):
        super().__init__(errno.ENOSPC, f"No space left on device: {needed:,} bytes needed, "
                                       f"{free:,} free", str(path))


def require_space(folder, arrays_bytes: int, copies: int = 1) -> None:
    """Refuse a write of about `arrays_bytes` (`copies` times: a temporary file beside the
    old one) where the disk has less free, before any library starts writing: a write
    that fails halfway inside HDF5 cannot be cleaned up."""
    needed = copies * (int(arrays_bytes * 1.1) + _FILE_OVERHEAD)
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return  # the write itself will say what is wrong
    if free < needed:
        raise DiskFullError(folder, needed, free)


def model_bytes(model) -> int:
    """The bytes of a model's weights and its optimizer's state, as a file holds them."""
    total = sum(int(w.numpy().nbytes) for w in model.weights)
    optimizer = getattr(model, "optimizer", None)
    for v in getattr(optimizer, "variables", None) or []:
        try:
            total += int(v.numpy().nbytes)
        except (AttributeError, TypeError, ValueError):
            pass
    return total
_H5_FILENAME = re.compile(r"filename = '([^']+)'")


def failed_inside_hdf5(exc: BaseException | None) -> bool:
    """The failure came from a write inside HDF5 (its report carries "errno = 28")."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if "errno = 28" in str(exc) or "file write failed" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def disk_full_path(exc: BaseException | None, default: str = "") -> str | None:
    """The path a full disk refused (or `default` when unnamed), or None: not a full disk."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        text = str(exc)
        if isinstance(exc, OSError) and exc.errno in _FULL:
            return str(exc.filename or default)
        if "No space left on device" in text or "errno = 28" in text \
                or "Disk quota exceeded" in text:
            match = _H5_FILENAME.search(text)
            return match.group(1) if match else default
        exc = exc.__cause__ or exc.__context__
    return None


@contextlib.contextmanager
def quiet_failed_writes():
    """A failed HDF5 write (Keras' weights) leaves h5py objects whose finalizers fail again,
    each printing a traceback ("Exception ignored in: h5py._objects.ObjectID.__dealloc__"):
    those reports are swallowed inside this block (the thread's others too: it is brief)."""
    hook, stderr = sys.unraisablehook, sys.stderr
    sys.unraisablehook = lambda unraisable: None
    sys.stderr = io.StringIO()  # Cython prints those tracebacks itself, before the hook
    try:
        yield
    finally:
        sys.unraisablehook, sys.stderr = hook, stderr


def collect_failed_writes(inside_hdf5: bool = True) -> None:
    """Free what a failed write left, once its exception (whose traceback holds the open
    HDF5 objects) is gone; `inside_hdf5`: the write failed in HDF5 (not refused by
    `require_space`), whose exit handler would then crash (see `hdf5_write_failed`)."""
    global hdf5_write_failed
    hdf5_write_failed = hdf5_write_failed or inside_hdf5
    with quiet_failed_writes():
        gc.collect()
