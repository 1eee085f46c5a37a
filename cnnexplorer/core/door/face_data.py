"""Faces out of whole frames, for the models that judge faces.

The door model learned from face crops (brow to chin). A set of head-and-shoulders photos
(the course's Happy House HDF5, a folder of phone photos) shows it something else, so when
the starting model judges faces, fine-tuning, evaluation and prediction each cut the faces
out first, with the door's own finder and framing, exactly as the door does for a frame:

- a face found: the square of the largest face (`core.door.prepare.face_square`);
- none, in a small image (at most `faces.TIGHT_CROP_MAX_SIDE` a side): already a face crop,
  kept whole (what `judge_image` does with it);
- none in a larger image: no face to learn from or judge; the frame is left out and listed.

Every face then becomes the model's input through `core.door.prepare.prepare_face`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from cnnexplorer.core.door.faces import STILL_SIDE, is_tight_crop, shared_finder
from cnnexplorer.core.door.prepare import face_square, prepare_face
from cnnexplorer.core.errors import DatasetError

#: what the CLI and the Training panel say once when a run crops faces
CROP_NOTE = ("the starting model judges faces: each image is cut to its largest face by the "
             "door's face finder (YuNet) before training, evaluation and prediction")


def face_of(image: np.ndarray, finder=None, max_side: int = STILL_SIDE) -> np.ndarray | None:
    """The largest face of a uint8 image at the image's resolution (see the module doc);
    None when a larger image holds no face."""
    faces = (finder or shared_finder()).find(image, max_side=max_side)
    if faces:
        return face_square(image, faces[0].crop_box)
    return image if is_tight_crop(image) else None


@dataclass
class FaceCrops:
    """Faces cut out of `(N, H, W, C)` images: `x` the prepared faces (uint8 at the model's
    input), `kept` the indices of the images they came from, `whole` the indices of small
    images kept whole (no face found), `missing` the indices left out (no face)."""

    x: np.ndarray
    kept: np.ndarray
    whole: list[int] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)

    def summary(self, what: str = "images") -> str:
        n = len(self.kept) + len(self.missing)
        text = f"{len(self.kept) - len(self.whole)} of {n} {what} cropped to their face"
        if self.whole:
            n = len(self.whole)
            text += (f"; {n} small {'one' if n == 1 else 'ones'} without a face found, "
                     f"judged whole")
        if self.missing:
            text += f"; {len(self.missing)} without a face left out"
        return text


def crop_faces(images: np.ndarray, input_shape, finder=None) -> FaceCrops:
    """Each image's largest face, prepared for a model of `input_shape` (see FaceCrops)."""
    finder = finder or shared_finder()
    out, kept, whole, missing = [], [], [], []
    for i, image in enumerate(images):
        face = face_of(image, finder)
        if face is None:
            missing.append(i)
            continue
        if face is image:
            whole.append(i)
        out.append(prepare_face(face, input_shape))
        kept.append(i)
    h, w, c = (int(v) for v in input_shape)
    x = np.stack(out) if out else np.zeros((0, h, w, c), np.uint8)
    return FaceCrops(x, np.asarray(kept, np.int64), whole, missing)


def face_dataset(dataset, input_shape, finder=None):
    """`dataset` with every image (train and test) cut to its face for a model of
    `input_shape`; images without a face are left out. Returns (dataset, {split: FaceCrops}).
    """
    train = crop_faces(dataset.x_train, input_shape, finder)
    parts = {"train": train}
    x_test = y_test = None
    if dataset.x_test is not None:
        test = crop_faces(dataset.x_test, input_shape, finder)
        parts["test"] = test
        x_test, y_test = test.x, dataset.y_test[test.kept]
    cropped = replace(dataset, x_train=train.x, y_train=dataset.y_train[train.kept],
                      x_test=x_test, y_test=y_test)
    return cropped, parts


def faces_for_model(dataset, input_shape, finder=None, listed: int = 20):
    """`dataset` cut to its faces for a model that judges faces, with the one message to say
    about it (stderr in the CLI, the run's notes in the panel): what was done, how many faces
    were found, and the images without a face by split and index (the first `listed`).

    Raises:
        DatasetError: no face at all in the training images.
    """
    cropped, parts = face_dataset(dataset, input_shape, finder)
    lines = [CROP_NOTE]
    for split, crops in parts.items():
        lines.append(f"{split}: " + crops.summary())
        for what, indices in (("no face found, judged whole", crops.whole),
                              ("no face, left out", crops.missing)):
            if indices:
                shown = ", ".join(f"#{i}" for i in indices[:listed])
                more = f" and {len(indices) - listed} more" if len(indices) > listed else ""
                lines.append(f"  {what}: {shown}{more}")
    if len(cropped.y_train) == 0 and len(dataset.y_train):
        raise DatasetError(f"{dataset.name}: no face found in any of its "
                           f"{len(dataset.y_train)} training images; a model that judges "
                           f"faces needs faces to learn from")
    return cropped, "\n".join(lines)
