"""Every panel at 1024x700, 1440x900 and 1920x1080 (issue 13): docs/screens/<panel>-<size>.png.

    xvfb-run -a -s "-screen 0 1920x1080x24" env QT_QPA_PLATFORM=xcb \\
        CNNEXPLORER_HOME=$(mktemp -d) python docs/gui_layout_screenshots.py

The Architecture panel is shown with GoogLeNet (the most options, the widest names) and its
Diagram tab with the course ResNet-50 (identity and convolutional blocks). The PNGs are
reduced to a 64-colour palette so the twelve-odd files stay small in the repository.
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QBuffer, QIODevice

from cnnexplorer.gui.app import create_application
from cnnexplorer.gui.main_window import MainWindow

OUT = Path(__file__).resolve().parent / "screens"
SIZES = ((1024, 700), (1440, 900), (1920, 1080))


def save_small(pixmap, path: Path) -> None:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    pixmap.save(buffer, "PNG")
    image = Image.open(io.BytesIO(bytes(buffer.data()))).convert("RGB")
    image.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def main() -> int:
    app = create_application()
    window = MainWindow()
    window.move(0, 0)
    window.show()
    arch = window.panels["Architecture"]

    def settle():
        for _ in range(15):
            app.processEvents()
            time.sleep(0.03)

    views = (
        ("architecture", lambda: (window.show_panel("Architecture"),
                                  arch.select_entry("googlenet"), arch.views.setCurrentIndex(0))),
        ("diagram", lambda: (window.show_panel("Architecture"),
                             arch.select_entry("resnet50_course"),
                             arch.views.setCurrentIndex(1))),
        ("data", lambda: window.show_panel("Data")),
        ("training", lambda: window.show_panel("Training")),
        ("door", lambda: window.show_panel("Happy door")),
    )
    OUT.mkdir(exist_ok=True)
    for width, height in SIZES:
        window.resize(width, height)
        settle()
        for name, show in views:
            show()
            settle()
            path = OUT / f"{name}-{width}x{height}.png"
            save_small(window.grab(), path)
            print("wrote", path)
    arch.views.setCurrentIndex(0)
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
