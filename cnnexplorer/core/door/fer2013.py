"""FER-2013, the second kind of real face the door learns from: 35,887 grey 48x48 faces from
web image searches, each labelled with one of seven expressions (the 2013 ICML representation
learning challenge). Soft, small, every age, turned and lit every way: what SMILEsmileD's sharp
frontal crops lack, and close to a face found in a small photo.

Two layouts are read, both as public copies hold them:
- image folders `ROOT/train/<emotion>/Training_<n>.jpg`, any size (read back at 48x48) and `ROOT/test/<emotion>/PublicTest_<n>.jpg`
  or `PrivateTest_<n>.jpg` (the layout of the common Kaggle copy);
- the original CSV, `fer2013.csv` (`emotion,pixels,Usage`; pixels 2,304 grey levels).

Each face keeps the challenge's own part, from its file name or its `Usage` column:
`Training` (28,709 faces) to train on, `PublicTest` (3,589) for validation and calibration,
`PrivateTest` (3,589) as FER-2013's own test part, never trained or calibrated on.
The door's label is "happy" (emotion 3) against the six others.

Decoding 35,887 small JPEGs takes a minute on a busy 2-core machine; `load_fer2013` keeps the
decoded faces (at their own 48x48) in a `.npz` cache beside them or in `cache_dir`.
"""

from __future__ import annotations

import csv
import hashlib
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cnnexplorer.core.errors import DatasetError
from cnnexplorer.core.data.images import read_image
from cnnexplorer.core.safe_files import atomic_path

#: FER-2013's expression codes, in the order of its `emotion` column
EMOTIONS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
HAPPY = EMOTIONS.index("happy")
#: the challenge's parts, in the order of `FerFaces.part` codes
PARTS = ("Training", "PublicTest", "PrivateTest")
SIDE = 48
_NAME = re.compile(r"^(Training|PublicTest|PrivateTest)_\d+\.(jpg|jpeg|png)$", re.IGNORECASE)


@dataclass
class FerFaces:
    """Decoded FER-2013 faces: `x` uint8 `(N, 48, 48, 1)`, `emotion` (0..6, EMOTIONS),
    `part` (0..2, PARTS) and `names` (file names, or `csv row N`) in the same order."""

    x: np.ndarray
    emotion: np.ndarray
    part: np.ndarray
    names: list[str]
    source: str
    #: what the faces were read from (core.door.fer2013._fingerprint), for caches made of them
    fingerprint: str = ""

    def select(self, part: str) -> tuple[np.ndarray, np.ndarray]:
        """The faces of one challenge part and their door labels (1 = happy)."""
        if part not in PARTS:
            raise DatasetError(f"FER-2013 part must be one of {', '.join(PARTS)}; "
                               f"received {part!r}")
        keep = self.part == PARTS.index(part)
        return self.x[keep], (self.emotion[keep] == HAPPY).astype(np.int64)

    def counts(self) -> dict:
        """Faces and happy faces per part, for the model's JSON and the docs."""
        out = {}
        for i, name in enumerate(PARTS):
            keep = self.part == i
            out[name] = {"faces": int(keep.sum()),
                         "happy": int((self.emotion[keep] == HAPPY).sum())}
        return out


def _from_csv(path: Path) -> FerFaces:
    xs, emotions, parts = [], [], []
    with open(path, newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"emotion", "pixels", "Usage"} - set(reader.fieldnames or ())
        if missing:
            raise DatasetError(f"{path}: not FER-2013's CSV; missing the column(s) "
                               f"{', '.join(sorted(missing))}")
        for row_no, row in enumerate(reader, start=2):
            try:
                pixels = np.array(row["pixels"].split(), dtype=np.uint8)
                emotion, usage = int(row["emotion"]), row["Usage"]
            except (ValueError, OverflowError):
                raise DatasetError(f"{path}: row {row_no} is not a face (emotion "
                                   f"{row['emotion']!r}, pixels not 0..255)") from None
            if pixels.size != SIDE * SIDE or not 0 <= emotion < len(EMOTIONS) \
                    or usage not in PARTS:
                raise DatasetError(f"{path}: row {row_no}: expected {SIDE * SIDE} pixels, an "
                                   f"emotion 0..6 and a Usage in {', '.join(PARTS)}; received "
                                   f"{pixels.size} pixels, emotion {emotion}, Usage {usage!r}")
            xs.append(pixels.reshape(SIDE, SIDE, 1))
            emotions.append(emotion)
            parts.append(PARTS.index(usage))
    if not xs:
        raise DatasetError(f"{path}: no faces in the CSV")
    return FerFaces(np.stack(xs), np.asarray(emotions, np.int8), np.asarray(parts, np.int8),
                    [f"csv row {i + 2}" for i in range(len(xs))], str(path))


