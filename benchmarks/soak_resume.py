"""Resume soak (issue 19): N kill -9 of a training run, at random moments, then resume; after
every kill the run's saved model must be no worse than the one saved before it.

Each round starts the command line in a child process (`train happymodel DATA --out RUN`, then
`train --resume RUN`) and kills it with SIGKILL, half the time after a random delay (during
start-up, training or a save) and half the time at a random file operation of a save
(`os.replace`, `os.fsync`, `shutil.copy*`, `shutil.rmtree`, `os.unlink`: the child kills itself
at the K-th one, so kills land inside the saves of last.keras, best.keras, history.json and the
backup). The child saves its checkpoints after every epoch (`checkpoint_interval_s=0`), so
saves are a large share of its time.

After each kill the parent checks the run folder: last.keras loads (never half a file),
history.json lists what it holds, and the model is no worse than the last saved one: it holds
at least as many epochs, and its accuracy on the training images is at most 5 points below
(one epoch can wobble; the initial weights score 0.5). A run that finishes starts a new one.

    python benchmarks/bench_soak.py --frames 0 --gui-frames 0 --resume-kills 50
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
#: the most the saved model's training accuracy may fall from one kill to the next
MAX_ACCURACY_DROP = 0.05

_CHILD = r"""
import os, shutil, signal, sys
kill_at = int(sys.argv[1])
calls = [0]
def counting(fn):
    def wrapped(*a, **k):
        calls[0] += 1
        if kill_at and calls[0] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return fn(*a, **k)
    return wrapped
if kill_at:
    for mod, name in ((os, "replace"), (os, "fsync"), (os, "unlink"), (shutil, "copy"),
                      (shutil, "copyfile"), (shutil, "rmtree")):
        setattr(mod, name, counting(getattr(mod, name)))
import functools
from cnnexplorer.core.train import engine
engine.train = functools.partial(engine.train, checkpoint_interval_s=0.0)
from cnnexplorer.cli import main
sys.exit(main(sys.argv[2:]))
"""


def _dataset(folder: Path) -> Path:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 96)
    x = (rng.random((96, 12, 12, 3)) * 60).astype(np.uint8)
    x[y == 1, 2:6, 2:6, :] += 160
    path = folder / "d.npz"
    np.savez(path, x_train=x, y_train=y)
    return path


def _accuracy(model_path: Path, data: Path) -> float:
    from cnnexplorer.core.data import load_dataset
    from cnnexplorer.core.data.images import scale_pixels
    from cnnexplorer.core.keras.model_io import load_model

    ds = load_dataset(str(data))
    p = load_model(model_path).predict(scale_pixels(ds.x_train), verbose=0).reshape(-1)
    return float(np.mean((p > 0.5) == (ds.y_train == 1)))


def _state(run: Path, data: Path) -> tuple[int, float] | None:
    """(epochs history.json lists, last.keras's accuracy), or None: nothing saved yet."""
    if not (run / "last.keras").exists():
        return None
    history = json.loads((run / "history.json").read_text())
    return len(history), _accuracy(run / "last.keras", data)


def resume_soak(kills: int, epochs: int = 40, seed: int = 0) -> dict:
    rng = random.Random(seed)
    work = Path(tempfile.mkdtemp(prefix="cnnexplorer-resume-soak-"))
    data = _dataset(work)
    env = {**os.environ, "PYTHONPATH": str(REPO), "TF_CPP_MIN_LOG_LEVEL": "3",
           "CUDA_VISIBLE_DEVICES": "-1", "CNNEXPLORER_HOME": str(work / "home")}
    new = ["train", "happymodel", str(data), "--epochs", str(epochs), "--batch-size", "16",
           "--lr", "0.01", "--validation-split", "0", "--set", "filters=4", "--set", "kernel=3"]
    run_no, run = 0, work / "run0"
    last: tuple[int, float] | None = None
    rounds, failures, reported, finished, t0 = [], [], [], 0, time.monotonic()
    while len(rounds) < kills:
        from cnnexplorer.core.train.runs import resumable

        resume = run.exists() and resumable(run)
        if run.exists() and not resume:  # finished, or killed before its config was written
            if (run / "status.json").exists() and \
                    json.loads((run / "status.json").read_text()).get("status") == "finished":
                finished += 1
            run_no += 1
            run, last = work / f"run{run_no}", None
        argv = ["train", "--resume", str(run)] if resume else [*new, "--out", str(run)]
        by_call = rng.random() < 0.5
        kill_at = rng.randint(1, 60) if by_call else 0
        child = subprocess.Popen([sys.executable, "-c", _CHILD, str(kill_at), *argv], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if not by_call:
            delay = rng.uniform(2.0, 40.0)
            try:
                child.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                child.send_signal(signal.SIGKILL)
        try:
            _out, err = child.communicate(timeout=600)
        except subprocess.TimeoutExpired:
            child.kill()
            _out, err = child.communicate()
        killed = child.returncode == -signal.SIGKILL
        if not killed and child.returncode != 0:
            failures.append(f"round {len(rounds) + 1}: exit {child.returncode}: "
                            f"{err.strip().splitlines()[-1:] if err.strip() else ''}")
        try:
            now = _state(run, data)
        except Exception as exc:  # noqa: BLE001 - a damaged file is the failure measured
            failures.append(f"round {len(rounds) + 1}: the saved run cannot be read: {exc}")
            now = None
        if last is not None and (now is None or now[0] < last[0]
                                 or now[1] < last[1] - MAX_ACCURACY_DROP):
            failures.append(f"round {len(rounds) + 1}: saved model {now} is worse than the "
                            f"last saved {last}")
        for failure in failures[len(reported):]:
            print(f"  FAIL {failure}", flush=True)
        reported = list(failures)
        rounds.append({"resume": resume, "kill": "at call %d" % kill_at if by_call else
                       "after a delay", "killed": killed, "saved": now})
        print(f"  round {len(rounds)}: {'resume' if resume else 'new'}, "
              f"{rounds[-1]['kill']}, {'killed' if killed else 'ended'}, saved "
              f"{now if now is None else (now[0], round(now[1], 3))}", flush=True)
        last = now if now is not None else last
    shutil.rmtree(work, ignore_errors=True)
    return {"name": "resume soak", "rounds": len(rounds),
            "killed": sum(r["killed"] for r in rounds), "finished_runs": finished,
            "seconds": time.monotonic() - t0, "failures": failures, "passed": not failures}


def report_resume(r: dict) -> None:
    print(f"{r['name']}: {r['rounds']} rounds ({r['killed']} killed by SIGKILL, "
          f"{r['finished_runs']} runs finished) in {r['seconds']:.0f} s: "
          f"{'PASS' if r['passed'] else 'FAIL'}", flush=True)
    for f in r["failures"]:
        print(f"  {f}", flush=True)
