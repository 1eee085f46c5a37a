"""Make docs/door-open.png and docs/door-closed.png: the main window on the Happy door tab.

    DISPLAY=:NN QT_QPA_PLATFORM=xcb python -m cnnexplorer.tools.door_screenshots [--out docs]

Picks, from the "happy-faces" test split, the smiling face the bundled model is most sure of
and the not-smiling face it is most sure of (so the pictures show the door doing its job, not
its accuracy: see docs/door.md for that), judges each in the panel with Grad-CAM on, waits for
the door's animation, and grabs the window.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs"))
    args = parser.parse_args(argv)

    import numpy as np

    from cnnexplorer.core.data.generated import load_builtin
    from cnnexplorer.core.door.inference import DoorModel
    from cnnexplorer.gui.app import create_application
    from cnnexplorer.gui.main_window import MainWindow

    ds = load_builtin("happy-faces")
    door = DoorModel.bundled()
    probs = np.array([p.probability for p in door.predict_images(list(ds.x_test))])
    smile = int(np.argmax(np.where(ds.y_test == 1, probs, -1)))
    frown = int(np.argmin(np.where(ds.y_test == 0, probs, 2)))

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
        _wait(app, lambda: panel.last_result is not None and
              panel.last_result.tag == f"happy-faces test #{i}")
    args.out.mkdir(parents=True, exist_ok=True)
    for index, name in ((frown, "door-closed.png"), (smile, "door-open.png")):
        tag = f"happy-faces test #{index} ({'smiling' if ds.y_test[index] else 'not smiling'})"
        window.show_panel("Happy door")  # the window may restore another tab meanwhile
        panel.judge_image(ds.x_test[index], tag)
        _wait(app, lambda: panel.last_result is not None and panel.last_result.tag == tag)
        _settle(app, 1.0)  # the door's swing
        window.grab().save(str(args.out / name))
        print(f"{args.out / name}: test image {index}, happy probability "
              f"{panel.last_result.probability:.3f}")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
