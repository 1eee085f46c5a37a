"""Small data from the course's own house: 100 Happy House photos to learn from, 50 to test.

The course's 150 Happy House test photos (`test_happy.h5`: 64x64 RGB, head and shoulders, a
face of 20-30 px) are split, for each of --draws seeds, into 100 training photos and 50 test
photos (stratified), written as the course's HDF5 pair in a temporary folder, and trained with
the command line exactly as a user runs it, all in one run:

    1 notebook recipe   cnnexplorer train happymodel HOUSE.h5 --epochs 20 --batch-size 16
                        --lr 0.001 --optimizer adam --validation-split 0 --schedule constant
                        --augment none (the course notes' `happyModel.fit(x, y,
                        batch_size=16, epochs=20)`)
    2 small-set default cnnexplorer train happymodel HOUSE.h5
                        (nothing given: the tool picks core.train.recommended.SMALL_SET)
    3 --from door       cnnexplorer train happymodel HOUSE.h5 --from door
                        (the door's own DoorNet from its weights; the tool cuts each photo
                        to its face with the door's finder, said on stderr)
    4 plain 20 epochs   cnnexplorer train happymodel HOUSE.h5 --epochs 20 --schedule constant
                        --validation-split 0.1 --augment none (the tool's settings before it
                        knew small sets)

Each run's test accuracy is the one `train` prints (the model best.keras holds on the 50 test
photos). Prints a Markdown table; nothing is written into the repository.

    python benchmarks/bench_small_house.py --house /path/to/test_happy.h5 --draws 3
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

RECIPES = (
    ("notebook recipe (Adam, 20 epochs, batch 16)",
     ["--epochs", "20", "--batch-size", "16", "--lr", "0.001", "--optimizer", "adam",
      "--validation-split", "0", "--schedule", "constant", "--augment", "none"]),
    ("small-set default (nothing given)", []),
    ("--from door (small-set default)", ["--from", "door"]),
    ("plain 20 epochs (tool before)",
     ["--epochs", "20", "--batch-size", "32", "--validation-split", "0.1",
      "--schedule", "constant", "--augment", "none"]),
)


def split_house(house: Path, root: Path, seed: int, train: int = 100) -> Path:
    """`train` photos and the rest of the 150 as root/train_house.h5 + test_house.h5."""
    from cnnexplorer.core.data import Dataset, load_dataset, save_hdf5

    ds = load_dataset(str(house))
    x, y = (ds.x_test, ds.y_test) if ds.x_test is not None else (ds.x_train, ds.y_train)
    rng = np.random.default_rng(seed)
    picked = []
    for label in np.unique(y):  # stratified: the classes in their proportions
        idx = rng.permutation(np.flatnonzero(y == label))
        picked.extend(idx[:round(train * len(idx) / len(y))])
    picked = np.asarray(sorted(picked))
    rest = np.setdiff1d(np.arange(len(y)), picked)
    split = Dataset("house", list(ds.class_names), x[picked], y[picked], x[rest], y[rest])
    save_hdf5(split, root / "train_house.h5")
    return root / "train_house.h5"


def run_cli(argv: list[str]) -> tuple[float, str, float]:
    """(test accuracy, stderr, seconds) of one `cnnexplorer train ... --json`."""
    from cnnexplorer.cli import main

    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(argv + ["--json"])
    seconds = time.perf_counter() - start
    if rc != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({rc}):\n{err.getvalue()}")
    final = json.loads(out.getvalue().splitlines()[-1])
    return float(final["test"]["accuracy"]), err.getvalue(), seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--house", type=Path, required=True,
                        help="the course's test_happy.h5 (150 photos)")
    parser.add_argument("--draws", type=int, default=3)
    parser.add_argument("--only", nargs="*", help="recipe numbers (1-4) to run")
    args = parser.parse_args(argv)
    chosen = [r for i, r in enumerate(RECIPES, 1) if not args.only or str(i) in args.only]
    scores: dict[str, list[float]] = {name: [] for name, _ in chosen}
    seconds: dict[str, list[float]] = {name: [] for name, _ in chosen}
    notes = []
    for draw in range(args.draws):
        with tempfile.TemporaryDirectory() as tmp:
            data = split_house(args.house, Path(tmp), seed=draw)
            for name, extra in chosen:
                acc, err, sec = run_cli(["train", "happymodel", str(data), "--seed", str(draw),
                                         "--out", str(Path(tmp) / f"run{len(notes)}"), *extra])
                notes.append(f"draw {draw}, {name}: {acc:.3f} ({sec:.0f} s)")
                print(notes[-1], file=sys.stderr, flush=True)
                if "--from" in extra and draw == 0:
                    notes += [f"    {line}" for line in err.splitlines() if "face" in line]
                scores[name].append(acc)
                seconds[name].append(sec)
    print(f"\n{time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} CPU cores "
          f"(shared), no GPU; {args.draws} draws of 100 training / 50 test photos\n")
    print("| recipe | test accuracy, mean | per draw | seconds per run |")
    print("| --- | --- | --- | --- |")
    for name, accs in scores.items():
        per = ", ".join(f"{a:.2f}" for a in accs)
        print(f"| {name} | {statistics.mean(accs):.3f} | {per} | "
              f"{statistics.mean(seconds[name]):.0f} |")
    print("\n" + "\n".join(notes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
