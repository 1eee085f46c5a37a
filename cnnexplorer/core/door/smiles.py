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
from cnnexplorer.core.data.base import Dataset
from cnnexplorer.core.data.images import is_image_name, read_image
from cnnexplorer.core.door.prepare import prepare_face

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
    return sorted((p for p in folder.iterdir() if p.is_file() and is_image_name(p.name)),
                  key=lambda p: p.name)


def load_smiles(root, channels: int = 1, size: int = 64, workers: int = 4):
    """Read the crops under `root` as a Dataset (each through `core.door.prepare.prepare_face`
    to `size` x `size` x `channels`): x_train/y_train the training part,
    x_test/y_test the held-out fifth (label 1 = smile); `dataset.split_names` lists the
    files of each part ("train", "held_out") as "folder/name", in array order.

    Raises:
        DatasetError: `root` lacks a `smile/` or `nosmile/` folder, or holds no images.
    """
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
        # the door's one preparation (core.door.prepare): a crop file and the same face cut
        # from a camera frame reach the model as equal arrays
        images = list(pool.map(lambda p: prepare_face(read_image(p), (size, size, channels)),
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


def non_faces(n: int, size: int = 64, seed: int = 0) -> np.ndarray:
    """`n` grey uint8 images `(n, size, size, 1)` that hold no face, for the "no smile" side.

    Without them a model trained on face crops alone has never seen anything but a face, and
    answers whatever its features say for random noise (a first model opened the door for
    noise at 0.95). A quarter each: uniform noise, Gaussian noise blurred at a random scale
    (blotches), a flat grey level with a little noise, and a linear gradient with noise.
    """
    from PIL import Image, ImageFilter

    rng = np.random.default_rng(seed)
    out = np.empty((n, size, size), np.uint8)
    ramp = np.linspace(0.0, 1.0, size, dtype=np.float32)
    for i in range(n):
        kind = i % 4
        img: np.ndarray
        if kind == 0:
            img = rng.integers(0, 256, (size, size))
        elif kind == 1:
            noise = rng.normal(128, 60, (size, size)).clip(0, 255).astype(np.uint8)
            blurred = Image.fromarray(noise).filter(ImageFilter.GaussianBlur(rng.uniform(1, 6)))
            img = np.asarray(blurred, np.float32)
            img = (img - img.mean()) * rng.uniform(2, 6) + rng.uniform(60, 200)
        elif kind == 2:
            img = rng.uniform(0, 255) + rng.normal(0, rng.uniform(1, 15), (size, size))
        else:
            a, b = rng.uniform(0, 255, 2)
            grad = np.add.outer(ramp, ramp) / 2 if rng.uniform() < 0.5 else \
                np.repeat(ramp[None], size, axis=0)
            img = a + (b - a) * grad + rng.normal(0, 8, (size, size))
        out[i] = np.clip(np.rint(img), 0, 255).astype(np.uint8)
    return out[..., None]
