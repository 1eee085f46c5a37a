"""The accuracy a run is quoted by: one definition each, and the words that say which (issue 17).

A run has three accuracies a student may meet, and they differ:

- **validation accuracy of the best model**: `best.keras` holds the epoch with the lowest
  validation loss (the training loss when there is no validation split; the earliest such
  epoch on a tie), the rule `core/train/progress.py` saves by. The runs list, the door's model
  picker and "Teach the door" quote this figure, because the best model is the one Evaluate,
  the door, `export` and `--from` load.
- **test accuracy of the best model**: Evaluate and the last line of `cnnexplorer train`
  (the same `best.keras`, on the test split the model never saw). The Training panel's
  recommendation promises this one.
- the **last epoch's** validation accuracy: the right end of the curves. Quoted nowhere else,
  since no saved model but `last.keras` (Continue) has it.

Pure Python; no Qt, no TensorFlow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def _finite(value) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


@dataclass(frozen=True)
class BestEpoch:
    """The epoch `best.keras` holds.

    Attributes:
        epoch: 1-based, as the curves and the CLI count.
        epochs: the epochs in the history.
        monitor: "val_loss", or "loss" for a run without validation.
        val_accuracy: that epoch's validation accuracy (None without validation).
        accuracy: that epoch's training accuracy.
    """

    epoch: int
    epochs: int
    monitor: str
    val_accuracy: float | None
    accuracy: float | None

    def short_text(self) -> str:
        """'val acc 72% at best epoch 4' (a list row), or 'train acc 90% at best epoch 4'."""
        if self.val_accuracy is not None:
            return f"val acc {self.val_accuracy:.0%} at best epoch {self.epoch}"
        if self.accuracy is not None:
            return f"train acc {self.accuracy:.0%} at best epoch {self.epoch}"
        return f"best epoch {self.epoch}"

    def long_text(self) -> str:
        """What the best model is, in a sentence's words (a tooltip, Evaluate's title)."""
        why = ("lowest validation loss" if self.monitor == "val_loss"
               else "lowest training loss; no validation split")
        text = f"the best model: epoch {self.epoch} of {self.epochs} ({why})"
        if self.val_accuracy is not None:
            text += f", validation accuracy {self.val_accuracy:.1%}"
        return text


def best_epoch(history: list[dict]) -> BestEpoch | None:
    """The epoch whose model `best.keras` holds, from a run's history; None when no epoch has
    a finite loss to judge by."""
    monitor = "val_loss" if any(_finite(h.get("val_loss")) for h in history) else "loss"
    best_index, best_value = None, math.inf
    for i, h in enumerate(history):
        value = h.get(monitor)
        if value is not None and _finite(value) and value < best_value:  # strict: the earliest on a tie, as saved
            best_index, best_value = i, value
    if best_index is None:
        return None
    h = history[best_index]
    val = h.get("val_accuracy")
    acc = h.get("accuracy")
    return BestEpoch(best_index + 1, len(history), monitor,
                     float(val) if val is not None and _finite(val) else None,
                     float(acc) if acc is not None and _finite(acc) else None)
