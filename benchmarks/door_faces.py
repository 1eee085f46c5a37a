"""Face-finding measurements for benchmarks/bench_door.py (issue 11): frames with and without
a face, the detection rates, and the time per 640x480 frame against the old whole-frame path.

Frames that hold a face:
  people     the real photos of <data>/people, as they are (photo search side)
  hs64       a smile crop (brow to chin) shrunk to a 25-31 px face, pasted at head-and-shoulders
             scale (head in the upper middle, shoulders below) on a random background: 64x64
  hs64->640  the same 64x64 frame upscaled to 480x480 and set in a 640x480 frame, as a small
             course photo reaches a webcam-sized pipeline
  hs640      a smile crop upscaled to a 150-230 px face, pasted at head-and-shoulders scale in
             a 640x480 frame (a webcam frame)
Frames without one: smooth and white noise, stripes and checks, "rooms" of random rectangles
(640x480), and the photos of hands of <data>/signs-64x64 upscaled to 640x480.

`framing` re-measures how the smile crops frame a face against the detector's box and
landmarks: the constants of core/door/faces.py (SIDE_PER_EYE_DISTANCE, SIDE_PER_BOX_HEIGHT,
CENTRE_OFFSET).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np


def _rng_background(rng, h, w) -> np.ndarray:
    """A soft random background: a colour gradient with a few blurred blobs."""
    import cv2

    a, b = rng.integers(30, 226, 3), rng.integers(30, 226, 3)
    t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    img = (a * (1 - t) + b * t).astype(np.float32) * np.ones((h, w, 3), np.float32)
    for _ in range(4):
        c = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        cv2.circle(img, c, int(rng.integers(h // 8, h // 3)), rng.integers(0, 256, 3).tolist(),
                   -1)
    return cv2.GaussianBlur(img, (0, 0), max(1.0, h / 40)).clip(0, 255).astype(np.uint8)


def head_and_shoulders(crop: np.ndarray, h: int, w: int, face: int, rng) -> np.ndarray:
    """A (h, w) frame with a brow-to-chin crop as the face (`face` px), head and shoulders."""
    import cv2

    frame = _rng_background(rng, h, w)
    grey = crop if crop.ndim == 2 else crop[..., 0]
    face_img = cv2.resize(grey, (face, face), interpolation=cv2.INTER_AREA if face < grey.shape[0]
                          else cv2.INTER_CUBIC)
    cx = w // 2 + int(rng.integers(-w // 10, w // 10 + 1))
    top = int(h * 0.18) + int(rng.integers(-h // 20, h // 20 + 1))
    x0 = cx - face // 2
    # hair and neck around the crop, shoulders below: a head-and-shoulders silhouette
    tone = int(np.median(face_img))
    cv2.ellipse(frame, (cx, top + face // 2), (int(face * 0.62), int(face * 0.75)), 0, 0, 360,
                (tone // 3,) * 3, -1)
    shirt = rng.integers(20, 200, 3).tolist()
    cv2.ellipse(frame, (cx, top + face + int(face * 1.1)), (int(face * 1.5), int(face * 0.9)), 0,
                180, 360, shirt, -1)
    cv2.rectangle(frame, (cx - int(face * 1.5), top + face + int(face * 1.1)), (cx + int(face * 1.5),
                  h), shirt, -1)
    cv2.rectangle(frame, (cx - face // 5, top + face - 2), (cx + face // 5, top + face + face // 3),
                  (tone,) * 3, -1)
    y0 = top
    ys, xs = slice(max(0, y0), min(h, y0 + face)), slice(max(0, x0), min(w, x0 + face))
    part = face_img[ys.start - y0:ys.stop - y0, xs.start - x0:xs.stop - x0]
    frame[ys, xs] = np.repeat(part[..., None], 3, axis=2)
    return frame


def upscale_into_640x480(frame64: np.ndarray) -> np.ndarray:
    import cv2

    big = cv2.resize(frame64, (480, 480), interpolation=cv2.INTER_CUBIC)
    return cv2.copyMakeBorder(big, 0, 0, 80, 80, cv2.BORDER_REPLICATE)


def no_face_frames(n: int, data: Path, rng) -> dict[str, list[np.ndarray]]:
    import cv2

    h, w = 480, 640
    out: dict[str, list[np.ndarray]] = {"noise": [], "smooth noise": [], "stripes/checks": [],
                                         "rooms": [], "hands (signs)": []}
    per = max(1, n // 5)
    for i in range(per):
        out["noise"].append(rng.integers(0, 256, (h, w, 3), dtype=np.uint8))
        small = rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)
        out["smooth noise"].append(cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC))
        period = int(rng.integers(6, 60))
        yy, xx = np.mgrid[0:h, 0:w]
        pattern = ((xx // period) % 2) if i % 2 else (((xx // period) + (yy // period)) % 2)
        c1, c2 = rng.integers(0, 256, 3), rng.integers(0, 256, 3)
        out["stripes/checks"].append(np.where(pattern[..., None] == 1, c1, c2).astype(np.uint8))
        room = _rng_background(rng, h, w)
        for _ in range(int(rng.integers(4, 12))):
            x, y = int(rng.integers(0, w - 40)), int(rng.integers(0, h - 40))
            cv2.rectangle(room, (x, y), (x + int(rng.integers(20, 260)), y +
                          int(rng.integers(20, 260))), rng.integers(0, 256, 3).tolist(), -1)
        out["rooms"].append(room)
    signs = sorted((data / "signs-64x64").glob("*/*.jpg"))
    if signs:
        from cnnexplorer.core.data.images import read_image

        for path in rng.choice(signs, size=min(per, len(signs)), replace=False):
            out["hands (signs)"].append(cv2.resize(read_image(path), (w, h),
                                                   interpolation=cv2.INTER_CUBIC))
    return out


def face_frames(n: int, data: Path, rng) -> dict[str, list[np.ndarray]]:
    from cnnexplorer.core.data.images import read_image

    out: dict[str, list[np.ndarray]] = {"hs64": [], "hs64->640": [], "hs640": []}
    crops = sorted((data / "smiles-64x64").glob("*/*.jpg"))
    for path in rng.choice(crops, size=min(n, len(crops)), replace=False) if crops else []:
        crop = read_image(path, channels=1)[..., 0]
        f64 = head_and_shoulders(crop, 64, 64, int(rng.integers(25, 32)), rng)
        out["hs64"].append(f64)
        out["hs64->640"].append(upscale_into_640x480(f64))
        out["hs640"].append(head_and_shoulders(crop, 480, 640, int(rng.integers(150, 231)), rng))
    return out


def _rate(finder, frames, max_side) -> tuple[int, int]:
    return sum(bool(finder.find(f, max_side=max_side)) for f in frames), len(frames)


def report(data: Path, n: int) -> None:
    from cnnexplorer.core.data.images import read_image
    from cnnexplorer.core.door.faces import LIVE_SIDE, STILL_SIDE, FaceFinder
    from cnnexplorer.core.door.inference import DoorModel
    from cnnexplorer.core.door.verdict import judge_image

    rng = np.random.default_rng(0)
    finder = FaceFinder()
    print(f"Face finding (YuNet, score >= {finder.score_threshold}); data: {data}")
    print(f"{'frames with a face':<28}{'search side':>12}{'found':>8}{'of':>6}{'rate':>8}")
    people = sorted((data / "people").glob("*.jpg"))
    if people:
        photos = [read_image(p) for p in people]
        found, total = _rate(finder, photos, STILL_SIDE)
        print(f"{'people (real photos)':<28}{STILL_SIDE:>12}{found:>8}{total:>6}"
              f"{found / total:>8.1%}")
        counts = {p.name: len(finder.find(im)) for p, im in zip(people, photos)}
        print("  faces per photo: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    with_face = face_frames(n, data, rng)
    for name, frames in with_face.items():
        if not frames:
            continue
        sides = (STILL_SIDE,) if name == "hs64" else (STILL_SIDE, LIVE_SIDE, 160)
        for side in sides:
            found, total = _rate(finder, frames, side)
            print(f"{name:<28}{side:>12}{found:>8}{total:>6}{found / total:>8.1%}")
    print(f"{'frames without a face':<28}{'search side':>12}{'clear':>8}{'of':>6}{'rate':>8}")
    for name, frames in no_face_frames(n, data, rng).items():
        if not frames:
            continue
        for side in (STILL_SIDE, LIVE_SIDE):
            found, total = _rate(finder, frames, side)
            print(f"{name:<28}{side:>12}{total - found:>8}{total:>6}"
                  f"{(total - found) / total:>8.1%}")

    frames = with_face["hs640"] or [head_and_shoulders(
        np.full((64, 64), 128, np.uint8), 480, 640, 200, rng)]
    door = DoorModel.bundled()
    door.warm_up()
    for f in frames[:5]:
        judge_image(door, f, max_side=LIVE_SIDE, finder=finder)
    paths = {
        "old: whole frame -> model input": lambda f: door.probability(f),
        f"find (side {LIVE_SIDE}) + crop + judge": lambda f: judge_image(
            door, f, max_side=LIVE_SIDE, finder=finder),
        "find (side 160) + crop + judge": lambda f: judge_image(
            door, f, max_side=160, finder=finder),
        f"find (side {STILL_SIDE}) + crop + judge": lambda f: judge_image(
            door, f, max_side=STILL_SIDE, finder=finder),
    }
    times = {k: [] for k in paths}
    for f in frames:  # interleaved, so load changes hit every path alike
        for name, fn in paths.items():
            t0 = time.perf_counter()
            fn(f)
            times[name].append((time.perf_counter() - t0) * 1e3)
    print(f"Per 640x480 frame ({len(frames)} head-and-shoulders frames), "
          f"{door.name} {door.input_shape}")
    print(f"{'path':<36}{'p50 ms':>9}{'p99 ms':>9}")
    for name, ts in times.items():
        print(f"{name:<36}{np.percentile(ts, 50):9.2f}{np.percentile(ts, 99):9.2f}")


def framing(data: Path, n: int = 300) -> None:
    """Run the detector on `n` smile crops (upscaled 3x, in a replicated border) and print where
    the crop's frame lies against the box and landmarks, in units of the crop's side."""
    import cv2

    from cnnexplorer.core.data.images import read_image
    from cnnexplorer.core.door.faces import FaceFinder

    crops = sorted((data / "smiles-64x64").glob("*/*.jpg"))
    rng = np.random.default_rng(0)
    finder = FaceFinder(score_threshold=0.5)
    side, pad = 192, 96
    rows = []
    for path in rng.choice(crops, size=min(n, len(crops)), replace=False):
        grey = read_image(path, channels=1)[..., 0]
        big = cv2.copyMakeBorder(cv2.resize(grey, (side, side), interpolation=cv2.INTER_CUBIC),
                                 pad, pad, pad, pad, cv2.BORDER_REPLICATE)
        faces = finder.find(big, max_side=10_000)
        if faces:
            f = faces[0]
            pts = (np.asarray(f.landmarks) - pad) / side
            rows.append((f.box[3] / side, np.linalg.norm(pts[1] - pts[0]),
                         *((pts[0:2].mean(0) + pts[3:5].mean(0)) / 2)))
    box_h, eye_d, mid_x, mid_y = np.asarray(rows).T
    print(f"smile crops measured: {len(rows)} of {min(n, len(crops))} (face found)")
    for name, values in (("crop side / eye distance (SIDE_PER_EYE_DISTANCE)", 1 / eye_d),
                         ("crop side / box height (SIDE_PER_BOX_HEIGHT)", 1 / box_h),
                         ("crop centre x - eyes-mouth midpoint x (CENTRE_OFFSET[0])", 0.5 - mid_x),
                         ("crop centre y - eyes-mouth midpoint y (CENTRE_OFFSET[1])", 0.5 - mid_y)):
        print(f"  {name}: mean {values.mean():.3f}, sd {values.std():.3f}")
