"""The working of the selected layer: the course's formulas filled in with its numbers.

A read-only view under the layer table. It shows a `core.arch.working.LayerWorking` (output
size per axis with the padding worked out, parameters, MACs and their share, the receptive
field and jump) as a small table: what, the formula, the numbers, the result. It computes
nothing itself; the panel hands it the layer's working.
"""

from __future__ import annotations

import html

from PySide6.QtWidgets import QTextBrowser, QWidget

HINT = ("Select a layer in the table or the diagram to see its working: the course's formulas "
        "for its output size, parameters, MACs and receptive field, filled in with its numbers.")


class WorkingView(QTextBrowser):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setPlaceholderText(HINT)
        self.setToolTip("The working of the selected layer (cnnexplorer inspect ARCH --layer "
                        "NAME prints the same)")
        self.working = None

    def show_working(self, working) -> None:
        """Show a LayerWorking, or the hint for None (a block row, no selection)."""
        self.working = working
        if working is None:
            self.clear()
            return
        self.setHtml(working_html(working))


def working_html(working) -> str:
    e = html.escape
    shapes = ", ".join("x".join(map(str, s)) for s in working.input_shapes)
    rows = "".join(
        f"<tr><td><b>{e(ln.topic)}</b></td><td><code>{e(ln.formula)}</code></td>"
        f"<td><code>{e(ln.filled)}</code></td><td align='right'><b>{e(ln.result)}</b></td></tr>"
        for ln in working.lines)
    notes = "".join(f"<li>{e(n)}</li>" for n in working.notes)
    return (f"<p><b>{e(working.name)}</b> ({e(working.kind)}), input {e(shapes)}</p>"
            f"<table cellspacing='0' cellpadding='3'>{rows}</table>"
            f"<ul style='color:#555'>{notes}</ul>")
