"""Test-time tricks of "the state of computer vision": multi-crop and ensembles, with their price.

The course closes the week with two tricks that win benchmarks and are rarely shipped, because
they multiply the cost of every prediction:

- **multi-crop**: judge several windows of the image and average the probabilities. `1` is the
  image as it is; `2` the image and its mirror; `10` the course's 10-crop: the four corners and
  the centre of the image and of its mirror, each window `CROP_FRACTION` of the image's side
  (224 of 256 in the ImageNet recipe) and resized to the model's input;
- **ensembles**: several models with the same classes, their probabilities averaged.

`compare_test_time` runs every window through every member once, times each of those passes,
and combines them into rows (each member alone, each member with its crops, the ensemble
alone and with crops) so that the gain in accuracy and the price in time per image sit in one
table. The price of a row is the sum of the passes it uses, measured, never estimated: a
10-crop row really ran ten passes, an ensemble row its members' passes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from cnnexplorer.core.data.images import scale_pixels
from cnnexplorer.core.errors import TrainingError
from cnnexplorer.core.train.evaluation import (
    EvaluationResult,
    class_probabilities,
    evaluation_split,
    image_classifier_task,
    metrics_from_probabilities,
)
from cnnexplorer.core.data.adapt import adapt_images

#: the crop counts offered: the image, the image and its mirror, the course's 10-crop
CROP_CHOICES = (1, 2, 10)
#: the side of each 10-crop window as a fraction of the image's side (ImageNet: 224 of 256)
CROP_FRACTION = 0.875


@dataclass(frozen=True)
class Window:
    """One test-time view of an image: a window (top, left, height, width) and a mirror flag."""

    name: str
    top: int
    left: int
    height: int
    width: int
    mirrored: bool = False

    def cut(self, images: np.ndarray) -> np.ndarray:
        """The window of every image of an `(N, H, W, C)` batch, mirrored left-right if asked."""
        part = images[:, self.top:self.top + self.height, self.left:self.left + self.width]
        return np.ascontiguousarray(part[:, :, ::-1] if self.mirrored else part)


def crop_windows(height: int, width: int, crops: int) -> list[Window]:
    """The windows of an image of `height` x `width` pixels for `crops` in `CROP_CHOICES`.

    Raises:
        TrainingError: for a crop count that is not offered, or an image too small to crop.
    """
    if crops not in CROP_CHOICES:
        raise TrainingError(f"the number of test-time crops must be one of "
                            f"{', '.join(map(str, CROP_CHOICES))}; received {crops}")
    whole = Window("whole", 0, 0, height, width)
    if crops == 1:
        return [whole]
    if crops == 2:
        return [whole, Window("mirror", 0, 0, height, width, mirrored=True)]
    ch, cw = round(height * CROP_FRACTION), round(width * CROP_FRACTION)
    if ch < 2 or cw < 2 or (ch, cw) == (height, width):
        raise TrainingError(f"images of {height}x{width} pixels are too small for the 10-crop "
                            f"(each window is {CROP_FRACTION:g} of the side)")
    places = {"top-left": (0, 0), "top-right": (0, width - cw),
              "bottom-left": (height - ch, 0), "bottom-right": (height - ch, width - cw),
              "centre": ((height - ch) // 2, (width - cw) // 2)}
    return [Window(f"{name}{' mirrored' if m else ''}", t, left, ch, cw, m)
            for m in (False, True) for name, (t, left) in places.items()]


@dataclass
class Member:
    """One model of an ensemble: a label for the table and the loaded Keras model."""

    label: str
    model: object


@dataclass
class Pass:
    """One window through one member: the probabilities and the seconds the pass took."""

    probabilities: np.ndarray  # (N, classes)
    seconds: float


@dataclass
class TestTimeRow:
    """One way of judging the test images: which members, how many crops, and the result."""

    label: str
    members: list[str]
    crops: int
    passes: int  # model calls per image: members x windows
    seconds_per_image: float
    result: EvaluationResult

    def to_dict(self) -> dict:
        return {"label": self.label, "members": self.members, "crops": self.crops,
                "passes_per_image": self.passes,
                "ms_per_image": 1000.0 * self.seconds_per_image,
                "accuracy": float(self.result.accuracy), "loss": float(self.result.loss),
                "per_class": self.result.per_class()}


@dataclass
class TestTimeComparison:
    """The rows of a multi-crop / ensemble evaluation, on one split of one dataset."""

    dataset: str
    split: str
    images: int
    crops: int
    rows: list[TestTimeRow] = field(default_factory=list)

    def best(self) -> TestTimeRow:
        """The most accurate row; of equals, the cheapest."""
        return max(self.rows, key=lambda r: (r.result.accuracy, -r.seconds_per_image))

    def best_single(self) -> TestTimeRow:
        """The most accurate single model on the image alone: what the tricks must beat."""
        singles = [r for r in self.rows if len(r.members) == 1 and r.crops == 1]
        return max(singles, key=lambda r: (r.result.accuracy, -r.seconds_per_image))

    def to_dict(self) -> dict:
        return {"dataset": self.dataset, "split": self.split, "images": self.images,
                "crops": self.crops, "crop_fraction": CROP_FRACTION,
                "rows": [r.to_dict() for r in self.rows]}


def check_same_task(members: list[Member], dataset) -> tuple[int, ...]:
    """The input shape every member takes; refuses members that disagree on the classes.

    Raises:
        TrainingError: naming the member whose classes differ from the first one's or from
            the dataset's.
    """
    if not members:
        raise TrainingError("no model to evaluate")
    first_label, (first_shape, first_classes) = members[0].label, image_classifier_task(
        members[0].model)
    for m in members[1:]:
        _shape, classes = image_classifier_task(m.model)
        if classes != first_classes:
            raise TrainingError(f"{m.label} predicts {classes} classes and {first_label} "
                                f"{first_classes}: an ensemble needs models with the same "
                                f"classes")
    if first_classes != dataset.num_classes:
        raise TrainingError(f"{first_label} predicts {first_classes} classes but "
                            f"{dataset.name} has {dataset.num_classes}")
    return first_shape


def run_window(model, images: np.ndarray, window: Window, batch_size: int) -> Pass:
    """One timed pass: the window of every image, resized to the model's input, predicted."""
    shape, _classes = image_classifier_task(model)
    x = scale_pixels(adapt_images(window.cut(images), tuple(shape)))
    start = time.perf_counter()
    raw = model.predict(x, batch_size=batch_size, verbose=0)
    seconds = time.perf_counter() - start
    return Pass(class_probabilities(raw), seconds)


