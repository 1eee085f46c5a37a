"""Regenerate the GUI screenshots in docs/ (run under Xvfb, see docs/gui.md).

    Xvfb :91 -screen 0 1600x1000x24 &
    DISPLAY=:91 QT_QPA_PLATFORM=xcb CNNEXPLORER_HOME=$(mktemp -d) python docs/gui_screenshots.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer

from cnnexplorer.gui.app import create_application
from cnnexplorer.gui.main_window import MainWindow

OUT = Path(__file__).resolve().parent


def main() -> int:
    app = create_application()
    window = MainWindow()
    window.resize(1600, 1000)
    window.move(0, 0)
    window.show()
    panel = window.panels["Architecture"]
    shots = []

    def resnet():
        panel.views.setCurrentIndex(0)
        panel.select_entry("resnet50")
        panel.select_layer("res3a_branch2b")
        print("window", window.size(), window.minimumSizeHint())
        shots.append(("architecture-resnet50.png", window.grab()))

    def inception():
        panel.select_entry("inception_5x5")
        panel.views.setCurrentIndex(1)
        shots.append(("architecture-inception.png", window.grab()))

    def finish():
        for name, pixmap in shots:
            pixmap.save(str(OUT / name))
            print("wrote", OUT / name)
        window.close()
        app.quit()

    for delay, step in ((300, resnet), (900, inception), (1500, finish)):
        QTimer.singleShot(delay, step)
    app.exec()
    return 0


if __name__ == "__main__":
    sys.exit(main())
