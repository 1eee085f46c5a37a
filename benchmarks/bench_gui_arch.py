"""GUI benchmark: launch-to-window-shown, and config-change-to-repaint in the Architecture panel.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_gui_arch.py          # or under Xvfb (xcb)
    python benchmarks/bench_gui_arch.py --launches 5 --changes 30 --no-keras

1. Launch: `cnnexplorer` (cli.main with no argument) in a fresh interpreter, timed from process
   start to the lines the app prints (CNNEXPLORER_STARTUP_PROBE) at the window's first paint
   (the Architecture panel with its layer table) and once the charts and the other panels are
   built after it. Baselines in the same run, interleaved: a fresh interpreter doing only
   `import PySide6.QtWidgets` (the floor of any Qt app: the ratio says what the app adds on
   top, whatever the load), and only `import keras`. Goal (issue 13): the window with the
   table painted <= 0.9 s, charts right after.
2. Change-to-repaint: ResNet-50 and VGG-16 in a shown Architecture panel; each change sets the
   classes spin box (1000 <-> 999) or the input height (224 <-> 192), which recomputes the spec
   and cost report, updates the layer tree, the totals and the three charts, then runs the
   event loop until the changed widgets are painted (wall and CPU time: on a shared machine
   CPU time is what the change costs, wall time adds the wait for a core). A worst case adds
   `repaint()` of the whole panel. Baseline in the same run: `keras.applications.X(weights=
   None)` + `summary()`, what a Keras-based tool would need for the same table. Goal: 50 ms.

       python benchmarks/bench_gui_arch.py --changes-only --no-keras --control classes
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def _fresh(code: str, env: dict, marker: str | None = None,
           also: dict | None = None) -> float:
    """Seconds from starting a fresh interpreter to `marker` on stdout (or its exit); the
    times of the markers named in `also` go into it ({marker: seconds})."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env)
    seen = None
    for line in proc.stdout:
        if also is not None:
            for other in also:
                if line.startswith(other):
                    also[other] = time.perf_counter() - t0
        if marker and line.startswith(marker):
            seen = time.perf_counter() - t0
    proc.wait(timeout=120)
    if proc.returncode != 0:
        if not (marker and seen):
            raise SystemExit(f"child failed with exit code {proc.returncode}: {code}")
        # measured, but say so: the app must also quit cleanly right after start-up
        print(f"  warning: the app exited with code {proc.returncode} when closed right "
              f"after showing (a panel's thread outlived the window)")
    return seen if marker else time.perf_counter() - t0


