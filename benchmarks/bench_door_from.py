"""Does starting from the door help on little data? `train --from door` against scratch.

The notes' lesson for small data, measured with the CLI itself: 100 real face crops (50 smile,
50 no smile, drawn with a seed from the TRAINING part of smiles-64x64) form an image folder's
train/, and the held-out fifth (core.door.smiles.SPLIT_RULE, never trained on by the door nor
here) its test/. In one run, for each of --samples draws of the 100:

    cnnexplorer train happymodel DATA --from door     (the door's own DoorNet, its weights)
    cnnexplorer train happymodel DATA                 (HappyModel from random weights)
    cnnexplorer train doornet DATA                    (the door's architecture, random weights)

all with the same settings (epochs, batch 16, learning rate, 20% validation, the best epoch
by validation loss tested), plus the door as it is, untouched. Note: the door was trained on
the whole training part, these 100 included; what it brings is what it learned from 8,484
real faces, which is the point of starting from it. Prints a Markdown table.

    python benchmarks/bench_door_from.py --smiles ../shared/data/smiles-64x64
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

RUNS = (("happymodel --from door", ["happymodel", "--from", "door"]),
        ("happymodel from scratch", ["happymodel"]),
        ("doornet from scratch", ["doornet"]))


def write_folder(root: Path, smiles: Path, per_class: int, seed: int) -> Path:
    """train/: per_class crops of each class from the training part; test/: the held-out
    fifth. Links to the original files (nothing copied into the repository)."""
    from cnnexplorer.core.door.smiles import CLASS_FOLDERS, is_held_out

    rng = np.random.default_rng(seed)
    for folder in CLASS_FOLDERS:
        files = sorted(p for p in (smiles / folder).iterdir() if p.suffix.lower() == ".jpg")
        train = [p for p in files if not is_held_out(p.name)]
        test = [p for p in files if is_held_out(p.name)]
        for split, chosen in (("train", rng.choice(train, per_class, replace=False)),
                              ("test", test)):
            dest = root / split / folder
            dest.mkdir(parents=True, exist_ok=True)
            for p in chosen:
                (dest / p.name).symlink_to(p.resolve())
    return root


def cli_train(argv: list[str]) -> dict:
    from cnnexplorer.cli import main

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = main(["train", *argv, "--json"])
    if rc != 0:
        raise SystemExit(f"cnnexplorer train {' '.join(argv)} failed ({rc})")
    return json.loads(buf.getvalue().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smiles", type=Path, required=True)
    parser.add_argument("--samples", type=int, default=3, help="draws of the 100 photos")
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--lr", default="0.0005")
    args = parser.parse_args(argv)

    from cnnexplorer.core.data import load_dataset
    from cnnexplorer.core.door.inference import DoorModel
    from cnnexplorer.core.door.scores import binary_scores, door_probabilities

    start = time.perf_counter()
    door = DoorModel.bundled()
    results: dict[str, list[float]] = {name: [] for name, _ in RUNS}
    results["the door as it is (no training)"] = []
    for seed in range(args.samples):
        with tempfile.TemporaryDirectory() as tmp:
            data = write_folder(Path(tmp) / "smiles100", args.smiles, 50, seed)
            common = [str(data), "--epochs", str(args.epochs), "--batch-size", "16", "--lr",
                      args.lr, "--validation-split", "0.2", "--seed", str(seed)]
            for i, (name, head) in enumerate(RUNS):
                final = cli_train([*head, *common, "--out", str(Path(tmp) / f"run{i}")])
                results[name].append(final["test"]["accuracy"])
                print(f"sample {seed}: {name}: {final['test']['accuracy']:.4f}", flush=True)
            test = load_dataset(str(data))
            y = test.y_test if test.class_names[1] == "smile" else 1 - test.y_test
            as_is = binary_scores(y, door_probabilities(door, test.x_test))["accuracy"]
            results["the door as it is (no training)"].append(as_is)
    n_test = len(y)
    print(f"\n100 training photos (50 + 50), held-out test: {n_test} crops; {args.epochs} "
          f"epochs, batch 16, lr {args.lr}, 20% validation; {args.samples} draws.\n")
    print("| start | " + " | ".join(f"draw {i}" for i in range(args.samples))
          + " | mean |")
    print("| --- |" + " ---: |" * (args.samples + 1))
    for name, accs in results.items():
        cells = " | ".join(f"{a:.3f}" for a in accs)
        print(f"| {name} | {cells} | **{np.mean(accs):.3f}** |")
    print(f"\n({time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
