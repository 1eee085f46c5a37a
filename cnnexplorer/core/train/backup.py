"""Resuming an interrupted run: its backup restored by us, checked, before training starts.

Keras' `BackupAndRestore` writes the run's state at every epoch end (`backup/latest.weights.h5`
with the optimizer, `backup/training_metadata.json` with the epoch, and with
`double_checkpoint` the previous pair as `.bkp`). Its own restore runs inside `fit`, after the
engine has taken the model's weights as "good", and it deletes the backup as soon as `fit`
returns; a run killed after its last backup then saved its *initial* weights as last.keras
and best.keras (issue 19). Its fallback to the previous pair only catches `OSError`, so an
empty metadata file (Keras writes it in place), weights of another architecture or weights
truncated by a full disk (h5py raises `RuntimeError`) ended the run or lost it.

So the engine restores the backup itself, before `fit`, and `fit` only writes backups
(`RunBackup`): the latest pair, else the previous pair, each checked as a whole (the epoch a
whole number within what the backup's history lists and what the run trains, the weights
loading into this very model). When neither can be restored, `TrainingError` says why and
nothing in the run folder has changed. The backup is removed by the engine only once
last.keras, best.keras and history.json hold what it held.
"""

from __future__ import annotations

import json
import os
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from cnnexplorer.core.disk_full import (collect_failed_writes, disk_full_path, failed_inside_hdf5,
                                        model_bytes, quiet_failed_writes, require_space)
from cnnexplorer.core.errors import CnnExplorerError, TrainingError
from cnnexplorer.core.safe_files import check_regular, read_text

WEIGHTS = "latest.weights.h5"
METADATA = "training_metadata.json"
PREVIOUS = ".bkp"  # Keras' suffix for the previous pair (double_checkpoint)


@dataclass
class Restored:
    """Where a resumed run goes on from."""

    epoch: int  # epochs the restored weights hold
    history: list  # one metrics dict per epoch, `epoch` of them
    source: str  # "backup", "previous backup", "last.keras" or "nothing saved yet"
    notes: list = field(default_factory=list)  # what the user should know (a fallback)


def restore(run, model, total_epochs: int, scope) -> Restored:
    """Put the state of interrupted `run` into `model` (compiled, built); what it holds.

    Args:
        run: the `runs.Run` to resume.
        model: the freshly built model of the run's own architecture.
        total_epochs: the epochs the run trains in all (its settings, or --epochs).
        scope: the distribution scope the optimizer's variables live in.
    Raises:
        TrainingError: nothing restorable (why, and what the user can do); the run folder
            is unchanged.
    """
    backup = run.backup_path
    # the metadata is written after the weights: without it no backup was completed (the
    # first one failed, a full disk), and the run goes on from its own saved files
    if any((backup / name).exists() for name in (METADATA, METADATA + PREVIOUS)):
        history = run.backup_history()
        problems = []
        for suffix, source in (("", "backup"), (PREVIOUS, "previous backup")):
            try:
                epoch = _restore_pair(backup, suffix, model, len(history), scope)
            except CnnExplorerError as exc:
                problems.append(str(exc))
                continue
            notes = [] if not problems else [
                f"resumed from the backup's previous copy (epoch {epoch}): {problems[0]}"]
            return _checked(run, Restored(epoch, history[:epoch], source, notes),
                            total_epochs)
        raise TrainingError(
            f"{run.path}: cannot resume: {'; '.join(problems)}. Nothing was changed; delete "
            f"{backup} to go on from last.keras ({len(_saved_history(run))} epochs), or "
            f"train afresh with another --out")
    return _checked(run, _restore_saved(run, model, scope), total_epochs)


def _checked(run, restored: Restored, total_epochs: int) -> Restored:
    if restored.epoch > total_epochs:
        raise TrainingError(f"{run.path}: the run has trained {restored.epoch} epochs already; "
                            f"--epochs (the run's total) must be at least {restored.epoch}; "
                            f"received {total_epochs}")
    return restored


