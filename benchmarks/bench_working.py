"""Selecting a layer shows its working in under 50 ms (issue 20): the Architecture panel's
selection -> WorkingView path, timed for every layer of ResNet-50 and GoogLeNet (offscreen),
beside the core call alone (core.arch.working.layer_working with the panel's cost report).

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_working.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    from PySide6.QtWidgets import QApplication

    from cnnexplorer.core.arch.working import layer_working
    from cnnexplorer.gui.architecture.panel import ArchitecturePanel
    from cnnexplorer.gui.session import Session

    app = QApplication.instance() or QApplication([])
    panel = ArchitecturePanel(Session())
    panel.resize(1440, 900)
    panel.show()
    for key in ("resnet50", "googlenet"):
        panel.select_entry(key)
        deadline = time.time() + 60
        while (panel.report() is None or panel.entry().key != key) and time.time() < deadline:
            app.processEvents()
        report = panel.report()
        names = [r.name for r in report.rows]
        core, gui = [], []
        for name in names:
            t = time.perf_counter()
            layer_working(report.network, name, report)
            core.append(1e3 * (time.perf_counter() - t))
            t = time.perf_counter()
            panel.select_layer(name)  # table selection -> working view (and chart, diagram)
            app.processEvents()
            gui.append(1e3 * (time.perf_counter() - t))
        for label, values in (("core layer_working", core), ("panel selection", gui)):
            values.sort()
            print(f"{key}: {label}: median {statistics.median(values):.2f} ms, "
                  f"p95 {values[int(0.95 * (len(values) - 1))]:.2f} ms, "
                  f"max {values[-1]:.2f} ms over {len(values)} layers")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
