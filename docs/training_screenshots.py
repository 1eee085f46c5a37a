"""The plain vs residual preset, run as a user runs it: the Training panel's preset button,
then a screenshot of the overlaid curves (docs/training-plain-vs-residual.png) and the numbers
behind them (per-epoch training loss and accuracy, wall and CPU seconds) for docs/training.md.

    QT_QPA_PLATFORM=offscreen CNNEXPLORER_HOME=$(mktemp -d) nice -n 10 \\
        python docs/training_screenshots.py

`--runs-from DIR` copies saved runs from DIR (e.g. an earlier measurement) instead of training,
and only takes the screenshot.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs-from", type=Path, help="copy these runs instead of training")
    ap.add_argument("--out", type=Path, default=OUT / "training-plain-vs-residual.png")
    args = ap.parse_args()

    from PySide6.QtWidgets import QMainWindow

    from cnnexplorer import paths
    from cnnexplorer.core.train import runs as runs_mod
    from cnnexplorer.gui.app import create_application
    from cnnexplorer.gui.session import Session
    from cnnexplorer.gui.training.panel import TrainingPanel

    app = create_application()
    if args.runs_from is not None:
        for run in runs_mod.list_runs(args.runs_from):
            shutil.copytree(run.path, paths.runs_dir() / run.path.name)
    session = Session()
    window = QMainWindow()
    panel = TrainingPanel(session)
    window.setCentralWidget(panel)
    window.resize(1440, 900)
    window.show()
    wall = cpu = 0.0
    if args.runs_from is None:
        t0, c0 = time.perf_counter(), time.process_time()
        panel.preset_button.click()
        while panel.worker is not None:  # the panel clears it when the worker has ended
            app.processEvents()
            time.sleep(0.05)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    preset = runs_mod.list_runs()[-2:]
    panel.runs_list.refresh(check=[str(r.path) for r in preset])
    panel.tabs.setCurrentWidget(panel.curves)
    for _ in range(20):
        app.processEvents()
        time.sleep(0.05)
    panel.curves.redraw()
    app.processEvents()
    window.grab().save(str(args.out))
    report = {"wall_s": round(wall, 1), "cpu_s": round(cpu, 1), "screenshot": str(args.out),
              "runs": []}
    for run in preset:
        cfg = run.config()
        hist = run.history()
        report["runs"].append({
            "architecture": cfg["architecture"]["key"],
            "options": cfg["architecture"].get("options"), "dataset": cfg["dataset"]["name"],
            "train": {k: cfg["train"][k] for k in ("epochs", "batch_size", "learning_rate")},
            "loss": [round(h["loss"], 4) for h in hist],
            "accuracy": [round(h["accuracy"], 4) for h in hist],
            "seconds": [round(h["seconds"], 1) for h in hist]})
    print(json.dumps(report, indent=1))
    panel.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
