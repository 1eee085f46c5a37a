"""The door's verdict on one image: find the faces, crop and judge each, follow the largest.

Every door source (webcam and video frames, opened, dropped and pasted photos, the CLI's
`predict`) goes through `judge_image`, so they all see faces the same way:

- faces found: each is cropped as the training faces were (core.door.faces), judged in one
  batch, and the door follows the most prominent face, the one with the largest box;
- no face in a small image (at most TIGHT_CROP_MAX_SIDE a side, like the 64x64 datasets or a
  captured crop): the image already is a face crop and is judged whole;
- no face in a larger image: nothing is judged and the door stays shut ("no face found");
- face finding off (`find_faces=False`, the CLI's --no-face-finding): the whole image is
  judged, as the door did before it could find faces.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cnnexplorer.core.door.faces import (STILL_SIDE, Face, crop_face, is_tight_crop,
                                         shared_finder)
from cnnexplorer.core.data.images import scale_pixels
from cnnexplorer.core.door.inference import decide
from cnnexplorer.core.door.prepare import face_square, prepare_face
from cnnexplorer.core.door.threshold import DEFAULT_THRESHOLD

#: how the image was judged (DoorVerdict.mode)
FACES = "faces"
TIGHT_CROP = "tight crop"
WHOLE_IMAGE = "whole image"
NO_FACE = "no face"

#: the rule the door follows, in the words the panel and the docs show
PROMINENT_RULE = "the door follows the most prominent face (the largest box)"
#: captures ("Teach the door") are saved as face crops this many pixels a side: more than a
#: door model's input, so a later model with a larger input still has the detail
CAPTURE_SIDE = 128


@dataclass
class JudgedFace:
    """One judged region: the face found (None when the whole image was judged), the image
    the model saw (uint8 at its input size and channels) and the happy probability."""

    face: Face | None
    crop: np.ndarray
    probability: float

    def as_dict(self, threshold: float) -> dict:
        out = self.face.as_dict() if self.face is not None else {}
        out.update(probability=round(self.probability, 6),
                   decision=decide(self.probability, threshold))
        return out


@dataclass
class DoorVerdict:
    """What the door made of one image. `judged[0]` decides (the largest face)."""

    mode: str  # FACES, TIGHT_CROP, WHOLE_IMAGE or NO_FACE
    judged: list[JudgedFace] = field(default_factory=list)
    threshold: float = DEFAULT_THRESHOLD

    @property
    def probability(self) -> float | None:
        """The deciding face's happy probability; None when no face was found."""
        return self.judged[0].probability if self.judged else None

    @property
    def faces(self) -> list[Face]:
        return [j.face for j in self.judged if j.face is not None]

    def decision_at(self, threshold: float) -> str:
        """'open' or 'closed' at another threshold (the slider moved): no face stays shut."""
        p = self.probability
        return "closed" if p is None else decide(p, threshold)

    @property
    def decision(self) -> str:
        return self.decision_at(self.threshold)

    def explanation(self) -> str:
        """One line for the panel: how the image was judged."""
        n = len(self.faces)
        if self.mode == NO_FACE:
            return "No face found: the door stays shut."
        if self.mode == TIGHT_CROP:
            return "No face found in this small image: judged whole, as a face crop."
        if self.mode == WHOLE_IMAGE:
            return "Face finding is off: the whole image was judged."
        return f"{n} face{'s' if n != 1 else ''} found; {PROMINENT_RULE}."

    def scaled(self, factor: float) -> "DoorVerdict":
        """The same verdict with every box in an image `factor` times larger: faces found in
        a reduced copy of a photo, reported in the photo's own pixels."""
        judged = [JudgedFace(j.face.scaled(factor) if j.face is not None else None,
                             j.crop, j.probability) for j in self.judged]
        return DoorVerdict(self.mode, judged, self.threshold)

    def as_dict(self) -> dict:
        """The CLI's JSON: faces (box [x, y, w, h] in the image's pixels, probability) and the
        door's decision, which follows the largest face."""
        faces = [j.as_dict(self.threshold) for j in self.judged if j.face is not None]
        p = self.probability
        return {"mode": self.mode, "faces": faces,
                "probability": None if p is None else round(p, 6),
                "threshold": self.threshold, "decision": self.decision}


def judge_image(door, image: np.ndarray, threshold: float = DEFAULT_THRESHOLD,
                find_faces: bool = True, finder=None, max_side: int = STILL_SIDE
                ) -> DoorVerdict:
    """Judge one uint8 image (any size, RGB or grey) with a DoorModel. See the module doc.

    `finder` defaults to the shared FaceFinder on the bundled detector; `max_side` is the
    long side the detector searches at (core.door.faces.STILL_SIDE for photos, LIVE_SIDE
    for camera frames).
    """
    threshold = float(threshold)
    if not find_faces:
        return _judge_whole(door, image, WHOLE_IMAGE, threshold)
    finder = finder or shared_finder()
    faces = finder.find(image, max_side=max_side)
    if not faces:
        if is_tight_crop(image):
            return _judge_whole(door, image, TIGHT_CROP, threshold)
        return DoorVerdict(NO_FACE, [], threshold)
    crops = [prepare_face(face_square(image, f.crop_box), door.input_shape) for f in faces]
    probs = door.predict_batch(scale_pixels(np.stack(crops)))
    judged = [JudgedFace(f, c, float(p)) for f, c, p in zip(faces, crops, probs)]
    return DoorVerdict(FACES, judged, threshold)


def _judge_whole(door, image: np.ndarray, mode: str, threshold: float) -> DoorVerdict:
    crop = prepare_face(image, door.input_shape)
    prob = float(door.predict_batch(scale_pixels(crop[None]))[0])
    return DoorVerdict(mode, [JudgedFace(None, crop, prob)], threshold)


def capture_crop(image: np.ndarray, finder=None) -> np.ndarray | None:
    """What "Teach the door" saves for a frame: the most prominent face, cropped as the door
    crops it (CAPTURE_SIDE a side, the frame's channels); a small face-less image as it is
    (already a face crop); None when the frame holds no face."""
    faces = (finder or shared_finder()).find(image, max_side=STILL_SIDE)
    if faces:
        return crop_face(image, faces[0].crop_box, (CAPTURE_SIDE, CAPTURE_SIDE))
    return image if is_tight_crop(image) else None