def _restore_pair(backup: Path, suffix: str, model, listed: int, scope) -> int:
    """Load one weights + metadata pair into `model`; the epoch it holds."""
    weights, metadata = backup / (WEIGHTS + suffix), backup / (METADATA + suffix)
    for path in (weights, metadata):
        if not path.exists():
            raise TrainingError(f"{path.name} is missing")
    text = read_text(metadata, TrainingError, what="a backup's metadata")
    try:
        epoch = json.loads(text)["epoch"]
    except (ValueError, KeyError, TypeError, RecursionError):
        raise TrainingError(f"{metadata.name} is not the JSON Keras writes "
                            f"(received {text[:80]!r})") from None
    if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
        raise TrainingError(f"{metadata.name}: the epoch must be a whole number from 0; "
                            f"received {epoch!r}"[:300])
    if epoch > listed:
        raise TrainingError(f"{metadata.name} says epoch {epoch}, but the backup's history "
                            f"lists {listed} epochs")
    check_regular(weights, TrainingError, what="a weights file")
    _load_weights(model, weights, scope)
    return epoch


def _load_weights(model, path: Path, scope) -> None:
    """Keras' own restore (optimizer built first, so its state loads too); any failure of
    h5py or Keras (truncated: RuntimeError/OSError; another architecture: ValueError) is
    ours to word."""
    with tempfile.TemporaryDirectory(prefix="cnnexplorer-restore-") as tmp:
        # Keras loads only names ending .weights.h5: the previous copy (.bkp) via a link
        named = path if path.name.endswith(".weights.h5") else Path(tmp) / "previous.weights.h5"
        try:
            if named != path:
                os.symlink(path.resolve(), named)
            with scope(), warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                if model.optimizer is not None and not model.optimizer.built:
                    model.optimizer.build(model.trainable_variables)
                model.load_weights(str(named))
            # Keras only warns when a part of the file does not fit the model (and leaves
            # that part at its initial weights): for a restore, that is a failure
            skipped = [str(w.message) for w in caught if str(w.message).startswith("Skipping")]
            if skipped:
                raise ValueError(skipped[0])
        except Exception as exc:  # noqa: BLE001 - h5py and Keras raise many kinds here
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
            raise TrainingError(f"{path.name} cannot be loaded into this model "
                                f"({type(exc).__name__}: {first})") from None


def _saved_history(run) -> list:
    try:
        return run.history()
    except CnnExplorerError:
        return []


def _restore_saved(run, model, scope) -> Restored:
    """No backup (killed before the first epoch ended, or a run that still reads "running"):
    go on from last.keras and the history written with it."""
    history = run.history()
    if not run.last_model_path.exists():
        if history:
            raise TrainingError(f"{run.path}: history.json lists {len(history)} epochs but "
                                f"last.keras is missing; nothing was changed (train afresh "
                                f"with another --out)")
        return Restored(0, [], "nothing saved yet")
    saved = run.load_model("last")
    ours, theirs = model.get_weights(), saved.get_weights()
    if len(ours) != len(theirs) or any(a.shape != b.shape for a, b in zip(ours, theirs)):
        raise TrainingError(f"{run.last_model_path}: holds another architecture than the "
                            f"run's config.json; nothing was changed")
    with scope():
        model.set_weights(theirs)
    return Restored(len(history), history, "last.keras")


_RUN_BACKUP_CLASS = None


def RunBackup(keras, backup: Path):  # noqa: N802 - stands for the class it makes
    """Keras' BackupAndRestore writing the run's backup at every epoch end (both copies),
    restoring nothing (`restore` did, before fit) and deleting nothing (the engine does,
    once the run's own files hold the same)."""
    global _RUN_BACKUP_CLASS
    if _RUN_BACKUP_CLASS is None:
        class _RunBackup(keras.callbacks.BackupAndRestore):
            def on_train_begin(self, logs=None):
                pass

            def on_train_end(self, logs=None):
                pass

            def _save_model(self):
                where, inside = None, False
                with quiet_failed_writes():
                    try:
                        # the previous copy is made, then the latest rewritten in place
                        require_space(backup.parent, model_bytes(self.model), copies=2)
                        super()._save_model()
                    except Exception as exc:  # noqa: BLE001 - a full disk is ours to say
                        where = disk_full_path(exc, str(backup))
                        if where is None:
                            raise
                        inside = failed_inside_hdf5(exc)
                if where is not None:
                    collect_failed_writes(inside_hdf5=inside)
                    # the previous copy (.bkp) is whole: a resume falls back to it
                    raise TrainingError(f"the disk is full ({where})")

        _RUN_BACKUP_CLASS = _RunBackup
    return _RUN_BACKUP_CLASS(str(backup), double_checkpoint=True, delete_checkpoint=False)