def average(passes: list[Pass]) -> np.ndarray:
    """The mean of the passes' probabilities: the average the course's tricks take."""
    return np.mean([p.probabilities for p in passes], axis=0)


def compare_test_time(members: list[Member], dataset, crops: int = 1, batch_size: int = 64,
                      on_pass=None, timing_repeats: int = 1) -> TestTimeComparison:
    """Evaluate each member alone and, with several members, their ensemble; with `crops` > 1
    each of those with its crops too. Every window goes through every member once.

    Args:
        on_pass: called with (passes done, passes in all) after each pass, for a progress bar.
        timing_repeats: run each pass this many times and keep the fastest time (what other
            processes on a shared machine add to a pass is noise, never the pass's price).

    Raises:
        TrainingError: for members with different classes, a class count that is not the
            dataset's, an empty split, or a crop count that is not offered.
    """
    if batch_size < 1:
        raise TrainingError(f"the batch size must be at least 1; received {batch_size}")
    check_same_task(members, dataset)
    images, labels, split = evaluation_split(dataset)
    if len(labels) == 0:
        raise TrainingError(f"{dataset.name}: the {split} split holds no images; nothing to "
                            f"evaluate")
    height, width = images.shape[1:3]
    windows = crop_windows(height, width, 1)
    if crops > 1:
        crop_views = crop_windows(height, width, crops)
        windows += [w for w in crop_views if w not in windows]
    else:
        crop_views = windows
    total, done = len(windows) * len(members), 0
    passes: dict[tuple[int, Window], Pass] = {}
    for i, member in enumerate(members):
        # Keras traces its predict function on the first call: pay that before timing, or
        # the first window of every member would look slower than the others
        run_window(member.model, images[:batch_size], windows[0], batch_size)
        for window in windows:
            done_pass = run_window(member.model, images, window, batch_size)
            for _ in range(timing_repeats - 1):
                again = run_window(member.model, images, window, batch_size)
                done_pass.seconds = min(done_pass.seconds, again.seconds)
            passes[(i, window)] = done_pass
            done += 1
            if on_pass is not None:
                on_pass(done, total)

    n = len(labels)
    comparison = TestTimeComparison(dataset.name, split, n, crops)

    def add_row(label: str, member_ids: list[int], views: list[Window]) -> None:
        used = [passes[(i, w)] for i in member_ids for w in views]
        # the ensemble averages its members' crop averages: equal weight per member
        probs = np.mean([average([passes[(i, w)] for w in views]) for i in member_ids], axis=0)
        result = metrics_from_probabilities(probs, labels, dataset.class_names, split)
        comparison.rows.append(TestTimeRow(
            label, [members[i].label for i in member_ids], len(views), len(used),
            sum(p.seconds for p in used) / n, result))

    whole = windows[:1]
    everyone = list(range(len(members)))
    for i, member in enumerate(members):
        add_row(member.label, [i], whole)
    if len(members) > 1:
        add_row(f"ensemble of {len(members)}", everyone, whole)
    if crops > 1:
        for i, member in enumerate(members):
            add_row(f"{member.label}, {crops} crops", [i], crop_views)
        if len(members) > 1:
            add_row(f"ensemble of {len(members)}, {crops} crops", everyone, crop_views)
    return comparison
