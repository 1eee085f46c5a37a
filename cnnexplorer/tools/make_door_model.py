"""Regenerate the bundled door model: DoorNet trained on two kinds of real faces, calibrated.

    python -m cnnexplorer.tools.make_door_model --smiles ../shared/data/smiles-64x64 \
        --fer /path/to/fer2013 --cache /path/to/cache

Faces: SMILEsmileD's crops (`--smiles`; a fifth held out by file name,
`core.door.smiles.SPLIT_RULE`, never trained or calibrated on; a tenth of the rest kept for
calibration) and FER-2013 (`--fer`, image folders or fer2013.csv, kept outside the repository:
its Training part trained on, PublicTest for calibration, PrivateTest measured only; happy
against the six other expressions). Every face is first framed as the door frames a face it
judges (`door_framed`: the face finder and the door's crop rule), a share of them is made
20-30 px and large again (the course's 64x64 photos), and the training part gets the
generated cartoon faces and images without a face. Training uses the project's own engine with
augmentation that imitates a camera (mirror, crop, rotation, brightness, contrast, blur, low
resolution). The trained model's log-odds are then Platt-scaled on the calibration mix, each
source weighed alike, and the two numbers folded into its last unit (core.door.calibration);
the held-out fifth, its small-face copies, FER-2013's PrivateTest part and degraded copies are
measured, and `resources/door_model.keras` is written without optimizer state beside
`resources/door_model.json` (data, recipe, calibration, figures, the command).

`--cache` keeps the decoded FER-2013 faces and the framed crops as .npz/.npy (the framing takes
several minutes on a busy 2-core machine); `--limit N` takes N faces per source to measure a
recipe quickly. Deterministic for a seed on one machine; TensorFlow's CPU kernels may differ in
the last digits elsewhere.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from cnnexplorer.core.data.base import Dataset
from cnnexplorer.core.data.generated import load_builtin
from cnnexplorer.core.door.calibration import (
    expected_calibration_error,
    fit_platt,
    fold_into_sigmoid,
    log_odds,
    sigmoid,
    source_weights,
)
from cnnexplorer.core.door.faces import STILL_SIDE, shared_finder
from cnnexplorer.core.door.fer2013 import load_fer2013
from cnnexplorer.core.door.inference import BUNDLED_DOORNET, DoorModel
from cnnexplorer.core.door.prepare import face_square, prepare_face, prepare_faces
from cnnexplorer.core.door.robustness import DISTORTIONS, degrade, small_faces
from cnnexplorer.core.door.scores import binary_scores, door_probabilities
from cnnexplorer.core.door.smiles import SPLIT_RULE, load_smiles, non_faces
from cnnexplorer.core.keras.model_io import load_model, save_model
from cnnexplorer.core.train.config import TrainConfig
from cnnexplorer.core.train.engine import ArchSpec, train
from cnnexplorer.core.train.fine_tune import from_model
from cnnexplorer.paths import resources_dir

COMMAND = ("python -m cnnexplorer.tools.make_door_model --smiles {smiles} --fer {fer} "
           "--epochs {epochs} --lr {lr} --seed {seed} --filters {filters} "
           "--smiles-repeat {smiles_repeat} --convs {convs}")
#: the bundled door's recipe (the defaults regenerate it): epochs over the mix, and how many
#: times SMILEsmileD's training part is taken per epoch (its 7,636 crops against FER-2013's
#: 28,709 faces; its held-out fifth is the door's own measure)
EPOCHS = 12
SMILES_REPEAT = 3
CLASS_NAMES = ("not happy", "happy")
#: a share of SMILEsmileD's training part kept apart to fit the calibration on
CALIBRATION_SHARE = 0.1
#: the share of training faces made 20-30 px and large again (the course's 64x64 photos)
SMALL_FACE_SHARE = 0.35
#: where the FER-2013 copy used for the bundled model came from (docs/door.md)
FER_SOURCE = ("github.com/darkbit404/FaceExp, commit 91f4f6e6c1f45f2acc89f3d8dae486ea3f99c17c, "
              "data/train and data/test: the common Kaggle image-folder copy (28,709 + 7,178 "
              "faces) stored as 224x224 grey JPEG upscales, read back at 48x48; no licence "
              "stated there; FER-2013 is distributed for research by the challenge's "
              "organisers")
ARCHITECTURE = "doornet"
#: DoorNet's block-1 filters and CONV 3x3 units per block for a fresh model: the bundled
#: door's network
FILTERS = BUNDLED_DOORNET["filters"]
CONVS = BUNDLED_DOORNET["convs"]
#: the camera-like augmentation (core.data.augment strengths)
AUGMENT = {"mirror": 0.5, "crop": 0.12, "rotation": 12.0, "brightness": 0.4, "contrast": 0.4,
           "blur": 1.2, "low_res": 0.65}
RECIPE = {"batch_size": 64, "learning_rate": 1e-3, "optimizer": "adam",
          "lr_schedule": "cosine", "validation_split": 0.0}
#: degraded held-out copies whose accuracy the JSON records (core.door.robustness)
CHECKED_DISTORTIONS = ("scale 0.5x", "scale 0.35x", "gaussian blur 1.5", "brightness x0.5",
                       "jpeg q20")
NOISE_IMAGES = 200
#: generated images without a face added to the training part as "no smile"
NON_FACES = 400
#: core.data.adapt.adapt_channels' rule, applied in training and in the door alike
CHANNEL_RULE = ("the model takes 1 channel; colour frames and crops are converted with "
                "core.data.adapt.adapt_channels: round(0.299 R + 0.587 G + 0.114 B), the "
                "grey of the training crops (Pillow's 'L'); then uint8 / 255 as float32 "
                "(core.data.images.scale_pixels)")


def save_inference_model(model, out: Path) -> Path:
    """Save `model` without optimizer state: written once, reopened uncompiled, saved again.

    (keras.models.clone_model copies the compile state in Keras 3, optimizer included.)
    """

    with tempfile.TemporaryDirectory() as tmp:
        full = save_model(model, Path(tmp) / "full.keras")
        bare = load_model(full, compile=False)
    return save_model(bare, out)


def held_out_figures(door, x: np.ndarray, y: np.ndarray) -> dict:
    """The door's scores on crops `x` (uint8) with labels `y`, through its own input path."""

    return binary_scores(y, door_probabilities(door, x))


