"""`cnnexplorer train --resume` (issue 19): --epochs is the run's total and is honoured, the
settings it cannot change are refused instead of ignored, and a live run is not resumed."""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from cnnexplorer.cli import main
from cnnexplorer.core.train import runs
from kill_points import killed_when_removing

ARGS = ["--batch-size", "16", "--lr", "0.01", "--validation-split", "0", "--set", "filters=4",
        "--set", "kernel=3"]


@pytest.fixture(scope="module")
def interrupted(tmp_path_factory):
    """A 2-epoch run killed as its finished training removes the backup (epoch 2 in it)."""
    folder = tmp_path_factory.mktemp("resume")
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 64)
    x = (rng.random((64, 12, 12, 3)) * 60).astype(np.uint8)
    x[y == 1, 2:6, 2:6, :] += 160
    np.savez(folder / "d.npz", x_train=x, y_train=y)
    with killed_when_removing("backup"):
        main(["train", "happymodel", str(folder / "d.npz"), "--epochs", "2", *ARGS,
              "--out", str(folder / "run")])
    (folder / "run" / "status.json").write_text(json.dumps({"status": "running",
                                                          "pid": 2**31 - 2}))
    return folder / "run"


def _copy(run, tmp_path):
    shutil.copytree(run, tmp_path / "run")
    return tmp_path / "run"


def test_resume_refuses_settings_it_cannot_change(interrupted, capsys):
    for flags, named in ((["--lr", "0.5"], "--lr"), (["--batch-size", "8"], "--batch-size"),
                         (["--set", "filters=8"], "--set")):
        assert main(["train", "--resume", str(interrupted), *flags]) == 2
        err = capsys.readouterr().err
        assert f"{named} cannot change" in err and len(err.strip().splitlines()) == 1


def test_resume_honours_epochs_as_the_total(interrupted, tmp_path, capsys):
    run = _copy(interrupted, tmp_path)
    assert main(["train", "--resume", str(run), "--epochs", "1"]) == 2
    assert "trained 2 epochs already; --epochs (the run's total) must be at least 2" in \
        capsys.readouterr().err
    assert (run / "backup").is_dir()  # nothing changed: still resumable
    assert main(["train", "--resume", str(run), "--epochs", "3", "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [d["epoch"] for d in lines[:-1]] == [3] and lines[-1]["epochs_run"] == 3
    assert len(runs.Run(run).history()) == 3


def test_a_second_train_on_a_live_run_is_refused_naming_its_pid(interrupted, tmp_path, capsys):
    run = _copy(interrupted, tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import time\n"
         "from cnnexplorer.core.train.run_lock import RunLock\n"
         f"lock = RunLock({str(run)!r}); print('locked', flush=True); time.sleep(300)"],
        stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(__file__))})
    try:
        assert holder.stdout.readline().strip() == "locked"
        before = sorted(p.name for p in (run / "backup").iterdir())
        assert main(["train", "--resume", str(run)]) == 2
        err = capsys.readouterr().err
        assert f"being trained by process {holder.pid}" in err
        assert sorted(p.name for p in (run / "backup").iterdir()) == before
    finally:
        holder.kill()
        holder.wait()
