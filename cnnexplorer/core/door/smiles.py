"""The real face crops the door model learns from (SMILEsmileD, `smile/` and `nosmile/`
folders), split into a training part and a held-out fifth by file name.

The split depends on nothing but each file's name, so it is the same on every machine, for
every seed and whatever else is added to the folders: a file is held out when the SHA-1 of its
name (UTF-8, without the folder) read as a big-endian integer is divisible by 5
(`is_held_out`). The door model never trains on the held-out fifth; its figures in
`resources/door_model.json` and benchmarks/door.md are measured there.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from cnnexplorer.core.errors import DatasetError

#: class folder names, label 0 then label 1 (the door's positive class is "smile")
CLASS_FOLDERS = ("nosmile", "smile")
HOLDOUT_FOLDS = 5
SPLIT_RULE = ("held out when int(sha1(file name, UTF-8, without the folder), 16) % 5 == 0; "
              "the model never trains on the held-out fifth")


def is_held_out(name: str) -> bool:
    """Whether the file `name` (a bare file name) belongs to the held-out fifth."""
    digest = hashlib.sha1(Path(name).name.encode("utf-8")).hexdigest()
    return int(digest, 16) % HOLDOUT_FOLDS == 0


def _image_files(folder: Path) -> list[Path]:
    from cnnexplorer.core.data.images import is_image_name

    return sorted((p for p in folder.iterdir() if p.is_file() and is_image_name(p.name)),
                  key=lambda p: p.name)


def load_smiles(root, channels: int = 1, size: int = 64, workers: int = 4):
    """Read the crops under `root` as a Dataset: x_train/y_train the training part,
    x_test/y_test the held-out fifth (label 1 = smile); `dataset.split_names` lists the
    files of each part ("train", "held_out") as "folder/name", in array order.

    Raises:
        DatasetError: `root` lacks a `smile/` or `nosmile/` folder, or holds no images.
    """
    from cnnexplorer.core.data.base import Dataset
    from cnnexplorer.core.data.images import read_image

    root = Path(root)
    missing = [c for c in CLASS_FOLDERS if not (root / c).is_dir()]
    if missing:
        raise DatasetError(f"{root}: expected the class folders {', '.join(CLASS_FOLDERS)}; "
                           f"missing {', '.join(missing)}")
    files, labels = [], []
    for label, folder in enumerate(CLASS_FOLDERS):
        found = _image_files(root / folder)
        files += found
        labels += [label] * len(found)
    if not files:
        raise DatasetError(f"{root}: no images in {' or '.join(CLASS_FOLDERS)}")
    with ThreadPoolExecutor(workers) as pool:
        images = list(pool.map(lambda p: read_image(p, size=(size, size), channels=channels),
                               files))
    x = np.stack(images)
    y = np.asarray(labels, np.int64)
    held = np.array([is_held_out(p.name) for p in files])
    dataset = Dataset("smiles-64x64", list(CLASS_FOLDERS), x[~held], y[~held], x[held], y[held],
                      source=str(root))
    names = [f"{p.parent.name}/{p.name}" for p in files]
    dataset.split_names = {"train": [n for n, h in zip(names, held) if not h],
                           "held_out": [n for n, h in zip(names, held) if h]}
    return dataset
