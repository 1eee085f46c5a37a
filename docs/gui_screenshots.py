"""Regenerate the GUI screenshots in docs/ (run under Xvfb, see docs/gui.md).

    Xvfb :91 -screen 0 1600x1000x24 &
    DISPLAY=:91 QT_QPA_PLATFORM=xcb CNNEXPLORER_HOME=$(mktemp -d) python docs/gui_screenshots.py
"""

from __future__ import annotations

import sys
import time
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

    def settle():
        # posted events (layouts, palette changes) before a grab, even when a busy start-up
        # made several timers fire in one pass
        for _ in range(10):
            app.processEvents()
            time.sleep(0.03)

    def resnet():
        panel.views.setCurrentIndex(0)
        panel.select_entry("resnet50")
        panel.select_layer("res3a_branch2b")
        settle()
        shots.append(("architecture-resnet50.png", window.grab()))

    def inception():
        panel.select_entry("inception_5x5")
        # by its title: the Diagram tab now comes second (index 1 showed the diagram)
        views = panel.views
        views.setCurrentIndex(next(i for i in range(views.count())
                                   if views.tabText(i).startswith("1x1 bottleneck")))
        settle()
        shots.append(("architecture-inception.png", window.grab()))

    def dark():
        # the same window under a dark palette: the charts follow it (VGG-16, log scale)
        from PySide6.QtGui import QColor, QPalette
        from PySide6.QtWidgets import QStyleFactory

        app.setStyle(QStyleFactory.create("Fusion"))
        pal = QPalette()
        for role, colour in ((QPalette.ColorRole.Window, "#2b2b2b"),
                             (QPalette.ColorRole.WindowText, "#e6e6e6"),
                             (QPalette.ColorRole.Base, "#1e1e1e"),
                             (QPalette.ColorRole.AlternateBase, "#262626"),
                             (QPalette.ColorRole.Text, "#e6e6e6"),
                             (QPalette.ColorRole.PlaceholderText, "#9a9a9a"),
                             (QPalette.ColorRole.Button, "#353535"),
                             (QPalette.ColorRole.ButtonText, "#e6e6e6"),
                             (QPalette.ColorRole.Highlight, "#3d6fb4"),
                             (QPalette.ColorRole.HighlightedText, "#ffffff")):
            pal.setColor(role, QColor(colour))
        app.setPalette(pal)
        panel.views.setCurrentIndex(0)
        panel.select_entry("vgg16")
        panel.charts.log_scale.setChecked(True)
        panel.select_layer("block4_conv2")

    def dark_shot():
        settle()
        shots.append(("architecture-vgg16-dark.png", window.grab()))

    def finish():
        for name, pixmap in shots:
            pixmap.save(str(OUT / name))
            print("wrote", OUT / name)
        window.close()
        app.quit()

    def run_all():
        # one step after the other (settle() runs the event loop in between)
        for step in (settle, resnet, inception, dark, dark_shot, finish):
            step()

    QTimer.singleShot(300, run_all)
    app.exec()
    return 0


if __name__ == "__main__":
    sys.exit(main())
