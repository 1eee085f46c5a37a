"""The plain vs residual preset's curves for several seeds, from the JSON that
benchmarks/bench_plain_vs_residual.py writes: training accuracy and loss per epoch, plain_net
dashed and residual_net solid, one shade per seed (docs/plain-vs-residual-seeds.png).

    QT_QPA_PLATFORM=offscreen python docs/plain_vs_residual_plot.py benchmarks/plain_vs_residual.json

Drawn with pyqtgraph (already the app's plotting library, so no new dependency) and saved
with its ImageExporter.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "plain-vs-residual-seeds.png"
#: one shade per seed: plain reds, residual blues
PLAIN = ("#d62728", "#ff7f0e", "#8c564b")
RESIDUAL = ("#1f77b4", "#17becf", "#2ca02c")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", type=Path, help="bench_plain_vs_residual.py's --out JSON")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    report = json.loads(args.results.read_text())

    import pyqtgraph as pg
    import pyqtgraph.exporters
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv)
    pg.setConfigOptions(background="w", foreground="k", antialias=True)
    layout = pg.GraphicsLayoutWidget()
    layout.resize(1200, 480)
    s = report["settings"]
    layout.addLabel(f"plain_net vs residual_net ({_options(report['options'])}) on "
                    f"{Path(report['dataset']).name}: {s['epochs']} epochs, batch {s['batch_size']}, "
                    f"{s['optimizer']} {s['learning_rate']:g}", colspan=3)
    layout.nextRow()
    accuracy = layout.addPlot(title="training accuracy")
    loss = layout.addPlot(title="training loss")
    legend = pg.LegendItem()  # a column of its own, so no curve hides behind it
    layout.addItem(legend)
    legend.setMaximumHeight(170)  # its rows together, not spread over the plots' height
    for plot in (accuracy, loss):
        plot.setLabel("bottom", "epoch")
        plot.showGrid(x=True, y=True, alpha=0.3)
    # ln 6: the loss of a uniform guess over the six classes
    loss.addLine(y=math.log(6), pen=pg.mkPen("#888", style=Qt.PenStyle.DotLine))
    accuracy.setYRange(0, 1)
    for i, row in enumerate(report["seeds"]):
        for run in row["runs"]:
            plain = run["architecture"] == "plain_net"
            colour = (PLAIN if plain else RESIDUAL)[i % 3]
            pen = pg.mkPen(colour, width=2.5,
                           style=Qt.PenStyle.DashLine if plain else Qt.PenStyle.SolidLine)
            epochs = list(range(1, len(run["accuracy"]) + 1))
            name = f"{run['architecture']}, seed {row['seed']}"
            legend.addItem(accuracy.plot(epochs, run["accuracy"], pen=pen), name)
            loss.plot(epochs, run["loss"], pen=pen)
    layout.show()
    app.processEvents()
    exporter = pyqtgraph.exporters.ImageExporter(layout.ci)
    exporter.parameters()["width"] = 1200
    exporter.export(str(args.out))
    print(args.out)
    return 0


def _options(options: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in options.items())


if __name__ == "__main__":
    sys.exit(main())
