"""Resuming an interrupted run loses nothing (issue 19, severe 1): the weights saved are the
ones restored from the backup or trained after it, never the initial ones; a backup that
cannot be restored changes nothing and says why."""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from cnnexplorer.core.errors import ConfigError, TrainingError
from cnnexplorer.core.keras.model_io import load_model
from cnnexplorer.core.train import runs
from cnnexplorer.core.train.engine import ArchSpec, TrainConfig, train
from cnnexplorer.core.train.events import EpochEnd

from separable_data import TINY, separable
from kill_points import Killed, killed_when_removing

CONFIG = TrainConfig(epochs=3, batch_size=16, learning_rate=0.01, validation_split=0)


@pytest.fixture(scope="module")
def killed_after_last_backup(tmp_path_factory):
    """A 3-epoch run killed while its finished training removes the backup (the moment of
    the issue's strace reproduction): the backup holds epoch 3; no last.keras yet."""
    out = tmp_path_factory.mktemp("killed") / "run"
    with killed_when_removing("backup"):
        train(TINY, separable(), CONFIG, out=out, checkpoint_interval_s=1e9)
    backup = out / "backup"
    assert json.loads((backup / "training_metadata.json").read_text())["epoch"] == 3
    return out


def _copy(src, tmp_path):
    dest = tmp_path / "run"
    shutil.copytree(src, dest)
    (dest / "status.json").write_text(json.dumps({"status": "running", "pid": 2**31 - 2}))
    return dest


def _backup_weights(run_dir, name="latest.weights.h5"):
    model = load_model(run_dir / "last.keras") if (run_dir / "last.keras").exists() else None
    if model is None:
        from cnnexplorer.core.keras.model_setup import prepare_model

        model = prepare_model(TINY, separable(), seed=0).model
    model.load_weights(str(run_dir / "backup" / name))
    return [w.copy() for w in model.get_weights()]


def _snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_a_run_killed_after_its_last_backup_saves_the_trained_weights(
        killed_after_last_backup, tmp_path):
    out = _copy(killed_after_last_backup, tmp_path)
    trained = _backup_weights(out)
    res = train(TINY, separable(), CONFIG, out=out)
    assert res.status == "finished" and res.epochs_run == 3, res.message
    for which in ("last", "best"):
        saved = runs.Run(out).load_model(which).get_weights()
        for a, b in zip(saved, trained):
            np.testing.assert_array_equal(a, b)
    assert len(runs.Run(out).history()) == 3
    assert not (out / "backup").exists()  # removed once last.keras holds the same


def test_more_epochs_go_on_from_the_restored_epoch(killed_after_last_backup, tmp_path):
    out = _copy(killed_after_last_backup, tmp_path)
    res = train(TINY, separable(), TrainConfig(**{**CONFIG.to_dict(), "epochs": 4}), out=out)
    assert res.status == "finished" and res.epochs_run == 4
    assert runs.Run(out).config()["train"]["epochs"] == 4  # the next resume's total
    with pytest.raises(TrainingError, match="trained 3 epochs already.*at least 3"):
        out2 = _copy(killed_after_last_backup, tmp_path / "b")
        train(TINY, separable(), TrainConfig(**{**CONFIG.to_dict(), "epochs": 2}), out=out2)


@pytest.mark.parametrize("damage, fallback", [
    ("empty_metadata", True), ("truncated_weights", True),
    ("empty_metadata_both", False), ("other_architecture", False),
    ("truncated_both", False), ("epoch_x", False), ("epoch_negative", False),
    ("epoch_huge", False), ("history_not_dicts", False)])
