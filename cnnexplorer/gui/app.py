"""`run_app()`: the desktop application's entry point (called by `cnnexplorer` with no args).

Start-up imports Qt, pyqtgraph and the core only; TensorFlow waits until a panel needs it,
so the window shows within 1.5 s. High-DPI scaling passes fractional factors through (crisp
charts at 150 %), and the app keeps Qt's platform palette, so it follows the system's light
or dark scheme.
"""

from __future__ import annotations

import os
import sys
import time

_T0 = time.perf_counter()


def create_application(argv: list[str] | None = None):
    """The QApplication (created once), with the app's names, DPI policy and error hooks."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from cnnexplorer.gui import gc_guard
    from cnnexplorer.gui.errors import configure_logging, install_excepthooks

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
    return app


def run_app(argv: list[str] | None = None) -> int:
    """Open the main window and run the event loop; returns the exit code."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    app = create_application(argv)
    import pyqtgraph as pg

    pg.setConfigOptions(antialias=True)
    from cnnexplorer.gui.main_window import MainWindow

    window = MainWindow()
    window.show()
    if os.environ.get("CNNEXPLORER_STARTUP_PROBE"):
        # benchmarks/bench_gui_arch.py: print when the window is on screen, then leave
        from PySide6.QtCore import QTimer

        def _report():
            print(f"window-shown {time.perf_counter() - _T0:.4f}", flush=True)
            window.close()
        QTimer.singleShot(0, _report)
    return int(app.exec())
