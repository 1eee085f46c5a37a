"""Score the door on a labelled folder of photos, as it judges them: `evaluate door FOLDER`.

Labels come from the layout a user already has:

- one subfolder per class: the happy one named `happy`, `smile`, `smiling`, `1`, `yes` or
  `positive` (`POSITIVE_NAMES`), the other `not_happy`, `nosmile`, `no_smile`, `0`, `no`,
  `negative`, `sad`, `unhappy`, `neutral` ... (`NEGATIVE_NAMES`); or
- files whose names end `_1` (happy) or `_0` (not happy) before the extension
  (`anna_1.jpg`, `bob_0.png`), in the folder itself.

Each photo goes through the door's own path (`read_door_photo`, `judge_image`: faces found,
each cut and prepared by `core.door.prepare`, the rule for several faces), so the score is the
door's as a user meets it. A photo in which no face is found keeps the door shut: it counts
as "closed" with probability 0 in the figures and is listed. Unreadable files are listed too.

The report: per-photo verdicts, the confusion matrix (rows: the truth, not happy then happy;
columns: the door, closed then open), accuracy, ROC AUC, and the threshold that would have
been best on this folder (the highest accuracy; among equals the one nearest the current).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cnnexplorer.core.data.images import ImageReadError, is_image_name
from cnnexplorer.core.door.inference import check_threshold, read_door_photo
from cnnexplorer.core.door.rules import DEFAULT_RULE, check_rule
from cnnexplorer.core.door.scores import roc_auc
from cnnexplorer.core.door.threshold import DEFAULT_THRESHOLD
from cnnexplorer.core.door.verdict import NO_FACE, judge_image
from cnnexplorer.core.errors import DatasetError

POSITIVE_NAMES = ("happy", "smile", "smiles", "smiling", "1", "yes", "positive", "positives",
                  "open")
NEGATIVE_NAMES = ("not_happy", "nothappy", "not-happy", "unhappy", "nosmile", "no_smile",
                  "no-smile", "not_smiling", "notsmiling", "nonsmile", "non_smile", "0", "no",
                  "negative", "negatives", "sad", "neutral", "closed")
_SUFFIX = re.compile(r"_([01])$")


@dataclass
class PhotoVerdict:
    """One photo: its label (1 happy), the door's probability (None: no face found) and
    decision, how it was judged and how many faces."""

    path: str
    label: int
    probability: float | None
    decision: str
    mode: str
    faces: int

    @property
    def score(self) -> float:
        """The probability the figures use: no face found keeps the door shut (0)."""
        return 0.0 if self.probability is None else self.probability

    def as_dict(self) -> dict:
        return {"image": self.path, "label": "happy" if self.label else "not happy",
                "probability": None if self.probability is None else round(self.probability, 6),
                "decision": self.decision, "correct": (self.decision == "open") == bool(
                    self.label), "mode": self.mode, "faces": self.faces}


@dataclass
class FolderScore:
    """The door's score on a labelled folder (see the module doc)."""

    folder: str
    layout: str  # "class folders" or "name suffixes"
    threshold: float
    rule: str
    photos: list[PhotoVerdict] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)

    @property
    def labels(self) -> np.ndarray:
        return np.array([p.label for p in self.photos], int)

    @property
    def scores(self) -> np.ndarray:
        return np.array([p.score for p in self.photos], float)

    @property
    def no_face(self) -> list[str]:
        return [p.path for p in self.photos if p.mode == NO_FACE]

    def confusion_matrix(self) -> np.ndarray:
        """[[not happy & closed, not happy & open], [happy & closed, happy & open]]."""
        m = np.zeros((2, 2), int)
        for p in self.photos:
            m[p.label, int(p.decision == "open")] += 1
        return m

    @property
    def accuracy(self) -> float:
        m = self.confusion_matrix()
        return float(np.trace(m) / m.sum()) if m.sum() else float("nan")

    @property
    def roc_auc(self) -> float | None:
        """None when the folder holds one class only (the area is undefined)."""
        y = self.labels
        if len(set(y.tolist())) < 2:
            return None
        return roc_auc(y, self.scores)

    def best_threshold(self) -> tuple[float, float]:
        """(threshold, accuracy) with the highest accuracy on this folder: candidates are the
        midpoints between neighbouring probabilities (and the current threshold); among
        equals, the one nearest the current threshold."""
        s, y = self.scores, self.labels
        if not len(s):
            return self.threshold, float("nan")
        u = np.unique(np.r_[s, 0.0, 1.0])
        candidates = np.unique(np.r_[(u[:-1] + u[1:]) / 2, self.threshold])
        # a photo without a face stays shut whatever the threshold: never "open"
        found = np.array([p.probability is not None for p in self.photos])
        acc = np.array([(((s >= t) & found).astype(int) == y).mean() for t in candidates])
        best = np.flatnonzero(acc == acc.max())
        pick = best[np.argmin(np.abs(candidates[best] - self.threshold))]
        return float(candidates[pick]), float(acc[pick])

    def as_dict(self) -> dict:
        t, acc = self.best_threshold()
        auc = self.roc_auc
        return {"folder": self.folder, "layout": self.layout, "photos": len(self.photos),
                "happy": int(self.labels.sum()), "threshold": self.threshold, "rule": self.rule,
                "accuracy": round(self.accuracy, 4),
                "roc_auc": None if auc is None else round(auc, 4),
                "confusion_matrix": self.confusion_matrix().tolist(),
                "confusion_matrix_axes": "rows: not happy, happy (the truth); columns: closed, "
                                         "open (the door)",
                "best_threshold": round(t, 4), "accuracy_at_best_threshold": round(acc, 4),
                "no_face_found": self.no_face,
                "unreadable": [{"image": p, "error": e} for p, e in self.unreadable],
                "verdicts": [p.as_dict() for p in self.photos]}

    def report(self) -> str:
        """The text the CLI prints and the Door panel shows."""
        m = self.confusion_matrix()
        t, acc = self.best_threshold()
        auc = self.roc_auc
        lines = [f"{self.folder}: {len(self.photos)} photos ({int(self.labels.sum())} happy), "
                 f"labels from {self.layout}; threshold {self.threshold:g}, several faces: "
                 f"{self.rule}",
                 f"accuracy {self.accuracy:.3f}   ROC AUC "
                 f"{'n/a (one class)' if auc is None else f'{auc:.3f}'}",
                 f"best threshold on this folder: {t:.3f} (accuracy {acc:.3f})",
                 "",
                 "confusion matrix     door closed  door open",
                 f"  not happy          {m[0, 0]:11d}  {m[0, 1]:9d}",
                 f"  happy              {m[1, 0]:11d}  {m[1, 1]:9d}"]
        if self.no_face:
            lines += ["", f"no face found ({len(self.no_face)}, counted as closed): "
                      + ", ".join(Path(p).name for p in self.no_face)]
        if self.unreadable:
            lines += ["", f"unreadable ({len(self.unreadable)}, left out):"]
            lines += [f"  {e}" for _p, e in self.unreadable]
        lines += ["", "per photo:"]
        for p in self.photos:
            prob = "no face" if p.probability is None else f"{p.probability:.3f}"
            mark = "ok" if (p.decision == "open") == bool(p.label) else "WRONG"
            lines.append(f"  {Path(p.path).name}: {'happy' if p.label else 'not happy'}, "
                         f"door {p.decision} ({prob}) {mark}")
        return "\n".join(lines)


