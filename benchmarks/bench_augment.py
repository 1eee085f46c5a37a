"""Does augmentation slow training down? And how fast does an image folder load? One run.

throughput  HappyModel (course form), batch 32, on the generated "happy-faces" set:
            images/s of `model.fit` on make_tf_dataset without augmentation, with the course
            default augmentation (all six kinds on), and plain Keras `fit(x / 255, y)` on numpy
            arrays, plus the process CPU time per image. Epochs alternate (off, on, keras) so
            that a noisy shared machine hurts all three alike; medians. Goal: on/off >= 0.9.
folder      load_dataset on a folder of 1,000 JPEGs (64x64, 6 classes, written from
            "hand-signs"), against a plain sequential Pillow loop (open, convert, asarray).
--accuracy  trains HappyModel on "happy-faces" (course settings: Adam, 40 epochs, batch 16),
            without and with augmentation, and prints the test accuracies.
--signs     trains a zoo model (--signs-model, default residual_net) on
            ../shared/data/signs-64x64 (when present) with a stratified 15% validation split and
            augmentation, and prints its validation accuracy.

    python benchmarks/bench_augment.py [--rounds 7] [--accuracy] [--signs]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402

from cnnexplorer.core.arch import zoo  # noqa: E402,F401  (registers the families)
from cnnexplorer.core.data import (
    AugmentConfig,
    load_dataset,
    make_tf_dataset,
    # noqa: E402                                        save_image_folder,
)
from cnnexplorer.core.keras.build import build_keras_model  # noqa: E402
from cnnexplorer.core.arch.zoo.registry import build  # noqa: E402


def _model(key="happymodel", input_shape=(64, 64, 3), classes=1, seed=0):
    keras = __import__("keras")
    model = build_keras_model(build(key, input_shape=input_shape, classes=classes), seed=seed)
    loss = "binary_crossentropy" if classes == 1 else "sparse_categorical_crossentropy"
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=loss, metrics=["accuracy"])
    return model


def throughput(rounds: int) -> None:
    """One epoch of each kind per round, interleaved, so load from other programs on a shared
    machine falls on all three alike; wall-clock and process-CPU figures, medians."""
    ds = load_dataset("happy-faces")
    x, y = ds.x_train, ds.y_train
    xf, yf = x.astype(np.float32) / 255.0, y.astype(np.float32)
    cfg = AugmentConfig.course_default()
    runs = {}
    for kind in ("off", "on", "keras"):
        model = _model(seed=0)
        if kind == "keras":
            fit = (lambda m: lambda: m.fit(xf, yf, batch_size=32, epochs=1, shuffle=True,
                                           verbose=0))(model)
        else:
            data = make_tf_dataset(x, y, 32, cfg if kind == "on" else None, seed=0)
            fit = (lambda m, d: lambda: m.fit(d, epochs=1, verbose=0))(model, data)
        fit()  # warm-up epoch: graph tracing, pipeline start
        runs[kind] = fit
    wall = {k: [] for k in runs}
    cpu = {k: [] for k in runs}
    for r in range(rounds):
        for kind, fit in runs.items():
            t0, c0 = time.perf_counter(), time.process_time()
            fit()
            wall[kind].append(len(x) / (time.perf_counter() - t0))
            cpu[kind].append((time.process_time() - c0) / len(x) * 1000)
        print(f"round {r + 1}: " + ", ".join(f"{k} {v[-1]:.0f} img/s" for k, v in
                                            wall.items()), flush=True)
    w = {k: statistics.median(v) for k, v in wall.items()}
    c = {k: statistics.median(v) for k, v in cpu.items()}
    print(f"HappyModel fit, batch 32, 64x64x3, 600 images/epoch, median of {rounds} "
          f"interleaved epochs:")
    print(f"  {'':34s} {'images/s':>9s} {'CPU ms/image':>13s}")
    for k, label in (("off", "make_tf_dataset, no augmentation"),
                     ("on", "make_tf_dataset, course default"),
                     ("keras", "plain Keras fit on numpy arrays")):
        print(f"  {label:34s} {w[k]:9.0f} {c[k]:13.2f}")
    print(f"  throughput ratio augmentation on / off  {w['on'] / w['off']:.2f}  (goal >= 0.9)")
    print(f"  CPU-cost ratio off / on                 {c['off'] / c['on']:.2f}  (the same "
          f"ratio on an idle machine where training keeps every core busy)")
    print(f"  throughput ratio no augmentation / plain Keras {w['off'] / w['keras']:.2f}")


def folder_load() -> None:
    from PIL import Image

    ds = load_dataset("hand-signs")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "signs"
        for i, (img, label) in enumerate(zip(ds.x_train[:1000], ds.y_train[:1000])):
            (root / str(label)).mkdir(parents=True, exist_ok=True)
            Image.fromarray(img).save(root / str(label) / f"{i:04d}.jpg", quality=90)
        files = sorted(root.rglob("*.jpg"))
        plain_times, plain_cpu = [], []
        for _ in range(3):
            t0, c0 = time.perf_counter(), time.process_time()
            plain = [np.asarray(Image.open(f).convert("RGB")) for f in files]
            plain_times.append(time.perf_counter() - t0)
            plain_cpu.append(time.process_time() - c0)
        t_plain = min(plain_times)
        times, cpu = [], []
        for _ in range(3):
            t0, c0 = time.perf_counter(), time.process_time()
            loaded = load_dataset(root)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        assert len(loaded.x_train) == len(plain) == 1000
        ours = min(times)
        print(f"Folder of 1,000 64x64 JPEGs (6 classes): load_dataset {ours:.2f} s "
              f"(best of 3; {1000 / ours:.0f} images/s); plain sequential Pillow loop "
              f"{t_plain:.2f} s (best of 3); ratio plain/ours {t_plain / ours:.2f}; process CPU "
              f"ours {min(cpu):.2f} s, plain {min(plain_cpu):.2f} s")


def accuracy() -> None:
    """The notebook's recipe (Adam, 40 epochs, batch 16), without and with augmentation."""
    ds = load_dataset("happy-faces")
    for augment in (None, AugmentConfig.course_default()):
        model = _model(seed=0)
        t0 = time.perf_counter()
        if augment is None:
            model.fit(ds.x_train / 255.0, ds.y_train.astype(np.float32), epochs=40,
                      batch_size=16, verbose=0)
        else:
            model.fit(make_tf_dataset(ds.x_train, ds.y_train, 16, augment, seed=0), epochs=40,
                      verbose=0)
        _, train_acc = model.evaluate(ds.x_train / 255.0, ds.y_train, verbose=0)
        _, test_acc = model.evaluate(ds.x_test / 255.0, ds.y_test, verbose=0)
        label = "no augmentation" if augment is None else "course-default augmentation"
        print(f"HappyModel on happy-faces, Adam, 40 epochs, batch 16, {label} "
              f"({time.perf_counter() - t0:.0f} s): train accuracy {train_acc:.3f}, "
              f"test accuracy {test_acc:.3f}", flush=True)