def bench_launch(n: int, keras_baseline: bool) -> dict:
    env = dict(os.environ, CNNEXPLORER_STARTUP_PROBE="1", TF_CPP_MIN_LOG_LEVEL="3",
               CNNEXPLORER_HOME=tempfile.mkdtemp(prefix="bench_gui_"))
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    code = "import sys; from cnnexplorer.cli import main; sys.exit(main([]))"
    _fresh(code, env, "window-shown")  # warm the OS file cache once
    _fresh("import PySide6.QtWidgets", env)
    times, ready, pyside, ratios = [], [], [], []
    for _ in range(n):  # interleaved, so both see the same load
        marks = {"setup-finished": None}
        times.append(_fresh(code, env, "window-shown", marks))
        ready.append(marks["setup-finished"] or float("nan"))
        pyside.append(_fresh("import PySide6.QtWidgets", env))
        ratios.append(times[-1] / pyside[-1])
    out = {"launch_median_s": statistics.median(times), "launch_max_s": max(times),
           "launch_min_s": min(times), "setup_finished_median_s": statistics.median(ready),
           "import_pyside_median_s": statistics.median(pyside),
           "launch_over_pyside_median": statistics.median(ratios)}
    # the same window with only the Architecture panel real: what the frame and this panel
    # cost, apart from the panels of the other issues
    only = ("import sys; from cnnexplorer.gui import main_window as mw; "
            "mw.PANELS = mw.PANELS[:1]; from cnnexplorer.gui.app import run_app; "
            "sys.exit(run_app())")
    import resource

    times, cpu = [], []
    for _ in range(n):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(_fresh(only, env, "window-shown"))
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime)
    out["launch_arch_only_median_s"] = statistics.median(times)
    # CPU of the whole child (start, window shown, close): what it costs an idle machine
    out["launch_arch_only_cpu_s"] = statistics.median(cpu)
    if keras_baseline:
        k = [_fresh("import keras", env) for _ in range(max(1, n // 2))]
        out["import_keras_median_s"] = statistics.median(k)
    return out


def bench_changes(keys: list[str], n: int, keras_baseline: bool,
                  control: str = "classes") -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["CNNEXPLORER_HOME"] = tempfile.mkdtemp(prefix="bench_gui_")
    from PySide6.QtWidgets import QApplication

    from cnnexplorer.core.arch import zoo
    from cnnexplorer.core.arch.cost import cost_report
    from cnnexplorer.gui.architecture.panel import ArchitecturePanel
    from cnnexplorer.gui.session import Session

    from cnnexplorer.gui.pyside_check import require

    require()  # as gui/app.py does: not PySide6 6.12 on Python 3.11
    app = QApplication.instance() or QApplication([])
    session = Session()
    panel = ArchitecturePanel(session)
    panel.resize(1600, 1000)
    panel.show()
    app.processEvents()
    out = {}
    for key in keys:
        panel.select_entry(key)
        panel.repaint()
        app.processEvents()
        # classes 1000 <-> 999 changes the classifier only; height 224 <-> 192 changes
        # every shape, every MAC count and the charts' ranges
        box = panel.form.classes_box if control == "classes" else panel.form.height_box
        values = (1000, 999) if control == "classes" else (224, 192)

        def network(value, key=key, control=control):
            if control == "classes":
                return zoo.get(key).network(None, value)
            return zoo.get(key).network((value, 224, 3), 1000)

        walls, cpus, fulls, cores = [], [], [], []
        for i in range(n + 2):
            value = values[1] if box.value() == values[0] else values[0]
            w0, c0 = time.perf_counter(), time.process_time()
            box.setValue(value)  # recompute + table + totals + charts
            app.processEvents()  # deferred layouts and the paint of what changed
            w1, c1 = time.perf_counter(), time.process_time()
            panel.repaint()  # worst case: paint the whole panel again, synchronously
            w2 = time.perf_counter()
            if i >= 2:  # the first two warm caches (fonts, pyqtgraph items)
                walls.append(w1 - w0)
                cpus.append(c1 - c0)
                fulls.append(w2 - w0)
                k0 = time.perf_counter()
                cost_report(network(value))
                cores.append(time.perf_counter() - k0)
            assert panel.report().totals.macs == cost_report(network(value)).totals.macs
        med = statistics.median
        out[key] = {"change_to_repaint_median_ms": 1e3 * med(walls),
                    "change_to_repaint_p90_ms": 1e3 * sorted(walls)[int(0.9 * (len(walls) - 1))],
                    "change_to_repaint_cpu_median_ms": 1e3 * med(cpus),
                    "with_full_repaint_median_ms": 1e3 * med(fulls),
                    "core_only_median_ms": 1e3 * med(cores)}
    panel.close()
    if keras_baseline:
        import io

        from cnnexplorer.core.keras.build import import_keras

        keras = import_keras()
        for key, app_name in (("resnet50", "ResNet50"), ("vgg16", "VGG16")):
            if key not in out:
                continue
            t0 = time.perf_counter()
            model = getattr(keras.applications, app_name)(weights=None)
            model.summary(print_fn=lambda *a, **k: io.StringIO().write(str(a)))
            out[key]["keras_build_summary_s"] = time.perf_counter() - t0
            del model
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--launches", type=int, default=5)
    parser.add_argument("--changes", type=int, default=30)
    parser.add_argument("--no-keras", action="store_true", help="skip the Keras baselines")
    parser.add_argument("--launches-only", action="store_true",
                        help="measure only the launch")
    parser.add_argument("--changes-only", action="store_true",
                        help="measure only change-to-repaint (no fresh interpreters)")
    parser.add_argument("--control", choices=("classes", "height", "both"), default="both",
                        help="the control changed: classes 1000<->999, input height "
                             "224<->192, or both in turn (default)")
    args = parser.parse_args(argv)
    keras = not args.no_keras
    print(f"python {sys.version.split()[0]}, QT_QPA_PLATFORM="
          f"{os.environ.get('QT_QPA_PLATFORM', 'offscreen')}, {os.cpu_count()} CPUs, "
          f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    if not args.changes_only:
        _print_launch(bench_launch(args.launches, keras), args.launches, keras)
    if not args.launches_only:
        controls = ("classes", "height") if args.control == "both" else (args.control,)
        for i, control in enumerate(controls):
            print(f"change: {control}")
            _print_changes(bench_changes(["resnet50", "vgg16"], args.changes,
                                         keras and i == 0, control))
    return 0


def _print_launch(launch: dict, launches: int, keras: bool) -> None:
    print(f"launch to window painted (with the layer table): median "
          f"{launch['launch_median_s']:.2f} s, min {launch['launch_min_s']:.2f} s, max "
          f"{launch['launch_max_s']:.2f} s over {launches} fresh interpreters (goal 0.9 s); "
          f"charts and all panels built: median {launch['setup_finished_median_s']:.2f} s")
    print(f"  baseline `import PySide6.QtWidgets` alone: median "
          f"{launch['import_pyside_median_s']:.2f} s; window / PySide6 import, per pair: "
          f"median {launch['launch_over_pyside_median']:.2f}x")
    print(f"  with only the Architecture panel: median "
          f"{launch['launch_arch_only_median_s']:.2f} s wall, "
          f"{launch['launch_arch_only_cpu_s']:.2f} s CPU for the whole run (start to exit)")
    if keras:
        ratio = launch["import_keras_median_s"] / launch["launch_median_s"]
        print(f"  baseline `import keras` alone: {launch['import_keras_median_s']:.2f} s "
              f"(the whole window starts {ratio:.1f}x faster than importing Keras)")


def _print_changes(changes: dict) -> None:
    for key, r in changes.items():
        print(f"{key}: change to repaint median {r['change_to_repaint_median_ms']:.1f} ms "
              f"wall, {r['change_to_repaint_cpu_median_ms']:.1f} ms CPU, p90 "
              f"{r['change_to_repaint_p90_ms']:.1f} ms; with a full repaint of the panel "
              f"{r['with_full_repaint_median_ms']:.1f} ms; core alone "
              f"{r['core_only_median_ms']:.1f} ms (goal 50 ms)")
        if "keras_build_summary_s" in r:
            ratio = r["keras_build_summary_s"] * 1e3 / r["change_to_repaint_median_ms"]
            print(f"  baseline keras.applications(weights=None) + summary(): "
                  f"{r['keras_build_summary_s']:.2f} s ({ratio:.0f}x slower than the panel's "
                  f"whole update)")


if __name__ == "__main__":
    sys.exit(main())
