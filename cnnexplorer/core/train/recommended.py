"""Recommended first-run settings per architecture and dataset, with what they were measured
to give (no Qt, no TensorFlow).

A first run must show learning within about a minute on a 2-core CPU: the Training panel
fills these settings in when the user picks an architecture and a dataset that have an entry,
and shows the expectation ("about 0.85 test accuracy after 10 epochs, ~1 min on a 2-core
CPU"). Every figure here was measured with the project's own engine on the machine named in
`MEASURED_ON`; docs/training.md has the runs (curves, seeds, load) behind them.

`PLAIN_VS_RESIDUAL` is the one-click comparison of the notes' claim (a deep plain network
trains worse than the residual one of the same depth): its depth, width, data and epochs
were chosen so that the claim shows within about 5 minutes on the same machine.
"""

from __future__ import annotations

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
            the middle of the measured runs; None where accuracy is not the point (the
            plain vs residual preset compares training losses).
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

    def config(self, **overrides) -> TrainConfig:
        return TrainConfig(**{**self.settings, **overrides})

    @property
    def epochs(self) -> int:
        return int(self.settings.get("epochs", TrainConfig().epochs))

    def time_text(self) -> str:
        minutes = self.seconds / 60
        return (f"~{round(self.seconds / 10) * 10:.0f} s" if minutes < 0.75 else
                f"~{minutes:.0f} min" if minutes < 9.5 else f"~{round(minutes / 5) * 5:.0f} min")

    def expectation(self) -> str:
        """'about 0.85 test accuracy after 10 epochs, ~1 min on a 2-core CPU'."""
        text = (f"{self.epochs} epochs, {self.time_text()} on a 2-core CPU"
                if self.expected_accuracy is None else
                f"about {self.expected_accuracy:.2f} test accuracy after {self.epochs} epochs, "
                f"{self.time_text()} on a 2-core CPU")
        return f"{text}; {self.expect}" if self.expect else text


_NO_AUGMENT: dict = {}

RECOMMENDED: tuple[Recommendation, ...] = (
    Recommendation(
        "happymodel", "happy-faces",
        {"epochs": 10, "batch_size": 16, "learning_rate": 1e-3, "optimizer": "adam",
         "validation_split": 0.1, "augment": _NO_AUGMENT},
        expected_accuracy=0.85, seconds=69, measured="2026-11-29",
        expect="the course's own setting (10 epochs, batch 16, Adam)"),
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
    {"epochs": 5, "batch_size": 32, "learning_rate": 1e-3, "optimizer": "adam",
     "validation_split": 0.0, "augment": _NO_AUGMENT},
    expected_accuracy=None, seconds=300, measured="2026-11-29",
    options={"depth": 20, "width": 8},
    expect="the plain network stays at chance (training loss about 1.79 = ln 6, accuracy "
           "about 0.17) while the residual one's loss falls below it by epoch 4 and its "
           "accuracy climbs (0.27 after 5 epochs)")


def recommended(architecture: str, dataset: str | None) -> Recommendation | None:
    """The measured recommendation for a zoo key on a dataset name, or None."""
    for rec in RECOMMENDED:
        if rec.architecture == architecture and rec.dataset == dataset:
            return rec
    return None
