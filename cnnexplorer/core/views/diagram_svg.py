"""A `DiagramLayout` as SVG text (no Qt): what `cnnexplorer diagram -o x.svg` writes, and
what the GUI's "Export SVG" writes too, so both exports look the same."""

from __future__ import annotations

from html import escape as _html_escape

from cnnexplorer.core.views.diagram_layout import DiagramLayout

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
TITLE_H = 30
FRAME_STROKES = ("#6a51a3", "#807dba", "#9e9ac8", "#bcbddc")


def escape(text: str) -> str:
    """&, < and > as entities (html.escape, not xml.sax.saxutils: that module imports
    urllib and http, 0.1 s of the GUI's start-up)."""
    return _html_escape(text, quote=False)


def _attr(text: str) -> str:
    return _html_escape(text, quote=True)


def render_svg(layout: DiagramLayout, selected: str | None = None) -> str:
    """The whole diagram as a standalone SVG document (title on top, white background)."""
    w, h = layout.width, layout.height + TITLE_H
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0f}" height="{h:.0f}" '
        f'viewBox="0 0 {w:.0f} {h:.0f}" font-family="{FONT}">',
        f'<rect width="{w:.0f}" height="{h:.0f}" fill="#ffffff"/>',
        f'<text x="16" y="21" font-size="15" font-weight="bold" fill="#222">'
        f'{escape(layout.title)}</text>',
        f'<g transform="translate(0,{TITLE_H})">',
    ]
    for f in layout.frames:
        stroke = FRAME_STROKES[min(f.depth, len(FRAME_STROKES) - 1)]
        out.append(f'<g class="frame" data-block="{_attr(f.block)}">'
                   f'<rect x="{f.x:.1f}" y="{f.y:.1f}" width="{f.w:.1f}" height="{f.h:.1f}" '
                   f'rx="6" fill="#bcbddc" fill-opacity="0.10" stroke="{stroke}" '
                   f'stroke-dasharray="5 3"/>'
                   f'<text x="{f.x + 6:.1f}" y="{f.y + 12:.1f}" font-size="10.5" '
                   f'fill="{stroke}">{escape(f.label)}</text></g>')
    for e in layout.edges:
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in e.points)
        out.append(f'<polyline class="edge" points="{pts}" fill="none" stroke="#555" '
                   f'stroke-width="1.2"/>')
        x, y = e.points[-1]
        out.append(f'<path d="M{x - 4:.1f},{y - 7:.1f} L{x:.1f},{y:.1f} L{x + 4:.1f},{y - 7:.1f}'
                   f' Z" fill="#555"/>')
        if e.label_at:
            lx, ly = e.label_at
            out.append(f'<text class="shape" x="{lx:.1f}" y="{ly:.1f}" font-size="10" '
                       f'fill="#333">{escape(e.label)}</text>')
    for b in layout.boxes:
        stroke, width = ("#d62728", 2.5) if selected and selected in b.layers else ("#444", 1)
        dash = ' stroke-dasharray="6 3"' if b.kind == "Opaque" else ""
        out.append(
            f'<g class="box" data-id="{_attr(b.id)}">'
            f'<rect x="{b.x:.1f}" y="{b.y:.1f}" width="{b.w:.1f}" height="{b.h:.1f}" rx="4" '
            f'fill="{b.color}" stroke="{stroke}" stroke-width="{width}"{dash}/>'
            f'<text x="{b.x + 7:.1f}" y="{b.y + 16:.1f}" font-size="12" font-weight="bold" '
            f'fill="#111">{escape(b.title)}</text>'
            + "".join(f'<text x="{b.x + 7:.1f}" y="{b.y + 31 + 13 * i:.1f}" font-size="10.5" '
                      f'fill="#333">{escape(line)}</text>'
                      for i, line in enumerate(b.subtitle.split("\n")))
            + (f'<text x="{b.x + b.w - 7:.1f}" y="{b.y + 16:.1f}" font-size="12" '
               f'text-anchor="end" fill="#444">\u25b8</text>' if b.is_block else "")
            + "</g>")
    out.append("</g></svg>")
    return "\n".join(out) + "\n"
