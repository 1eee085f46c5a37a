"""How well does the door judge degraded real faces? The bundled model against the old one.

Accuracy on the held-out fifth of smiles-64x64 (the split the bundled model never trained on,
core.door.smiles.SPLIT_RULE) as it is and under each distortion of
core.door.robustness.DISTORTIONS (brightness x0.5 / x1.5, Gaussian blur, JPEG quality 20,
0.5x and 0.35x scale, +-15 degree rotation, mirrored), for the bundled model and for any
other model files given with --old (the generated-faces HappyModel the door shipped before;
keep a copy of it outside the repository). Every model sees the crops through the door's own
preprocessing (channels by core.data.adapt, resize, scaling). Prints a Markdown table.

    python benchmarks/bench_door_robustness.py --smiles ../shared/data/smiles-64x64 \\
        --old /tmp/doormodel_old/door_model.keras
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smiles", type=Path, required=True)
    parser.add_argument("--old", type=Path, action="append", default=[],
                        help="another model file to measure side by side (repeatable)")
    args = parser.parse_args(argv)

    from cnnexplorer.core.door.inference import DoorModel
    from cnnexplorer.core.door.robustness import DISTORTIONS, degrade
    from cnnexplorer.core.door.scores import binary_scores, door_probabilities
    from cnnexplorer.core.door.smiles import load_smiles

    start = time.perf_counter()
    data = load_smiles(args.smiles, channels=1)
    x, y = data.x_test, data.y_test
    models = [("bundled (real faces)", DoorModel.bundled())]
    models += [(f"{p.name} ({p.parent})", DoorModel.load(p)) for p in args.old]
    rows = []
    for name in DISTORTIONS:
        xd = degrade(x, name)
        scores = [binary_scores(y, door_probabilities(door, xd)) for _, door in models]
        rows.append((name, scores))
    constant = rows[0][1][0]["constant_answer_accuracy"]
    print(f"Held-out fifth: {len(y)} crops, {int(y.sum())} smiles; always 'no smile' scores "
          f"{constant:.3f}.\n")
    header = " | ".join(f"{label}: accuracy | AUC" for label, _ in models)
    print(f"| distortion | {header} |")
    print("| --- |" + " ---: | ---: |" * len(models))
    for name, scores in rows:
        cells = " | ".join(f"{s['accuracy']:.3f} | {s['roc_auc']:.3f}" for s in scores)
        print(f"| {name} | {cells} |")
    print(f"\n({time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
