"""Writing any Dataset as the course's HDF5 files, as an image folder, or as `.npz`.

Each writer produces what the matching loader reads back unchanged (round-trip tested).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
from PIL import Image

from cnnexplorer.core.safe_files import atomic_path
from cnnexplorer.core.errors import DatasetError
from cnnexplorer.core.data.folder import CLASSES_FILE


def _class_bytes(names: list[str]) -> np.ndarray:
    return np.array([n.encode("utf-8") for n in names])


def save_hdf5(dataset, path) -> list[Path]:
    """Write the course's layout. A name `train_X.h5` writes `train_X.h5` and `test_X.h5`
    (when there is a test split); any other name writes one file with every key.

    Returns the files written.
    """
    import h5py

    path = Path(os.fspath(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    classes = _class_bytes(dataset.class_names)
    written = []

    def write(file: Path, splits):
        with atomic_path(file, file.suffix) as tmp, h5py.File(tmp, "w") as f:
            for split, x, y in splits:
                f.create_dataset(f"{split}_set_x", data=x, compression="gzip", compression_opts=4)
                f.create_dataset(f"{split}_set_y", data=y.astype(np.int64))
            f.create_dataset("list_classes", data=classes)
        written.append(file)

    train = ("train", dataset.x_train, dataset.y_train)
    test = ("test", dataset.x_test, dataset.y_test) if dataset.x_test is not None else None
    if path.name.lower().startswith("train_"):
        write(path, [train])
        if test is not None:
            write(path.with_name("test_" + path.name[len("train_"):]), [test])
    else:
        write(path, [train] + ([test] if test else []))
    return written


def _folder_name(name: str, i: int) -> str:
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name).strip().strip(".")
    return safe or f"class_{i}"


def save_image_folder(dataset, folder, fmt: str = "png") -> Path:
    """Write `train/<class>/NNNNN.png` (and `test/...`), plus `classes.txt` for the order.

    PNG is lossless, so the folder loads back to the same pixels; grayscale stays grayscale.
    """
    folder = Path(os.fspath(folder))
    if folder.exists() and any(folder.iterdir()):
        raise DatasetError(f"{folder}: the folder is not empty; choose an empty or new folder")
    names = [_folder_name(n, i) for i, n in enumerate(dataset.class_names)]
    if len(set(names)) != len(names):
        raise DatasetError(f"class names {dataset.class_names} give clashing folder names")
    splits = [("train", dataset.x_train, dataset.y_train)]
    if dataset.x_test is not None:
        splits.append(("test", dataset.x_test, dataset.y_test))
    for split, x, y in splits:
        base = folder / split
        (base).mkdir(parents=True, exist_ok=True)
        (base / CLASSES_FILE).write_text("\n".join(names) + "\n", "utf-8")
        for name in names:
            (base / name).mkdir(exist_ok=True)
        for i, (img, label) in enumerate(zip(x, y)):
            arr = img[:, :, 0] if img.shape[2] == 1 else img
            Image.fromarray(arr).save(base / names[int(label)] / f"{i:05d}.{fmt}")
    return folder


def save_npz(dataset, path, compress: bool = True) -> Path:
    """Write `x_train, y_train[, x_test, y_test], class_names` (atomically)."""
    path = Path(os.fspath(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {"x_train": dataset.x_train, "y_train": dataset.y_train,
              "class_names": np.array(dataset.class_names)}
    if dataset.x_test is not None:
        arrays.update(x_test=dataset.x_test, y_test=dataset.y_test)
    with atomic_path(path, ".npz") as tmp:  # np.savez adds .npz to a name without it
        (np.savez_compressed if compress else np.savez)(tmp, **arrays)
    return path
