"""`run_app()`: the desktop application's entry point (called by `cnnexplorer` with no args).

Start-up imports Qt and the core only: the window with the layer table is painted first,
then pyqtgraph, the charts and the other panels load; TensorFlow waits until a panel needs it. High-DPI scaling passes fractional factors through (crisp
charts at 150 %), and the app keeps Qt's platform palette, so it follows the system's light
or dark scheme.
"""

from __future__ import annotations

import os
import sys
import time

from cnnexplorer.core.keras.quiet import quiet_tensorflow
from cnnexplorer.gui import crash_log, gc_guard, pyside_check, workers
from cnnexplorer.gui.errors import configure_logging, install_excepthooks

_T0 = time.perf_counter()


def create_application(argv: list[str] | None = None):
    """The QApplication (created once), with the app's names, DPI policy and error hooks."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(list(argv if argv is not None else sys.argv[:1]))
    app.setApplicationName("CNN Explorer")
    app.setOrganizationName("cnnexplorer")
    app.setApplicationDisplayName("CNN Explorer")
    configure_logging()
    install_excepthooks()
    gc_guard.install(app)
    workers.install(app)
    return app


def run_app(argv: list[str] | None = None) -> int:
    """Open the main window and run the event loop; returns the exit code (2: a PySide6
    that cannot run this Python, said in one line on stderr)."""
    reason = pyside_check.problem()
    if reason:
        print(reason, file=sys.stderr)
        return 2
    # TensorFlow loads later, on a worker thread: without this its start-up lines (absl,
    # oneDNN, cuda drivers) reached the terminal then (core/keras/quiet.py)
    quiet_tensorflow()
    app = create_application(argv)
    from PySide6.QtWidgets import QApplication

    from cnnexplorer.gui.main_window import MainWindow
    from cnnexplorer.gui.quit_signals import QuitOnSignals

    # Ctrl-C, SIGTERM, SIGHUP: the window closes as its close button closes it (settings
    # saved, workers stopped, a clean exit); installed before the run is marked as running
    quit_signals = QuitOnSignals(lambda signum: QApplication.closeAllWindows())
    unclean = crash_log.start()  # from here a crash writes its trace into the log file
    if unclean is not None:
        print(unclean.message(), file=sys.stderr)

    # pyqtgraph (0.7 s) and the other panels load after the first paint: see MainWindow
    window = MainWindow(deferred=True)
    if os.environ.get("CNNEXPLORER_STARTUP_PROBE"):
        # benchmarks/bench_gui_arch.py: print when the window is painted and when its charts
        # and panels are all built, then leave
        window.first_painted.connect(lambda: print(
            f"window-shown {time.perf_counter() - _T0:.4f}", flush=True))

        def _ready():
            print(f"setup-finished {time.perf_counter() - _T0:.4f}", flush=True)
            window.close()
        window.setup_finished.connect(_ready)
    if unclean is not None:
        # said once: its marker is gone
        crash_log.show_notice(window, unclean.short(), unclean.message())
    window.show()
    code = int(app.exec())
    crash_log.finish()  # a clean close: the next start has nothing to say
    quit_signals.uninstall()
    return quit_signals.exit_code(code)
