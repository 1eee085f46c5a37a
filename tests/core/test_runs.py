"""Saved runs on disk: atomic writes, listing, interrupted runs, deletion (no TensorFlow)."""

import json
from pathlib import Path

import pytest

from cnnexplorer.core.train import runs
from cnnexplorer.core.errors import ConfigError, ModelFileError


def test_failed_write_leaves_the_old_file_intact(tmp_path, monkeypatch):
    target = tmp_path / "history.json"
    runs.atomic_write_json(target, [{"loss": 1.0}])
    real_write = Path.write_bytes

    def half_written(self, data):  # the disk fills up halfway through
        real_write(self, data[: len(data) // 2])
        raise OSError("No space left on device")

    monkeypatch.setattr(Path, "write_bytes", half_written)
    with pytest.raises(OSError, match="No space left"):
        runs.atomic_write_json(target, [{"loss": 1.0}, {"loss": 0.5}])
    monkeypatch.undo()
    assert json.loads(target.read_text()) == [{"loss": 1.0}]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.json"]


def test_create_list_open_status_delete(tmp_path):
    a = runs.create_run({"architecture": {"key": "happymodel"}, "dataset": {"name": "d"}},
                        name="happymodel_d")
    b = runs.create_run({"architecture": {"key": "lenet5"}}, name="lenet5 / digits?")
    assert [r.path for r in runs.list_runs()] == sorted([a.path, b.path])
    assert "lenet5-digits" in b.name and "/" not in b.name
    assert a.status()["status"] == "running"
    a.write_history([{"loss": 0.5, "accuracy": 0.8}])
    a.set_status("finished", "1 epochs")
    s = runs.open_run(a.path).summary()
    assert s["status"] == "finished" and s["epochs_run"] == 1 and s["accuracy"] == 0.8
    with pytest.raises(ConfigError, match="run status must be one of"):
        a.set_status("exploded")
    with pytest.raises(ModelFileError, match="no saved model yet"):
        a.model_path()
    # a run left "running" by a process that is gone reads as stopped (interrupted)
    st = json.loads((b.path / "status.json").read_text())
    st["pid"] = 2 ** 22 + 12345  # beyond pid_max on Linux: never alive
    (b.path / "status.json").write_text(json.dumps(st))
    assert b.status()["status"] == "stopped" and "interrupted" in b.status()["message"]
    b.delete()
    assert [r.path for r in runs.list_runs()] == [a.path]
    with pytest.raises(ConfigError, match="not a training run"):
        runs.open_run(tmp_path)


def test_out_folder_must_be_new_or_empty(tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x.txt").write_text("x")
    with pytest.raises(ConfigError, match="exists and is not empty"):
        runs.create_run({}, path=tmp_path / "used")
    run = runs.create_run({}, path=tmp_path / "fresh")
    assert (run.path / "config.json").is_file()
