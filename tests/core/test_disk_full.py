"""A full disk (issue 19, severe 9): "the disk is full (PATH)", exit 2, and the run stays
resumable; never an internal error or a crash. The disk is simulated by what
`shutil.disk_usage` reports (the check that runs before any HDF5 write) and by ENOSPC
raised from the writes themselves."""

import errno

import numpy as np
import pytest

from cnnexplorer.cli import main
from cnnexplorer.core import disk_full
from cnnexplorer.core.errors import ConfigError
from cnnexplorer.core.train import runs
from cnnexplorer.core.train.engine import TrainConfig, train
from cnnexplorer.core.train.events import EpochEnd

from separable_data import TINY, separable

CONFIG = TrainConfig(epochs=3, batch_size=16, learning_rate=0.01, validation_split=0)


class _Usage:
    def __init__(self, free):
        self.total, self.used, self.free = 10**9, 10**9 - free, free


def test_a_disk_that_fills_during_training_leaves_a_resumable_run(tmp_path, monkeypatch):
    out = tmp_path / "run"
    epochs_seen = []

    def usage(path):  # room for epoch 1's backup; 100 KB once epoch 2 ended
        return _Usage(100_000 if len(epochs_seen) >= 2 else 10**9)

    def on_event(e):
        if isinstance(e, EpochEnd):
            epochs_seen.append(e.epoch)

    with monkeypatch.context() as patch:
        patch.setattr(disk_full.shutil, "disk_usage", usage)
        res = train(TINY, separable(), CONFIG, out=out, on_event=on_event)
    assert res.status == "failed" and res.message.startswith(f"the disk is full ({out}")
    assert f"cnnexplorer train --resume {out}" in res.message
    assert runs.resumable(out) and (out / "backup").is_dir()
    assert "after 2 epochs" in res.message
    events = []
    again = train(TINY, separable(), CONFIG, out=out, on_event=events.append)
    assert again.status == "finished" and again.epochs_run == 3
    assert [e.epoch for e in events if isinstance(e, EpochEnd)] == [1, 2]  # from epoch 1's



def test_enospc_from_a_write_is_the_disk_is_full(tmp_path, monkeypatch):
    """Our own JSON writes (status, history) failing with ENOSPC mid-training."""
    out = tmp_path / "run"
    real = runs.atomic_write_bytes
    calls = []

    def failing(path, data):
        calls.append(path)
        if path.name == "history.json" and path.parent.name == "backup":
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(path, data)

    monkeypatch.setattr(runs, "atomic_write_bytes", failing)
    res = train(TINY, separable(), CONFIG, out=out)
    assert res.status == "failed"
    assert res.message.startswith(f"the disk is full ({out / 'backup' / 'history.json'})")


def test_hdf5s_disk_full_message_names_the_file():
    exc = RuntimeError("Can't decrement id ref count (file write failed: time = x, "
                       "filename = '/r/backup/latest.weights.h5', file descriptor = 4, "
                       "errno = 28, error message = 'No space left on device')")
    wrapped = ValueError("saving failed")
    wrapped.__context__ = exc
    assert disk_full.disk_full_path(wrapped) == "/r/backup/latest.weights.h5"
    assert disk_full.disk_full_path(ValueError("shapes differ")) is None


@pytest.mark.parametrize("variable, folder", [("CNNEXPLORER_HOME", "data"),
                                              ("XDG_DATA_HOME", "cnnexplorer")])
def test_a_runs_folder_that_cannot_be_made_is_named(tmp_path, monkeypatch, capsys, variable,
                                                    folder):
    """Read-only or full places for the user's data: exit 2 naming the folder (root ignores
    permissions, so the refusal is simulated where the folder is made)."""
    if variable == "XDG_DATA_HOME":
        monkeypatch.delenv("CNNEXPLORER_HOME")
    monkeypatch.setenv(variable, str(tmp_path / "ro"))
    real_mkdir = type(tmp_path).mkdir

    def read_only(self, *args, **kwargs):
        if str(self).startswith(str(tmp_path / "ro")):
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(type(tmp_path), "mkdir", read_only)
    with pytest.raises(ConfigError, match=rf"cannot create the data folder \(from {variable}"
                                          rf" or the default\) {tmp_path / 'ro'}.*read-only"):
        runs.create_run({"train": {}}, name="x")
    np_file = tmp_path / "d.npz"
    np.savez(np_file, x_train=np.zeros((40, 12, 12, 3), np.uint8), y_train=np.arange(40) % 2)
    assert main(["train", "happymodel", str(np_file), "--epochs", "1"]) == 2
    err = capsys.readouterr().err
    assert "read-only" in err and str(tmp_path / "ro") in err and "internal error" not in err


def test_a_cache_folder_that_cannot_be_made_is_named(tmp_path, monkeypatch):
    from cnnexplorer import paths

    monkeypatch.delenv("CNNEXPLORER_HOME")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "ro"))
    real_mkdir = type(tmp_path).mkdir

    def read_only(self, *args, **kwargs):
        if str(self).startswith(str(tmp_path / "ro")):
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(type(tmp_path), "mkdir", read_only)
    with pytest.raises(ConfigError, match=r"cannot create the cache folder \(from "
                                          r"XDG_CACHE_HOME or the default\) .*read-only"):
        paths.cache_dir()
