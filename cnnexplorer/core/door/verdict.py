"""The door's verdict on one image: find the faces, crop and judge each, decide by a rule.

Every door source (webcam and video frames, opened, dropped and pasted photos, the CLI's
`predict`) goes through `judge_image`, so they all see faces the same way:

- faces found: each is cropped as the training faces were (core.door.faces), judged in one
  batch, and the rule for several faces decides (RULES: anyone smiles, the default; the
  largest face; everyone smiles);
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
from cnnexplorer.core.door.rules import DEFAULT_RULE, check_rule
from cnnexplorer.core.door.threshold import DEFAULT_THRESHOLD

#: how the image was judged (DoorVerdict.mode)
FACES = "faces"
TIGHT_CROP = "tight crop"
WHOLE_IMAGE = "whole image"
NO_FACE = "no face"

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

    def smiles_at(self, threshold: float) -> bool:
        """Whether this face alone would open the door at `threshold` (its box's colour)."""
        return decide(self.probability, threshold) == "open"

    def as_dict(self, threshold: float) -> dict:
        out = self.face.as_dict() if self.face is not None else {}
        out.update(probability=round(self.probability, 6),
                   decision=decide(self.probability, threshold))
        return out


@dataclass
class DoorVerdict:
    """What the door made of one image: every judged face (the largest first) and the rule
    that turns their probabilities into one decision (`decision_at`, the only place the
    door's `p >= t` is taken; the panel and the CLI ask it).

    Each rule has one deciding face, whose probability the door shows: the largest face
    (largest), the happiest (any: someone smiles exactly when the happiest does) or the least
    happy (all: everyone smiles exactly when the least happy one does).
    """

    mode: str  # FACES, TIGHT_CROP, WHOLE_IMAGE or NO_FACE
    judged: list[JudgedFace] = field(default_factory=list)
    threshold: float = DEFAULT_THRESHOLD
    rule: str = DEFAULT_RULE

    @property
    def deciding_index(self) -> int | None:
        """The index in `judged` of the face whose probability decides; None: no face."""
        if not self.judged:
            return None
        probs = [j.probability for j in self.judged]
        if self.rule == "any":
            return int(np.argmax(probs))
        if self.rule == "all":
            return int(np.argmin(probs))
        return 0

    @property
    def deciding(self) -> JudgedFace | None:
        i = self.deciding_index
        return None if i is None else self.judged[i]

    @property
    def probability(self) -> float | None:
        """The deciding face's happy probability; None when no face was found."""
        d = self.deciding
        return None if d is None else d.probability

    @property
    def faces(self) -> list[Face]:
        return [j.face for j in self.judged if j.face is not None]

    def decision_at(self, threshold: float) -> str:
        """'open' or 'closed' at `threshold` (the slider moved) under the verdict's rule: no
        face stays shut."""
        p = self.probability
        return "closed" if p is None else decide(p, threshold)

    def is_open_at(self, threshold: float) -> bool:
        return self.decision_at(threshold) == "open"

    @property
    def decision(self) -> str:
        return self.decision_at(self.threshold)

    def with_rule(self, rule: str) -> "DoorVerdict":
        """The same faces and probabilities decided by another rule (no model call)."""
        return DoorVerdict(self.mode, self.judged, self.threshold, check_rule(rule))

    def explanation(self) -> str:
        """One line for the panel: how the image was judged."""
        n = len(self.faces)
        if self.mode == NO_FACE:
            return "No face found: the door stays shut."
        if self.mode == TIGHT_CROP:
            return "No face found in this small image: judged whole, as a face crop."
        if self.mode == WHOLE_IMAGE:
            return "Face finding is off: the whole image was judged."
        if n == 1:
            return "1 face found."
        rule = {"any": "the door opens when anyone smiles",
                "largest": "the door follows the largest face",
                "all": "the door opens only when everyone smiles"}[self.rule]
        return f"{n} faces found; {rule} (face {(self.deciding_index or 0) + 1} decides)."

    def scaled(self, factor: float) -> "DoorVerdict":
        """The same verdict with every box in an image `factor` times larger: faces found in
        a reduced copy of a photo, reported in the photo's own pixels."""
        judged = [JudgedFace(j.face.scaled(factor) if j.face is not None else None,
                             j.crop, j.probability) for j in self.judged]
        return DoorVerdict(self.mode, judged, self.threshold, self.rule)

    def as_dict(self) -> dict:
        """The CLI's JSON: faces (box [x, y, w, h] in the image's pixels, probability, each
        face's own decision), the rule, the deciding face (its index in `faces`) and the
        door's decision."""
        faces = [j.as_dict(self.threshold) for j in self.judged if j.face is not None]
        p = self.probability
        return {"mode": self.mode, "faces": faces, "rule": self.rule,
                "deciding_face": self.deciding_index if faces else None,
                "probability": None if p is None else round(p, 6),
                "threshold": self.threshold, "decision": self.decision}


def judge_image(door, image: np.ndarray, threshold: float = DEFAULT_THRESHOLD,
                find_faces: bool = True, finder=None, max_side: int = STILL_SIDE,
                rule: str = DEFAULT_RULE) -> DoorVerdict:
    """Judge one uint8 image (any size, RGB or grey) with a DoorModel. See the module doc.

    `rule` decides between several faces (RULES: any, largest, all).

    `finder` defaults to the shared FaceFinder on the bundled detector; `max_side` is the
    long side the detector searches at (core.door.faces.STILL_SIDE for photos, LIVE_SIDE
    for camera frames).
    """
    threshold = float(threshold)
    rule = check_rule(rule)
    if not find_faces:
        return _judge_whole(door, image, WHOLE_IMAGE, threshold)
    finder = finder or shared_finder()
    faces = finder.find(image, max_side=max_side)
    if not faces:
        if is_tight_crop(image):
            return _judge_whole(door, image, TIGHT_CROP, threshold)
        return DoorVerdict(NO_FACE, [], threshold, rule)
    crops = [prepare_face(face_square(image, f.crop_box), door.input_shape) for f in faces]
    probs = door.predict_batch(scale_pixels(np.stack(crops)))
    judged = [JudgedFace(f, c, float(p)) for f, c, p in zip(faces, crops, probs)]
    return DoorVerdict(FACES, judged, threshold, rule)


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
