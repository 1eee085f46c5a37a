"""The block diagram of a network in a QGraphicsView: zoom, pan, select, collapse, export.

The view draws a `core.views.diagram_layout.DiagramLayout`; it computes nothing itself (the layout
is pure Python and takes milliseconds, even for DenseNet-121). API for the panel:

    view = DiagramView()
    view.set_network(network)          # draw (blocks expanded)
    view.layer_selected.connect(...)   # a box was clicked: its layer name
    view.select_layer("conv1")         # highlight from the table/charts (emits nothing)
    view.toggle_block("stage3")        # collapse/expand; double-click does the same
    view.export_png(path); view.export_svg(path)

The wheel scrolls (Shift+wheel sideways) and Ctrl+wheel zooms around the cursor, as in a
document viewer; dragging pans, double-click on a box collapses its block, on a collapsed
block expands it. The toolbar above the view (`DiagramPane`, diagram_toolbar.py) and the
context menu fit the width or the whole diagram, zoom, collapse or expand every block at once and export the diagram (PNG
of the whole diagram, or the same SVG as `cnnexplorer diagram`).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (QBrush, QColor, QFont, QFontMetrics, QImage, QPainter,
                           QPainterPath, QPen, QPolygonF)
from PySide6.QtWidgets import (QGraphicsItem, QGraphicsRectItem, QGraphicsScene,
                               QGraphicsSimpleTextItem, QGraphicsView, QMenu)

from cnnexplorer.core.views.diagram_layout import (
    DiagramLayout,
    all_blocks,
    blocks_at_depth,
    layout_network,
)
from cnnexplorer.core.views.diagram_svg import FRAME_STROKES, TITLE_H, render_svg
from cnnexplorer.core.arch.graph import Network
from cnnexplorer.core.arch.receptive_field import receptive_fields
from cnnexplorer.core.formatting import shape_text
from cnnexplorer.gui.errors import present_error
from cnnexplorer.gui import settings

BOX_ROLE = 0  # QGraphicsItem.data key holding a box id ("" for frames)
FRAME_ROLE = 1  # QGraphicsItem.data key holding a frame's block path
# 0.01: "Fit all" shows DenseNet-121 unfolded (33,666 units tall) whole in a 400 px view
MIN_SCALE, MAX_SCALE = 0.01, 4.0
AUTO_COLLAPSE_LAYERS = 250  # bigger networks open with their innermost blocks folded


class DiagramView(QGraphicsView):
    layer_selected = Signal(str)  # the first layer of the clicked box
    collapsed_changed = Signal(object)  # frozenset of collapsed block paths

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        self.setDragMode(QGraphicsView.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.SmartViewportUpdate)
        self.setBackgroundBrush(QBrush(QColor("white")))
        self.setAccessibleName("Block diagram")
        self._network: Network | None = None
        self._fields: dict = {}  # receptive field by layer name, for the tooltips
        self._title: str | None = None
        self._collapsed: set[str] = set()
        self._layout: DiagramLayout | None = None
        self._box_items: dict[str, QGraphicsRectItem] = {}
        self._selected: str | None = None
        self._highlight: QGraphicsRectItem | None = None
        self._press_pos = None
        self._pending = False
        self._title_font = QFont(self.font())
        self._title_font.setBold(True)
        self._title_font.setPointSizeF(9.0)
        self._heading_font = QFont(self._title_font)
        self._heading_font.setPointSizeF(11.5)
        self._small_font = QFont(self.font())
        self._small_font.setPointSizeF(7.8)
        self._title_metrics = QFontMetrics(self._title_font)
        self._small_metrics = QFontMetrics(self._small_font)

    # -- public API -------------------------------------------------------------------------
    @property
    def layout_data(self) -> DiagramLayout | None:
        """The layout on screen (None until the view has been shown with a network)."""
        return self._layout

    @property
    def collapsed(self) -> frozenset[str]:
        return frozenset(self._collapsed)

    def set_network(self, network: Network | None, title: str | None = None,
                    collapsed=None) -> None:
        """Show `network` (None clears the view).

        `collapsed`: block paths to collapse. None keeps what the user collapsed when the same
        network comes back reshaped (a config change), and otherwise folds the innermost
        blocks of a network over AUTO_COLLAPSE_LAYERS layers (DenseNet-121: one box per dense
        layer instead of 429 boxes); double-click opens any of them.
        """
        previous = self._network
        self._network, self._title = network, title
        self._fields = receptive_fields(network) if network is not None else {}
        known: set[str] = set()
        if network is not None:
            known = set(all_blocks(network))
        if collapsed is not None:
            self._collapsed = set(collapsed) & known
        elif previous is not None and network is not None and previous.name == network.name:
            self._collapsed &= known
        elif network is not None and len(network.nodes) > AUTO_COLLAPSE_LAYERS and known:
            self._collapsed = blocks_at_depth(network, max(b.count("/") for b in known) + 1)
        else:
            self._collapsed = set()
        if self.isVisible() or network is None:
            self._redraw(fit=True)
        else:  # a hidden tab: draw when shown, so config changes elsewhere stay fast
            self._pending = True

    def select_layer(self, name: str | None) -> None:
        """Highlight the box showing `name` (or its collapsed block) and bring it into view."""
        self._selected = name
        self._place_highlight(ensure_visible=True)

    def toggle_block(self, block: str) -> None:
        if block in self._collapsed:
            self._collapsed.discard(block)
        else:
            self._collapsed.add(block)
            # a block inside a collapsed one would be hidden anyway: keep the set minimal
            self._collapsed = {b for b in self._collapsed
                               if b == block or not b.startswith(block + "/")}
        self._redraw(fit=False, keep=block)
        self.collapsed_changed.emit(self.collapsed)

    def set_collapse_depth(self, depth: int | None) -> None:
        """Collapse every block `depth` levels deep (1 = stages); None expands everything."""
        if self._network is None:
            return
        self._collapsed = set() if depth is None else blocks_at_depth(self._network, depth)
        self._redraw(fit=True)
        self.collapsed_changed.emit(self.collapsed)

    def zoom_to_fit(self) -> None:
        """Fit the width ("Fit width"): a tall network is then read by scrolling down, at a
        legible size (never below 0.35 for a tall one, never enlarged past 1)."""
        rect = self.scene().sceneRect()
        if rect.isEmpty():
            return
        self.resetTransform()
        view = self.viewport().rect()
        factor = min(view.width() / max(rect.width(), 1), 1.0)
        factor = max(factor, 0.35) if rect.height() > rect.width() else \
            min(factor, view.height() / max(rect.height(), 1))
        self._apply_zoom(factor)
        self.centerOn(rect.center().x(), rect.top() + view.height() / (2 * factor))

    def fit_all(self) -> None:
        """Fit the whole diagram in the view ("Fit all"), however small that makes it: the
        shape of GoogLeNet or ResNet-50 at a glance (boxes stay clickable)."""
        rect = self.scene().sceneRect()
        if rect.isEmpty():
            return
        self.resetTransform()
        view = self.viewport().rect()
        margin = 8  # the scroll bars must not come back for a rounding's pixel
        factor = min((view.width() - margin) / max(rect.width(), 1),
                     (view.height() - margin) / max(rect.height(), 1), 1.0)
        self._apply_zoom(factor)
        self.centerOn(rect.center())

    def zoom_by(self, factor: float) -> None:
        self._apply_zoom(self.transform().m11() * factor)

    def scale_factor(self) -> float:
        return self.transform().m11()

    def export_svg(self, path: str | Path) -> Path:
        if self._layout is None:
            raise ValueError("no diagram to export")
        path = Path(path)
        path.write_text(render_svg(self._layout, self._selected), encoding="utf-8")
        return path

    def export_png(self, path: str | Path, scale: float = 2.0) -> Path:
        """The whole diagram (not only what is in view) as a PNG at `scale` pixels per unit."""
        if self._layout is None:
            raise ValueError("no diagram to export")
        path = Path(path)
        rect = self.scene().sceneRect()
        image = QImage(max(1, int(rect.width() * scale)), max(1, int(rect.height() * scale)),
                       QImage.Format_ARGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        self.scene().render(painter, QRectF(image.rect()), rect)
        painter.end()
        if not image.save(str(path)):
            raise OSError(f"cannot write {path}")
        return path

    # -- drawing ----------------------------------------------------------------------------
    def _redraw(self, fit: bool, keep: str | None = None) -> None:
        scene = self.scene()
        anchor = None
        if keep is not None and self._layout is not None:
            anchor = self.mapToScene(self.viewport().rect().center())
        self._pending = False
        # Drop every Python wrapper of a scene item BEFORE clear() deletes the C++ items: a
        # wrapper that outlives its item (the highlight, after `_hit` walked the items under
        # the mouse with parentItem()) crashed PySide6 6.12 when its last reference went,
        # the segfault of a real click then double-click (issue 17, item 1).
        self._box_items = {}
        self._highlight = None
        scene.clear()
        if self._network is None:
            self._layout = None
            return
        self._layout = layout_network(self._network, self._collapsed, self._title)
        self._draw(self._layout)
        scene.setSceneRect(QRectF(0, -TITLE_H, self._layout.width,
                                  self._layout.height + TITLE_H))
        self._place_highlight(ensure_visible=False)
        if fit:
            self.zoom_to_fit()
        elif anchor is not None:
            self.centerOn(anchor)

    def _draw(self, lay: DiagramLayout) -> None:
        scene = self.scene()
        heading = scene.addSimpleText(lay.title, self._heading_font)
        heading.setPos(16, -TITLE_H + 6)
        for f in lay.frames:
            color = QColor(FRAME_STROKES[min(f.depth, len(FRAME_STROKES) - 1)])
            fill = QColor("#bcbddc")
            fill.setAlphaF(0.10)
            pen = QPen(color, 1, Qt.DashLine)
            item = scene.addRect(QRectF(f.x, f.y, f.w, f.h), pen, QBrush(fill))
            item.setData(FRAME_ROLE, f.block)
            item.setToolTip(f"Block {f.block}: double-click to collapse it")
            item.setZValue(-10 + f.depth)
            label = QGraphicsSimpleTextItem(f.label, item)
            label.setFont(self._small_font)
            label.setBrush(color)
            label.setPos(f.x + 6, f.y + 2)
        edge_pen = QPen(QColor("#555555"), 1.2)
        arrow_brush = QBrush(QColor("#555555"))
        for e in lay.edges:
            path = QPainterPath(QPointF(*e.points[0]))
            for p in e.points[1:]:
                path.lineTo(QPointF(*p))
            scene.addPath(path, edge_pen).setZValue(-1)
            x, y = e.points[-1]
            head = QPolygonF([QPointF(x - 4, y - 7), QPointF(x, y), QPointF(x + 4, y - 7)])
            scene.addPolygon(head, QPen(Qt.NoPen), arrow_brush)
            if e.label_at:
                text = scene.addSimpleText(e.label, self._small_font)
                text.setBrush(QColor("#333333"))
                text.setPos(e.label_at[0], e.label_at[1] - 10)
        for b in lay.boxes:
            pen = QPen(QColor("#444444"), 1, Qt.DashLine if b.kind == "Opaque" else Qt.SolidLine)
            rect = scene.addRect(QRectF(b.x, b.y, b.w, b.h), pen, QBrush(QColor(b.color)))
            rect.setData(BOX_ROLE, b.id)
            rect.setFlag(QGraphicsItem.ItemIsSelectable, False)
            rect.setToolTip(self._tooltip(b))
            room = int(b.w - 12)
            title = QGraphicsSimpleTextItem(self._title_metrics.elidedText(
                b.title + ("  \u25b8" if b.is_block else ""), Qt.ElideRight, room), rect)
            title.setFont(self._title_font)
            title.setPos(b.x + 7, b.y + 3)
            sub = QGraphicsSimpleTextItem("\n".join(
                self._small_metrics.elidedText(line, Qt.ElideRight, room)
                for line in b.subtitle.split("\n")), rect)
            sub.setFont(self._small_font)
            sub.setBrush(QColor("#333333"))
            sub.setPos(b.x + 7, b.y + 21)
            self._box_items[b.id] = rect

    def _tooltip(self, b) -> str:
        if b.is_block:
            return (f"Block {b.block}: {len(b.layers)} layers. Double-click to expand it.")
        node = self._network.node(b.layers[0])
        macs = "not counted" if node.macs is None else f"{node.macs:,}"
        rf = self._fields.get(node.name) if self._fields else None
        field = f"\nreceptive field {rf.text()}" if rf is not None else ""
        return (f"{node.name} ({node.kind})\noutput {shape_text(node.output_shape)}"
                f"\nparams {node.params:,}\nMACs {macs}{field}\n"
                f"Double-click to collapse its block.")

    def _place_highlight(self, ensure_visible: bool) -> None:
        if self._highlight is not None:
            self.scene().removeItem(self._highlight)
            self._highlight = None
        if self._layout is None or not self._selected:
            return
        box = self._layout.box_of_layer(self._selected)
        if box is None:
            return
        pen = QPen(QColor("#d62728"), 3)
        self._highlight = self.scene().addRect(
            QRectF(box.x - 2, box.y - 2, box.w + 4, box.h + 4), pen, QBrush(Qt.NoBrush))
        self._highlight.setZValue(20)
        if ensure_visible:
            self.ensureVisible(self._highlight, 40, 40)

    def _apply_zoom(self, factor: float) -> None:
        factor = min(max(factor, MIN_SCALE), MAX_SCALE)
        self.setTransform(self.transform().fromScale(factor, factor))

    # -- events -----------------------------------------------------------------------------
    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if self._pending:
            self._redraw(fit=True)

    def _hit(self, pos) -> tuple[str | None, str | None]:
        """(box id, frame block) under a viewport position."""
        for item in self.items(pos):
            while item is not None:
                box_id = item.data(BOX_ROLE)
                if box_id:
                    return box_id, None
                block = item.data(FRAME_ROLE)
                if block:
                    return None, block
                item = item.parentItem()
        return None, None

    def wheelEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if not event.modifiers() & Qt.ControlModifier:
            super().wheelEvent(event)  # scroll, as every document view does
            return
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(1.15 ** steps)
        event.accept()

    def mousePressEvent(self, event) -> None:  # noqa: N802
        self._press_pos = event.position()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        super().mouseReleaseEvent(event)
        if event.button() != Qt.LeftButton or self._press_pos is None:
            return
        moved = (event.position() - self._press_pos).manhattanLength()
        self._press_pos = None
        if moved > 4:  # a pan, not a click
            return
        box_id, _ = self._hit(event.position().toPoint())
        if box_id and self._layout is not None:
            first = self._layout.box(box_id).layers[0]
            self.select_layer(first)
            self.layer_selected.emit(first)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802
        box_id, block = self._hit(event.position().toPoint())
        if box_id and self._layout is not None:
            box = self._layout.box(box_id)
            block = box.block if box.is_block or box.block else None
        if block:
            # Rebuild after this event, not inside it: the click's release is still on its way
            # to the item under the mouse, which the rebuild deletes. The view as context
            # drops the call if the view is gone by then.
            QTimer.singleShot(0, self, lambda: self.toggle_block(block))
        event.accept()

    def block_depth(self) -> int:
        """How deep the blocks nest (0: no blocks), for the collapse levels offered."""
        if self._layout is None or not self._layout.blocks:
            return 0
        return max(b.count("/") + 1 for b in self._layout.blocks)

    def add_collapse_actions(self, menu: QMenu) -> None:
        """"Expand all blocks" and "Collapse blocks at level d" (shared with the toolbar)."""
        menu.addAction("Expand all blocks", lambda: self.set_collapse_depth(None))
        for d in range(1, min(self.block_depth(), 3) + 1):
            what = "stages" if d == 1 else "blocks inside them" if d == 2 else "level 3"
            menu.addAction(f"Collapse blocks at level {d} ({what})",
                           lambda d=d: self.set_collapse_depth(d))

    def contextMenuEvent(self, event) -> None:  # noqa: N802
        menu = QMenu(self)
        menu.addAction("Fit width", self.zoom_to_fit)
        menu.addAction("Fit all", self.fit_all)
        self.add_collapse_actions(menu)
        menu.addSeparator()
        export_png = menu.addAction("Export diagram as PNG...", lambda: self._on_export("png"))
        export_svg = menu.addAction("Export diagram as SVG...", lambda: self._on_export("svg"))
        export_png.setEnabled(self._layout is not None)
        export_svg.setEnabled(self._layout is not None)
        menu.exec(event.globalPos())

    def export_dialog(self, fmt: str) -> None:
        """Ask where to write the diagram as `fmt` ("png" or "svg"), then write it."""
        self._on_export(fmt)

    def _on_export(self, fmt: str) -> None:
        from PySide6.QtWidgets import QFileDialog

        folder = settings.app_settings().value("export/folder", str(Path.home()))
        stem = (self._layout.title if self._layout else "diagram").split(" ")[0] or "diagram"
        path, _ = QFileDialog.getSaveFileName(self, "Export the diagram",
                                              str(Path(folder) / f"{stem}.{fmt}"),
                                              f"{fmt.upper()} (*.{fmt})")
        if not path:
            return
        try:
            written = self.export_png(path) if fmt == "png" else self.export_svg(path)
        except Exception as exc:  # noqa: BLE001 - a full disk, a folder without write access
            present_error(self, "Could not export the diagram", exc)
            return
        settings.app_settings().setValue("export/folder", str(written.parent))
