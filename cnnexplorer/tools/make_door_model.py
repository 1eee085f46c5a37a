"""Regenerate the bundled door model: HappyModel trained on the built-in "happy-faces" set.

    python -m cnnexplorer.tools.make_door_model [--epochs 60] [--seed 0] [--out resources/door_model.keras]

Uses the project's own training engine (core.training.train) with the course's moderate
augmentation, keeps the best epoch by validation loss, and writes the model atomically plus a
small JSON of what it scored next to it (resources/door_model.json). The file holds the model
without its optimizer state (Adam's two moments would triple it), about 160 KB. Deterministic
for a seed on one machine; TensorFlow's CPU kernels may differ in the last digits elsewhere.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

COMMAND = "python -m cnnexplorer.tools.make_door_model --epochs {epochs} --seed {seed}"


def save_inference_model(model, out: Path) -> Path:
    """Save `model` without optimizer state: written once, reopened uncompiled, saved again.

    (keras.models.clone_model copies the compile state in Keras 3, optimizer included.)
    """
    from cnnexplorer.core.keras.model_io import load_model, save_model

    with tempfile.TemporaryDirectory() as tmp:
        full = save_model(model, Path(tmp) / "full.keras")
        bare = load_model(full, compile=False)
    return save_model(bare, out)


def make_door_model(out: Path, epochs: int = 60, seed: int = 0, augment: str = "default",
                    on_event=None) -> dict:
    """Train and save the door model; returns the metadata written beside it."""
    from cnnexplorer.core.data.generated import load_builtin
    from cnnexplorer.core.train.config import TrainConfig, parse_augment
    from cnnexplorer.core.train.engine import ArchSpec, train

    dataset = load_builtin("happy-faces")
    config = TrainConfig(epochs=epochs, batch_size=32, learning_rate=1e-3, seed=seed,
                         validation_split=0.1, augment=parse_augment(augment))
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        result = train(ArchSpec("happymodel"), dataset, config, on_event=on_event,
                       out=Path(tmp) / "run")
        if result.status != "finished":
            raise SystemExit(f"training did not finish: {result.status}: {result.message}")
        if result.best_weights is not None:
            result.model.set_weights(result.best_weights)
        model = result.model
        x_test = dataset.x_test.astype("float32") / 255.0
        loss, acc = model.evaluate(x_test, dataset.y_test.astype("float32").reshape(-1, 1),
                                   verbose=0, batch_size=64)
        save_inference_model(model, out)
    last = result.history[-1] if result.history else {}
    meta = {"model": out.name, "architecture": "happymodel", "dataset": "happy-faces",
            "dataset_fingerprint": dataset.fingerprint, "params": int(model.count_params()),
            "epochs": epochs, "seed": seed, "augment": augment,
            "val_accuracy": last.get("val_accuracy"), "test_loss": round(float(loss), 4),
            "test_accuracy": round(float(acc), 4), "bytes": out.stat().st_size,
            "train_seconds": round(time.perf_counter() - start, 1),
            "command": COMMAND.format(epochs=epochs, seed=seed),
            "preprocessing": "resize to 64x64 (stretch), RGB, divide by 255"}
    out.with_suffix(".json").write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def main(argv=None) -> int:
    from cnnexplorer.paths import resources_dir

    parser = argparse.ArgumentParser(prog="python -m cnnexplorer.tools.make_door_model",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--augment", default="default",
                        help="augmentations as for `cnnexplorer train --augment` (default: "
                             "the course's moderate setting)")
    parser.add_argument("--out", type=Path, default=resources_dir() / "door_model.keras")
    args = parser.parse_args(argv)

    def progress(event):
        if type(event).__name__ == "EpochEnd":
            m = event.metrics
            print(f"epoch {event.epoch + 1}/{event.epochs}: loss {m.get('loss', 0):.4f} "
                  f"acc {m.get('accuracy', 0):.3f} val_acc {m.get('val_accuracy', 0):.3f}",
                  flush=True)

    meta = make_door_model(args.out, args.epochs, args.seed, args.augment, progress)
    print(json.dumps(meta, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