def noise_check(door, n: int = NOISE_IMAGES, seed: int = 0) -> dict:
    """What the door says to uniform random colour noise: it should not open."""

    rng = np.random.default_rng(seed)
    p = door_probabilities(door, rng.integers(0, 256, (n, 64, 64, 3), dtype=np.uint8))
    return {"images": n, "what": "uniform random RGB noise, 64x64, seed 0",
            "mean_probability": round(float(p.mean()), 4),
            "max_probability": round(float(p.max()), 4),
            "opens_at_0.5": int((p >= 0.5).sum())}


def fer_faces(fer, part: str, cache_dir: Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """One FER-2013 part's faces as the door frames them (`door_framed`, 64x64) and their
    labels (1 = happy)."""
    x, y = fer.select(part)
    cache = None if cache_dir is None else \
        Path(cache_dir) / f"fer2013-{fer.fingerprint}-{part}-door-framed.npy"
    return door_framed(x, cache=cache), y


def door_framed(images: np.ndarray, size: int = 64, cache: Path | None = None) -> np.ndarray:
    """Each face image framed as the door frames a face when it judges one (`cnnexplorer
    predict`, the panel): the face finder run on the image, the largest face's crop by the
    door's rule (core.door.prepare: face_square, then prepare_face, the one path every face
    takes into the model); an image where no face is found is taken whole,
    as the door takes a small face-less image. So the model learns from crops framed exactly
    as the ones it will judge (a FER-2013 face shows more of the head than the door's crop).
    Grey uint8 `(N, size, size, 1)`. `cache`: an .npy file to keep the result in."""

    if cache is not None and cache.is_file():
        framed = np.load(cache)
        if len(framed) == len(images):
            return framed
    finder = shared_finder()
    out = np.empty((len(images), size, size, 1), np.uint8)
    for i, image in enumerate(images):
        faces = finder.find(image, max_side=STILL_SIDE)
        out[i] = prepare_face(face_square(image, faces[0].crop_box) if faces else image,
                              (size, size, 1))
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.save(cache, out)
    return out


def _take(x, y, limit, seed):
    """At most `limit` of (x, y), a seeded random choice (all when limit is None)."""
    if limit is None or len(y) <= limit:
        return x, y
    keep = np.sort(np.random.default_rng(seed).choice(len(y), limit, replace=False))
    return x[keep], y[keep]


def training_mix(smiles_x, smiles_y, fer_x, fer_y, seed: int):
    """What the door trains on: SMILEsmileD's training part and FER-2013's Training part,
    SMALL_FACE_SHARE of those faces made small (core.door.robustness.small_faces: 20-30 px
    and back, the course's condition), the built-in generated happy-faces training images in
    grey (so the course's cartoon faces still work) and NON_FACES images without a face
    (label 0, so noise does not open the door)."""

    faces = np.concatenate([smiles_x, fer_x])
    labels = np.concatenate([smiles_y, fer_y]).astype(np.int64)
    rng = np.random.default_rng(seed)
    small = np.flatnonzero(rng.uniform(size=len(faces)) < SMALL_FACE_SHARE)
    faces[small] = small_faces(faces[small], seed=seed)
    happy = load_builtin("happy-faces")
    happy_y = happy.y_train if happy.class_names[1] == "happy" else 1 - happy.y_train
    x = np.concatenate([faces, prepare_faces(happy.x_train, (64, 64, 1)), non_faces(NON_FACES, seed=seed)])
    y = np.concatenate([labels, happy_y.astype(np.int64), np.zeros(NON_FACES, np.int64)])
    return x, y, len(small)


def calibration_mix(smiles_x, smiles_y, fer_x, fer_y, seed: int):
    """The faces the 0.5 is fitted on (never trained on), with their source: a tenth of
    SMILEsmileD's training part as it is and made small (20-30 px), and FER-2013's
    PublicTest part. Each source weighs the same in the fit."""

    x = np.concatenate([smiles_x, small_faces(smiles_x, seed=seed + 1), fer_x])
    y = np.concatenate([smiles_y, smiles_y, fer_y]).astype(np.int64)
    source = np.array(["smiles"] * len(smiles_y) + ["smiles small"] * len(smiles_y)
                      + ["fer2013 public"] * len(fer_y))
    return x, y, source


def calibrate(door, x, y, source) -> dict:
    """Fit Platt scaling on (x, y) with each source weighed alike, fold it into the door's
    last unit, and return the two numbers with the calibration error per source before and
    after."""

    p = door_probabilities(door, x)
    a, b = fit_platt(log_odds(p), y, source_weights(source))
    after = sigmoid(a * log_odds(p) + b)
    fold_into_sigmoid(door.model, a, b)
    per_source = {}
    for name in dict.fromkeys(source):
        m = source == name
        per_source[name] = {
            "faces": int(m.sum()), "happy": int(y[m].sum()),
            "ece_before": round(expected_calibration_error(y[m], p[m]), 4),
            "ece_after": round(expected_calibration_error(y[m], after[m]), 4),
            "accuracy_before": round(float(((p[m] >= 0.5) == y[m]).mean()), 4),
            "accuracy_after": round(float(((after[m] >= 0.5) == y[m]).mean()), 4)}
    return {"method": "Platt scaling of the log-odds, p = sigmoid(a z + b), each source "
                      "weighed alike; folded into the last Dense unit (kernel x a, "
                      "bias x a + b)",
            "a": round(a, 5), "b": round(b, 5), "sources": per_source}


def scored(door, x, y) -> dict:
    """Accuracy, ROC AUC, calibration error and the constant answer, through the door's own
    input path."""

    p = door_probabilities(door, x)
    return {**binary_scores(y, p), "ece": round(expected_calibration_error(y, p), 4)}


def make_door_model(smiles: Path, fer: Path, out: Path, epochs: int = EPOCHS, seed: int = 0,
                    cache_dir: Path | None = None, limit: int | None = None,
                    init: Path | None = None, learning_rate: float | None = None,
                    on_event=None, filters: int = FILTERS, smiles_repeat: int = SMILES_REPEAT,
                    convs: int = CONVS) -> dict:
    """Train, calibrate, measure and save the door model; returns the metadata written
    beside it. `limit` takes at most that many faces from each training source (a quick
    measurement of the recipe, not a model to ship); `init` starts from that door model's
    weights instead of a fresh DoorNet of `filters` (its block-1 width) and `convs` (CONV
    units per block); `smiles_repeat`
    takes SMILEsmileD's training part that many times into each epoch (it has a fourth of
    FER-2013's faces, and its held-out fifth is the door's own measure)."""

    smiles_data = load_smiles(smiles, channels=1)
    s_tr, s_tr_y, s_cal, s_cal_y = smiles_data.split_validation(CALIBRATION_SHARE, seed)
    framed = None if cache_dir is None else \
        Path(cache_dir) / f"smiles-{smiles_data.fingerprint}-{seed}-{{}}-door-framed.npy"
    s_tr = door_framed(s_tr, cache=framed and Path(str(framed).format("train")))
    s_cal = door_framed(s_cal, cache=framed and Path(str(framed).format("calibration")))
    fer_data = load_fer2013(fer, cache_dir=cache_dir)
    f_tr, f_tr_y = fer_faces(fer_data, "Training", cache_dir)
    f_pub, f_pub_y = fer_faces(fer_data, "PublicTest", cache_dir)
    f_priv, f_priv_y = fer_faces(fer_data, "PrivateTest", cache_dir)
    s_tr, s_tr_y = _take(s_tr, s_tr_y, limit, seed)
    f_tr, f_tr_y = _take(f_tr, f_tr_y, limit, seed)
    x, y, n_small = training_mix(np.concatenate([s_tr] * smiles_repeat),
                                 np.concatenate([s_tr_y] * smiles_repeat), f_tr, f_tr_y, seed)
    dataset = Dataset("door faces", list(CLASS_NAMES), x, y, smiles_data.x_test,
                      smiles_data.y_test, source=f"{smiles} + {fer}")
    recipe = dict(RECIPE, learning_rate=learning_rate or RECIPE["learning_rate"])
    config = TrainConfig(epochs=epochs, seed=seed, augment=dict(AUGMENT), **recipe)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        arch = ArchSpec(ARCHITECTURE, {"filters": filters, "convs": convs})
        if init is not None:

            arch = from_model(init, dataset, seed=seed)
        result = train(arch, dataset, config, on_event=on_event, out=Path(tmp) / "run")
        if result.status != "finished":
            raise SystemExit(f"training did not finish: {result.status}: {result.message}")
        train_seconds = time.perf_counter() - start
        raw = Path(tmp) / "raw.keras"
        save_inference_model(result.model, raw)
        door = DoorModel.load(raw)
        cal_x, cal_y, cal_source = calibration_mix(s_cal, s_cal_y, f_pub, f_pub_y, seed)
        uncalibrated = {"held_out": scored(door, smiles_data.x_test, smiles_data.y_test)}
        calibration = calibrate(door, cal_x, cal_y, cal_source)
        save_inference_model(door.model, out)
    door = DoorModel.load(out)
    held = scored(door, smiles_data.x_test, smiles_data.y_test)
    degraded = {name: {"accuracy": scored(door, degrade(smiles_data.x_test, name),
                                          smiles_data.y_test)["accuracy"],
                       "what": DISTORTIONS[name]} for name in CHECKED_DISTORTIONS}
    meta = {
        "model": out.name, "architecture": ARCHITECTURE,
        "input": "64x64x1 grey, float32 in [0, 1]",
        "params": int(door.model.count_params()), "bytes": out.stat().st_size,
        "data": {
            "smiles": {"name": "smiles-64x64 (SMILEsmileD, Labeled Faces in the Wild crops, "
                               "hand-labelled smile / no smile)",
                       "folder": Path(smiles).name, "label_1": "smile",
                       "train_images": len(s_tr_y), "train_smiles": int(s_tr_y.sum()),
                       "calibration_images": len(s_cal_y),
                       "held_out_images": len(smiles_data.y_test),
                       "held_out_smiles": int(smiles_data.y_test.sum()),
                       "fingerprint": smiles_data.fingerprint},
            "fer2013": {"name": "FER-2013 (ICML 2013 representation learning challenge, grey "
                                "48x48 faces, seven expressions)",
                        "label_1": "happy (emotion 3) against the six others",
                        "parts": fer_data.counts(),
                        "train_images": len(f_tr_y), "train_happy": int(f_tr_y.sum()),
                        "use": "Training: trained on; PublicTest: calibration only; "
                               "PrivateTest: measured only",
                        "source": FER_SOURCE},
            "small_faces": f"{n_small} of the training faces ({SMALL_FACE_SHARE:.0%}, drawn "
                           f"once) downscaled to 20-30 px and upscaled back "
                           f"(core.door.robustness.small_faces): the course's 64x64 photos",
            "added_to_training": {
                "happy-faces": "the built-in generated set's 600 training images, grey "
                               "(so the course's cartoon faces still work)",
                "non-faces": f"{NON_FACES} generated images without a face (noise, "
                             f"blotches, flat grey, gradients) as 'no smile', so noise "
                             f"does not open the door"}},
        "split_rule": SPLIT_RULE,
        "recipe": {"epochs": epochs, "seed": seed, **recipe, "augment": dict(AUGMENT),
                   # --init keeps the starting model's own width
                   "filters": filters if init is None else None,
                   "convs": convs if init is None else None,
                   "smiles_repeat": smiles_repeat,
                   "kept": "the last epoch (the cosine schedule ends at 0)",
                   "limit": limit, "started_from": None if init is None else str(init)},
        "calibration": calibration,
        "held_out": held,
        "held_out_uncalibrated": uncalibrated["held_out"],
        "held_out_small_faces": scored(door, small_faces(smiles_data.x_test, seed=99),
                                       smiles_data.y_test),
        "fer2013_private_test": scored(door, f_priv, f_priv_y),
        "held_out_degraded": degraded,
        "random_noise": noise_check(door),
        "channel_rule": CHANNEL_RULE,
        "preprocessing": "found face square (or whole image) -> core.door.prepare.prepare_face: "
                         "grey by the channel rule, then resize to 64x64 (stretch) -> divide "
                         "by 255",
        "train_seconds": round(train_seconds, 1),
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} CPU cores, no GPU",
        "command": COMMAND.format(smiles=smiles, fer=fer, epochs=epochs, seed=seed,
                                  lr=recipe["learning_rate"], filters=filters,
                                  smiles_repeat=smiles_repeat, convs=convs)
                   + ("" if init is None else f" --init {init}")
                   + ("" if limit is None else f" --limit {limit}"),
    }
    out.with_suffix(".json").write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def main(argv=None) -> int:

    parser = argparse.ArgumentParser(prog="python -m cnnexplorer.tools.make_door_model",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--smiles", type=Path, required=True,
                        help="the smiles-64x64 folder (smile/ and nosmile/ crops)")
    parser.add_argument("--fer", type=Path, required=True,
                        help="FER-2013: its image folders (train/, test/) or fer2013.csv; "
                             "kept outside the repository")
    parser.add_argument("--cache", type=Path, default=None,
                        help="a folder to keep the decoded FER-2013 faces in (.npz)")
    parser.add_argument("--limit", type=int, default=None,
                        help="at most N faces from each training source: a quick "
                             "measurement of the recipe")
    parser.add_argument("--init", type=Path, default=None,
                        help="start from this door model's weights (default: a fresh DoorNet)")
    parser.add_argument("--lr", type=float, default=RECIPE["learning_rate"])
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--filters", type=int, default=FILTERS,
                        help="DoorNet's block-1 filters, doubled in each next block (a "
                             "fresh DoorNet only; --init keeps the model's own)")
    parser.add_argument("--smiles-repeat", type=int, default=SMILES_REPEAT,
                        help="SMILEsmileD's training part taken this many times per epoch")
    parser.add_argument("--convs", type=int, default=CONVS,
                        help="CONV 3x3 units per DoorNet block (a fresh DoorNet only)")
    parser.add_argument("--out", type=Path, default=resources_dir() / "door_model.keras")
    args = parser.parse_args(argv)

    def progress(event):
        if type(event).__name__ == "EpochEnd":
            m = event.metrics
            print(f"epoch {event.epoch + 1}/{event.epochs}: loss {m.get('loss', 0):.4f} "
                  f"acc {m.get('accuracy', 0):.3f} "
                  f"({event.seconds:.0f} s)", flush=True)

    meta = make_door_model(args.smiles, args.fer, args.out, args.epochs, args.seed,
                           args.cache, args.limit, args.init, args.lr, progress,
                           args.filters, args.smiles_repeat, convs=args.convs)
    print(json.dumps(meta, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