def test_a_damaged_backup_falls_back_or_changes_nothing(
        killed_after_last_backup, tmp_path, damage, fallback):
    out = _copy(killed_after_last_backup, tmp_path)
    backup = out / "backup"
    meta, weights = backup / "training_metadata.json", backup / "latest.weights.h5"
    if damage.startswith("empty_metadata"):
        meta.write_text("")
        if damage.endswith("both"):
            (backup / "training_metadata.json.bkp").write_text("")
    elif damage.startswith("truncated"):
        for w in [weights] + ([backup / "latest.weights.h5.bkp"] if "both" in damage else []):
            data = w.read_bytes()
            w.write_bytes(data[:len(data) // 2])
    elif damage == "other_architecture":
        from cnnexplorer.core.keras.model_setup import prepare_model

        other = prepare_model(ArchSpec("happymodel", {"filters": 6, "kernel": 3}),
                              separable(), seed=0).model
        other.save_weights(str(tmp_path / "other.weights.h5"))
        for w in (weights, backup / "latest.weights.h5.bkp"):
            shutil.copyfile(tmp_path / "other.weights.h5", w)
    elif damage.startswith("epoch_"):
        value = {"epoch_x": "x", "epoch_negative": -50, "epoch_huge": 10**9}[damage]
        for m in (meta, backup / "training_metadata.json.bkp"):
            m.write_text(json.dumps({"epoch": value, "batch": 0}))
    elif damage == "history_not_dicts":
        (backup / "history.json").write_text("[1, 2, 3]")
    before = _snapshot(out)
    if fallback:  # the previous copy (epoch 2) is whole: epoch 3 is trained again
        events = []
        res = train(TINY, separable(), CONFIG, out=out, on_event=events.append)
        assert res.status == "finished" and res.epochs_run == 3
        assert any("previous copy (epoch 2)" in n for n in events[0].notes), events[0].notes
        assert [e.epoch for e in events if isinstance(e, EpochEnd)] == [2]
        return
    with pytest.raises((TrainingError, ConfigError), match="cannot resume|not a training history"):
        train(TINY, separable(), CONFIG, out=out)
    after = _snapshot(out)
    after.pop(runs.Path(".train.lock"), None)
    before.pop(runs.Path(".train.lock"), None)
    assert after == before  # nothing changed: not the models, not the backup, not the history


def test_a_resume_without_backup_goes_on_from_last_keras(killed_after_last_backup, tmp_path):
    """A run that still reads "running" but has no backup resumes from last.keras and its
    history, never from fresh weights (a trained last.keras was overwritten)."""
    first = train(TINY, separable(), CONFIG, out=tmp_path / "done")
    out = tmp_path / "done"
    run = runs.Run(out)
    # weights no fresh training reproduces (training is seeded: it would match the saved ones)
    model = run.load_model("last")
    model.set_weights([w + 0.25 for w in model.get_weights()])
    run.save_model(model, "last")
    trained = [w.copy() for w in model.get_weights()]
    (out / "status.json").write_text(json.dumps({"status": "running", "pid": 2**31 - 2}))
    assert runs.resumable(out) and first.epochs_run == 3
    events = []
    res = train(TINY, separable(), CONFIG, out=out, on_event=events.append)
    assert res.status == "finished" and res.epochs_run == 3
    assert not [e for e in events if isinstance(e, EpochEnd)]  # nothing left to train
    for a, b in zip(run.load_model("last").get_weights(), trained):
        np.testing.assert_array_equal(a, b)


def test_a_live_run_is_locked_and_a_dead_ones_lock_taken_over(tmp_path):
    from cnnexplorer.core.train.run_lock import RunLock

    folder = tmp_path / "run"
    folder.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\n"
         "from cnnexplorer.core.train.run_lock import RunLock\n"
         f"lock = RunLock({str(folder)!r}); print('locked', flush=True); time.sleep(120)"],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": os.getcwd()})
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(TrainingError, match=f"being trained by process {holder.pid}"):
            RunLock(folder)
    finally:
        holder.kill()
        holder.wait()
    with RunLock(folder) as lock:  # the dead holder's lock is taken over
        assert lock.path.read_text().strip() == str(os.getpid())


def test_a_run_killed_during_its_final_save_resumes_from_its_backup(tmp_path, monkeypatch):
    """The backup stays until last.keras, best.keras and history.json are written."""
    out = tmp_path / "run"

    def dying_save(self, model, which="last"):
        raise Killed()

    with monkeypatch.context() as patch:
        patch.setattr(runs.Run, "save_model", dying_save)
        with pytest.raises(Killed):
            train(TINY, separable(), CONFIG, out=out, checkpoint_interval_s=1e9)
    assert not (out / "last.keras").exists() and (out / "backup").is_dir()
    trained = _backup_weights(out)
    res = train(TINY, separable(), CONFIG, out=out)
    assert res.status == "finished" and res.epochs_run == 3
    for a, b in zip(runs.Run(out).load_model("last").get_weights(), trained):
        np.testing.assert_array_equal(a, b)


def test_tampered_status_and_history_are_our_errors(tmp_path):
    """A status pid of 10**23 reads "stopped" (no OverflowError); a history of [1, 2, 3] is
    "not a training history" (exit 2), not an AttributeError later."""
    run = runs.create_run({"train": CONFIG.to_dict(), "architecture": {"key": "happymodel"},
                           "dataset": {"name": "x"}}, path=tmp_path / "run")
    (run.path / "status.json").write_text(json.dumps({"status": "running", "pid": 10**23}))
    assert run.status()["status"] == "stopped" and runs.resumable(run.path)
    (run.path / "history.json").write_text("[1, 2, 3]")
    with pytest.raises(ConfigError, match="history.json: not a training history"):
        run.summary()
