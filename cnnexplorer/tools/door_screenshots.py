"""Make docs/door-open.png, door-closed.png and door-faces.png: the main window on the door tab.

    DISPLAY=:NN QT_QPA_PLATFORM=xcb python -m cnnexplorer.tools.door_screenshots [--out docs]

Picks, from the "happy-faces" test split, the smiling face the bundled model is most sure of
and the not-smiling face it is most sure of (so the pictures show the door doing its job, not
its accuracy: see docs/door.md for that), judges each in the panel with Grad-CAM on, waits for
the door's animation, and grabs the window. door-faces.png shows face finding on a 640x480
frame holding two generated faces (no real person's photo goes into the repository).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from cnnexplorer.core.door.inference import DoorModel
from cnnexplorer.core.door.verdict import judge_image


def _wait(app, cond, seconds: float = 60.0) -> None:
    t0 = time.perf_counter()
    while not cond() and time.perf_counter() - t0 < seconds:
        app.processEvents()
        time.sleep(0.01)


def _settle(app, seconds: float) -> None:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        app.processEvents()
        time.sleep(0.01)


def two_face_frame():
    """640x480: a soft background and two generated faces, one large and one small (faces
    of the happy-faces generator that YuNet finds at the default score)."""
    import numpy as np
    from PIL import Image

    from cnnexplorer.core.data.generated.happy import draw_face

    yy, xx = np.mgrid[0:480, 0:640].astype(np.float32)
    frame = np.stack([150 + 60 * xx / 640, 170 + 40 * yy / 480, 190 - 50 * xx / 640], axis=2)
    frame = frame.astype(np.uint8)
    for seed, mood, (x, y, side) in ((17, 1.0, (320, 80, 310)), (19, -1.0, (20, 210, 250))):
        face = draw_face(np.random.default_rng(seed), mood)
        frame[y:y + side, x:x + side] = np.asarray(Image.fromarray(face).resize((side, side)))
    return frame


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs"))
    args = parser.parse_args(argv)

    import numpy as np

    from cnnexplorer.core.data.generated import load_builtin
    from cnnexplorer.gui.app import create_application
    from cnnexplorer.gui.main_window import MainWindow

    ds = load_builtin("happy-faces")
    door = DoorModel.bundled()
    # judged as the panel judges them: faces found and cropped (or a face-less image whole)
    verdicts = [judge_image(door, image) for image in ds.x_test]
    probs = np.array([-1.0 if v.probability is None else v.probability for v in verdicts])
    smile = int(np.argmax(np.where(ds.y_test == 1, probs, -1)))
    frown = int(np.argmin(np.where((ds.y_test == 0) & (probs >= 0), probs, 2)))

    app = create_application([])
    window = MainWindow()
    window.resize(1600, 960)
    window.show()
    window.show_panel("Happy door")
    panel = window.panels["Happy door"]
    _wait(app, lambda: panel.worker.door is not None)
    # a few faces first, so the strip of recent decisions has something to show
    for i in (3, 8, 11, 20, 31):
        panel.judge_image(ds.x_test[i], f"happy-faces test #{i}")
        _wait(app, lambda i=i: panel.last_result is not None and
              panel.last_result.tag == f"happy-faces test #{i}")
    args.out.mkdir(parents=True, exist_ok=True)
    for index, name in ((frown, "door-closed.png"), (smile, "door-open.png")):
        tag = f"happy-faces test #{index} ({'smiling' if ds.y_test[index] else 'not smiling'})"
        window.show_panel("Happy door")  # the window may restore another tab meanwhile
        panel.judge_image(ds.x_test[index], tag)
        _wait(app, lambda tag=tag: panel.last_result is not None and panel.last_result.tag == tag)
        _settle(app, 1.0)  # the door's swing
        window.grab().save(str(args.out / name))
        print(f"{args.out / name}: test image {index}, happy probability "
              f"{panel.last_result.probability:.3f}")
    tag = "two generated faces, 640x480"
    panel.judge_image(two_face_frame(), tag)
    _wait(app, lambda: panel.last_result is not None and panel.last_result.tag == tag)
    _settle(app, 1.0)
    window.grab().save(str(args.out / "door-faces.png"))
    faces = panel.last_result.verdict.faces
    print(f"{args.out / 'door-faces.png'}: {len(faces)} faces found "
          f"{[f.box for f in faces]}, the door follows the largest")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
