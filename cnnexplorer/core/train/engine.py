"""The training engine: Keras `fit` with Qt-free progress events, cooperative stop, NaN guard.

    result = train(ArchSpec("happymodel"), dataset, TrainConfig(epochs=5),
                   on_event=print, stop=threading.Event())

Stages over one `TrainingState`: build the model, prepare the inputs, open the run, add
the callbacks, fit, finish. The hot path is `model.fit` on in-memory float arrays (or the
augmentation pipeline), the same call a plain Keras script makes; the one callback
(`progress.Progress`) does no tensor work per batch, so throughput matches plain `fit`.
"""

from __future__ import annotations

import math
import shutil
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cnnexplorer.core.data.base import require_training_images
from cnnexplorer.core.disk_full import (collect_failed_writes, disk_full_path,
                                        failed_inside_hdf5, quiet_failed_writes)
from cnnexplorer.core.train import runs as runs_mod
from cnnexplorer.core.train.runs import check_same_run
from cnnexplorer.core.errors import ConfigError, TrainingError
from cnnexplorer.core.train.events import TrainFinished, TrainStarted
from cnnexplorer.core.keras.model_setup import (
    ArchSpec,
    PreparedModel,
    compile_model,
    prepare_model,
)
from cnnexplorer.core.train.backup import Restored, RunBackup, restore
from cnnexplorer.core.train.config import TrainConfig
from cnnexplorer.core.train.run_lock import RunLock
from cnnexplorer.core.train.distribute import (Distribution, distribute_pipeline,
                                               fit_multi_worker, worker_scratch)
from cnnexplorer.core.train.distribute import resolve as resolve_distribution
from cnnexplorer.core.data.images import scale_pixels
from cnnexplorer.core.data.adapt import adapt_images
from cnnexplorer.core.train.inputs import augmented_dataset, labels_for, shuffled_batches
from cnnexplorer.core.train.progress import Progress, make_callback
from cnnexplorer.core.keras.build import import_keras
from cnnexplorer.core.keras.device import configure, set_mixed_precision
from cnnexplorer.core.keras.model_io import model_task

