"""Finding faces for the Happy door: YuNet through OpenCV, cropped the way the door's
training faces were cropped.

The door model judges a face from brow to chin (the smile crops it learns from), while a
webcam frame or a phone photo holds head, shoulders and background. `FaceFinder.find` runs
YuNet (OpenCV's `FaceDetectorYN`, the 230 kB ONNX bundled in resources/, MIT licence) on a
copy of the image scaled down to `max_side` and returns every face in the image's own pixels,
the most prominent (largest) first. `crop_box_for` turns the detector's box and landmarks into
the square the training crops show; `core.door.prepare` cuts it out and makes it the model's input.

Why this framing: the detector was run on 300 smile crops (upscaled 3x, set in a replicated
border). The crop's centre sits on the midpoint of the eye centre and the mouth centre
(offset by -1.3% and -1.5% of the side, i.e. nothing to speak of), and its side is 1.99 x the
distance between the eyes or 0.659 x the detector box's height (each varies ~11% across the
crops; their average ~10%). Averaging the two keeps a turned head (eyes closer together) from
shrinking the crop too much. See docs/door.md.

No Qt; OpenCV is imported when the first finder is made (the CLI's --help stays quick).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cnnexplorer.core.data.images import resize_array
from cnnexplorer.core.door.prepare import face_square
from cnnexplorer.core.errors import ModelFileError
from cnnexplorer.paths import resource

#: the bundled detector under resources/ (OpenCV Zoo's face_detection_yunet_2023mar.onnx)
DETECTOR_FILE = "face_detection_yunet_2023mar.onnx"
#: YuNet's confidence for a face; real faces score 0.9+, a painted landscape reached 0.70
SCORE_THRESHOLD = 0.8
NMS_THRESHOLD = 0.3
#: photos are searched at most this many pixels on their long side (a face of 1/20 of a
#: 2000-pixel photo stays ~30 px, well inside YuNet's 10-300 px range)
STILL_SIDE = 640
#: camera and video frames at most this long side: a face of 100 px in a 640x480 frame
#: keeps 40 px, and detection costs ~5-10 ms instead of ~50 at full size; at 160 it was
#: faster still but missed 5% of the head-and-shoulders frames (benchmarks/door.md)
LIVE_SIDE = 256
#: smaller images are searched upscaled to this long side: a course photo of 64x64 holds a
#: face of ~25 px, which YuNet finds in 57% of such frames as it is and in 97% at 160
#: (benchmarks/door.md)
MIN_SEARCH_SIDE = 160
#: the measured framing of the smile crops (see the module docstring)
SIDE_PER_EYE_DISTANCE = 1.99
SIDE_PER_BOX_HEIGHT = 0.659
CENTRE_OFFSET = (-0.013, -0.015)  # crop centre minus the eyes-mouth midpoint, in sides
#: an image no larger than this (a side) in which no face is found is taken to be a face
#: crop already (the 64x64 datasets, a captured crop) and judged whole
TIGHT_CROP_MAX_SIDE = 128


@dataclass(frozen=True)
class Face:
    """One face found in an image, in that image's pixels."""

    box: tuple[int, int, int, int]  # the detector's box: x, y, w, h
    score: float  # the detector's confidence
    landmarks: tuple[tuple[float, float], ...]  # right eye, left eye, nose, mouth corners
    crop_box: tuple[int, int, int, int]  # the square judged: x, y, side, side (may overhang)

    @property
    def area(self) -> int:
        return self.box[2] * self.box[3]

    def as_dict(self) -> dict:
        return {"box": list(self.box), "score": round(self.score, 4),
                "crop_box": list(self.crop_box)}

    def scaled(self, factor: float) -> "Face":
        """The same face in an image `factor` times larger (found in a reduced copy)."""
        if factor == 1.0:
            return self

        def grow(values):
            return tuple(int(round(v * factor)) for v in values)
        return Face(grow(self.box), self.score,
                    tuple((x * factor, y * factor) for x, y in self.landmarks),
                    grow(self.crop_box))


def crop_box_for(box, landmarks) -> tuple[int, int, int, int]:
    """The square (x, y, side, side) that frames a face as the training crops do."""
    pts = np.asarray(landmarks, dtype=np.float64).reshape(5, 2)
    eyes, mouth = pts[0:2].mean(axis=0), pts[3:5].mean(axis=0)
    eye_distance = float(np.linalg.norm(pts[1] - pts[0]))
    side = 0.5 * (SIDE_PER_EYE_DISTANCE * eye_distance + SIDE_PER_BOX_HEIGHT * float(box[3]))
    side = max(side, 4.0)
    centre = (eyes + mouth) / 2 + np.asarray(CENTRE_OFFSET) * side
    s = int(round(side))
    return (int(round(centre[0] - side / 2)), int(round(centre[1] - side / 2)), s, s)


