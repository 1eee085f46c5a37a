"""The plain vs residual preset, as the Training panel runs it, for several seeds: each
network's final training accuracy, the gap, the wall-clock and CPU seconds of each run and the
load average around it (the machine may be shared: CPU seconds / 2 is what two idle cores
would take).

    nice -n 5 python benchmarks/bench_plain_vs_residual.py --seeds 0 1 2 \\
        --out benchmarks/plain_vs_residual.json

The preset is `core.train.recommended.PLAIN_VS_RESIDUAL` and the job the panel's own
(`core.train.jobs.plain_vs_residual_job`); `cnnexplorer train --preset plain-vs-residual`
trains the same. `--dataset` replaces the preset's data (e.g. the real SIGNS photos, an image
folder). The per-epoch histories go to `--out` (JSON) for docs/plain_vs_residual_plot.py.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--dataset", help="instead of the preset's (a built-in name or a path)")
    ap.add_argument("--epochs", type=int, help="instead of the preset's")
    ap.add_argument("--out", help="write the runs (settings, histories, times) to this JSON")
    args = ap.parse_args()
    os.environ.setdefault("CNNEXPLORER_HOME", tempfile.mkdtemp(prefix="bench-pvr-"))

    from cnnexplorer.core.train import jobs, recommended

    preset = recommended.PLAIN_VS_RESIDUAL
    source = args.dataset or preset.dataset
    t0 = time.perf_counter()
    jobs.resolve_dataset(source)  # loaded (or generated) once, outside the runs' times
    print(f"data {source}: loaded in {time.perf_counter() - t0:.1f} s", flush=True)
    overrides = {"epochs": args.epochs} if args.epochs else {}
    report = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
              "machine": f"{os.cpu_count()} cores, {os.uname().machine}, CPU only",
              "dataset": source, "options": preset.options,
              "settings": {**preset.settings, **overrides}, "seeds": []}
    for seed in args.seeds:
        config = preset.config(seed=seed, **overrides)
        marks = [(time.perf_counter(), time.process_time(), os.getloadavg()[0])]
        runs = []

        def on_event(e, marks=marks, runs=runs):
            if type(e).__name__ == "EpochEnd" and (e.epoch + 1) % 5 == 0:
                print(f"  epoch {e.epoch + 1}: accuracy {e.metrics['accuracy']:.3f} "
                      f"({e.seconds:.0f} s)", flush=True)
            elif type(e).__name__ == "TrainFinished":
                marks.append((time.perf_counter(), time.process_time(), os.getloadavg()[0]))
                runs.append(e)

        jobs.plain_vs_residual_job(source, config, preset.options)(on_event, threading.Event())
        row = {"seed": seed, "runs": []}
        for i, e in enumerate(runs):
            (w0, c0, l0), (w1, c1, l1) = marks[i], marks[i + 1]
            acc = [h["accuracy"] for h in e.history]
            row["runs"].append({
                "architecture": "plain_net" if i == 0 else "residual_net",
                "status": e.status, "final_accuracy": acc[-1],
                "accuracy": acc, "loss": [h["loss"] for h in e.history],
                "wall_s": round(w1 - w0, 1), "cpu_s": round(c1 - c0, 1),
                "load": [round(l0, 1), round(l1, 1)]})
        plain, res = (r["final_accuracy"] for r in row["runs"])
        row["gap"] = res - plain
        cpu = sum(r["cpu_s"] for r in row["runs"])
        row["quiet_2core_s"] = round(cpu / 2)
        report["seeds"].append(row)
        for r in row["runs"]:
            print(f"seed {seed} {r['architecture']:12s} train accuracy {r['final_accuracy']:.3f}"
                  f"  wall {r['wall_s']:.0f} s  CPU {r['cpu_s']:.0f} s  load "
                  f"{r['load'][0]}->{r['load'][1]}", flush=True)
        print(f"seed {seed} gap {row['gap']:.3f}  pair CPU {cpu:.0f} s (~{cpu / 2:.0f} s on 2 "
              f"idle cores)", flush=True)
        if args.out:  # written after each seed: a long measurement keeps what it has
            with open(args.out, "w") as f:
                json.dump(report, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