def _class_of(name: str) -> int | None:
    key = name.strip().lower().replace(" ", "_")
    if key in POSITIVE_NAMES:
        return 1
    if key in NEGATIVE_NAMES:
        return 0
    return None


def labelled_files(folder) -> tuple[list[tuple[Path, int]], str]:
    """[(file, label)] of a labelled folder (see the module doc) and the layout's name.

    Raises:
        DatasetError: not a folder, subfolders whose names say no class, or no labelled image.
    """
    root = Path(folder)
    if not root.is_dir():
        raise DatasetError(f"{root}: not a folder (evaluate door takes a folder of labelled "
                           f"photos)")
    subfolders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if subfolders:
        unknown = [p.name for p in subfolders if _class_of(p.name) is None]
        if unknown:
            raise DatasetError(
                f"{root}: the subfolder{'s' if len(unknown) > 1 else ''} "
                f"{', '.join(repr(n) for n in unknown)} name{'' if len(unknown) > 1 else 's'} no "
                f"class; name the happy one {' / '.join(POSITIVE_NAMES[:3])} and the other "
                f"{' / '.join(NEGATIVE_NAMES[:2])} (or 1 and 0)")
        files = [(p, _class_of(sub.name)) for sub in subfolders for p in sorted(sub.iterdir())
                 if p.is_file() and is_image_name(p.name)]
        layout = "class folders"
    else:
        files = []
        for p in sorted(root.iterdir()):
            match = _SUFFIX.search(p.stem) if p.is_file() and is_image_name(p.name) else None
            if match:
                files.append((p, int(match.group(1))))
        layout = "name suffixes"
    if not files:
        raise DatasetError(f"{root}: no labelled photos: put them in class folders (happy/ and "
                           f"not_happy/) or end their names _1 (happy) / _0 (not happy)")
    return [(p, int(label)) for p, label in files], layout  # type: ignore[arg-type]


def score_folder(door, folder, threshold: float = DEFAULT_THRESHOLD, rule: str = DEFAULT_RULE,
                 finder=None, on_progress=None, stop=None) -> FolderScore:
    """Judge every labelled photo of `folder` with a DoorModel (see the module doc).

    `on_progress(done, total)` is called after each photo; `stop` (a threading.Event) ends
    the scoring early with the photos judged so far.
    """
    threshold, rule = check_threshold(threshold), check_rule(rule)
    files, layout = labelled_files(folder)
    result = FolderScore(str(folder), layout, threshold, rule)
    for i, (path, label) in enumerate(files):
        if stop is not None and stop.is_set():
            break
        try:
            image, factor = read_door_photo(path)
            verdict = judge_image(door, image, threshold, finder=finder, rule=rule)
        except ImageReadError as exc:
            result.unreadable.append((str(path), str(exc)))
        else:
            result.photos.append(PhotoVerdict(str(path), label, verdict.probability,
                                              verdict.decision, verdict.mode,
                                              len(verdict.faces)))
        if on_progress is not None:
            on_progress(i + 1, len(files))
    return result