__all__ = ["ArchSpec", "PreparedModel", "TrainConfig", "TrainResult", "TrainingState", "train",
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
    distribution: Distribution | None = None

    @property
    def epochs_run(self) -> int:
        return len(self.history)

    @property
    def chief(self) -> bool:
        """False on a multi-worker run's other workers: their run folder was temporary."""
        return self.distribution is None or self.distribution.is_chief


@dataclass
class TrainingState:
    """What one call of `train` works on, filled in stage by stage."""

    config: TrainConfig
    dataset: Any
    keras: Any = None
    device: Any = None  # keras.device.DeviceInfo
    dist: Distribution | None = None  # the tf.distribute strategy and who takes part
    prepared: PreparedModel | None = None
    fit_x: Any = None  # float images, or a tf.data pipeline yielding (images, labels)
    fit_y: Any = None  # labels, or None with a pipeline
    val: Any = None  # the batched validation tf.data set, or None
    n_train: int = 0
    n_val: int = 0
    global_batch: int = 0  # images per optimizer step
    steps: int = 0  # optimizer steps per epoch
    run: runs_mod.Run | None = None
    lock: RunLock | None = None  # held while this process trains into the run
    initial_epoch: int = 0  # the epoch fit starts at (a resumed run: where it was restored)
    total_epochs: int = 0  # fit's `epochs`
    restored: Restored | None = None  # what a resumed run went on from
    keep_backup: bool = False  # fit raised: the run stays resumable from its backup
    progress: Progress | None = None
    callbacks: list = field(default_factory=list)

    @property
    def model(self):
        return self.prepared.model


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
    state = TrainingState(config, dataset, initial_epoch=initial_epoch,
                          total_epochs=initial_epoch + config.epochs)
    _build_model(state, arch)
    _prepare_inputs(state)
    try:
        history = _open_run(state, run, out, runs_root, history)
        state.progress = Progress(state, on_event, stop, state.initial_epoch, history,
                                  checkpoint_interval_s)
        _add_callbacks(state)
        notes = tuple(state.prepared.notes) + tuple(state.restored.notes if state.restored
                                                    else ())
        state.progress.on_event(TrainStarted(
            str(state.run.path), state.total_epochs, state.initial_epoch, state.steps,
            state.n_train, state.n_val, state.dist.describe(), state.model.name,
            int(state.model.count_params()), notes))
        status, message = _fit(state, stop)
        result = _finish(state, status, message)
    finally:
        if state.lock is not None:
            state.lock.release()
    if not state.dist.is_chief:
        shutil.rmtree(state.run.path, ignore_errors=True)  # the chief's folder is the run
    return result


def _build_model(state: TrainingState, arch) -> None:
    """Set up the devices, build the model in the strategy's scope (mixed precision only
    while building), seed."""
    config = state.config
    state.keras = import_keras()
    state.device = configure()
    state.dist = resolve_distribution(config.distribute)
    policy = set_mixed_precision(config.mixed_precision)
    try:
        with state.dist.scope():
            if not isinstance(arch, PreparedModel):
                state.prepared = prepare_model(arch, state.dataset, seed=config.seed)
            elif state.dist.strategy is not None:
                state.prepared = _rebuilt_in_scope(state.keras, arch)
            else:
                state.prepared = arch
    finally:
        if policy != "float32":
            set_mixed_precision(False)  # later builds (the door, evaluation) stay float32
    state.keras.utils.set_random_seed(config.seed)


def _prepare_inputs(state: TrainingState) -> None:
    """Adapt the images once, scale once (the validation split is stratified and seeded),
    compile for the resulting steps per epoch, and make the fit and validation inputs."""
    config, dataset, prepared = state.config, state.dataset, state.prepared
    if config.validation_split > 0:
        x_tr, y_tr, x_va, y_va = dataset.split_validation(config.validation_split, config.seed)
        if len(y_va) == 0 or len(y_tr) == 0:
            raise TrainingError(f"{dataset.name}: {len(dataset.y_train)} training images are "
                                f"too few for a validation split of {config.validation_split}")
    else:
        x_tr, y_tr, x_va, y_va = dataset.x_train, dataset.y_train, None, None
    x_tr = adapt_images(x_tr, prepared.input_shape)
    state.n_train, state.n_val = len(y_tr), 0 if y_va is None else len(y_va)
    state.global_batch = state.dist.global_batch(config.batch_size)
    state.steps = max(1, math.ceil(state.n_train / state.global_batch))
    with state.dist.scope():
        compile_model(state.model, config, prepared.binary, steps_per_epoch=state.steps)
    if state.dist.kind == "multiworker":
        fit_multi_worker(state.model)
    augment = config.augment_config()
    if augment is not None:
        if x_tr.dtype != np.uint8:
            raise TrainingError("augmentation works on images, not on cached activations")
        state.fit_x = augmented_dataset(x_tr, y_tr, state.global_batch, augment, config.seed,
                                        prepared.binary)
    elif state.dist.strategy is not None:  # every worker shuffles alike: shards stay disjoint
        state.fit_x = shuffled_batches(scale_pixels(x_tr), labels_for(y_tr, prepared.binary),
                                       state.global_batch, config.seed)
    else:
        state.fit_x, state.fit_y = scale_pixels(x_tr), labels_for(y_tr, prepared.binary)
    if x_va is not None:
        import tensorflow as tf

        state.val = tf.data.Dataset.from_tensor_slices(
            (scale_pixels(adapt_images(x_va, prepared.input_shape)),
             labels_for(y_va, prepared.binary))).batch(state.global_batch).cache()
    if state.dist.strategy is not None:
        state.fit_x = distribute_pipeline(state.fit_x)
        state.val = None if state.val is None else distribute_pipeline(state.val)


def _open_run(state: TrainingState, run, out, runs_root, history) -> list:
    """The run to write (new, continued, or an interrupted one resumed); its history so far.

    On a multi-worker run every worker names the same `out`; only the chief writes there,
    the others into `worker_scratch` (removed when training ends)."""
    config = _run_config(state.prepared, state.dataset, state.config)
    if state.dist.kind == "multiworker" and run is None:
        if out is None:
            raise ConfigError("multi-worker training needs a run folder (--out RUN_DIR) named "
                              "alike on every worker, so that a restarted worker finds its "
                              "backup")
        if not state.dist.is_chief:
            out = worker_scratch(out, state.dist.worker_index)
            if out.exists() and not runs_mod.resumable(out):
                shutil.rmtree(out)
    if run is None and out is not None and runs_mod.resumable(out):
        run = runs_mod.open_run(out)
        state.lock = RunLock(run.path)  # a live run is refused, naming its pid
        check_same_run(run, config)
        # our restore, before fit: checked, and what it restored is what gets saved
        state.restored = restore(run, state.model, state.config.epochs, state.dist.scope)
        state.initial_epoch, state.total_epochs = state.restored.epoch, state.config.epochs
        history = state.restored.history
        if run.config().get("train", {}).get("epochs") != state.config.epochs:
            run.write_config({**run.config(), "train": config["train"]})  # --epochs changed
        run.set_status("running", "resumed", len(history))
    elif run is None:
        key = state.prepared.arch_info.get("key", "model")
        run = runs_mod.create_run(config, root=runs_root, path=out,
                                  name=f"{key}_{state.dataset.name}")
        state.lock = RunLock(run.path)
    else:
        state.lock = RunLock(run.path)
        run.set_status("running", "continued", len(history or []))
    state.run = run
    return list(history or [])


def _add_callbacks(state: TrainingState) -> None:
    keras, progress = state.keras, state.progress
    # the weights fit starts from: trained (continued) or restored (resumed) ones, or a new
    # run's initial ones; a NaN in the first epoch, or no epoch left to run, keeps these
    progress.good_weights = state.model.get_weights()
    restored = state.restored
    if restored is not None and restored.history and \
            restored.history[-1].get(progress.monitor) == progress.best_value:
        progress.best_weights = progress.good_weights  # the restored epoch is the best one
    state.callbacks = [make_callback(keras, progress)]
    if state.config.lr_schedule == "plateau":
        state.callbacks.append(keras.callbacks.ReduceLROnPlateau(
            monitor=progress.monitor, factor=0.5, patience=2, verbose=0))
    # after the progress callback: a kill between the two leaves the history one epoch
    # ahead of the backup, and the restarted run drops that epoch (never the reverse)
    state.callbacks.append(RunBackup(keras, state.run.backup_path))


def _rebuilt_in_scope(keras, prepared: PreparedModel) -> PreparedModel:
    """A model built outside the strategy (a transfer model, a saved run's) with its
    variables recreated inside it; same layers, same weights, same frozen layers."""
    model = keras.models.clone_model(prepared.model)
    model.set_weights(prepared.model.get_weights())
    return PreparedModel(model, prepared.input_shape, prepared.binary, prepared.notes,
                         prepared.arch_info, prepared.network)


def _fit(state: TrainingState, stop) -> tuple[str, str]:
    """Run `model.fit`; (status, message) of how it ended."""
    progress, initial_epoch = state.progress, state.initial_epoch
    if stop is not None and stop.is_set():
        progress.user_stop_at = (initial_epoch, -1)
        return progress.outcome()
    try:
        with state.dist.scope():
            state.model.fit(state.fit_x, state.fit_y,
                            batch_size=None if state.fit_y is None else state.global_batch,
                            epochs=state.total_epochs, initial_epoch=initial_epoch,
                            shuffle=state.fit_y is not None,  # a pipeline shuffles itself
                            verbose=0, callbacks=state.callbacks)
    except Exception as exc:  # noqa: BLE001 - out of memory, a bad layer at run time: the run says why
        state.keep_backup = True  # fit did not end: the backup stays, to resume from
        full = disk_full_path(exc, str(state.run.path))
        inside = failed_inside_hdf5(exc)
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
        failure = f"training failed: {type(exc).__name__}: {first}"
    else:
        return progress.outcome()
    # the exception (and the files its frames held) is gone now
    collect_failed_writes(inside_hdf5=inside)
    return "failed", failure if full is None else _disk_full_message(state, full)


def _disk_full_message(state: TrainingState, path: str) -> str:
    done = len(state.progress.history)
    return (f"the disk is full ({path}) after {done} epoch{'s' if done != 1 else ''}; free "
            f"some space and resume the run from its last saved epoch: cnnexplorer train "
            f"--resume {state.run.path}")


def _finish(state: TrainingState, status: str, message: str) -> TrainResult:
    """Save the checkpoints, leave the model at its last good weights, record the outcome."""
    run, progress, model = state.run, state.progress, state.model
    saved, full, inside = False, None, False
    try:
        with quiet_failed_writes():
            progress.save_checkpoints(model)
        saved = True
        if progress.good_weights is not None:
            model.set_weights(progress.good_weights)
    except Exception as exc:  # noqa: BLE001 - a failed save is reported in the run's result
        status = "failed"
        full = disk_full_path(exc, str(run.path))
        inside = failed_inside_hdf5(exc)
        if full is not None:
            message = _disk_full_message(state, full)
        else:
            message = (message + "; " if message else "") + f"could not save the model: {exc}"
    if not saved:
        collect_failed_writes(inside_hdf5=inside)
    # (save_checkpoints wrote history.json with the models: never an epoch they lack)
    try:
        run.set_status(status, message, len(progress.history))
    except OSError:  # a full disk: status.json keeps "running", read as interrupted later
        pass
    if saved and not state.keep_backup:
        # only now that last.keras, best.keras and history.json hold what it held
        shutil.rmtree(run.backup_path, ignore_errors=True)
    best = run.best_model_path if run.best_model_path.exists() else None
    progress.on_event(TrainFinished(status, message, str(run.path), len(progress.history),
                                    list(progress.history), str(best) if best else None,
                                    str(run.last_model_path)))
    return TrainResult(status, message, run, model, progress.history,
                       progress.best_weights, state.prepared, state.dist)


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

    shape, classes, binary = model_task(model)
    if classes != dataset.num_classes:
        raise TrainingError(f"{run.path}: the model has {classes} classes and {dataset.name} "
                            f"has {dataset.num_classes}; use transfer learning instead")
    prepared = PreparedModel(model, tuple(shape), binary, notes,
                             cfg.get("architecture", {"key": model.name}))
    history = run.history()
    return train(prepared, dataset, config, on_event=on_event, stop=stop, run=run,
                 initial_epoch=len(history), history=history)
