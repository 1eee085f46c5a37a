"""Teach the door: captured frames saved as an image-folder dataset, and read back for training.

Layout, under `paths.data_dir()/captures` unless another root is given:

    captures/happy/capture-20261127-203015-123456-0001.png
    captures/not_happy/...

This is the image-folder layout the dataset loaders read, so a user can also open the folder
in the Data panel, add photos by hand, or delete a bad capture in a file manager. Frames are
stored at full resolution (PNG, lossless) so a later model with a larger input still gets
detail; training resizes them like any other folder.
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from cnnexplorer.core.safe_files import atomic_path
from cnnexplorer.core.errors import DatasetError
from cnnexplorer.core.data.augment import AugmentConfig
from cnnexplorer.core.data.base import Dataset
from cnnexplorer.core.data.images import ImageReadError, is_image_name, read_image
from cnnexplorer.core.door.face_data import face_of
from cnnexplorer.core.door.inference import BUNDLED_DOORNET, DoorModel
from cnnexplorer.core.door.prepare import prepare_face
from cnnexplorer.core.train.config import TrainConfig
from cnnexplorer.core.train.engine import ArchSpec, train
from cnnexplorer.core.train.scores import best_epoch

if TYPE_CHECKING:  # the training side is imported when a model is taught, not on import
    from cnnexplorer.core.keras.model_setup import PreparedModel

#: the input of a door trained from scratch on the captures: grey faces, as the bundled door
SCRATCH_INPUT = (64, 64, 1)
#: folder name per label; the door's positive class is "happy"
LABELS = ("happy", "not_happy")
#: epochs "Train the door on my captures" runs unless the user picks another number
TEACH_EPOCHS = 15
_counter = itertools.count(1)


def captures_dir(root=None) -> Path:
    """The captures folder (created): `root`, or `<user data>/captures`."""
    if root is None:
        from cnnexplorer.paths import data_dir

        root = data_dir() / "captures"
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _check_label(label: str) -> str:
    norm = label.strip().lower().replace(" ", "_")
    if norm not in LABELS:
        raise DatasetError(f"capture label must be one of {', '.join(LABELS)}; received {label!r}")
    return norm


def save_capture(image: np.ndarray, label: str, root=None) -> Path:
    """Save one uint8 RGB (or gray) frame under `<root>/<label>/` as PNG; return its path.

    The file is written under a temporary name and renamed, so a folder being read for
    training never holds half a PNG.
    """
    label = _check_label(label)
    arr = np.asarray(image)
    if arr.dtype != np.uint8 or arr.ndim not in (2, 3) or (arr.ndim == 3 and
                                                            arr.shape[2] not in (1, 3, 4)):
        raise DatasetError(f"a capture must be a uint8 image (H, W[, 1|3|4]); received "
                           f"{arr.dtype} {arr.shape}")
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    folder = captures_dir(root) / label
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    micros = int((time.time() % 1) * 1e6)
    path = folder / f"capture-{stamp}-{micros:06d}-{next(_counter):04d}.png"
    with atomic_path(path, ".png") as tmp:
        Image.fromarray(arr).save(tmp, format="PNG")
    return path


def capture_counts(root=None) -> dict[str, int]:
    """Number of image files per label folder."""
    base = captures_dir(root)
    counts = {}
    for label in LABELS:
        folder = base / label
        counts[label] = sum(1 for p in folder.iterdir() if p.is_file() and is_image_name(p)) \
            if folder.is_dir() else 0
    return counts


def clear_captures(root=None) -> int:
    """Delete the captured images (only files this module names); return how many."""
    base = captures_dir(root)
    removed = 0
    for label in LABELS:
        folder = base / label
        if folder.is_dir():
            for p in folder.glob("capture-*.png"):
                p.unlink()
                removed += 1
    return removed


def door_labels(dataset):
    """Reorder a happy/not_happy dataset so that label 1 means "happy" (the door's positive).

    Folder loaders number classes alphabetically ("happy" = 0, "not_happy" = 1); a sigmoid
    door model must output P(happy), so the labels are flipped when needed.
    """
    names = [n.lower() for n in dataset.class_names]
    if len(names) != 2 or set(names) != set(LABELS):
        raise DatasetError(f"the captures must hold exactly the classes {', '.join(LABELS)}; "
                           f"found {', '.join(dataset.class_names) or 'none'}")
    if names.index("happy") == 1:
        return dataset
    from dataclasses import replace

    flip = lambda y: None if y is None else (1 - y).astype(y.dtype)  # noqa: E731
    return replace(dataset, class_names=["not_happy", "happy"], y_train=flip(dataset.y_train),
                   y_test=flip(dataset.y_test))


def load_captures(root=None, size=(64, 64), minimum_per_class: int = 3, channels: int = 3,
                  finder=None):
    """The captures as a Dataset whose label 1 is "happy", each face made the model's input by
    the door's own preparation (`core.door.prepare.prepare_face`: channels, then size).

    Files this module saved (`capture-*.png`) are face crops already; a photo a user put in
    the folder by hand is a frame, and its largest face is cut out by the door's face finder
    (`core.door.face_data.face_of`), as the panel would judge it. Files that cannot be read
    or hold no face are left out and listed in `Dataset.skipped`.

    Raises:
        DatasetError: when a class has fewer than `minimum_per_class` images (saying which).
    """
    counts = capture_counts(root)
    short = [f"{label} has {n}" for label, n in counts.items() if n < minimum_per_class]
    if short:
        raise DatasetError(f"capture at least {minimum_per_class} images of each kind before "
                           f"training ({'; '.join(short)}) in {captures_dir(root)}")
    shape = (int(size[0]), int(size[1]), int(channels))
    base = captures_dir(root)
    images, labels, skipped = [], [], []
    for label, name in ((0, "not_happy"), (1, "happy")):
        for path in sorted((base / name).iterdir()):
            if not (path.is_file() and is_image_name(path.name)):
                continue
            try:
                image = read_image(path)
            except ImageReadError as exc:
                skipped.append((str(path), str(exc)))
                continue
            face = image if path.name.startswith("capture-") else face_of(image, finder)
            if face is None:
                skipped.append((str(path), "no face found"))
                continue
            images.append(prepare_face(face, shape))
            labels.append(label)
    y = np.asarray(labels, np.int64)
    short = [f"{n} has {int((y == i).sum())} usable" for i, n in ((1, "happy"), (0, "not_happy"))
             if (y == i).sum() < minimum_per_class]
    if short:
        raise DatasetError(f"capture at least {minimum_per_class} images of each kind before "
                           f"training ({'; '.join(short)}) in {base}")
    return Dataset("my-captures", ["not_happy", "happy"], np.stack(images), y,
                   source=str(base), skipped=skipped)


def train_door(start_from: str = "bundled", epochs: int = TEACH_EPOCHS, *, root=None, on_event=None,
               stop=None, seed: int = 0, augment: bool = True):
    """Train a door model on the captures; returns core.train.engine's TrainResult.

    Args:
        start_from: "bundled" (fine-tune the bundled door model, its own architecture and
            weights: a few captures suffice) or "scratch" (a fresh network of the same
            architecture, `doornet` with the bundled door's options).
        augment: the course's moderate augmentation (mirror, crop, rotation, shear, colour),
            which matters most when there are only a few dozen captures.
    Raises:
        DatasetError: too few captures; TrainingError/ConfigError: bad settings.
    """
    if start_from not in ("bundled", "scratch"):
        raise DatasetError(f"start_from must be 'bundled' or 'scratch'; received {start_from!r}")
    if start_from == "bundled":
        shape = DoorModel.bundled().input_shape
    else:
        shape = SCRATCH_INPUT
    dataset = load_captures(root, size=shape[:2], channels=shape[2])
    smallest = int(dataset.counts().min())
    config = TrainConfig(
        epochs=epochs, batch_size=16, seed=seed,
        # fine-tuning takes smaller steps so the bundled model's features survive
        learning_rate=3e-4 if start_from == "bundled" else 1e-3,
        # stratified split: at least one image of each class in validation
        validation_split=0.25 if smallest >= 6 else 0.34,
        augment=AugmentConfig.course_default().to_dict() if augment else {})
    if start_from == "bundled":
        from cnnexplorer.core.train.fine_tune import DOOR, from_model

        arch: PreparedModel | ArchSpec = from_model(DOOR, dataset, seed=seed)
    else:
        arch = ArchSpec("doornet", dict(BUNDLED_DOORNET))
    return train(arch, dataset, config, on_event=on_event, stop=stop)


def final_val_accuracy(result) -> float | None:
    """The validation accuracy of the model a TrainResult keeps (best epoch, else last)."""
    best = best_epoch(result.history)
    return None if best is None else best.val_accuracy
