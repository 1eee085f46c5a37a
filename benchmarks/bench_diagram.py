"""How fast the block diagram draws (goal: VGG-16 under 200 ms), against plain Keras.

Measured in one run, medians of several repeats:
  layout    core.views.diagram_layout.layout_network (pure Python)
  svg       layout + core.views.diagram_svg.render_svg (what `cnnexplorer diagram -o x.svg` does)
  view      DiagramView.set_network + a synchronous repaint (Qt, offscreen): the GUI's cost
            from "network changed" to pixels, layout included
  keras     the plain-Keras way to look at the same model's structure: build it and print
            model.summary() (keras.utils.plot_model needs pydot + Graphviz, not installed);
            for VGG-16 and ResNet-50 this is keras.applications with weights=None

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_diagram.py [--no-keras]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from contextlib import redirect_stdout


def _median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1000 * statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="diagram drawing benchmark")
    parser.add_argument("--no-keras", action="store_true", help="skip the Keras baselines")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtWidgets import QApplication

    from cnnexplorer.core.arch import zoo
    from cnnexplorer.core.views.diagram_layout import layout_network
    from cnnexplorer.core.views.diagram_svg import render_svg
    from cnnexplorer.gui.architecture.diagram_view import DiagramView

    from cnnexplorer.gui.pyside_check import require

    require()  # as gui/app.py does: not PySide6 6.12 on Python 3.11
    app = QApplication.instance() or QApplication([])
    view = DiagramView()
    view.resize(900, 800)
    view.show()
    app.processEvents()

    cases = [("vgg16", "VGG16"), ("resnet50", "ResNet50"), ("googlenet", None),
             ("resnet50_course", None)]
    if not args.no_keras:
        cases.append(("densenet121", "DenseNet121"))  # imported through Keras (cached)
    print(f"{'network':18} {'boxes':>5} {'layout':>9} {'svg':>9} {'view':>9} "
          f"{'keras':>10} {'keras/view':>10}")
    results = {}
    for key, keras_app in cases:
        net = zoo.build(key)
        layout = layout_network(net)
        t_layout = _median_ms(lambda net=net: layout_network(net), args.repeat)
        t_svg = _median_ms(lambda net=net: render_svg(layout_network(net)), args.repeat)

        def draw(net=net):
            view.set_network(None)
            view.set_network(net, collapsed=())  # every layer drawn (no automatic folding)
            view.viewport().repaint()
        t_view = _median_ms(draw, args.repeat)
        t_keras = None
        if keras_app and not args.no_keras:
            from cnnexplorer.core.keras.build import import_keras

            keras = import_keras()

            def plain_keras(keras=keras, keras_app=keras_app):
                model = getattr(keras.applications, keras_app)(weights=None)
                with redirect_stdout(io.StringIO()):
                    model.summary()
            plain_keras()  # warm-up: first-call tracing is not what we compare
            t_keras = _median_ms(plain_keras, 3)
        ratio = f"{t_keras / t_view:10.0f}x" if t_keras else f"{'-':>10}"
        keras_text = f"{t_keras:8.0f}ms" if t_keras else f"{'-':>10}"
        print(f"{key:18} {len(layout.boxes):5d} {t_layout:7.1f}ms {t_svg:7.1f}ms "
              f"{t_view:7.1f}ms {keras_text} {ratio}")
        results[key] = t_view
    view.close()
    goal = results["vgg16"] < 200
    print(f"VGG-16 drawn in {results['vgg16']:.1f} ms: goal < 200 ms "
          f"{'met' if goal else 'MISSED'}")
    return 0 if goal else 1


if __name__ == "__main__":
    sys.exit(main())