def signs(key: str = "residual_net", epochs: int = 15) -> None:
    path = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "signs-64x64"
    if not path.is_dir():
        print(f"{path} is not present; skipping the SIGNS training")
        return
    ds = load_dataset(path)
    x_tr, y_tr, x_val, y_val = ds.split_validation(0.15, seed=0)
    model = _model(key, (64, 64, 3), 6, seed=0)
    data = make_tf_dataset(x_tr, y_tr, 32, AugmentConfig(mirror=0.5, crop=0.1, rotation=10,
                                                         color_shift=15), seed=0)
    t0 = time.perf_counter()
    model.fit(data, epochs=epochs, verbose=0)
    _, val_acc = model.evaluate(x_val / 255.0, y_val, verbose=0)
    print(f"{key} on signs-64x64 ({len(x_tr)} train / {len(x_val)} validation photos, "
          f"{epochs} epochs, augmentation on, {time.perf_counter() - t0:.0f} s): validation "
          f"accuracy {val_acc:.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--accuracy", action="store_true")
    ap.add_argument("--signs", action="store_true")
    ap.add_argument("--signs-model", default="residual_net", help="a zoo key (64x64x3, 6 classes)")
    ap.add_argument("--signs-epochs", type=int, default=15)
    ap.add_argument("--skip-throughput", action="store_true")
    ap.add_argument("--only-folder", action="store_true")
    args = ap.parse_args()
    print(f"cores: {os.cpu_count()}; load average: {os.getloadavg()[0]:.1f}")
    folder_load()
    if args.only_folder:
        return
    if not args.skip_throughput:
        throughput(args.rounds)
    if args.accuracy:
        accuracy()
    if args.signs:
        signs(args.signs_model, args.signs_epochs)


if __name__ == "__main__":
    main()
