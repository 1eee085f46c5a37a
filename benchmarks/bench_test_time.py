"""Multi-crop and ensembles at test time: the accuracy they buy and the time they cost.

The notes' "state of computer vision": ensembles and 10-crop win benchmarks and are rarely
shipped because they multiply the cost of a prediction. This script measures both sides on
real photos, through the same `cnnexplorer` commands a user runs:

1. the real SIGNS photos (`../shared/data/signs-64x64`), split by file name (every sixth file
   of each class, in name order, is the test part: 900 train / 180 test), copied into
   `benchmarks/out/signs-split/{train,test}/CLASS/`;
2. three happymodel3 runs of different seeds trained on the train part (`cnnexplorer train`);
3. the comparison `cnnexplorer evaluate RUN RUN RUN SPLIT --crops 10` prints (each run alone,
   the three averaged, each with the 10-crop), computed in this process by the same function
   (`compare_test_time`) with every pass timed `--repeats` times, the fastest kept: on a
   shared machine the other processes' share of a pass is noise, not its price;
4. the bundled door on its held-out smile crops (`core.door.smiles.SPLIT_RULE`) with 1, 2 and
   10 crops.

    python benchmarks/bench_test_time.py [--epochs 15] [--seeds 0 1 2] [--augment LIST]
                                         [--skip-door]

Prints the tables and a JSON summary (benchmarks/out/test_time.json); the figures go into
docs/training.md and benchmarks/training.md by hand, with the date and the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
SHARED = ROOT.parent / "shared" / "data"


def cli(*args: str) -> tuple[str, float]:
    """Run `cnnexplorer ARGS` in a subprocess; (stdout, wall seconds)."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "cnnexplorer", *args], capture_output=True,
                          text=True, env=env)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"cnnexplorer {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout, seconds


def evaluate_in_process(models: list[str], data: str, crops: int, repeats: int) -> dict:
    """What `cnnexplorer evaluate MODELS DATA --crops N --json` prints, every pass timed
    `repeats` times (the fastest kept)."""
    sys.path.insert(0, str(ROOT))
    from cnnexplorer.commands.evaluate import load_member
    from cnnexplorer.core.data import load_dataset
    from cnnexplorer.core.train.crops_and_ensembles import compare_test_time

    members = [load_member(m) for m in models]
    comparison = compare_test_time(members, load_dataset(data), crops=crops,
                                   timing_repeats=repeats)
    return comparison.to_dict()


def split_signs(signs: Path, dest: Path, every: int = 6) -> Path:
    """Copy the SIGNS photos into train/ and test/ by file name: every `every`-th is test."""
    if dest.exists():
        shutil.rmtree(dest)
    for cls in sorted(p for p in signs.iterdir() if p.is_dir()):
        files = sorted(cls.glob("*.jpg"))
        for i, f in enumerate(files):
            part = "test" if i % every == every - 1 else "train"
            target = dest / part / cls.name
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, target / f.name)
    return dest


def held_out_smiles(smiles: Path, dest: Path) -> Path:
    """The door's held-out smile crops as a .npz test set (the same files every machine)."""
    sys.path.insert(0, str(ROOT))
    import numpy as np

    from cnnexplorer.core.door.smiles import load_smiles

    data = load_smiles(smiles, channels=1)
    np.savez(dest, x_train=data.x_test, y_train=data.y_test,
             class_names=np.array(data.class_names))
    return dest


def table(rows: list[dict]) -> str:
    lines = [f"{'model':<32} {'crops':>5} {'acc':>7} {'ms/image':>9}"]
    lines += [f"{r['label']:<32} {r['crops']:>5} {r['accuracy']:7.4f} {r['ms_per_image']:9.3f}"
              for r in rows]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--augment", default="mirror,crop",
                        help="training augmentation ('' for none): the ImageNet recipe trains "
                             "with random crops and mirrors, which the test-time crops assume")
    parser.add_argument("--skip-door", action="store_true")
    parser.add_argument("--skip-training", action="store_true",
                        help="evaluate the runs a previous call trained")
    parser.add_argument("--repeats", type=int, default=5,
                        help="time each pass this many times, keep the fastest")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    summary: dict = {"date": time.strftime("%Y-%m-%d"), "cpus": os.cpu_count(),
                     "epochs": args.epochs, "seeds": args.seeds, "augment": args.augment}

    split = (OUT / "signs-split" if args.skip_training else
             split_signs(SHARED / "signs-64x64", OUT / "signs-split"))
    runs, train_seconds = [], []
    for seed in args.seeds:
        run_dir = OUT / "test_time_runs" / f"happymodel3-seed{seed}"
        runs.append(str(run_dir))
        if args.skip_training:
            continue
        shutil.rmtree(run_dir, ignore_errors=True)
        augment = ["--augment", args.augment] if args.augment else []
        _out, seconds = cli("train", "happymodel3", str(split), "--epochs", str(args.epochs),
                            "--seed", str(seed), "--out", str(run_dir), "--json", *augment)
        train_seconds.append(seconds)
        print(f"trained seed {seed}: {seconds:.0f} s", flush=True)
    signs = evaluate_in_process(runs, str(split), 10, args.repeats)
    summary.update(signs=signs, train_seconds=train_seconds)
    print(f"\nSIGNS test part ({signs['images']} photos), happymodel3, {args.epochs} epochs, "
          f"augment {args.augment or 'none'}")
    print(table(signs["rows"]))

    if not args.skip_door:
        faces = held_out_smiles(SHARED / "smiles-64x64", OUT / "door-held-out.npz")
        door = str(ROOT / "resources" / "door_model.keras")
        summary["door"] = {}
        for crops in ("2", "10"):
            summary["door"][crops] = evaluate_in_process([door], str(faces), int(crops),
                                                         args.repeats)
        rows = [summary["door"]["10"]["rows"][0], summary["door"]["2"]["rows"][1],
                summary["door"]["10"]["rows"][1]]
        print(f"\nthe door on its held-out smile crops ({summary['door']['10']['images']})")
        print(table(rows))
    (OUT / "test_time.json").write_text(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
