"""Hyperparameters of a training run: validated up front, saved with the run as JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace

from cnnexplorer.core.errors import ConfigError, refuse_unknown_fields
from cnnexplorer.core.setting import Setting
from cnnexplorer.core.train.distribute import DISTRIBUTIONS
from cnnexplorer.core.data.augment import AugmentConfig, TYPICAL

OPTIMIZERS = ("adam", "sgd", "rmsprop")
SCHEDULES = ("constant", "cosine", "step", "plateau")


def _setting(default, label: str, **meta):
    """A TrainConfig field declared by a `Setting` (its key is filled in by `settings()`);
    messages name it by its label ("batch size must be 1..65536")."""
    return field(default=default, metadata={
        "setting": Setting("", label, default, said_as=label, **meta)})


@dataclass
class TrainConfig:
    """What `training.train` needs besides the model and the data.

    Each plain setting declares its limits once (`Setting`, in the field's metadata; see
    `settings()`). Besides those:
        augment: strength per augmentation (the dataset package's AugmentConfig fields).
        mixed_precision: float16 compute on a GPU that benefits; ignored on CPU.
    """

    epochs: int = _setting(10, "epochs", flag="--epochs", metavar="N",
                           minimum=1, maximum=100_000)
    batch_size: int = _setting(32, "batch size", flag="--batch-size", metavar="B",
                               help="images per replica (per device); each step takes B x "
                                    "replicas images (the global batch): B on one device",
                               minimum=1, maximum=65_536)
    learning_rate: float = _setting(
        1e-3, "learning rate", kind="float", flag="--lr", help="learning rate", minimum=0,
        open_min=True, form_maximum=10.0, step=0.0005, decimals=5)
    optimizer: str = _setting("adam", "optimizer", kind="choice", flag="--optimizer",
                              metavar="NAME", help="adam, sgd or rmsprop", choices=OPTIMIZERS)
    momentum: float = _setting(0.9, "momentum", kind="float", flag="--momentum", metavar="M",
                               help="for sgd (Nesterov off); Adam and RMSprop ignore it",
                               minimum=0, maximum=1, open_max=True, step=0.05, decimals=3)
    validation_split: float = _setting(
        0.1, "validation split", kind="float", flag="--validation-split", metavar="F",
        help="fraction of the training images held out, stratified per class (0 for none)",
        minimum=0, maximum=1, open_max=True, step=0.05, decimals=2)
    seed: int = _setting(0, "seed", flag="--seed", metavar="S",
                         help="random seed of the validation split, the shuffling and the "
                              "initial weights", minimum=0, maximum=2 ** 31 - 1)
    early_stopping: int = _setting(
        0, "early stopping patience", flag="--early-stopping", metavar="P",
        help="stop after P epochs without improvement of the validation loss (training loss "
             "without a validation split); 0: off. The best weights stay in best.keras",
        minimum=0, maximum=1000)
    lr_schedule: str = _setting(
        "constant", "learning-rate schedule", kind="choice", flag="--schedule", metavar="NAME",
        help="learning-rate schedule: constant, cosine (to 0 over the epochs), step (x0.1 at "
             "1/2 and 3/4 of the epochs) or plateau (x0.5 after 2 epochs without improvement)",
        choices=SCHEDULES)
    distribute: str = _setting(
        "auto", "distribution", kind="choice", flag="--distribute", metavar="CHOICE",
        help="none (one device), mirrored (every local GPU), multiworker (the machines in "
             "TF_CONFIG, each running this same command with the same --out; the chief's "
             "--out receives the run) or auto (mirrored when more than one GPU is visible, "
             "else none); see docs/distributed.md", choices=DISTRIBUTIONS)
    augment: dict = field(default_factory=dict)
    mixed_precision: bool = False

    def __post_init__(self):
        self.validate()

    @classmethod
    def settings(cls) -> dict[str, tuple[Setting, object]]:
        """{field name: (its Setting, its default)} for every declared setting, in order."""
        return {f.name: (replace(f.metadata["setting"], key=f.name), f.default)
                for f in fields(cls) if "setting" in f.metadata}

    def validate(self) -> "TrainConfig":
        """Each setting read by its declaration (text as its type, a choice in its own
        case), or ConfigError naming the first one that is wrong."""
        for name, (setting, _) in self.settings().items():
            setattr(self, name, setting.parse(getattr(self, name)))
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
