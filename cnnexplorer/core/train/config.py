"""Hyperparameters of a training run: validated up front, saved with the run as JSON."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields

from cnnexplorer.core.errors import ConfigError, refuse_unknown_fields
from cnnexplorer.core.train.distribute import DISTRIBUTIONS
from cnnexplorer.core.data.augment import AugmentConfig, TYPICAL

OPTIMIZERS = ("adam", "sgd", "rmsprop")
SCHEDULES = ("constant", "cosine", "step", "plateau")


@dataclass(frozen=True)
class Setting:
    """How one TrainConfig field is entered and checked: the one place its limits live.

    `TrainConfig.validate`, the Training form's widgets (gui/training/form.py) and the
    options of `cnnexplorer train` (commands/train.py) are all made from these.

    Attributes:
        label: the form's row label and the phrase of error messages ("batch size").
        flag: the `cnnexplorer train` option, e.g. "--lr"; None: not on the command line.
        minimum, maximum: the allowed range; `open_min` / `open_max` exclude that end
            (a learning rate above 0, a validation fraction below 1). None: unbounded.
        form_maximum: where there is no maximum, the largest value the form's box offers
            (a diverging learning rate stays possible from the command line, for teaching).
        step, decimals: the form's spin-box step and shown decimals (decimals 0: an integer).
        choices: the allowed words of a text setting (lower case).
    """

    label: str
    help: str = ""
    flag: str | None = None
    metavar: str = "X"
    minimum: float | None = None
    maximum: float | None = None
    open_min: bool = False
    open_max: bool = False
    form_maximum: float | None = None
    step: float = 1
    decimals: int = 0
    choices: tuple[str, ...] = ()

    @property
    def is_integer(self) -> bool:
        return not self.choices and self.decimals == 0

    def _number(self, value: float) -> str:
        return str(int(value)) if self.is_integer else f"{value:g}"

    def range_text(self) -> str:
        """What is allowed, as the end of "X must be ...": "1..65536", "in [0, 1)"."""
        if self.choices:
            return f"one of {', '.join(self.choices)}"
        lo = "" if self.minimum is None else self._number(self.minimum)
        hi = "" if self.maximum is None else self._number(self.maximum)
        if self.open_min and self.minimum == 0:
            return "a positive number" + (f" up to {hi}" if hi else "")
        if not hi:
            return f"{'above' if self.open_min else 'at least'} {lo}"
        if self.is_integer and not (self.open_min or self.open_max):
            return f"{lo}..{hi}"
        return f"in {'(' if self.open_min else '['}{lo}, {hi}{')' if self.open_max else ']'}"

    def problem(self, value) -> str | None:
        """Why `value` is not allowed (a sentence naming the setting), or None when it is."""
        if self.choices:
            return None if value in self.choices else f"{self.label} must be {self.range_text()}"
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (
                self.is_integer and not isinstance(value, int)):
            kind = "an integer" if self.is_integer else "a number"
            return f"{self.label} must be {kind}"
        if not math.isfinite(value):
            return f"{self.label} must be a finite number"
        below = self.minimum is not None and (value <= self.minimum if self.open_min
                                              else value < self.minimum)
        above = self.maximum is not None and (value >= self.maximum if self.open_max
                                              else value > self.maximum)
        if below or above:
            return f"{self.label} must be {self.range_text()}"
        return None


def _setting(default, **meta):
    return field(default=default, metadata={"setting": Setting(**meta)})


@dataclass
class TrainConfig:
    """What `training.train` needs besides the model and the data.

    Each plain setting declares its limits once (`Setting`, in the field's metadata; see
    `settings()`). Besides those:
        augment: strength per augmentation (the dataset package's AugmentConfig fields).
        mixed_precision: float16 compute on a GPU that benefits; ignored on CPU.
    """

    epochs: int = _setting(10, label="epochs", flag="--epochs", metavar="N",
                           minimum=1, maximum=100_000)
    batch_size: int = _setting(32, label="batch size", flag="--batch-size", metavar="B",
                               help="images per replica (per device); each step takes B x "
                                    "replicas images (the global batch): B on one device",
                               minimum=1, maximum=65_536)
    learning_rate: float = _setting(
        1e-3, label="learning rate", flag="--lr", help="learning rate", minimum=0,
        open_min=True, form_maximum=10.0, step=0.0005, decimals=5)
    optimizer: str = _setting("adam", label="optimizer", flag="--optimizer", metavar="NAME",
                              help="adam, sgd or rmsprop", choices=OPTIMIZERS)
    momentum: float = _setting(0.9, label="momentum", flag="--momentum", metavar="M",
                               help="for sgd (Nesterov off); Adam and RMSprop ignore it",
                               minimum=0, maximum=1, open_max=True, step=0.05, decimals=3)
    validation_split: float = _setting(
        0.1, label="validation split", flag="--validation-split", metavar="F",
        help="fraction of the training images held out, stratified per class (0 for none)",
        minimum=0, maximum=1, open_max=True, step=0.05, decimals=2)
    seed: int = _setting(0, label="seed", flag="--seed", metavar="S",
                         help="random seed of the validation split, the shuffling and the "
                              "initial weights", minimum=0, maximum=2 ** 31 - 1)
    early_stopping: int = _setting(
        0, label="early stopping patience", flag="--early-stopping", metavar="P",
        help="stop after P epochs without improvement of the validation loss (training loss "
             "without a validation split); 0: off. The best weights stay in best.keras",
        minimum=0, maximum=1000)
    lr_schedule: str = _setting(
        "constant", label="learning-rate schedule", flag="--schedule", metavar="NAME",
        help="learning-rate schedule: constant, cosine (to 0 over the epochs), step (x0.1 at "
             "1/2 and 3/4 of the epochs) or plateau (x0.5 after 2 epochs without improvement)",
        choices=SCHEDULES)
    distribute: str = _setting(
        "auto", label="distribution", flag="--distribute", metavar="CHOICE",
        help="none (one device), mirrored (every local GPU), multiworker (the machines in "
             "TF_CONFIG, each running this same command with the same --out; the chief's "
             "--out receives the run) or auto (mirrored when more than one GPU is visible, "
             "else none); see docs/distributed.md", choices=DISTRIBUTIONS)
    augment: dict = field(default_factory=dict)
    mixed_precision: bool = False

    def __post_init__(self):
        self.optimizer = str(self.optimizer).strip().lower()
        self.lr_schedule = str(self.lr_schedule).strip().lower()
        self.distribute = str(self.distribute).strip().lower()
        self.validate()

    @classmethod
    def settings(cls) -> dict[str, tuple[Setting, object]]:
        """{field name: (its Setting, its default)} for every declared setting, in order."""
        return {f.name: (f.metadata["setting"], f.default) for f in fields(cls)
                if "setting" in f.metadata}

    def validate(self) -> "TrainConfig":
        for name, (setting, _) in self.settings().items():
            value = getattr(self, name)
            problem = setting.problem(value)
            if problem:
                raise ConfigError(f"{problem}; received {value!r}")
        self.augment_config()  # raises ConfigError on unknown names or strengths out of range
        return self

    def augment_config(self):
        """The dataset package's AugmentConfig, or None when nothing is augmented."""
        if not self.augment:
            return None

        cfg = AugmentConfig.from_dict(dict(self.augment))
        return cfg if cfg.enabled else None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "TrainConfig":
        refuse_unknown_fields(cls, data, "training setting")
        return cls(**data)


def parse_augment(text: str) -> dict:
    """`--augment mirror,crop=0.2,rotation` -> strengths; a bare name takes the course default
    (for the kinds the course setting leaves off, such as blur, a typical strength).

    "none" or "" gives no augmentation; "default" the course's moderate setting for all.
    """
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
            out[name] = defaults[name] or TYPICAL[name]
    AugmentConfig.from_dict(out)  # validate strengths now, with the dataset package's message
    return out
