"""The one guarded way the project opens a file it did not write itself (no Qt, no TensorFlow).

A user can hand the program anything that has a path: a named pipe (opening it for reading
waits for a writer forever), a device (`/dev/zero` never ends), a folder, a name too long for
the file system, a file of terabytes, a zip archive whose 2 MB hold 2 GiB. Every loader, the
image reader, the model-file check and the small JSON/text reads go through this module, so
each of those is refused in one place, before any library sees the file, with a message that
names the file and says what it is.

- `check_regular(path)`: stat without opening; refuses anything but a regular file. For
  libraries that insist on opening the path themselves (h5py, Keras).
- `open_regular(path)`: opens without blocking (O_NONBLOCK: a FIFO with no writer does not
  hang), then checks the opened file itself (fstat), so the answer is about what was opened.
- `read_bytes` / `read_text`: whole small files, bounded.
- `check_zip(path)`: member sizes, total size, member count and compression ratio read from
  the zip directory before anything is decompressed (.keras models, .npz archives).
- `check_array_size(shape, dtype)`: a declared array shape (HDF5, .npy header) against memory.
- `display_name(path)`: a path as printable text; undecodable bytes become U+FFFD.

Each function takes `error`, the `CnnExplorerError` subclass its caller raises, so an image
still fails with `ImageReadError` and a model with `ModelFileError`.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import stat
import tempfile
import zipfile
from pathlib import Path
from typing import Iterator

from cnnexplorer.core.errors import CnnExplorerError

#: JSON files, classes.txt, spec files: never legitimately larger
MAX_TEXT_BYTES = 64 * 2**20
#: one image file (a 90-megapixel PNG is well under this)
MAX_IMAGE_FILE_BYTES = 1 * 2**30
#: classes a dataset or a zoo configuration may have (ImageNet-21k has 21,841)
MAX_CLASSES = 100_000
#: members of a zip archive (.keras, .npz)
MAX_ZIP_MEMBERS = 10_000
#: a member larger than this must not be compressed more than MAX_ZIP_RATIO times
ZIP_RATIO_FLOOR = 16 * 2**20
MAX_ZIP_RATIO = 200


def _physical_memory() -> int:
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # not POSIX: assume a small machine
        return 8 * 2**30


#: one array read from a dataset file: at most half the machine's memory, and 16 GiB
MAX_ARRAY_BYTES = min(16 * 2**30, _physical_memory() // 2)


def display_name(path) -> str:
    """`path` as text that any terminal can print: undecodable bytes become U+FFFD."""
    if isinstance(path, bytes):
        return path.decode("utf-8", "replace")
    text = os.fspath(path) if isinstance(path, os.PathLike) else str(path)
    if isinstance(text, bytes):
        return text.decode("utf-8", "replace")
    # os.fsdecode keeps undecodable bytes as lone surrogates (U+DC80..U+DCFF), which a
    # strict UTF-8 stream refuses to print; turn them back into bytes, then into U+FFFD.
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _os_error_text(exc: OSError) -> str:
    if exc.errno == errno.ENOENT:
        return "no such file"
    if exc.errno == errno.ENAMETOOLONG:
        return "the file name is too long for the file system (a name over 255 bytes?)"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.ENOTDIR:
        return "a part of the path is not a folder"
    if exc.errno == errno.ELOOP:
        return "too many levels of symbolic links"
    return f"cannot be read ({exc.strerror or exc})"


def _check_stat(st: os.stat_result, name: str, error, max_bytes: int | None,
                what: str, allow_empty: bool) -> None:
    if not stat.S_ISREG(st.st_mode):
        raise error(f"{name}: is {_kind(st.st_mode)}, not {what}")
    if st.st_size == 0 and not allow_empty:
        raise error(f"{name}: the file is empty (0 bytes), not {what}")
    if max_bytes is not None and st.st_size > max_bytes:
        raise error(f"{name}: the file is {st.st_size:,} bytes; {what} over "
                    f"{max_bytes:,} bytes is refused")


def check_regular(path, error=CnnExplorerError, *, max_bytes: int | None = None,
                  what: str = "a regular file", allow_empty: bool = False) -> os.stat_result:
    """Stat `path` (following links) and refuse anything but a non-empty regular file.

    Raises:
        error: naming the file: missing, a folder, a FIFO, a device, a socket, empty, larger
            than `max_bytes`, a name too long, permission denied.
    """
    name = display_name(path)
    try:
        st = os.stat(path)
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        text = _os_error_text(exc) if isinstance(exc, OSError) else f"invalid path ({exc})"
        raise error(f"{name}: {text}") from None
    _check_stat(st, name, error, max_bytes, what, allow_empty)
    return st


def open_regular(path, error=CnnExplorerError, *, max_bytes: int | None = None,
                 what: str = "a regular file", allow_empty: bool = False) -> io.BufferedReader:
    """Open `path` for binary reading, refusing non-regular files without ever blocking.

    The file is opened with O_NONBLOCK (a FIFO without a writer opens at once instead of
    waiting), checked with fstat (what was opened, not what the name pointed to a moment
    earlier), and only then handed back as an ordinary blocking file object.
    """
    name = display_name(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) \
        | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except (OSError, ValueError) as exc:
        if isinstance(exc, OSError) and exc.errno == errno.EISDIR:
            raise error(f"{name}: is a folder, not {what}") from None
        text = _os_error_text(exc) if isinstance(exc, OSError) else f"invalid path ({exc})"
        raise error(f"{name}: {text}") from None
    try:
        _check_stat(os.fstat(fd), name, error, max_bytes, what, allow_empty)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bytes(path, error=CnnExplorerError, *, max_bytes: int = MAX_TEXT_BYTES,
               what: str = "a regular file", allow_empty: bool = True) -> bytes:
    """The whole content of a small regular file (refused above `max_bytes`)."""
    with open_regular(path, error, max_bytes=max_bytes, what=what,
                      allow_empty=allow_empty) as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:  # it grew after the check
        raise error(f"{display_name(path)}: more than {max_bytes:,} bytes; refused")
    return data


def read_text(path, error=CnnExplorerError, *, max_bytes: int = MAX_TEXT_BYTES,
              what: str = "a text file") -> str:
    """A small UTF-8 text file; a file that is not UTF-8 is refused with where it fails."""
    data = read_bytes(path, error, max_bytes=max_bytes, what=what)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"{display_name(path)}: not UTF-8 text (byte 0x{data[exc.start]:02x} at "
                    f"offset {exc.start}); save it as UTF-8") from None


def check_zip(path, error=CnnExplorerError, *, max_total: int = MAX_ARRAY_BYTES,
              member_limits: dict[str, int] | None = None, max_member: int | None = None,
              what: str = "zip archive") -> list[zipfile.ZipInfo]:
    """Check a zip archive's directory before anything is decompressed.

    Refuses: not a zip, more than MAX_ZIP_MEMBERS members, a member larger than its limit
    (`member_limits` by name, else `max_member`), a total uncompressed size over `max_total`,
    a large member compressed more than MAX_ZIP_RATIO times (a decompression bomb).

    Returns:
        The members' ZipInfo entries.
    """
    name = display_name(path)
    limits = member_limits or {}
    with open_regular(path, error, what=f"a {what}") as fh:
        try:
            with zipfile.ZipFile(fh) as zf:
                infos = zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError,
                EOFError, NotImplementedError) as exc:
            raise error(f"{name}: not a {what} ({exc})") from None
    if len(infos) > MAX_ZIP_MEMBERS:
        raise error(f"{name}: the {what} has {len(infos):,} members; more than "
                    f"{MAX_ZIP_MEMBERS:,} is refused")
    total = 0
    for info in infos:
        limit = limits.get(info.filename, max_member)
        if limit is not None and info.file_size > limit:
            raise error(f"{name}: member {display_name(info.filename)!r} would unpack to "
                        f"{info.file_size:,} bytes; more than {limit:,} is refused (a "
                        f"damaged file or a decompression bomb)")
        if info.file_size > ZIP_RATIO_FLOOR and \
                info.file_size > MAX_ZIP_RATIO * max(1, info.compress_size):
            raise error(f"{name}: member {display_name(info.filename)!r} is compressed "
                        f"{info.file_size / max(1, info.compress_size):,.0f} times "
                        f"({info.compress_size:,} -> {info.file_size:,} bytes); over "
                        f"{MAX_ZIP_RATIO} times is refused as a decompression bomb")
        total += info.file_size
    if total > max_total:
        raise error(f"{name}: the {what} would unpack to {total:,} bytes; more than "
                    f"{max_total:,} is refused")
    return infos


def check_array_size(shape, itemsize: int, what: str, error=CnnExplorerError,
                     max_bytes: int = MAX_ARRAY_BYTES) -> int:
    """The bytes an array of `shape` would take; refused over `max_bytes` before reading."""
    count = 1
    for dim in shape:
        if dim is None or int(dim) < 0:
            raise error(f"{what}: has an undefined or negative dimension in shape {shape}")
        count *= int(dim)
    nbytes = count * max(1, int(itemsize))
    if nbytes > max_bytes:
        raise error(f"{what}: declares shape {tuple(shape)} = {nbytes:,} bytes; more than "
                    f"{max_bytes:,} bytes (half this machine's memory, at most 16 GiB) is "
                    f"refused")
    return nbytes


def is_ancestor_or_same(folder: Path, root: Path) -> bool:
    """Whether `folder` resolves to `root` or one of its ancestors (a link loop)."""
    try:
        target, base = folder.resolve(), root.resolve()
    except (OSError, RuntimeError):
        return True
    return target == base or target in base.parents


@contextlib.contextmanager
def atomic_path(path, suffix: str = "") -> Iterator[Path]:
    """A temporary path beside `path` to write to; renamed onto `path` when the block ends.

    The one way the project writes a file: a crash, a kill or a full disk mid-write never
    leaves half a file under the real name, and the old file stays until the new one is
    whole (flushed to disk first). On an exception the temporary file goes and nothing
    changes. The path does not exist yet (Keras, h5py and Pillow create it themselves).

    The name is `.<name>.<pid>.<random>.tmp`, or `.<stem>.<pid>.<random>.tmp<suffix>` when a
    writer needs its suffix (`.keras`, `.npz`): the pid tells `model_io.clean_stale_temps`
    whether a leftover's writer is still alive.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.stem if suffix else path.name}.{os.getpid()}.",
                                suffix=f".tmp{suffix}", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()
    try:
        yield tmp
        if tmp.is_file():
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(path, data: bytes) -> Path:
    """Write `data` to `path` atomically (`atomic_path`)."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


@contextlib.contextmanager
def writing(path, error=CnnExplorerError, what: str = "write"):
    """Turn the OS's refusal to write `path` (a folder in the way, a read-only file system,
    no permission, a full disk, a name too long) into `error` naming the path and the reason."""
    try:
        yield
    except OSError as exc:
        reasons = {errno.EISDIR: "it is a folder", errno.EROFS: "the file system is read-only",
                   errno.EACCES: "permission denied", errno.EPERM: "permission denied",
                   errno.ENOSPC: "the disk is full", errno.EEXIST: "it exists already",
                   errno.ENOTDIR: "a part of the path is a file, not a folder",
                   errno.ENAMETOOLONG: "the file name is too long for the file system"}
        reason = reasons.get(exc.errno or 0, exc.strerror or str(exc))
        raise error(f"cannot {what} {display_name(path)}: {reason}") from None


# -- HDF5: a file that reads only itself ----------------------------------------------------------
#: links walked in an HDF5 file before it is refused as built to make the walk itself slow
MAX_HDF5_LINKS = 100_000


def _hdf5_dataset_refusal(dataset) -> str | None:
    """Why an h5py dataset reads bytes from outside its own file, or None when it does not."""
    if dataset.external:  # raw storage in other files: external=[('/etc/passwd', 0, n)]
        sources = ", ".join(repr(display_name(entry[0])) for entry in dataset.external[:3])
        return f"keeps its data in other files ({sources}): external storage is refused"
    if dataset.is_virtual:  # a virtual dataset maps other files' (or devices') data
        sources = ", ".join(sorted({repr(display_name(src.file_name))
                                    for src in dataset.virtual_sources()[:3]}))
        return f"is a virtual dataset reading other files ({sources}): refused"
    return None


def check_hdf5_link(group, key: str, file_name: str, error=CnnExplorerError,
                    shown: str | None = None):
    """The object under `key` of an open h5py group, refused when it reaches outside the file.

    h5py follows external links (into any file), external raw storage and virtual datasets
    (any file or device, a FIFO that blocks forever) as if they were the file's own data;
    `core.safe_files` guards only the path the user named. Each of the three is refused with
    a message naming the file and the key (`shown`: the key's full path, when `group` is
    not the file). Returns the object (None when the key is absent).
    """
    import h5py

    what = f"{file_name}: key '{display_name(shown or key)}'"
    link = group.get(key, getlink=True)
    if link is None:
        return None
    if isinstance(link, h5py.ExternalLink):
        raise error(f"{what} is a link to {display_name(link.filename)!r} "
                    f"(an external link): a data file may only read itself; refused")
    obj = group.get(key)
    if isinstance(obj, h5py.Dataset):
        reason = _hdf5_dataset_refusal(obj)
        if reason:
            raise error(f"{what} {reason}")
    return obj


def check_hdf5_self_contained(h5file, file_name: str, error=CnnExplorerError) -> None:
    """Walk every link of an open h5py file and refuse the file when any of them reaches
    outside it (an external link, a dataset with external storage, a virtual dataset).

    The walk does not follow external links (HDF5's link iteration reports them without
    opening their target) and stops at MAX_HDF5_LINKS links.
    """
    names: list[str] = []

    def collect(name):
        names.append(name)
        if len(names) > MAX_HDF5_LINKS:
            return True  # stops the iteration
        return None

    h5file.visit_links(collect)
    if len(names) > MAX_HDF5_LINKS:
        raise error(f"{file_name}: the HDF5 file holds more than {MAX_HDF5_LINKS:,} links; "
                    f"refused")
    for name in names:
        parent, _, leaf = name.rpartition("/")
        check_hdf5_link(h5file[parent] if parent else h5file, leaf, file_name, error, name)