def _folder_files(root: Path) -> list[tuple[Path, int, int]]:
    files = []
    for split in ("train", "test"):
        for emotion, name in enumerate(EMOTIONS):
            folder = root / split / name
            if not folder.is_dir():
                continue
            for p in sorted(folder.iterdir(), key=lambda q: q.name):
                m = _NAME.match(p.name)
                if m and p.is_file():
                    part = next(i for i, s in enumerate(PARTS) if s.lower() == m[1].lower())
                    files.append((p, emotion, part))
    return files


def _from_folders(root: Path, workers: int) -> FerFaces:
    files = _folder_files(root)
    if not files:
        raise DatasetError(f"{root}: no FER-2013 faces: expected train/<emotion>/Training_N.jpg "
                           f"and test/<emotion>/PublicTest_N.jpg or PrivateTest_N.jpg "
                           f"(emotions {', '.join(EMOTIONS)}), or a fer2013.csv")
    with ThreadPoolExecutor(workers) as pool:
        x = np.stack(list(pool.map(
            lambda f: read_image(f[0], size=(SIDE, SIDE), channels=1), files)))
    return FerFaces(x, np.asarray([f[1] for f in files], np.int8),
                    np.asarray([f[2] for f in files], np.int8), [f[0].name for f in files],
                    str(root))


def _fingerprint(root: Path) -> str:
    """What the cache was made from: the CSV's place, size and time, or the folder's place and
    its files' names and sizes."""
    if root.is_file():
        st = root.stat()
        key = f"{root.resolve()}|{st.st_size}|{st.st_mtime_ns}"
    else:
        key = f"{root.resolve()}|" + "|".join(f"{p.parent.name}/{p.name}:{p.stat().st_size}"
                                              for p, _, _ in _folder_files(root))
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def load_fer2013(source, cache_dir=None, workers: int = 4) -> FerFaces:
    """Read FER-2013 from a folder (image folders or a `fer2013.csv` inside) or a CSV file.

    Args:
        cache_dir: where the decoded faces are kept (`fer2013-<fingerprint>.npz`); None: no
            cache. A cache made from other files is not used (its name holds their
            fingerprint).

    Raises:
        DatasetError: no FER-2013 faces at `source`, or a malformed CSV row.
    """
    root = Path(source)
    if root.is_dir() and (root / "fer2013.csv").is_file() and not (root / "train").is_dir():
        root = root / "fer2013.csv"
    if not root.exists():
        raise DatasetError(f"{root}: no such file or folder (FER-2013 image folders or "
                           f"fer2013.csv)")
    cache = None
    fingerprint = _fingerprint(root)
    if cache_dir is not None:
        cache = Path(cache_dir) / f"fer2013-{fingerprint}.npz"
        if cache.is_file():
            with np.load(cache) as z:
                return FerFaces(z["x"], z["emotion"], z["part"], list(z["names"]), str(root),
                                fingerprint)
    faces = _from_csv(root) if root.is_file() else _from_folders(root, workers)
    faces.fingerprint = fingerprint
    if cache is not None:
        with atomic_path(cache, ".npz") as tmp:
            np.savez(tmp, x=faces.x, emotion=faces.emotion, part=faces.part,
                     names=np.asarray(faces.names))
    return faces