def crop_face(image: np.ndarray, crop_box, size: tuple[int, int]) -> np.ndarray:
    """Cut `crop_box` out of `image` and resize it to `size` (h, w): uint8, the image's
    channels (what "Teach the door" saves). The cut and the resize are the door's own
    (`core.door.prepare`): a box past the image's edge repeats the edge pixels."""
    square = face_square(image, crop_box)
    return resize_array(square, (int(size[0]), int(size[1])), "stretch")


def is_tight_crop(image: np.ndarray) -> bool:
    """Small enough to be a face crop already (judged whole when no face is found in it)."""
    return max(image.shape[:2]) <= TIGHT_CROP_MAX_SIDE


class FaceFinder:
    """YuNet through OpenCV. `find` is thread-safe (one detector, guarded by a lock)."""

    def __init__(self, model_path=None, score_threshold: float = SCORE_THRESHOLD):
        self.model_path = resource(DETECTOR_FILE) if model_path is None else Path(model_path)
        self.score_threshold = float(score_threshold)
        try:
            import cv2
        except ImportError as exc:
            raise ModelFileError(f"face finding needs OpenCV (opencv-python-headless): {exc}"
                                 ) from None
        if not self.model_path.is_file():
            raise ModelFileError(f"{self.model_path}: the bundled face detector is missing; "
                                 f"reinstall cnnexplorer")
        # OpenCV 5 warns on stderr that its new engine ignores the (default) target: noise
        # for a user, who should see only our output (CNNEXPLORER_DEBUG=1 keeps it).
        level = cv2.utils.logging.getLogLevel()
        if not os.environ.get("CNNEXPLORER_DEBUG"):
            cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
        try:
            self._detector = cv2.FaceDetectorYN.create(
                str(self.model_path), "", (320, 320), self.score_threshold, NMS_THRESHOLD, 5000)
        except cv2.error as exc:
            raise ModelFileError(f"{self.model_path}: OpenCV could not load the face detector "
                                 f"({exc})") from None
        finally:
            cv2.utils.logging.setLogLevel(level)
        self._size = (320, 320)
        self._lock = threading.Lock()

    def find(self, image: np.ndarray, max_side: int = STILL_SIDE) -> list[Face]:
        """Every face in a uint8 RGB (or grey) image, the largest first.

        The detector sees the image scaled down to `max_side` on its long side, or up to
        MIN_SEARCH_SIDE when it is smaller than that; boxes and landmarks come back in the
        image's own pixels.
        """
        import cv2

        h, w = image.shape[:2]
        scale = min(1.0, float(max_side) / max(h, w))
        if max(h, w) * scale < MIN_SEARCH_SIDE:
            scale = MIN_SEARCH_SIDE / max(h, w)
        if image.ndim == 2 or image.shape[2] == 1:
            bgr = cv2.cvtColor(np.ascontiguousarray(image.reshape(h, w)), cv2.COLOR_GRAY2BGR)
        else:
            bgr = cv2.cvtColor(np.ascontiguousarray(image[:, :, :3]), cv2.COLOR_RGB2BGR)
        if scale != 1.0:
            size = (max(1, round(w * scale)), max(1, round(h * scale)))
            bgr = cv2.resize(bgr, size, interpolation=cv2.INTER_AREA if scale < 1.0
                             else cv2.INTER_CUBIC)
        with self._lock:
            size = (bgr.shape[1], bgr.shape[0])
            if size != self._size:
                self._detector.setInputSize(size)
                self._size = size
            _, rows = self._detector.detect(bgr)
        if rows is None:
            return []
        faces = []
        sx, sy = w / bgr.shape[1], h / bgr.shape[0]
        for row in rows:
            x, y, bw, bh = row[0] * sx, row[1] * sy, row[2] * sx, row[3] * sy
            pts = tuple((float(row[4 + 2 * i] * sx), float(row[5 + 2 * i] * sy))
                        for i in range(5))
            box = (int(round(x)), int(round(y)), int(round(bw)), int(round(bh)))
            faces.append(Face(box, float(row[14]), pts, crop_box_for(box, pts)))
        faces.sort(key=lambda f: f.area, reverse=True)
        return faces


_shared: FaceFinder | None = None
_shared_lock = threading.Lock()


def shared_finder() -> FaceFinder:
    """The process's one FaceFinder on the bundled detector (made on first use)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = FaceFinder()
        return _shared
