"""Training on tf.distribute: the choice and its description, two CPU workers on localhost
(TF_CONFIG) training one run, and a killed run resuming from its backup."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cnnexplorer.core.errors import ConfigError
from cnnexplorer.core.train import distribute, runs
from cnnexplorer.core.train.config import TrainConfig

REPO = Path(__file__).resolve().parents[2]
TINY_ARGS = ["--set", "filters=4", "--set", "kernel=3", "--batch-size", "16", "--lr", "0.01",
             "--validation-split", "0"]


def test_plan_says_devices_and_both_batches():
    assert distribute.plan("auto", 0, 32) == "CPU: batch 32 per replica, 32 per step"
    assert distribute.plan("auto", 1, 16) == "GPU: batch 16 per replica, 16 per step"
    assert distribute.plan("auto", 2, 32) == \
        "2 x GPU, mirrored: batch 32 per replica, 64 per step"
    assert distribute.plan("none", 2, 8) == "GPU: batch 8 per replica, 8 per step"
    env = {"TF_CONFIG": json.dumps({"cluster": {"worker": ["a:1", "b:2", "c:3"]},
                                    "task": {"type": "worker", "index": 2}})}
    assert distribute.plan("multiworker", 0, 10, env) == \
        "3 workers, 3 x CPU, multi-worker: batch 10 per replica, 30 per step"
    assert "needs TF_CONFIG" in distribute.plan("multiworker", 0, 10, {})


def test_cluster_and_choice_errors_name_the_value():
    env = {"TF_CONFIG": json.dumps({"cluster": {"chief": ["a:1"], "worker": ["b:2"]},
                                    "task": {"type": "worker", "index": 0}})}
    assert distribute.cluster_from_env(env) == (2, 1)
    with pytest.raises(ConfigError, match="TF_CONFIG is not valid.*received '{oops'"):
        distribute.cluster_from_env({"TF_CONFIG": "{oops"})
    with pytest.raises(ConfigError, match="needs the TF_CONFIG variable"):
        distribute.cluster_from_env({})
    with pytest.raises(ConfigError, match="distribution must be one of auto, none, mirrored, "
                                          "multiworker; received 'tpu'"):
        TrainConfig(distribute="tpu")


def test_auto_on_one_device_is_the_plain_path():
    dist = distribute.resolve("auto")
    from cnnexplorer.core.keras.device import configure

    if configure().gpus > 1:
        pytest.skip("more than one GPU: auto mirrors")
    assert dist.kind == "none" and dist.strategy is None and dist.replicas == 1
    assert dist.global_batch(32) == 32 and dist.is_chief


def _npz(tmp_path, n=96):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, n)
    x = (rng.random((n, 12, 12, 3)) * 60).astype(np.uint8)
    x[y == 1, 2:6, 2:6, :] += 160
    path = tmp_path / "tiny.npz"
    np.savez(path, x_train=x, y_train=y)
    return path


def _env(tmp_path, **extra):
    env = {**os.environ, "CNNEXPLORER_HOME": str(tmp_path / "home"),
           "TMPDIR": str(tmp_path / "tmp"), "PYTHONPATH": str(REPO),
           "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": "-1", **extra}
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return env


def _final(stdout: str) -> dict:
    return json.loads(stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_two_cpu_workers_train_one_run(tmp_path):
    data, out = _npz(tmp_path), tmp_path / "run"
    hosts = distribute.local_cluster(2)
    procs = []
    for index in range(2):
        tf_config = json.dumps({"cluster": {"worker": hosts},
                                "task": {"type": "worker", "index": index}})
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "cnnexplorer", "train", "happymodel", str(data),
             "--epochs", "2", "--distribute", "multiworker", "--out", str(out), "--json",
             *TINY_ARGS], env=_env(tmp_path, TF_CONFIG=tf_config), cwd=tmp_path,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    results = []
    try:
        for p in procs:
            stdout, stderr = p.communicate(timeout=600)
            assert p.returncode == 0, stderr[-3000:]
            results.append(_final(stdout))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    chief, other = results
    assert chief["run_dir"] == str(out) and other["run_dir"] is None
    assert (chief["replicas"], chief["workers"]) == (2, 2) == (other["replicas"],
                                                               other["workers"])
    assert chief["weights_digest"] == other["weights_digest"]  # synchronous training
    run = runs.open_run(out)
    assert len(run.history()) == 2 and run.status()["status"] == "finished"
    assert not run.backup_path.exists()
    assert run.load_model("last").count_params() > 0
    # the other worker's temporary run folder is gone, and no run landed anywhere else
    assert list((tmp_path / "tmp").glob("cnnexplorer-worker*")) == []
    assert runs.list_runs(tmp_path / "home" / "data" / "runs") == []


@pytest.mark.slow
def test_a_killed_run_resumes_at_the_next_epoch(tmp_path):
    data, out = _npz(tmp_path), tmp_path / "run"
    # train in a child that kills itself at the first batch of epoch 2: epoch 1 and its
    # backup are on disk, epoch 2 is half done
    script = (
        "import os, signal, sys\n"
        "from cnnexplorer.core.data import load_dataset\n"
        "from cnnexplorer.core.train.engine import ArchSpec, TrainConfig, train\n"
        "from cnnexplorer.core.train.events import BatchEnd\n"
        "def on_event(e):\n"
        "    if isinstance(e, BatchEnd) and e.epoch == 1:\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        f"train(ArchSpec('happymodel', {{'filters': '4', 'kernel': '3'}}),\n"
        f"      load_dataset({str(data)!r}), TrainConfig(epochs=3, batch_size=16,\n"
        f"      learning_rate=0.01, validation_split=0), on_event=on_event, out={str(out)!r})\n")
    killed = subprocess.run([sys.executable, "-c", script], env=_env(tmp_path), cwd=tmp_path,
                            capture_output=True, text=True, timeout=600)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    run = runs.open_run(out)
    # history.json lists what last.keras holds (no checkpoint yet); the backup, epoch 1
    assert len(run.backup_history()) == 1 and run.backup_path.is_dir()
    assert runs.resumable(out)

    again = subprocess.run([sys.executable, "-m", "cnnexplorer", "train", "--resume", str(out),
                            "--json"], env=_env(tmp_path), cwd=tmp_path, capture_output=True,
                           text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    lines = [json.loads(line) for line in again.stdout.splitlines()]
    assert [d["epoch"] for d in lines[:-1]] == [2, 3]  # epoch 2 again, not 1
    assert lines[-1]["epochs_run"] == 3 and len(run.history()) == 3
    assert run.status()["status"] == "finished" and not run.backup_path.exists()
    with pytest.raises(ConfigError, match="nothing to resume"):
        from cnnexplorer.core.train.resume import resume_plan

        resume_plan(out)


def test_an_interrupted_run_is_resumable_only_with_its_own_settings(tmp_path):
    config = {"train": TrainConfig(epochs=3).to_dict(),
              "architecture": {"key": "happymodel", "options": {}},
              "dataset": {"name": "tiny", "fingerprint": "abc"}}
    run = runs.create_run(config, path=tmp_path / "run")
    assert not runs.resumable(run.path)  # "running", and this process is alive
    run.backup_path.mkdir()
    assert runs.resumable(run.path)
    # another distribution is fine (the backup is an epoch boundary whatever the replicas)
    runs.check_same_run(run, {**config, "train": TrainConfig(epochs=3,
                                                             distribute="none").to_dict()})
    other = {**config, "train": TrainConfig(epochs=3, batch_size=8).to_dict(),
             "dataset": {"name": "tiny", "fingerprint": "xyz"}}
    with pytest.raises(ConfigError, match=r"train.batch_size, dataset.fingerprint differ"):
        runs.check_same_run(run, other)
