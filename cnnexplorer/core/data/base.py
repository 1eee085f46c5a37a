"""The dataset model every loader returns and every trainer consumes (no Qt, no TensorFlow)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from cnnexplorer.core.errors import DatasetError


@dataclass
class Dataset:
    """Images `(N, H, W, C)` uint8 with integer labels `0..num_classes-1`.

    `x_test`/`y_test` are None when the source has no test split. A test file on its own
    (the course's `test_happy.h5`) gives a test-only set: no training images (`test_only`),
    valid to evaluate and predict on. `skipped` lists the files a loader could not read, as
    (path, reason), so the user sees what was left out and why.
    """

    name: str
    class_names: list[str]
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray | None = None
    y_test: np.ndarray | None = None
    source: str = ""
    skipped: list[tuple[str, str]] = field(default_factory=list)
    #: which file went to which split, by name, where a loader keeps it ({split: [names]})
    split_names: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self):
        self._check("train", self.x_train, self.y_train)
        if (self.x_test is None) != (self.y_test is None):
            raise DatasetError(f"{self.name}: test images and test labels must come together")
        if self.x_test is not None:
            self._check("test", self.x_test, self.y_test)
            if self.x_test.shape[1:] != self.x_train.shape[1:]:
                raise DatasetError(f"{self.name}: test images are {self.x_test.shape[1:]} but "
                                   f"train images are {self.x_train.shape[1:]}")

    def _check(self, split: str, x: np.ndarray, y: np.ndarray) -> None:
        if x.ndim != 4:
            raise DatasetError(f"{self.name}: {split} images must be (N, H, W, C); "
                               f"received shape {x.shape}")
        if x.dtype != np.uint8:
            raise DatasetError(f"{self.name}: {split} images must be uint8; received {x.dtype}")
        if y.shape != (len(x),):
            raise DatasetError(f"{self.name}: {len(x)} {split} images but labels of shape "
                               f"{y.shape}")
        if len(y) and (y.min() < 0 or y.max() >= len(self.class_names)):
            raise DatasetError(f"{self.name}: {split} labels must be in 0..{len(self.class_names) - 1};"
                               f" found {int(y.min())}..{int(y.max())}")

    @property
    def input_shape(self) -> tuple[int, int, int]:
        return tuple(self.x_train.shape[1:])  # type: ignore[return-value]

    @property
    def test_only(self) -> bool:
        """No training images, only a test split (a course test file on its own)."""
        return len(self.y_train) == 0 and self.y_test is not None and len(self.y_test) > 0

    def sample_split(self) -> tuple[np.ndarray, np.ndarray]:
        """The images and labels to show as samples: the training split, or the test split
        of a test-only set."""
        if self.test_only and self.x_test is not None and self.y_test is not None:
            return self.x_test, self.y_test
        return self.x_train, self.y_train

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @cached_property
    def fingerprint(self) -> str:
        """A short hash of images, labels and class names: which data a run was trained on."""
        h = hashlib.sha256()
        h.update("\0".join(self.class_names).encode())
        for arr in (self.x_train, self.y_train, self.x_test, self.y_test):
            if arr is not None:
                h.update(str(arr.shape).encode())
                h.update(np.ascontiguousarray(arr).data)
        return h.hexdigest()[:16]

    def counts(self, split: str = "train") -> np.ndarray:
        """Images per class in a split."""
        y = self.y_train if split == "train" else self.y_test
        if y is None:
            return np.zeros(self.num_classes, dtype=np.int64)
        return np.bincount(y, minlength=self.num_classes)

    def split_validation(self, fraction: float, seed: int = 0):
        """A stratified train/validation split of the training images."""
        if not 0 < fraction < 1:
            raise DatasetError(f"validation fraction must be in (0, 1); received {fraction!r}")
        rng = np.random.default_rng(seed)
        val_idx: list[int] = []
        for c in range(self.num_classes):
            idx = np.flatnonzero(self.y_train == c)
            rng.shuffle(idx)
            val_idx.extend(idx[:int(round(len(idx) * fraction))])
        mask = np.zeros(len(self.y_train), dtype=bool)
        mask[np.asarray(val_idx, dtype=np.int64)] = True
        return (self.x_train[~mask], self.y_train[~mask], self.x_train[mask], self.y_train[mask])


def require_training_images(dataset) -> None:
    """Raise DatasetError saying what `dataset` is when it holds only a test split (a course
    test file on its own). Takes a Dataset or anything shaped like one (transfer learning's
    cached features)."""
    y_test = getattr(dataset, "y_test", None)
    if len(dataset.y_train):
        return
    if y_test is not None and len(y_test):
        raise DatasetError(
            f"{dataset.name}: holds only a test split ({len(y_test)} images, from "
            f"{getattr(dataset, 'source', '') or 'its file'}): evaluate or predict on it; to "
            f"train, give its training file (the course's train_*.h5)")
