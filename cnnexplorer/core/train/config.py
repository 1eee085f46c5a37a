"""Hyperparameters of a training run: validated up front, saved with the run as JSON."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields

from cnnexplorer.core.errors import ConfigError

OPTIMIZERS = ("adam", "sgd", "rmsprop")
SCHEDULES = ("constant", "cosine", "step", "plateau")


@dataclass
class TrainConfig:
    """What `training.train` needs besides the model and the data.

    Attributes:
        momentum: used by SGD (Nesterov off); Adam and RMSprop keep their defaults.
        validation_split: fraction of the training images held out, stratified per class;
            0 trains on all of them (no val_* metrics).
        early_stopping: patience in epochs on the validation loss (training loss when there
            is no validation split); 0 turns it off. The best weights stay in best.keras.
        lr_schedule: "constant", "cosine" (to 0 over the epochs), "step" (x0.1 at 1/2 and
            3/4 of the epochs) or "plateau" (x0.5 after 2 epochs without improvement).
        augment: strength per augmentation (the dataset package's AugmentConfig fields).
        mixed_precision: float16 compute on a GPU that benefits; ignored on CPU.
    """

    epochs: int = 10
    batch_size: int = 32
    learning_rate: float = 1e-3
    optimizer: str = "adam"
    momentum: float = 0.9
    validation_split: float = 0.1
    seed: int = 0
    early_stopping: int = 0
    lr_schedule: str = "constant"
    augment: dict = field(default_factory=dict)
    mixed_precision: bool = False

    def __post_init__(self):
        self.optimizer = str(self.optimizer).strip().lower()
        self.lr_schedule = str(self.lr_schedule).strip().lower()
        self.validate()

    def validate(self) -> "TrainConfig":
        def need(ok, what, value):
            if not ok:
                raise ConfigError(f"{what}; received {value!r}")

        for name in ("epochs", "batch_size", "seed", "early_stopping"):
            v = getattr(self, name)
            need(isinstance(v, int) and not isinstance(v, bool), f"{name} must be an integer", v)
        need(1 <= self.epochs <= 100_000, "epochs must be 1..100000", self.epochs)
        need(1 <= self.batch_size <= 65_536, "batch size must be 1..65536", self.batch_size)
        need(self.early_stopping >= 0, "early stopping patience must be >= 0",
             self.early_stopping)
        lr = self.learning_rate
        need(isinstance(lr, (int, float)) and not isinstance(lr, bool) and math.isfinite(lr)
             and lr > 0, "learning rate must be a positive number", lr)
        need(isinstance(self.momentum, (int, float)) and 0 <= self.momentum < 1,
             "momentum must be in [0, 1)", self.momentum)
        vs = self.validation_split
        need(isinstance(vs, (int, float)) and 0 <= vs < 1, "validation split must be in [0, 1)",
             vs)
        need(self.optimizer in OPTIMIZERS,
             f"optimizer must be one of {', '.join(OPTIMIZERS)}", self.optimizer)
        need(self.lr_schedule in SCHEDULES,
             f"learning-rate schedule must be one of {', '.join(SCHEDULES)}", self.lr_schedule)
        self.augment_config()  # raises ConfigError on unknown names or strengths out of range
        return self

    def augment_config(self):
        """The dataset package's AugmentConfig, or None when nothing is augmented."""
        if not self.augment:
            return None
        from cnnexplorer.core.data.augment import AugmentConfig

        cfg = AugmentConfig.from_dict(dict(self.augment))
        return cfg if cfg.enabled else None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "TrainConfig":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"unknown training setting(s) {', '.join(unknown)}; known: "
                              f"{', '.join(sorted(known))}")
        return cls(**data)


def parse_augment(text: str) -> dict:
    """`--augment mirror,crop=0.2,rotation` -> strengths; a bare name takes the course default.

    "none" or "" gives no augmentation; "default" the course's moderate setting for all.
    """
    from cnnexplorer.core.data.augment import AugmentConfig

    defaults = AugmentConfig.course_default().to_dict()
    text = (text or "").strip()
    if text.lower() in ("", "none", "off"):
        return {}
    if text.lower() in ("default", "all", "course"):
        return dict(defaults)
    out = {}
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        name, _, value = item.partition("=")
        name = name.strip().lower().replace("-", "_")
        if name not in defaults:
            raise ConfigError(f"unknown augmentation {name!r} in --augment {text!r}; known: "
                              f"{', '.join(defaults)}")
        if value:
            try:
                out[name] = float(value)
            except ValueError:
                raise ConfigError(f"augmentation {name} needs a number; received "
                                  f"{value!r}") from None
        else:
            out[name] = defaults[name]
    AugmentConfig.from_dict(out)  # validate strengths now, with the dataset package's message
    return out
