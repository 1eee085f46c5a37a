"""Hostile model files, empty data and killed runs (issue 12, items 6, 10, 12)."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hostile_samples import fifo, keras_zip_bomb, release_fifo

from cnnexplorer.core.data.base import Dataset
from cnnexplorer.core.errors import ModelFileError, TrainingError
from cnnexplorer.core.keras import model_io
from cnnexplorer.core.train import runs
from cnnexplorer.core.train.engine import ArchSpec, TrainConfig, train
from cnnexplorer.core.train.evaluation import evaluate
from cnnexplorer.core.train.events import EpochEnd

TINY = ArchSpec("happymodel", {"filters": 4, "kernel": 3, "padding": 1})


def _data(n=24, size=16, test=8):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 255, (n + test, size, size, 3), dtype=np.uint8)
    y = (np.arange(n + test) % 2).astype(np.int64)
    return Dataset("tiny", ["a", "b"], x[:n], y[:n], x[n:], y[n:])


# -- item 6: a .keras zip bomb ---------------------------------------------------------------
def test_a_keras_zip_bomb_is_refused_before_keras_opens_it(tmp_path, monkeypatch):
    keras = pytest.importorskip("keras")
    opened = []
    monkeypatch.setattr(keras.models, "load_model", lambda *a, **k: opened.append(a))
    path = keras_zip_bomb(tmp_path / "bomb.keras")
    assert path.stat().st_size < 2 * 2**20
    with pytest.raises(ModelFileError, match="config.json.*refused"):
        model_io.load_model(path)
    assert opened == []


def test_a_model_path_that_is_a_fifo_or_a_device_is_refused(tmp_path):
    pipe = fifo(tmp_path / "model.keras")
    try:
        with pytest.raises(ModelFileError, match="named pipe"):
            model_io.load_model(pipe)
    finally:
        release_fifo(pipe)
    with pytest.raises(ModelFileError, match="no such model file"):
        model_io.load_model(tmp_path / "missing.keras")


# -- item 10: nothing to train on, nothing to evaluate ---------------------------------------
def test_training_on_zero_images_is_refused_clearly(tmp_path):
    empty = Dataset("empty", ["a", "b"], np.zeros((0, 16, 16, 3), np.uint8),
                    np.zeros(0, np.int64))
    with pytest.raises(TrainingError, match="no training images"):
        train(TINY, empty, TrainConfig(epochs=1), out=tmp_path / "run")
    assert not (tmp_path / "run" / "last.keras").exists()


def test_evaluating_zero_samples_or_a_non_image_model_is_refused_clearly():
    from cnnexplorer.core.keras.build import build_keras_model, import_keras
    from cnnexplorer.core.arch.zoo import registry

    model = build_keras_model(registry.build("happymodel", input_shape=(16, 16, 3), filters=4,
                                             kernel=3, padding=1), seed=0)
    empty = Dataset("empty", ["a", "b"], np.zeros((0, 16, 16, 3), np.uint8),
                    np.zeros(0, np.int64))
    with pytest.raises(TrainingError, match="no images"):
        evaluate(model, empty)
    keras = import_keras()
    inp = keras.Input((10,))
    flat = keras.Model(inp, keras.layers.Dense(2, activation="softmax")(inp))
    with pytest.raises(TrainingError, match=r"\(10,\).*not.*images"):
        evaluate(flat, _data())


# -- item 12: after kill -9 ------------------------------------------------------------------
class _Killed(BaseException):
    """Stands for kill -9: nothing after it runs (train's clean-up included)."""


def test_after_a_kill_the_history_lists_only_what_last_keras_holds(tmp_path):
    def kill_after_third_epoch(event):
        if isinstance(event, EpochEnd) and event.epoch == 2:
            raise _Killed

    with pytest.raises(_Killed):
        # the checkpoint interval is long: epochs 1-3 are done but no model is saved yet
        train(TINY, _data(), TrainConfig(epochs=5, batch_size=8), out=tmp_path / "run",
              on_event=kill_after_third_epoch, checkpoint_interval_s=1e9)
    run = runs.open_run(tmp_path / "run")
    assert not run.last_model_path.exists()
    assert run.history() == []  # before: three epochs that no saved model holds


def test_with_checkpoints_the_history_matches_the_saved_model(tmp_path):
    def kill_after_second_epoch(event):
        if isinstance(event, EpochEnd) and event.epoch == 1:
            raise _Killed

    with pytest.raises(_Killed):
        train(TINY, _data(), TrainConfig(epochs=4, batch_size=8), out=tmp_path / "run",
              on_event=kill_after_second_epoch, checkpoint_interval_s=0)
    run = runs.open_run(tmp_path / "run")
    assert run.last_model_path.exists() and len(run.history()) == 2


def _dead_pid() -> int:
    pid = 4_000_000
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            pass
        pid += 1


def test_stale_temporary_models_are_cleaned_on_the_next_start(tmp_path):
    run = runs.create_run({"train": {}}, path=tmp_path / "run")
    stale = run.path / f".last.{_dead_pid()}.k2j4x8a1.tmp.keras"
    stale_best = run.path / f".best.{_dead_pid()}.q9w8e7r6.tmp.keras"
    alive = run.path / f".last.{os.getpid()}.abcdefgh.tmp.keras"
    for p in (stale, stale_best, alive):
        p.write_bytes(b"half a model")
    stale_json = run.path / f".history.json.{_dead_pid()}.x1y2z3w4.tmp"
    old_style = run.path / ".status.json.abcd1234.tmp"  # no pid: stale after an hour
    for p in (stale_json, old_style):
        p.write_text("{")
    os.utime(old_style, (0, 0))
    other = run.path / "notes.tmp.keras.txt"
    other.write_text("not ours")
    hidden = run.path / ".mine.tmp"  # a name tempfile did not make: never touched
    hidden.write_text("not ours either")
    os.utime(hidden, (0, 0))
    runs.open_run(run.path)
    assert not stale.exists() and not stale_best.exists()
    assert not stale_json.exists() and not old_style.exists()
    assert alive.exists() and other.exists()  # a save in progress is never touched
    assert hidden.exists()
    alive.unlink()
    alive.write_bytes(b"x")
    assert runs.list_runs(tmp_path) and alive.exists()
