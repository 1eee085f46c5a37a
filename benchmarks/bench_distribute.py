"""Distributed training (issue 14) on this machine: `auto` against `none` with one device,
and two local CPU workers (MultiWorkerMirroredStrategy over TF_CONFIG) against one process.

    nice -n 10 python benchmarks/bench_distribute.py            # HappyModel, 600 happy faces
    nice -n 10 python benchmarks/bench_distribute.py --quick    # 300 images, 3 epochs

1. In-process, the engine's `train()` with distribute="none", "auto" and "mirrored" (one
   replica: what a strategy costs on a single device), interleaved and repeated; images/s
   over the epochs after the first (which traces the graph), as the engine reports them, and
   images per CPU-second of this process over the same epochs (which other processes on a
   shared machine do not distort).
2. Subprocesses, the same `cnnexplorer train ... --json` command: once alone (none), then
   as two workers on localhost with TF_CONFIG (multiworker, each worker computing half of
   every global batch). The combined throughput is all training images over the epoch time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def happy_subset(n):
    import numpy as np

    from cnnexplorer.core.data import load_dataset
    from cnnexplorer.core.data.base import Dataset

    ds = load_dataset("happy-faces")
    idx = np.random.default_rng(0).permutation(len(ds.y_train))[:n]
    return Dataset(f"happy-{n}", list(ds.class_names), ds.x_train[idx], ds.y_train[idx],
                   source=ds.source)


def steady_rate(history) -> float:
    """Images per second over the epochs after the first."""
    later = history[1:] or history
    images = sum(h["images_per_s"] * h["seconds"] for h in later)
    return images / sum(h["seconds"] for h in later)


def in_process(ds, batch, epochs, reps):
    from cnnexplorer.core.train.engine import ArchSpec, TrainConfig, train

    from cnnexplorer.core.train.events import EpochEnd

    rates = {"none": [], "auto": [], "mirrored": []}
    cpu_rates = {k: [] for k in rates}
    with tempfile.TemporaryDirectory() as tmp:
        for rep in range(reps):
            for choice in rates:
                marks = []  # process CPU time at each epoch's end

                def on_event(e, marks=marks):
                    if isinstance(e, EpochEnd):
                        marks.append(time.process_time())

                res = train(ArchSpec("happymodel"), ds,
                            TrainConfig(epochs=epochs, batch_size=batch, validation_split=0,
                                        distribute=choice),
                            runs_root=os.path.join(tmp, f"{choice}{rep}"), on_event=on_event)
                rates[choice].append(steady_rate(res.history))
                cpu_rates[choice].append(len(ds.y_train) * (len(marks) - 1) /
                                         (marks[-1] - marks[0]))
                print(f"  {choice:9s} rep {rep + 1}: {rates[choice][-1]:7.1f} images/s, "
                      f"{cpu_rates[choice][-1]:7.1f} images/CPU-s "
                      f"({res.distribution.describe()})", flush=True)
    return rates, cpu_rates


def cli_runs(ds, batch, epochs, workers):
    from cnnexplorer.core.data import save_npz
    from cnnexplorer.core.train.distribute import local_cluster

    with tempfile.TemporaryDirectory() as tmp:
        path = save_npz(ds, os.path.join(tmp, f"{ds.name}.npz"), compress=False)
        command = [sys.executable, "-m", "cnnexplorer", "train", "happymodel", str(path),
                   "--epochs", str(epochs), "--batch-size", str(batch),
                   "--validation-split", "0", "--json", "--out", os.path.join(tmp, "run")]
        env = {**os.environ, "CNNEXPLORER_HOME": os.path.join(tmp, "home")}
        if workers == 1:
            procs = [subprocess.Popen(command + ["--distribute", "none"], env=env,
                                      stdout=subprocess.PIPE, text=True)]
        else:
            hosts = local_cluster(workers)
            procs = [subprocess.Popen(
                command + ["--distribute", "multiworker"], stdout=subprocess.PIPE, text=True,
                env={**env, "TF_CONFIG": json.dumps({"cluster": {"worker": hosts},
                                                     "task": {"type": "worker", "index": i}})})
                for i in range(workers)]
        finals = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
    return steady_rate(finals[0]["history"]), finals[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    n, epochs, reps = (300, 3, 2) if args.quick else (600, 4, 3)
    batch = 16
    print(f"{time.strftime('%Y-%m-%d %H:%M')}  load average before: {os.getloadavg()}")
    ds = happy_subset(n)
    print(f"HappyModel, {n} happy faces 64x64x3, batch {batch}, {epochs} epochs")
    print("1. in-process train(), distribute=none / auto / mirrored (one replica)")
    rates, cpu_rates = in_process(ds, batch, epochs, reps)
    best = {k: max(v) for k, v in rates.items()}
    cpu = {k: statistics.median(v) for k, v in cpu_rates.items()}
    for k in rates:
        print(f"  {k:9s} wall clock best {best[k]:7.1f} images/s (ratio to none "
              f"{best[k] / best['none']:.3f}); per CPU-second, median {cpu[k]:7.1f} "
              f"(ratio {cpu[k] / cpu['none']:.3f})")
    print("2. CLI subprocesses: one process (none) vs two local CPU workers (multiworker)")
    alone, _ = cli_runs(ds, batch, epochs, 1)
    print(f"  one process   : {alone:7.1f} images/s", flush=True)
    together, final = cli_runs(ds, batch, epochs, 2)
    print(f"  two workers   : {together:7.1f} images/s combined ({final['replicas']} replicas, "
          f"{final['workers']} workers, global batch {batch * final['replicas']}); "
          f"ratio {together / alone:.3f}")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
