"""What the engine's one Keras callback does: events, stop and NaN check per batch; validation,
history and checkpoints per epoch; and how a run ended, in words.

The callback reads the Python floats Keras already hands to `on_train_batch_end` and does no
tensor work per batch, so throughput matches plain `fit`. Checkpoints: the weights of the last
good epoch and of the best one are kept in memory (a copy costs milliseconds) and written to
the run folder at the end, on a stop, after a NaN, and at most every `checkpoint_interval_s`
seconds in between (writing ResNet-50's 95 MB after every short epoch would cost more than the
3% the benchmark allows).
"""

from __future__ import annotations

import math
import time

import numpy as np

from cnnexplorer.core.disk_full import model_bytes, require_space
from cnnexplorer.core.train.events import BatchEnd, EpochEnd


def _scalars(logs) -> dict:
    """Keras' logs with one-element arrays as floats: under the multi-worker strategy each
    metric is a 1-vector (distribute.fit_multi_worker), which a single worker's strategy
    hands back unreduced."""
    out = {}
    for key, value in (logs or {}).items():
        if isinstance(value, np.ndarray) and value.size == 1:
            value = float(value.reshape(-1)[0])
        out[key] = value
    return out


def _finite(x) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x)


class Progress:
    """The state one training run's callback keeps between batches and epochs.

    Args:
        state: the engine's `TrainingState` (config, run, steps, images, validation set).
        initial_epoch: the epoch `fit` starts at (a resumed run: the one its backup holds,
            restored before fit by `backup.restore`).
        history: the epochs already in the run (continuing or resuming it).
    """

    def __init__(self, state, on_event, stop, initial_epoch: int, history: list,
                 checkpoint_interval_s: float):
        self.state = state
        self.cfg, self.run = state.config, state.run
        self.on_event = on_event or (lambda e: None)
        self.stop = stop
        self.steps, self.n_train = state.steps, state.n_train
        self.batch_size = state.global_batch
        self.initial_epoch = initial_epoch
        self.last_epoch = state.total_epochs  # fit's `epochs`
        self.checkpoint_interval_s = checkpoint_interval_s
        self.history = list(history)
        self.monitor = "val_loss" if state.val is not None else "loss"
        prev = [h.get(self.monitor) for h in self.history if _finite(h.get(self.monitor))]
        self.best_value = min(prev) if prev else math.inf
        self.since_best = 0
        self.best_weights = None
        self.good_weights = None
        self.nan_at = None
        self.user_stop_at: tuple[int, int] | None = None
        self.early_stopped = False
        self.last_save = time.monotonic()
        self._t_batch = self._t_epoch = 0.0
        self._seen, self._loss_sum, self._acc_sum = 0, 0.0, 0.0  # this epoch's, for _own_values
        self._epoch = initial_epoch
        self._global0 = initial_epoch * self.steps

    def epoch_begin(self, model, epoch):
        self._t_epoch = self._t_batch = time.perf_counter()
        self._epoch = epoch
        self._seen, self._loss_sum, self._acc_sum = 0, 0.0, 0.0

    def _own_values(self, batch: int, n: int, loss: float, acc: float) -> tuple[float, float]:
        """This batch's own loss and accuracy, from Keras' running means over the epoch.

        Keras weights each batch's value by its number of images in those means, so the sums
        (images so far * mean) differ by n * this batch's value: exact for a smaller last
        batch too (unweighted, (b+1)*mean_b - b*mean_(b-1), is not).
        """
        if batch == 0 or self._seen == 0:
            self._seen, self._loss_sum, self._acc_sum = 0, 0.0, 0.0
        seen = self._seen + n
        loss_sum, acc_sum = seen * loss, seen * acc
        own_loss = (loss_sum - self._loss_sum) / n
        own_acc = min(1.0, max(0.0, (acc_sum - self._acc_sum) / n)) if math.isfinite(acc) \
            else acc
        self._seen, self._loss_sum, self._acc_sum = seen, loss_sum, acc_sum
        return own_loss, own_acc

    def batch_end(self, model, batch, logs):
        now = time.perf_counter()
        dt, self._t_batch = now - self._t_batch, now
        logs = _scalars(logs)
        loss = logs.get("loss", math.nan)
        acc = logs.get("accuracy", math.nan)
        n = min(self.batch_size, self.n_train - batch * self.batch_size) or self.batch_size
        own_loss, own_acc = self._own_values(batch, n, loss, acc)
        self.on_event(BatchEnd(self._epoch, batch, self.steps,
                               self._global0 + (self._epoch - self.initial_epoch) * self.steps
                               + batch, own_loss, own_acc, n / dt if dt > 0 else 0.0))
        if not math.isfinite(loss):
            self.nan_at = (self._epoch, batch, loss)
            model.stop_training = True
        elif self.stop is not None and self.stop.is_set():
            self.user_stop_at = (self._epoch, batch)
            model.stop_training = True

    def epoch_end(self, model, epoch, logs):
        if self.nan_at is not None or self.user_stop_at is not None:
            return  # a partial epoch is not history; checkpoints come from the last good one
        seconds = time.perf_counter() - self._t_epoch
        metrics = {k: float(v) for k, v in _scalars(logs).items()
                   if isinstance(v, (int, float, np.floating))}
        if self.state.val is not None:
            val = model.evaluate(self.state.val, verbose=0, return_dict=True)
            metrics.update({f"val_{k}": float(v) for k, v in val.items()})
        try:
            metrics["learning_rate"] = float(np.asarray(model.optimizer.learning_rate))
        except (TypeError, ValueError, AttributeError):
            pass
        metrics["seconds"] = seconds
        metrics["images_per_s"] = self.n_train / seconds if seconds > 0 else 0.0
        if not all(_finite(metrics.get(k)) for k in ("loss", self.monitor)):
            self.nan_at = (epoch, self.steps - 1, metrics.get(self.monitor))
            model.stop_training = True
            return
        self.history.append(metrics)
        self.good_weights = model.get_weights()
        value = metrics[self.monitor]
        best = value < self.best_value
        if best:
            self.best_value, self.since_best = value, 0
            self.best_weights = self.good_weights
        else:
            self.since_best += 1
        # history.json is written with the checkpoints (save_checkpoints), never ahead of
        # them: after a kill -9 it lists exactly the epochs last.keras holds. The backup's
        # copy goes ahead of the backup's weights (BackupAndRestore runs after this), so a
        # resumed run finds the history of every epoch its backup restores.
        self.run.write_backup_history(self.history)
        self.run.set_status("running", f"epoch {epoch + 1} done", len(self.history))
        if time.monotonic() - self.last_save > self.checkpoint_interval_s:
            self.save_checkpoints(model)
        self.on_event(EpochEnd(epoch, self.last_epoch, metrics, seconds,
                               metrics["images_per_s"], best))
        if self.cfg.early_stopping and self.since_best >= self.cfg.early_stopping:
            self.early_stopped = True
            model.stop_training = True

    def save_checkpoints(self, model):
        """Write last.keras (last good weights) and best.keras, each atomically; a disk
        without room for them is refused before any is written (`DiskFullError`)."""
        require_space(self.run.path, model_bytes(model))
        current = model.get_weights()
        try:
            if self.good_weights is not None:
                model.set_weights(self.good_weights)
            self.run.save_model(model, "last")
            if self.best_weights is not None:
                model.set_weights(self.best_weights)
                self.run.save_model(model, "best")
            elif not self.run.best_model_path.exists():
                self.run.save_model(model, "best")
            self.run.write_history(self.history)  # the epochs last.keras now holds
        finally:
            model.set_weights(current)
        self.last_save = time.monotonic()

    def outcome(self) -> tuple[str, str]:
        """(status, message) once `fit` has returned."""
        config = self.cfg
        kept = (f"the weights of epoch {len(self.history)}" if self.history else
                "the initial weights (no epoch finished)")
        if self.nan_at is not None:
            epoch, batch, value = self.nan_at
            return "failed", (f"loss became {value} at epoch {epoch + 1}, batch {batch + 1} "
                              f"(learning rate {config.learning_rate:g}): training diverged; "
                              f"try a smaller learning rate. last.keras keeps {kept}")
        if self.user_stop_at is not None:
            epoch, batch = self.user_stop_at
            where = "before the first batch" if batch < 0 else \
                f"in epoch {epoch + 1} after batch {batch + 1}"
            return "stopped", f"stopped by the user {where}; last.keras keeps {kept}"
        if self.early_stopped:
            return "finished", (f"early stopping: {self.monitor} did not improve for "
                                f"{config.early_stopping} epochs")
        return "finished", f"{len(self.history)} epochs"


def make_callback(keras, progress: Progress):
    """The Keras callback that hands each batch and epoch to `progress`."""

    class _ProgressCallback(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            progress.epoch_begin(self.model, epoch)

        def on_train_batch_end(self, batch, logs=None):
            progress.batch_end(self.model, batch, logs)

        def on_epoch_end(self, epoch, logs=None):
            progress.epoch_end(self.model, epoch, logs)

    return _ProgressCallback()
