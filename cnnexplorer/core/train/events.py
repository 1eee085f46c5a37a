"""Training progress as plain dataclasses, delivered to a callable (no Qt, no Keras).

The engine calls `on_event(event)` from the training thread, in this order:
`TrainStarted`, then per epoch any number of `BatchEnd` and one `EpochEnd`, then exactly one
`TrainFinished` (also after a stop, a NaN loss or an error). A GUI forwards them through a
queued signal; the CLI prints them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Callable


@dataclass(frozen=True)
class TrainStarted:
    run_dir: str
    epochs: int  # the last epoch number this run will reach (continued runs start higher)
    initial_epoch: int
    steps_per_epoch: int
    train_samples: int
    val_samples: int
    device: str
    model_name: str
    params: int
    notes: tuple[str, ...] = ()  # adaptations made (channels, size, binary head...)


@dataclass(frozen=True)
class BatchEnd:
    epoch: int  # 0-based
    batch: int  # 0-based within the epoch
    steps: int  # batches per epoch
    global_step: int  # batches since this run's first epoch (continued runs included)
    loss: float  # this batch's own loss (not Keras' running mean over the epoch)
    accuracy: float  # this batch's own accuracy
    images_per_s: float  # of this batch (wall clock between batch ends)


@dataclass(frozen=True)
class EpochEnd:
    epoch: int  # 0-based
    epochs: int
    metrics: dict  # loss, accuracy, val_loss, val_accuracy, learning_rate
    seconds: float
    images_per_s: float
    best: bool  # this epoch's model became best.keras


@dataclass(frozen=True)
class TrainFinished:
    status: str  # "finished" | "stopped" | "failed"
    message: str
    run_dir: str
    epochs_run: int
    history: list = field(default_factory=list)  # one metrics dict per epoch
    best_model: str | None = None
    last_model: str | None = None


Event = TrainStarted | BatchEnd | EpochEnd | TrainFinished
EventSink = Callable[[Event], None]


def event_to_dict(event) -> dict:
    """JSON-ready form with the event's type under "event" (the CLI's --json lines)."""
    d = asdict(event)
    d["event"] = type(event).__name__
    return d
