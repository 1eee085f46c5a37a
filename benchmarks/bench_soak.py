"""Soak test of the Happy door: does memory stay flat over thousands of frames? (issue 12)

1. Core frame path: N camera-sized frames (640x480 generated faces) through what the inference
   worker does per live frame, `core.door.verdict.judge_image(door, frame, max_side=LIVE_SIDE)`
   (face finding, crops, the model's fast call), on the bundled door model.
2. GUI: M frames through `DoorPanel` offscreen (`judge_image` -> inference worker thread ->
   result shown: frame view, door, strip, stats), one at a time, each waited for.

Resident memory (VmRSS) is sampled every `--every` frames after a warm-up (TensorFlow's first
calls allocate for good). Pass: growth after warm-up under 50 MB, and no trend: the
least-squares slope over the second half under 1 MB per 1,000 frames.

3. Resume (issue 19, `soak_resume.py`): `--resume-kills N` kill -9s of a training run at
   random moments (during training and inside its saves), each followed by a resume; after
   every kill the saved model is no worse than the last saved one.

    python benchmarks/bench_soak.py [--frames 10000] [--gui-frames 1000] [--resume-kills 50]
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

MAX_GROWTH_MB = 50.0
MAX_SLOPE_MB_PER_1000 = 1.0


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    raise RuntimeError("no VmRSS in /proc/self/status (Linux only)")


def summarize(name: str, samples: list[tuple[int, float]], seconds: float) -> dict:
    frames = np.array([s[0] for s in samples], float)
    rss = np.array([s[1] for s in samples], float)
    half = len(samples) // 2
    slope = float(np.polyfit(frames[half:], rss[half:], 1)[0] * 1000) if len(samples) - half \
        >= 2 else 0.0
    out = {"name": name, "frames": int(frames[-1]), "seconds": seconds,
           "rss_start_mb": rss[0], "rss_end_mb": rss[-1], "rss_max_mb": rss.max(),
           "growth_mb": rss[-1] - rss[0], "slope_mb_per_1000": slope}
    out["passed"] = out["growth_mb"] < MAX_GROWTH_MB and slope < MAX_SLOPE_MB_PER_1000
    return out


def core_soak(frames: list[np.ndarray], n: int, every: int, warmup: int) -> dict:
    from cnnexplorer.core.door.faces import LIVE_SIDE
    from cnnexplorer.core.door.inference import DoorModel
    from cnnexplorer.core.door.verdict import judge_image

    door = DoorModel.bundled()
    for i in range(warmup):
        judge_image(door, frames[i % len(frames)], 0.5, max_side=LIVE_SIDE)
    gc.collect()
    samples = [(0, rss_mb())]
    t0 = time.perf_counter()
    for i in range(1, n + 1):
        judge_image(door, frames[i % len(frames)], 0.5, max_side=LIVE_SIDE)
        if i % every == 0:
            samples.append((i, rss_mb()))
    return summarize("core: judge_image per live frame", samples, time.perf_counter() - t0)


def gui_soak(frames: list[np.ndarray], n: int, every: int, warmup: int) -> dict:
    from PySide6.QtWidgets import QApplication

    from cnnexplorer.gui import gc_guard
    from cnnexplorer.gui.door.panel import DoorPanel
    from cnnexplorer.gui.pyside_check import require
    from cnnexplorer.gui.session import Session

    require()  # as gui/app.py does: not PySide6 6.12 on Python 3.11
    app = QApplication.instance() or QApplication([])
    gc_guard.install(app)  # as the app: collection on the GUI thread only
    panel = DoorPanel(Session())
    panel.resize(1400, 850)
    panel.show()
    deadline = time.perf_counter() + 300
    while panel.worker.door is None and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.005)

    def one(i: int) -> None:
        before = panel.worker.processed + panel.worker.dropped
        panel.judge_image(frames[i % len(frames)], "live")
        while panel.worker.processed + panel.worker.dropped == before:
            app.processEvents()
            time.sleep(0.0005)
        app.processEvents()  # the result is shown

    for i in range(warmup):
        one(i)
    samples = [(0, rss_mb())]
    t0 = time.perf_counter()
    for i in range(1, n + 1):
        one(i)
        if i % every == 0:
            samples.append((i, rss_mb()))
    out = summarize("GUI: DoorPanel, one live frame at a time", samples,
                    time.perf_counter() - t0)
    out["dropped"] = panel.worker.dropped
    panel.shutdown()
    from cnnexplorer.gui import workers

    assert workers.stop_and_wait(), "the door's inference loop did not stop"
    panel.deleteLater()
    app.processEvents()
    return out


def report(r: dict) -> None:
    verdict = "PASS" if r["passed"] else "FAIL"
    print(f"{r['name']}: {r['frames']} frames in {r['seconds']:.0f} s "
          f"({r['frames'] / r['seconds']:.0f} frames/s); RSS {r['rss_start_mb']:.0f} -> "
          f"{r['rss_end_mb']:.0f} MB (max {r['rss_max_mb']:.0f}), growth "
          f"{r['growth_mb']:+.1f} MB, second-half slope {r['slope_mb_per_1000']:+.2f} MB per "
          f"1,000 frames: {verdict}", flush=True)


def main() -> int:
    from bench_door import camera_frames

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=10_000)
    parser.add_argument("--gui-frames", type=int, default=1_000)
    parser.add_argument("--every", type=int, default=250, help="RSS sample interval (core)")
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--resume-kills", type=int, default=0,
                        help="kill -9 and resume a training run this many times (issue 19)")
    args = parser.parse_args()
    frames = camera_frames(16) if args.frames or args.gui_frames else []
    results = []
    if args.resume_kills:
        from soak_resume import report_resume, resume_soak

        results.append(resume_soak(args.resume_kills))
        report_resume(results[-1])
    if args.frames:
        results.append(core_soak(frames, args.frames, args.every, args.warmup))
        report(results[-1])
    if args.gui_frames:
        results.append(gui_soak(frames, args.gui_frames, max(1, args.every // 5),
                                min(args.warmup, 50)))
        report(results[-1])
    return 0 if all(r["passed"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
