"""`cnnexplorer diagram ARCH|PATH -o FILE.svg|.png`: draw an architecture's block diagram.

SVG is written by the core (plain text, no Qt). PNG renders that same SVG with QtSvg on Qt's
offscreen platform, so it works headless (CI, SSH) with the Qt libraries the app needs anyway.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from cnnexplorer.commands.arg_types import parse_input_shape, parse_set
from cnnexplorer.commands.shared_options import add_zoo_configuration
from cnnexplorer.core.errors import ConfigError
from cnnexplorer.core.views.diagram_svg import render_svg
from cnnexplorer.core.views.diagram_layout import all_blocks, blocks_at_depth, layout_network
from cnnexplorer.core.safe_files import writing
from cnnexplorer.core.keras.sources import load_network


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "diagram", help="draw an architecture or a model file as a block diagram (SVG/PNG)",
        description="Draw the block diagram of a zoo architecture or a Keras model file "
                    "(.keras/.h5): layers as boxes with their key settings, output shapes on "
                    "the edges, parallel branches side by side, blocks framed or collapsed.",
        epilog="examples:  cnnexplorer diagram googlenet -o googlenet.svg | "
               "cnnexplorer diagram resnet50_course --collapse 2 -o resnet.png | "
               "cnnexplorer diagram my_model.keras -o my_model.png")
    p.add_argument("arch", metavar="ARCH|PATH",
                   help="a zoo key (see 'cnnexplorer list') or a .keras/.h5 model file")
    p.add_argument("-o", "--output", required=True, metavar="FILE",
                   help="where to write the diagram: a .svg or .png file")
    add_zoo_configuration(p, example="aux_heads=true")
    p.add_argument("--collapse", metavar="DEPTH|BLOCK", action="append", default=[],
                   help="collapse blocks to one box: a depth (1 = top-level stages, "
                        "2 = the blocks inside them) or a block path such as stage3; repeat "
                        "for several")
    p.add_argument("--scale", type=float, default=1.0,
                   help="PNG scale factor (default 1.0; 2 for a sharper image)")
    p.set_defaults(func=run)


def _collapsed(network, items: list[str]) -> set[str]:

    known = all_blocks(network)
    out: set[str] = set()
    for item in items:
        if item.isdigit():
            if int(item) < 1:
                raise ConfigError(f"--collapse depth must be 1 or more; received {item!r}")
            out |= blocks_at_depth(network, int(item))
        elif item in known:
            out.add(item)
        else:
            hint = ", ".join(known[:8]) + (" ..." if len(known) > 8 else "") or "none"
            raise ConfigError(f"--collapse: no block {item!r} in {network.name}; "
                              f"its blocks: {hint}")
    return out


def write_png(svg_text: str, path: Path, scale: float = 1.0) -> None:
    """Render SVG text to a PNG with QtSvg (offscreen when there is no display)."""
    if not (0.1 <= scale <= 8):
        raise ConfigError(f"--scale must be between 0.1 and 8; received {scale!r}")
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QByteArray, QRectF
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer
    from PySide6.QtWidgets import QApplication

    # A QApplication (not only a QGuiApplication): the process may create widgets later,
    # e.g. a test session that runs GUI tests after this command.
    app = QApplication.instance() or QApplication(["cnnexplorer-diagram"])  # noqa: F841
    renderer = QSvgRenderer(QByteArray(svg_text.encode("utf-8")))
    size = renderer.defaultSize()
    w, h = max(1, round(size.width() * scale)), max(1, round(size.height() * scale))
    if w * h > 400_000_000:
        raise ConfigError(f"the PNG would be {w}x{h} pixels; use --collapse or a smaller "
                          f"--scale, or write SVG")
    image = QImage(w, h, QImage.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.Antialiasing)
    painter.setRenderHint(QPainter.TextAntialiasing)
    renderer.render(painter, QRectF(0, 0, w, h))
    painter.end()
    if not image.save(str(path)):
        raise ConfigError(f"cannot write {path}")


def run(args) -> int:

    out = Path(args.output)
    suffix = out.suffix.lower()
    if suffix not in (".svg", ".png"):
        raise ConfigError(f"-o must name a .svg or .png file; received {args.output!r}")
    if not out.parent.exists():
        raise ConfigError(f"cannot write {args.output}: folder {str(out.parent)!r} "
                          f"does not exist")
    shape = parse_input_shape(args.input_shape) if args.input_shape is not None else None
    network, meta = load_network(args.arch, shape, args.classes, parse_set(args.options))
    layout = layout_network(network, _collapsed(network, args.collapse), title=meta.title)
    svg = render_svg(layout)
    if suffix == ".svg":
        with writing(out, ConfigError):  # a folder, a read-only place: a message, exit 2
            out.write_text(svg, encoding="utf-8")
    else:
        write_png(svg, out, args.scale)
    print(f"{out}: {len(layout.boxes)} boxes, {len(layout.edges)} edges, "
          f"{layout.width:.0f}x{layout.height:.0f} px", file=sys.stderr)
    return 0

