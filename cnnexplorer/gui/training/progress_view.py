"""The Training panel's progress: a bar (epoch, percentage) and a line (images/s, time left,
the last epoch's metrics), updated from engine events and redrawn by the panel's 10 Hz timer.

It counts only while a run trains: Stop freezes the time left at once, and the end of a run
(finished, stopped, failed) resets the bar and clears the time left, so nothing keeps
counting after a run (issue 13: after Stop, "time left" went 02:01 -> 06:58 -> 07:59).
"""

from __future__ import annotations

import math
import time

from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget


def clock_text(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "?"
    return time.strftime("%M:%S" if seconds < 3600 else "%H:%M:%S", time.gmtime(seconds))


class ProgressView(QWidget):
    def __init__(self, parent: QWidget | None = None, clock=time.monotonic):
        super().__init__(parent)
        self._clock = clock
        self.bar = QProgressBar()
        self.bar.setFormat("idle")
        self.bar.setValue(0)
        self.label = QLabel("")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar)
        layout.addWidget(self.label)
        self._counting = False
        self._done = self._total = self._initial_step = 0
        self._rate = 0.0
        self._t0 = 0.0
        self._epochs = (0, 1, 1)  # first epoch, last epoch, steps per epoch
        self.epoch_text = ""

    @property
    def counting(self) -> bool:
        return self._counting

    def started(self, e) -> None:
        """A TrainStarted event: count from zero towards this run's steps."""
        self._total = (e.epochs - e.initial_epoch) * e.steps_per_epoch
        self._initial_step = e.initial_epoch * e.steps_per_epoch
        self._done, self._rate, self._t0 = 0, 0.0, self._clock()
        self._epochs = (e.initial_epoch, e.epochs, e.steps_per_epoch)
        self.epoch_text = ""
        self._counting = True

    def batch(self, e) -> None:
        if not self._counting:
            return
        self._rate = e.images_per_s if self._rate == 0 else 0.9 * self._rate + 0.1 * e.images_per_s
        self._done = e.global_step - self._initial_step + 1

    def stopping(self) -> None:
        """Stop was pressed: the run ends after its current batch; stop counting now."""
        if self._counting:
            self._counting = False
            self.label.setText("stopping after the current batch…"
                               + (f"\n{self.epoch_text}" if self.epoch_text else ""))

    def finished(self, status: str) -> None:
        """The run ended: reset the bar, no time left."""
        self._counting = False
        initial, last, steps = self._epochs
        epochs_done = self._done // max(1, steps)
        self.bar.setMaximum(1)
        self.bar.setValue(1 if status == "finished" else 0)
        self.bar.setFormat(status if status == "finished" else
                           f"{status} after {initial + epochs_done} of {last} epochs")
        self.label.setText(self.epoch_text)

    def finished_if_counting(self) -> None:
        """The worker ended without a TrainFinished for the run counted (it failed or was
        stopped between two runs): stop counting all the same."""
        if self._counting:
            self.finished("ended")

    def reset(self) -> None:
        self._counting = False
        self.bar.setMaximum(1)
        self.bar.setValue(0)
        self.bar.setFormat("idle")
        self.label.setText("")
        self.epoch_text = ""

    def tick(self) -> None:
        """Redraw (the panel's timer): only while counting."""
        if not self._counting:
            return
        done, total = self._done, self._total
        self.bar.setMaximum(max(1, total))
        self.bar.setValue(min(done, total))
        initial, last, steps = self._epochs
        epoch = min(last, initial + 1 + done // max(1, steps))
        elapsed = self._clock() - self._t0
        left = (total - done) * elapsed / done if done else math.nan
        self.bar.setFormat(f"epoch {epoch}/{last}  %p%")
        self.label.setText(f"{self._rate:.0f} images/s, time left {clock_text(left)}"
                           + (f"\n{self.epoch_text}" if self.epoch_text else ""))
