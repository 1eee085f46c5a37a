"""Make the diagram screenshots of docs/ (run under Xvfb or any display):

    Xvfb :95 -screen 0 1600x1000x24 &
    DISPLAY=:95 QT_QPA_PLATFORM=xcb python docs/diagram_screenshots.py

docs/diagram-googlenet.png        the Architecture panel's Diagram tab on GoogLeNet: the stem
                                  and the first Inception modules, a layer selected (in the
                                  diagram and in the table)
docs/diagram-resnet50-course.png  the course ResNet-50, exported whole: res2a expanded (the
                                  convolutional block and its shortcut), res2b and stages 3-5
                                  collapsed to one box each
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QApplication

from cnnexplorer.core.arch import zoo
from cnnexplorer.gui.architecture.diagram_view import DiagramView

DOCS = Path(__file__).resolve().parent


def panel_shot(app) -> None:
    """The Architecture panel's Diagram tab on GoogLeNet, a layer selected in it."""
    os.environ["CNNEXPLORER_HOME"] = tempfile.mkdtemp()  # default settings, not the user's
    from cnnexplorer.gui.architecture.panel import ArchitecturePanel
    from cnnexplorer.gui.session import Session

    session = Session()
    panel = ArchitecturePanel(session)
    panel.resize(1600, 1000)
    panel.show()
    panel.select_entry("googlenet")
    panel.views.setCurrentWidget(panel.diagram_pane)  # the view sits under its toolbar
    app.processEvents()
    view = panel.diagram
    view.resetTransform()
    panel.select_layer("inception_3a_5x5")
    view.centerOn(QPointF(view.layout_data.width / 2 - 20, 560))
    for _ in range(5):
        app.processEvents()
    panel.grab().save(str(DOCS / "diagram-googlenet.png"))
    panel.close()


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    view = DiagramView()
    view.resize(1000, 940)
    view.show()

    panel_shot(app)

    net = zoo.build("resnet50_course")
    view.set_network(net, title="Course ResNet-50 (64x64x3, 6 classes)",
                     collapsed={"stage2/res2b", "stage2/res2c", "stage3", "stage4", "stage5"})
    view.select_layer("res2a_branch1")
    app.processEvents()
    view.export_png(DOCS / "diagram-resnet50-course.png", scale=1.25)
    view.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
