"""How fast is the Happy door? Per-frame latency and GUI-pipeline frame rate, one run.

1. Latency per frame (preprocess + predict) for the bundled door model, on the same frames:
     door     DoorModel.probability: resize to 64x64, scale, tf.function call (the fast path)
     predict  the same preprocessing + model.predict(x, verbose=0), the plain Keras way
   plus model(x) and predict_on_batch for context. p50 and p99 of each, and the ratio.
   Goals (issue 6): door p50 under 5 ms, and at least 10x faster than model.predict.
2. Frames per second through the GUI pipeline (DoorPanel, offscreen): an image-sequence
   source plays camera-sized frames (640x480) at a fixed rate into the inference worker
   with the newest-frame policy; counts frames judged per second and frames dropped, with
   Grad-CAM + feature maps on and off.
3. Face finding (issue 11; benchmarks/door_faces.py builds the frames): the detection rate on
   frames that hold a face (the real photos of ../shared/data/people, and smile crops pasted
   at head-and-shoulders scale into 64x64 and 640x480 frames), the rate of frames without a
   face where none is reported (backgrounds, textures, noise, photos of hands), and the time
   per 640x480 frame through finding + cropping + judging against the old whole-frame path,
   interleaved in the same run. Needs ../shared/data (or --data DIR) for the real images.

    python benchmarks/bench_door.py [--frames 300] [--seconds 5] [--only latency|gui|faces]
    python benchmarks/bench_door.py --only framing    # re-measure the face crop's framing
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def camera_frames(n: int, size=(480, 640), seed: int = 0) -> list[np.ndarray]:
    """Generated faces blown up to camera size (what a webcam hands the door)."""
    from PIL import Image

    from cnnexplorer.core.data.generated.happy import draw_face

    rng = np.random.default_rng(seed)
    base = [draw_face(np.random.default_rng(i), float(rng.uniform(-1, 1))) for i in range(16)]
    big = [np.asarray(Image.fromarray(b).resize((size[1], size[0]))) for b in base]
    return [big[i % len(big)] for i in range(n)]


def pct(values, q) -> float:
    return float(np.percentile(np.asarray(values), q))


def latency(frames, repeats_predict: int) -> dict:
    import tensorflow as tf

    from cnnexplorer.core.door.inference import DoorModel, preprocess

    door = DoorModel.bundled()
    model = door.model
    door.warm_up()
    for f in frames[:5]:  # warm every path
        x = preprocess(f, door.input_shape)
        model.predict(x, verbose=0)
        model(x, training=False)
        model.predict_on_batch(x)

    shape = door.input_shape
    paths = {
        "preprocess only": lambda f: preprocess(f, shape),
        "door (tf.function)": door.probability,
        "model(x)": lambda f: model(tf.constant(preprocess(f, shape)), training=False).numpy(),
        "predict_on_batch": lambda f: model.predict_on_batch(preprocess(f, shape)),
        "model.predict": lambda f: model.predict(preprocess(f, shape), verbose=0),
    }
    results = {name: [] for name in paths}
    # Interleaved: every frame goes through each path in turn, so a change in the machine's
    # load during the run hits all paths alike.
    for i, frame in enumerate(frames):
        for name, fn in paths.items():
            if name == "model.predict" and i >= repeats_predict:
                continue
            t0 = time.perf_counter()
            fn(frame)
            results[name].append((time.perf_counter() - t0) * 1e3)
    return results


def gui_fps(frames, seconds: float, fps: float, explain: bool) -> dict:
    from PySide6.QtWidgets import QApplication

    from cnnexplorer.gui.door.panel import DoorPanel
    from cnnexplorer.gui.session import Session

    from cnnexplorer.gui.pyside_check import require

    require()  # as gui/app.py does: not PySide6 6.12 on Python 3.11
    app = QApplication.instance() or QApplication([])
    panel = DoorPanel(Session())
    panel.resize(1400, 850)
    panel.show()
    t0 = time.perf_counter()
    # loaded, and its layers listed (set_layers arrives through a queued signal)
    while (panel.worker.door is None or panel.inside.map_layer.count() == 0) and \
            time.perf_counter() - t0 < 60:
        app.processEvents()
        time.sleep(0.005)
    panel.inside.show_cam.setChecked(explain)
    if not explain:
        panel.inside.map_layer.clear()  # no feature maps either: probability only
    app.processEvents()
    assert panel.worker.explain == explain
    n = int(seconds * fps)
    seq = [frames[i % len(frames)] for i in range(n)]
    # Time the stream from its first judged frame (the first Grad-CAM call traces once).
    panel.play_sequence(seq[:10], fps=fps)
    while panel.source is not None:
        app.processEvents()
        time.sleep(0.001)
    time.sleep(0.2)
    app.processEvents()
    w = panel.worker
    base_sub, base_proc, base_drop = w.submitted, w.processed, w.dropped
    t_start = time.perf_counter()
    panel.play_sequence(seq, fps=fps)
    while panel.source is not None:
        app.processEvents()
        time.sleep(0.001)
    elapsed = time.perf_counter() - t_start
    app.processEvents()
    out = {"offered_fps": fps, "explain": explain, "seconds": elapsed,
           "submitted": w.submitted - base_sub, "judged": w.processed - base_proc,
           "dropped": w.dropped - base_drop}
    out["judged_fps"] = out["judged"] / elapsed
    out["delivered_fps"] = out["submitted"] / elapsed
    panel.shutdown()
    from cnnexplorer.gui import workers

    assert workers.stop_and_wait(), "the door's inference loop did not stop"
    panel.deleteLater()
    app.processEvents()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=500, help="frames timed per fast path")
    ap.add_argument("--predict-frames", type=int, default=100,
                    help="frames timed through model.predict (slow)")
    ap.add_argument("--seconds", type=float, default=5.0, help="length of each GUI stream")
    ap.add_argument("--only", choices=("latency", "gui", "faces", "framing"),
                    help="run one part (default: all)")
    ap.add_argument("--data", type=Path,
                    default=Path(__file__).resolve().parent.parent.parent / "shared" / "data",
                    help="the shared data folder (people/, smiles-64x64/, signs-64x64/)")
    ap.add_argument("--face-frames", type=int, default=200,
                    help="frames per face-finding condition")
    args = ap.parse_args()

    if args.only == "framing":
        from door_faces import framing

        framing(args.data)
        return 0
    if args.only == "faces" or args.only is None:
        from door_faces import report

        report(args.data, args.face_frames)
        if args.only == "faces":
            return 0
        print()
    frames = camera_frames(args.frames)
    if args.only == "gui":
        return gui_table(frames, args.seconds)
    res = latency(frames, args.predict_frames)
    print(f"Per-frame latency, bundled HappyModel, 640x480 RGB frames -> 64x64x3 "
          f"({args.frames} frames; model.predict: {args.predict_frames})")
    print(f"{'path':<22}{'p50 ms':>9}{'p99 ms':>9}")
    for name, times in res.items():
        print(f"{name:<22}{pct(times, 50):9.2f}{pct(times, 99):9.2f}")
    door_p50 = pct(res["door (tf.function)"], 50)
    ratio = pct(res["model.predict"], 50) / door_p50
    print(f"door p50 {door_p50:.2f} ms (goal < 5 ms: {'met' if door_p50 < 5 else 'MISSED'}); "
          f"model.predict / door at p50 = {ratio:.1f}x (goal >= 10x: "
          f"{'met' if ratio >= 10 else 'MISSED'})")
    print()
    if args.only == "latency":
        return 0
    return gui_table(frames, args.seconds)


def gui_table(frames, seconds: float) -> int:
    print("GUI pipeline (DoorPanel offscreen, image-sequence source of 640x480 frames, "
          "newest frame wins)")
    print(f"{'offered fps':>12}{'look inside':>13}{'delivered':>11}{'judged fps':>12}"
          f"{'dropped':>9}")
    for fps, explain in ((30, False), (30, True), (120, False), (120, True)):
        r = gui_fps(frames[:32], seconds, fps, explain)
        print(f"{fps:>12}{'on' if explain else 'off':>13}{r['delivered_fps']:>11.1f}"
              f"{r['judged_fps']:>12.1f}{r['dropped']:>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
