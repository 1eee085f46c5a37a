"""A folder of the user's own images: one subfolder per class, or `train/` and `test/` each
holding the class folders. Every image goes through `core.data.images.read_image`.

Unreadable files are skipped and listed in `Dataset.skipped` (path, reason), never fatal: one
bad JPEG among a thousand should not stop anyone. A `classes.txt` (one name per line), as
`save_image_folder` writes, fixes the class order; otherwise folders sort naturally (2 < 10).
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

from cnnexplorer.core.errors import DatasetError
from cnnexplorer.core.data.images import ALLOWED_FORMATS, is_image_name, read_image
from cnnexplorer.core.safe_files import (
    MAX_IMAGE_FILE_BYTES,
    display_name,
    is_ancestor_or_same,
    open_regular,
    read_text,
)

from cnnexplorer.core.data.base import Dataset

DEFAULT_SIZE = 64  # used when the first image is larger than MAX_AUTO_SIZE on a side
MAX_AUTO_SIZE = 256
CLASSES_FILE = "classes.txt"


class LoadCancelled(DatasetError):
    """The progress callback asked to stop."""


def _natural_key(name: str):
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", name)]


def _visible(p: Path) -> bool:
    return not p.name.startswith((".", "__"))


def _outside(link: Path, top: Path) -> str | None:
    """Where a link leads when that is outside the dataset's folder `top`, else None."""
    try:
        target, base = link.resolve(), top.resolve()
    except (OSError, RuntimeError):
        return display_name(link)
    return None if target == base or base in target.parents else display_name(target)


def _class_folders(root: Path, skipped: list, top: Path | None = None) -> list[Path]:
    folders = []
    for p in root.iterdir():
        if not (p.is_dir() and _visible(p)):
            continue
        if p.is_symlink() and is_ancestor_or_same(p, root):
            # cats -> .. would make a class holding every image of every class
            skipped.append((str(p), "a link to this folder or one above it; left out"))
            continue
        target = _outside(p, top or root) if p.is_symlink() else None
        if target is not None:
            # icons -> /usr/share/icons read 4,868 files from outside the dataset unasked
            skipped.append((str(p), f"a link to {target}, outside the dataset's folder; left "
                                    f"out (copy or move the folder in to use it)"))
            continue
        folders.append(p)
    order_file = root / CLASSES_FILE
    if order_file.exists():
        order = [line.strip() for line in read_text(order_file, DatasetError).splitlines()
                 if line.strip()]
        rank = {name: i for i, name in enumerate(order)}
        return sorted(folders, key=lambda p: (rank.get(p.name, len(rank)), _natural_key(p.name)))
    return sorted(folders, key=lambda p: _natural_key(p.name))


def _splits(root: Path) -> dict[str, Path]:
    """{"train": folder, "test": folder} for a root holding train/ and test/ (or val/,
    validation/); else {"train": root}."""
    subs = {p.name.lower(): p for p in root.iterdir() if p.is_dir()}
    if "train" in subs:
        out = {"train": subs["train"]}
        for name in ("test", "val", "validation"):
            if name in subs:
                out["test"] = subs[name]
                break
        return out
    return {"train": root}


def _list_files(folder: Path, skipped: list) -> list[Path]:
    files = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__")))
        for d in dirnames:  # os.walk does not follow linked folders: say so
            if (Path(dirpath) / d).is_symlink():
                skipped.append((str(Path(dirpath) / d), "a linked folder inside a class "
                                                        "folder; not followed"))
        for fn in sorted(filenames, key=_natural_key):
            if fn.startswith(".") or fn in ("Thumbs.db", "desktop.ini", CLASSES_FILE):
                continue
            path = Path(dirpath) / fn
            if is_image_name(fn):
                files.append(path)
            else:
                skipped.append((str(path), f"not an image file (extension "
                                           f"'{path.suffix or '(none)'}')"))
    return files


def _auto_channels_and_size(first: Path, image_size):
    """Channels: 1 when the first image is grayscale; size: its own, or 64 when large."""
    try:
        with open_regular(first, DatasetError, max_bytes=MAX_IMAGE_FILE_BYTES) as fh, \
                Image.open(fh, formats=ALLOWED_FORMATS) as im:
            mode, (w, h) = im.mode, im.size
            if im.getexif().get(0x0112) in (5, 6, 7, 8):  # shown rotated by 90 degrees
                w, h = h, w
    except Exception:  # noqa: BLE001 - an unreadable first file is reported when read
        mode, w, h = "RGB", DEFAULT_SIZE, DEFAULT_SIZE
    channels = 1 if mode in ("L", "1", "I;16", "I;16B", "I;16L", "I") else 3
    if image_size is None:
        image_size = (h, w) if max(h, w) <= MAX_AUTO_SIZE else (DEFAULT_SIZE, DEFAULT_SIZE)
    elif isinstance(image_size, int):
        image_size = (image_size, image_size)
    return channels, tuple(image_size)


