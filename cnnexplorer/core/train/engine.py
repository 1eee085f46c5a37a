"""The training engine: Keras `fit` with Qt-free progress events, cooperative stop, NaN guard.

    result = train(ArchSpec("happymodel"), dataset, TrainConfig(epochs=5),
                   on_event=print, stop=threading.Event())

The hot path is `model.fit` on in-memory float arrays (or the augmentation pipeline), the
same call a plain Keras script makes; the one callback reads the Python floats Keras already
hands to `on_train_batch_end` and does no tensor work, so throughput matches plain `fit`.
Checkpoints: the weights of the last good epoch and of the best one are kept in memory
(a copy costs milliseconds) and written to the run folder at the end, on a stop, after a
NaN, and at most every `checkpoint_interval_s` seconds in between (writing ResNet-50's 95 MB
after every short epoch would cost more than the 3% the benchmark allows).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cnnexplorer.core.data.base import require_training_images
from cnnexplorer.core.train import runs as runs_mod
from cnnexplorer.core.errors import ConfigError, TrainingError
from cnnexplorer.core.train.events import BatchEnd, EpochEnd, TrainFinished, TrainStarted
from cnnexplorer.core.keras.model_setup import (
    ArchSpec,
    PreparedModel,
    compile_model,
    prepare_model,
)
from cnnexplorer.core.train.config import TrainConfig
from cnnexplorer.core.data.images import scale_pixels
from cnnexplorer.core.train.inputs import adapt_images, augmented_dataset, labels_for

__all__ = ["ArchSpec", "PreparedModel", "TrainConfig", "TrainResult", "train",
           "continue_run", "prepare_model"]


@dataclass
class TrainResult:
    status: str  # finished | stopped | failed
    message: str
    run: runs_mod.Run
    model: Any  # the keras.Model with the last good weights
    history: list = field(default_factory=list)
    best_weights: list | None = None
    prepared: PreparedModel | None = None

    @property
    def epochs_run(self) -> int:
        return len(self.history)


def _finite(x) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x)


def _make_callback(keras, engine: "_Engine"):
    class _Progress(keras.callbacks.Callback):
        """Events, stop and NaN check per batch; validation, history, checkpoints per epoch."""

        def on_epoch_begin(self, epoch, logs=None):
            engine.epoch_begin(epoch)

        def on_train_batch_end(self, batch, logs=None):
            engine.batch_end(self.model, batch, logs)

        def on_epoch_end(self, epoch, logs=None):
            engine.epoch_end(self.model, epoch, logs)

    return _Progress()


class _Engine:
    """State shared between `train` and its Keras callback."""

    def __init__(self, prepared, config, run, on_event, stop, steps, n_train, x_val, y_val,
                 initial_epoch, checkpoint_interval_s, history):
        self.p, self.cfg, self.run = prepared, config, run
        self.on_event = on_event or (lambda e: None)
        self.stop = stop
        self.steps, self.n_train = steps, n_train
        self.x_val, self.y_val = x_val, y_val
        self.initial_epoch = initial_epoch
        self.checkpoint_interval_s = checkpoint_interval_s
        self.history = list(history)
        self.monitor = "val_loss" if x_val is not None else "loss"
        prev = [h.get(self.monitor) for h in self.history if _finite(h.get(self.monitor))]
        self.best_value = min(prev) if prev else math.inf
        self.since_best = 0
        self.best_weights = None
        self.good_weights = None
        self.nan_at = None
        self.user_stop_at = None
        self.early_stopped = False
        self.last_save = time.monotonic()
        self.batch_size = config.batch_size
        self._t_batch = self._t_epoch = 0.0
        self._global0 = initial_epoch * steps

    def epoch_begin(self, epoch):
        self._t_epoch = self._t_batch = time.perf_counter()
        self._epoch = epoch

    def batch_end(self, model, batch, logs):
        now = time.perf_counter()
        dt, self._t_batch = now - self._t_batch, now
        loss = logs.get("loss", math.nan) if logs else math.nan
        acc = logs.get("accuracy", math.nan) if logs else math.nan
        n = min(self.batch_size, self.n_train - batch * self.batch_size) or self.batch_size
        self.on_event(BatchEnd(self._epoch, batch, self.steps,
                               self._global0 + (self._epoch - self.initial_epoch) * self.steps
                               + batch, loss, acc, n / dt if dt > 0 else 0.0))
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
        metrics = {k: float(v) for k, v in (logs or {}).items()
                   if isinstance(v, (int, float, np.floating))}
        if self.x_val is not None:
            val = model.evaluate(self.x_val, verbose=0, return_dict=True)
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
        # them: after a kill -9 it lists exactly the epochs last.keras holds.
        self.run.set_status("running", f"epoch {epoch + 1} done", len(self.history))
        if time.monotonic() - self.last_save > self.checkpoint_interval_s:
            self.save_checkpoints(model)
        self.on_event(EpochEnd(epoch, self.cfg.epochs + self.initial_epoch, metrics, seconds,
                               metrics["images_per_s"], best))
        if self.cfg.early_stopping and self.since_best >= self.cfg.early_stopping:
            self.early_stopped = True
            model.stop_training = True

    def save_checkpoints(self, model):
        """Write last.keras (last good weights) and best.keras, each atomically."""
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


def _run_config(prepared: PreparedModel, dataset, config: TrainConfig) -> dict:
    return {"train": config.to_dict(), "architecture": prepared.arch_info,
            "dataset": {"name": dataset.name, "fingerprint": dataset.fingerprint,
                        "source": dataset.source, "class_names": list(dataset.class_names),
                        "input_shape": list(dataset.input_shape),
                        "train_images": int(len(dataset.y_train)),
                        "test_images": 0 if dataset.y_test is None else int(len(dataset.y_test))},
            "task": {"binary": prepared.binary, "classes": dataset.num_classes,
                     "input_shape": list(prepared.input_shape),
                     "preprocessing": "divide by 255"},
            "notes": list(prepared.notes)}


def train(arch, dataset, config: TrainConfig | None = None, *, on_event=None, stop=None,
          run: runs_mod.Run | None = None, out=None, runs_root=None,
          checkpoint_interval_s: float = 120.0, initial_epoch: int = 0,
          history: list | None = None) -> TrainResult:
    """Train a model on a dataset, saving a run; never raises for what happens during fit.

    Args:
        arch: an `ArchSpec` (zoo key + options, built for the dataset) or a `PreparedModel`
            (e.g. a transfer-learning model).
        dataset: a `datasets.base.Dataset`.
        on_event: called with each event (from this thread).
        stop: anything with `is_set()` (a `threading.Event`): checked after every batch.
        run: continue into this run; else a new one under `out` or `runs_root`.
    Returns:
        TrainResult (status "finished", "stopped" or "failed", with a message).
    Raises:
        TrainingError / ConfigError: before training starts (nothing fits, bad settings).
    """
    config = (config or TrainConfig()).validate()
    require_training_images(dataset)  # a course test file on its own says what it is
    if len(dataset.y_train) == 0:  # fit would run no batch and call the loss "None"
        raise TrainingError(f"{dataset.name}: has no training images; nothing to train on")
    from cnnexplorer.core.keras.device import configure, set_mixed_precision
    from cnnexplorer.core.keras.build import import_keras

    keras = import_keras()
    device = configure()
    policy = set_mixed_precision(config.mixed_precision)
    try:
        prepared = arch if isinstance(arch, PreparedModel) else prepare_model(
            arch, dataset, seed=config.seed)
    finally:
        if policy != "float32":
            set_mixed_precision(False)  # later builds (the door, evaluation) stay float32
    model = prepared.model
    keras.utils.set_random_seed(config.seed)

    # data: adapt once, scale once; the validation split is stratified and seeded
    if config.validation_split > 0:
        x_tr, y_tr, x_va, y_va = dataset.split_validation(config.validation_split, config.seed)
        if len(y_va) == 0 or len(y_tr) == 0:
            raise TrainingError(f"{dataset.name}: {len(dataset.y_train)} training images are "
                                f"too few for a validation split of {config.validation_split}")
    else:
        x_tr, y_tr, x_va, y_va = dataset.x_train, dataset.y_train, None, None
    x_tr = adapt_images(x_tr, prepared.input_shape)
    steps = max(1, math.ceil(len(y_tr) / config.batch_size))
    compile_model(model, config, prepared.binary, steps_per_epoch=steps)
    augment = config.augment_config()
    if augment is not None:
        if x_tr.dtype != np.uint8:
            raise TrainingError("augmentation works on images, not on cached activations")
        fit_x, fit_y = augmented_dataset(x_tr, y_tr, config.batch_size, augment, config.seed,
                                         prepared.binary), None
    else:
        fit_x, fit_y = scale_pixels(x_tr), labels_for(y_tr, prepared.binary)
    val = None
    if x_va is not None:
        import tensorflow as tf

        val = tf.data.Dataset.from_tensor_slices(
            (scale_pixels(adapt_images(x_va, prepared.input_shape)),
             labels_for(y_va, prepared.binary))).batch(config.batch_size).cache()

    if run is None:
        run = runs_mod.create_run(_run_config(prepared, dataset, config), root=runs_root,
                                  path=out, name=f"{prepared.arch_info.get('key', 'model')}_"
                                                 f"{dataset.name}")
    else:
        run.set_status("running", "continued", len(history or []))
    engine = _Engine(prepared, config, run, on_event, stop, steps, len(y_tr), val, None,
                     initial_epoch, checkpoint_interval_s, history or [])
    engine.good_weights = model.get_weights()  # the initial weights: a NaN in epoch 1 keeps them
    callbacks = [_make_callback(keras, engine)]
    if config.lr_schedule == "plateau":
        callbacks.append(keras.callbacks.ReduceLROnPlateau(
            monitor=engine.monitor, factor=0.5, patience=2, verbose=0))
    engine.on_event(TrainStarted(str(run.path), initial_epoch + config.epochs, initial_epoch,
                                 steps, len(y_tr), 0 if y_va is None else len(y_va),
                                 device.describe(), model.name, int(model.count_params()),
                                 tuple(prepared.notes)))
    status, message = "finished", ""
    try:
        if stop is not None and stop.is_set():
            engine.user_stop_at = (initial_epoch, -1)
        else:
            model.fit(fit_x, fit_y, batch_size=None if fit_y is None else config.batch_size,
                      epochs=initial_epoch + config.epochs, initial_epoch=initial_epoch,
                      shuffle=True, verbose=0, callbacks=callbacks)
    except Exception as exc:  # out of memory, a bad layer at run time...: the run says why
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
        status, message = "failed", f"training failed: {type(exc).__name__}: {first}"
    if status != "failed":
        status, message = _outcome(engine, config)
    try:
        engine.save_checkpoints(model)
        if engine.good_weights is not None:
            model.set_weights(engine.good_weights)
    except Exception as exc:
        status = "failed"
        message = (message + "; " if message else "") + f"could not save the model: {exc}"
    run.write_history(engine.history)
    run.set_status(status, message, len(engine.history))
    best = run.best_model_path if run.best_model_path.exists() else None
    engine.on_event(TrainFinished(status, message, str(run.path), len(engine.history),
                                  list(engine.history), str(best) if best else None,
                                  str(run.last_model_path)))
    return TrainResult(status, message, run, model, engine.history,
                       engine.best_weights, prepared)


def _outcome(engine: _Engine, config: TrainConfig) -> tuple[str, str]:
    kept = (f"the weights of epoch {len(engine.history)}" if engine.history else
            "the initial weights (no epoch finished)")
    if engine.nan_at is not None:
        epoch, batch, value = engine.nan_at
        return "failed", (f"loss became {value} at epoch {epoch + 1}, batch {batch + 1} "
                          f"(learning rate {config.learning_rate:g}): training diverged; try a "
                          f"smaller learning rate. last.keras keeps {kept}")
    if engine.user_stop_at is not None:
        epoch, batch = engine.user_stop_at
        where = "before the first batch" if batch < 0 else \
            f"in epoch {epoch + 1} after batch {batch + 1}"
        return "stopped", f"stopped by the user {where}; last.keras keeps {kept}"
    if engine.early_stopped:
        return "finished", (f"early stopping: {engine.monitor} did not improve for "
                            f"{config.early_stopping} epochs")
    return "finished", f"{len(engine.history)} epochs"


def continue_run(run: runs_mod.Run, dataset, epochs: int, *, on_event=None, stop=None,
                 **overrides) -> TrainResult:
    """Train a saved run for `epochs` more epochs from its last model (same settings unless
    overridden); the optimizer's state restarts."""
    cfg = run.config()
    if not cfg:
        raise ConfigError(f"{run.path}: not a training run (no config.json)")
    fp = cfg.get("dataset", {}).get("fingerprint")
    notes = [] if fp in (None, dataset.fingerprint) else [
        f"the dataset differs from the one the run started with ({fp} vs "
        f"{dataset.fingerprint})"]
    settings = {**cfg.get("train", {}), **overrides, "epochs": epochs}
    config = TrainConfig.from_dict(settings)
    model = run.load_model("last")
    from cnnexplorer.core.keras.model_io import model_task

    shape, classes, binary = model_task(model)
    if classes != dataset.num_classes:
        raise TrainingError(f"{run.path}: the model has {classes} classes and {dataset.name} "
                            f"has {dataset.num_classes}; use transfer learning instead")
    prepared = PreparedModel(model, tuple(shape), binary, notes,
                             cfg.get("architecture", {"key": model.name}))
    history = run.history()
    return train(prepared, dataset, config, on_event=on_event, stop=stop, run=run,
                 initial_epoch=len(history), history=history)
