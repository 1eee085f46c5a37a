"""Recommended first-run settings per architecture and dataset, with what they were measured
to give (no Qt, no TensorFlow).

A first run must show learning within about a minute on a 2-core CPU: the Training panel
fills these settings in when the user picks an architecture and a dataset that have an entry
(and `cnnexplorer train` uses them for any setting not given), and shows the expectation
("test accuracy of the best model 0.78 ± 0.06 (0.69 to 0.88 over 8 seeds) after 10 epochs,
~40 s on a 2-core CPU"). The accuracy promised is the one Evaluate shows: the best model
(lowest validation loss, `core/train/scores.py`) on the test split. Every figure here was measured with the project's own engine on the machine named in
`MEASURED_ON`; docs/training.md has the runs (curves, seeds, load) behind them.

`PLAIN_VS_RESIDUAL` is the one-click comparison of the notes' claim (a deep plain network
trains worse than the residual one of the same depth): its depth, width, data and epochs
were chosen so that the claim shows within about 5 minutes on the same machine.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from cnnexplorer.core.train.config import TrainConfig

MEASURED_ON = "2-core VM, no GPU"


@dataclass(frozen=True)
class Recommendation:
    """Settings for one architecture on one dataset, and what they gave when measured.

    Attributes:
        settings: TrainConfig fields (the others keep their defaults); `augment` is a dict of
            strengths, empty for none.
        options: architecture options (the zoo entry's defaults when empty).
        expected_accuracy: test accuracy of the run's best model (lowest validation loss),
            the mean of the measured runs; None where accuracy is not the point (the
            plain vs residual preset compares training losses).
        accuracies: each measured seed's test accuracy (seed 0, 1, ...), where several
            were measured: the expectation then states their mean and spread.
        seconds: wall-clock seconds of a run (TensorFlow's start-up included) on a quiet
            `MEASURED_ON` machine, estimated from the measured CPU time where the shared
            machine was loaded (docs/training.md says which).
        measured: the date of the measurement.
        expect: what the user should see, in words (the curves, the comparison).
    """

    architecture: str
    dataset: str
    settings: dict
    expected_accuracy: float | None
    seconds: float
    measured: str
    options: dict = field(default_factory=dict)
    expect: str = ""
    accuracies: tuple[float, ...] = ()

    def config(self, **overrides) -> TrainConfig:
        return TrainConfig(**{**self.settings, **overrides})

    @property
    def epochs(self) -> int:
        return int(self.settings.get("epochs", TrainConfig().epochs))

    def time_text(self) -> str:
        minutes = self.seconds / 60
        return (f"~{round(self.seconds / 10) * 10:.0f} s" if minutes < 0.75 else
                f"~{minutes:.0f} min" if minutes < 9.5 else f"~{round(minutes / 5) * 5:.0f} min")

    def accuracy_text(self) -> str:
        """'test accuracy of the best model 0.78 ± 0.06 (0.69 to 0.88 over 8 seeds)', or for
        one measured run 'test accuracy of the best model about 0.84 (one run, seed 0)'."""
        what = "test accuracy of the best model"
        if len(self.accuracies) >= 2:
            mean = statistics.mean(self.accuracies)
            sd = statistics.stdev(self.accuracies)
            return (f"{what} {mean:.2f} ± {sd:.2f} ({min(self.accuracies):.2f} to "
                    f"{max(self.accuracies):.2f} over {len(self.accuracies)} seeds)")
        return f"{what} about {self.expected_accuracy:.2f} (one run, seed 0)"

    def expectation(self) -> str:
        """'test accuracy of the best model 0.78 ± 0.06 (0.69 to 0.88 over 8 seeds) after
        10 epochs, ~40 s on a 2-core CPU'."""
        text = (f"{self.epochs} epochs, {self.time_text()} on a 2-core CPU"
                if self.expected_accuracy is None else
                f"{self.accuracy_text()} after {self.epochs} epochs, "
                f"{self.time_text()} on a 2-core CPU")
        return f"{text}; {self.expect}" if self.expect else text


_NO_AUGMENT: dict = {}

RECOMMENDED: tuple[Recommendation, ...] = (
    Recommendation(
        "happymodel", "happy-faces",
        {"epochs": 10, "batch_size": 16, "learning_rate": 1e-3, "optimizer": "adam",
         "validation_split": 0.1, "augment": _NO_AUGMENT},
        # 8 seeds measured 2026-12-03 with `cnnexplorer train happymodel happy-faces --seed S`
        # (24-27 s of CPU each; 35 s of wall clock at a load of 2): docs/training.md
        expected_accuracy=0.78, seconds=35, measured="2026-12-03",
        accuracies=(0.767, 0.787, 0.693, 0.807, 0.720, 0.880, 0.820, 0.800),
        expect="the course's own setting (10 epochs, batch 16, Adam); the 60 validation "
               "images make the best epoch, and so the score, vary from seed to seed"),
    Recommendation(
        "happymodel3", "happy-faces",
        {"epochs": 10, "batch_size": 16, "learning_rate": 1e-3, "optimizer": "adam",
         "validation_split": 0.1, "augment": _NO_AUGMENT},
        expected_accuracy=0.84, seconds=54, measured="2026-11-29",
        expect="validation accuracy lags until BatchNorm's averages settle (epoch 8-10)"),
    Recommendation(
        "lenet5", "digits",
        {"epochs": 5, "batch_size": 64, "learning_rate": 1e-3, "optimizer": "adam",
         "validation_split": 0.1, "augment": _NO_AUGMENT},
        expected_accuracy=0.91, seconds=37, measured="2026-11-29"),
)

PLAIN_VS_RESIDUAL = Recommendation(
    "plain_net", "hand-signs",
    {"epochs": 20, "batch_size": 16, "learning_rate": 3e-3, "optimizer": "adam",
     "validation_split": 0.0, "augment": _NO_AUGMENT},
    # 3 seeds measured 2026-12-03 with benchmarks/bench_plain_vs_residual.py (docs/training.md):
    # 253-318 CPU s for the pair, so ~2-3 min on two idle cores (the shared VM took 7-11 min)
    expected_accuracy=None, seconds=160, measured="2026-12-03",
    options={"depth": 20, "width": 16, "stem_stride": 2},
    expect="the residual network learns (training accuracy 0.88-0.91 after 20 epochs, "
           "seeds 0-2) while the plain one of the same depth stays far behind (0.29-0.35, "
           "its loss near ln 6 = 1.79, a uniform guess, for the first ten epochs)")


#: a training set of at most this many images is small: what is not given comes from
#: SMALL_SET (unless a measured Recommendation covers the architecture and dataset)
SMALL_SET_MAX = 500
#: the settings a tool should pick for a small set (a hundred photos of the course's house),
#: measured against the course notebook's own recipe (Adam, 20 epochs, batch 16, the last
#: epoch kept) in the same run: benchmarks/door.md, "Small data", and
#: benchmarks/bench_small_house.py. Why each: augmentation (mirror, a 10% crop, 10 degrees,
#: light) makes a hundred photos look like more; 40 epochs on a cosine schedule let the
#: augmented set be learned and then settle; a tenth held out for validation picks the best
#: epoch (best.keras), which the last epoch of a small set often is not (a fifth held out
#: left too few to learn from: 0.78 against 0.81 for the notebook over three draws, and
#: early stopping after 10 epochs without progress stopped too soon: 0.73).
SMALL_SET: dict = {"epochs": 40, "batch_size": 16, "learning_rate": 1e-3,
                   "optimizer": "adam",
                   "validation_split": 0.1, "lr_schedule": "cosine",
                   "augment": {"mirror": 0.5, "crop": 0.1, "rotation": 10.0,
                               "brightness": 0.2, "contrast": 0.2}}


def small_set_settings(train_images: int | None) -> dict | None:
    """SMALL_SET for a training set of 1 to SMALL_SET_MAX images, else None (an unknown
    count, or no training images at all: a test-only set trains nothing)."""
    if train_images is None or not 0 < train_images <= SMALL_SET_MAX:
        return None
    return {**SMALL_SET, "augment": dict(SMALL_SET["augment"])}


@dataclass(frozen=True)
class StartingSettings:
    """The settings a run starts from where the user gives none, and why: a measured
    Recommendation for the architecture and dataset, or else the small-set rule.

    Attributes:
        settings: TrainConfig fields (`augment` a dict of strengths).
        recommendation: the measured Recommendation, or None when the small-set rule chose.
        train_images: the training images counted for the small-set rule (None: not known).
    """

    settings: dict
    recommendation: Recommendation | None = None
    train_images: int | None = None

    def config(self) -> TrainConfig:
        return TrainConfig(**self.settings)

    def settings_text(self, config: TrainConfig | None = None) -> str:
        """'epochs 40, batch size 16, cosine schedule, validation split 0.1, augmentation
        mirror,crop,...': these settings, or `config` (where some given settings won)."""
        cfg = config or self.config()
        return (f"epochs {cfg.epochs}, batch size {cfg.batch_size}, {cfg.lr_schedule} "
                f"schedule, validation split {cfg.validation_split:g}, augmentation "
                f"{','.join(cfg.augment) or 'none'}")


def starting_settings(architecture: str, dataset: str | None,
                      train_images: int | None) -> StartingSettings | None:
    """The one rule for the settings a user does not give, shared by `cnnexplorer train`
    and the Training panel: the measured recommendation for ARCH on DATASET when there is
    one, else the small-set settings for a training set of at most SMALL_SET_MAX images,
    else None (TrainConfig's defaults, or whatever the panel shows, stay)."""
    rec = recommended(architecture, dataset)
    if rec is not None:
        return StartingSettings({**rec.settings, "augment": dict(rec.settings.get("augment", {}))},
                                rec, train_images)
    small = small_set_settings(train_images)
    return None if small is None else StartingSettings(small, None, train_images)


def recommended(architecture: str, dataset: str | None) -> Recommendation | None:
    """The measured recommendation for a zoo key on a dataset name, or None."""
    for rec in RECOMMENDED:
        if rec.architecture == architecture and rec.dataset == dataset:
            return rec
    return None
