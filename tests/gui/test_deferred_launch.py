"""Launch (issue 13): the window with the layer table is painted before pyqtgraph and the
other panels load; they follow right after, one per event-loop turn."""

import os
import subprocess
import sys

from cnnexplorer.gui.main_window import EmptyState, MainWindow
from waits import THREAD_MS

BEFORE_PAINT = """
import sys
from cnnexplorer.gui.app import create_application
from cnnexplorer.gui.main_window import MainWindow
app = create_application()
w = MainWindow(deferred=True)
heavy = [m for m in ("pyqtgraph", "numpy", "PIL", "tensorflow", "keras") if m in sys.modules]
print("before-show", heavy)
w.first_painted.connect(lambda: print("painted", [m for m in ("pyqtgraph", "numpy")
                                                  if m in sys.modules], flush=True))
def done():
    arch = w.panels["Architecture"]
    print("finished", "pyqtgraph" in sys.modules, len(arch.charts.macs.names) > 0, flush=True)
    w.close()
    app.quit()
w.setup_finished.connect(done)
w.show()
app.exec()
"""


def test_the_table_is_painted_before_pyqtgraph_loads():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", BEFORE_PAINT], capture_output=True, text=True,
                         env=env, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    lines = dict(line.split(" ", 1) for line in out.stdout.splitlines() if " " in line)
    assert lines["before-show"] == "[]"  # nothing heavy to build the window with its table
    assert lines["painted"] == "[]"  # first paint: still no pyqtgraph, no numpy
    assert lines["finished"] == "True True"  # then the charts, filled with the report
    # every panel built, and no Qt logging category on stderr: issue 18 counted 11
    # qt.multimedia lines per launch while the door imported QtMultimedia (its camera and
    # videos are read by OpenCV since, core/door/video.py)
    assert [line for line in out.stderr.splitlines() if line.startswith("qt.")] == [], \
        out.stderr[-3000:]


def test_deferred_window_builds_the_rest_after_its_first_paint(qtbot):
    w = MainWindow(deferred=True)
    qtbot.addWidget(w)
    arch = w.panels["Architecture"]
    assert arch._charts is None and arch.report() is not None  # the table is there
    pending = [t for t, p in w.panels.items() if t != "Architecture"]
    assert all(isinstance(w.panels[t], EmptyState) for t in pending)
    with qtbot.waitSignal(w.setup_finished, timeout=THREAD_MS):
        w.show()
    assert arch._charts is not None and arch.charts.macs.names  # drawn from the report
    assert not any(isinstance(w.panels[t], EmptyState) and "Loading" in w.panels[t].text
                   for t in pending)
    w.close()


def test_a_request_before_the_panels_are_built_builds_them(qtbot):
    w = MainWindow(deferred=True)
    qtbot.addWidget(w)
    w.show_panel("Data")  # View > Data (Ctrl+2) right after launch
    assert "Loading" not in getattr(w.panels["Data"], "text", "")
    assert w.tabs.tabText(w.tabs.currentIndex()) == "Data"
    w.ensure_panels()
    assert not any("Loading" in getattr(p, "text", "") for p in w.panels.values())
    w.close()