def load_image_folder(path, image_size=None, resize: str = "stretch", progress=None,
                      channels: int | None = None, workers: int = 4):
    """Load a class-per-subfolder image tree.

    Args:
        image_size: (h, w) or int; None uses the first image's size (64x64 if it is larger
            than 256 on a side).
        channels: 1 or 3; None follows the first image (grayscale files give 1 channel).
        progress: called as progress(done, total, message) from this thread; returning
            False cancels (LoadCancelled).
    """
    root = Path(os.fspath(path))
    if not root.is_dir():
        raise DatasetError(f"{root}: no such folder")
    skipped: list[tuple[str, str]] = []
    splits = _splits(root)
    for fn in sorted(p.name for p in root.iterdir() if p.is_file() and is_image_name(p.name)):
        skipped.append((str(root / fn), "not inside a class folder"))

    class_names: list[str] = []
    listing: dict[str, list[tuple[Path, str]]] = {}
    for split, folder in splits.items():
        entries: list[tuple[Path, str]] = []
        for cls in _class_folders(folder, skipped, root):
            files = _list_files(cls, skipped)
            if split == "train" and cls.name not in class_names:
                class_names.append(cls.name)
            if split == "test" and cls.name not in class_names:
                skipped.extend((str(f), f"test class '{cls.name}' has no training folder")
                               for f in files)
                continue
            entries.extend((f, cls.name) for f in files)
        listing[split] = entries
    train_folder = splits["train"]
    if not class_names:
        raise DatasetError(f"{train_folder}: no class folders found; put each class's images in "
                           f"its own subfolder (e.g. {train_folder / 'cats'}, "
                           f"{train_folder / 'dogs'})")
    all_files = [f for entries in listing.values() for f, _ in entries]
    if not all_files:
        raise DatasetError(f"{root}: the class folders hold no images (looked for "
                           f".jpg .jpeg .png .bmp .gif .webp)")
    auto_channels, size = _auto_channels_and_size(all_files[0], image_size)
    channels = channels or auto_channels

    total, done = len(all_files), 0

    def read(item):
        # Whatever one file raises, that file is skipped and named; the others go on.
        try:
            return read_image(item[0], size=size, resize=resize, channels=channels), None
        except Exception as exc:  # noqa: BLE001 - ImageReadError, or a decoder's own bug
            text = str(exc) if isinstance(exc, DatasetError) else \
                f"cannot be read ({type(exc).__name__}: {exc})"
            return None, text.removeprefix(f"{display_name(item[0])}: ")

    arrays: dict[str, tuple[list, list]] = {}
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for split, entries in listing.items():
            xs, ys = [], []
            # map keeps file order, so a folder loads to the same arrays every time.
            for (file, class_name), (img, err) in zip(entries, pool.map(read, entries)):
                done += 1
                if img is None:
                    skipped.append((str(file), err))
                else:
                    xs.append(img)
                    ys.append(class_name)
                if progress is not None and (done % 32 == 0 or done == total):
                    if progress(done, total, f"reading {file.name}") is False:
                        pool.shutdown(wait=False, cancel_futures=True)
                        raise LoadCancelled(f"{root}: loading cancelled after {done} of "
                                            f"{total} files")
            arrays[split] = (xs, ys)

    present = [c for c in class_names if c in arrays["train"][1]]
    for c in class_names:
        if c not in present:
            skipped.append((str(train_folder / c), "class folder has no readable images; "
                                                    "class left out"))
    if len(present) < 2:
        found = ", ".join(repr(c) for c in present) or "none"
        raise DatasetError(f"{train_folder}: a classifier needs at least 2 classes with images; "
                           f"found {len(present)} ({found})")
    index = {c: i for i, c in enumerate(present)}

    def stack(split):
        xs, ys = arrays.get(split, ([], []))
        keep = [(x, index[c]) for x, c in zip(xs, ys) if c in index]
        if not keep:
            return None, None
        return (np.stack([k[0] for k in keep]).astype(np.uint8),
                np.array([k[1] for k in keep], dtype=np.int64))

    x_train, y_train = stack("train")
    x_test, y_test = stack("test")
    return Dataset(name=root.name, class_names=present, x_train=x_train, y_train=y_train,
                   x_test=x_test, y_test=y_test, source=str(root), skipped=skipped)
