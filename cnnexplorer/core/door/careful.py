"""The careful door: each face judged with its mirror, and by several models where chosen.

The notes' test-time tricks (multi-crop, ensembles) applied to the door: a `CarefulDoor` wraps
one or more `DoorModel`s and answers `predict_batch` with the mean happy probability over the
members and, with `mirror`, over each face and its left-right mirror. It has the `input_shape`
and `predict_batch` the door's verdict path calls (core.door.verdict.judge_image), so every
source judges carefully through the same path, and `passes` says what it costs: the model calls
per face, against one for the plain door.
"""

from __future__ import annotations

import numpy as np

from cnnexplorer.core.door.inference import preprocess
from cnnexplorer.core.errors import ModelFileError


class CarefulDoor:
    """Door models judged together, each face also mirrored. Thread-safe as its members are."""

    def __init__(self, door, others=(), mirror: bool = True):
        self.members = [door, *others]
        for other in self.members[1:]:
            if tuple(other.input_shape) != tuple(door.input_shape):
                raise ModelFileError(
                    f"{other.name} takes {_shape_text(other.input_shape)} faces and "
                    f"{door.name} {_shape_text(door.input_shape)}: door models judged "
                    f"together must take faces of the same size and channels")
        self.mirror = bool(mirror)
        self.input_shape = door.input_shape
        # Look inside (Grad-CAM, feature maps) shows the first member: the one the user chose
        self.model = door.model
        self.output_kind = door.output_kind
        self.source = door.source

    @property
    def name(self) -> str:
        names = " + ".join(m.name for m in self.members)
        return f"{names}, mirrored" if self.mirror else names

    @property
    def passes(self) -> int:
        """Model calls per face: members x (2 with the mirror, else 1)."""
        return len(self.members) * (2 if self.mirror else 1)

    def predict_batch(self, batch: np.ndarray) -> np.ndarray:
        """Mean happy probability of each preprocessed face (n, h, w, c) over the members
        and, with the mirror, over each face and its mirror image."""
        views = [batch, np.ascontiguousarray(batch[:, :, ::-1])] if self.mirror else [batch]
        together = np.concatenate(views)  # one call per member for all the views
        n = len(batch)
        probs = [m.predict_batch(together).reshape(len(views), n) for m in self.members]
        return np.mean(np.concatenate(probs), axis=0)

    def probability(self, image: np.ndarray) -> float:
        return float(self.predict_batch(preprocess(image, self.input_shape))[0])

    def warm_up(self) -> None:
        self.predict_batch(np.zeros((1, *self.input_shape), np.float32))


def _shape_text(shape) -> str:
    h, w, c = shape
    return f"{h}x{w}x{c}"
