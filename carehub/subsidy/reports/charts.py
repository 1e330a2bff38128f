"""Charts drawn on the server as inline SVG, so the printed summary needs no script or
network. Pixel geometry is float; the figures shown are the integer fen passed in."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

BAR_H, GAP, LABEL_W, BAR_W, VALUE_W = 18, 6, 150, 380, 110


def bars(items: Sequence[tuple[str, int]], fmt: Callable[[int], str], title: str) -> Markup:
    """A horizontal bar per item, longest first as given."""
    height = max(1, len(items)) * (BAR_H + GAP) + GAP
    width = LABEL_W + BAR_W + VALUE_W
    top = max((value for _, value in items), default=0) or 1
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for index, (label, value) in enumerate(items):
        y = GAP + index * (BAR_H + GAP)
        length = BAR_W * max(value, 0) / top
        parts.append(
            f'<text x="{LABEL_W - 6}" y="{y + BAR_H - 4}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{LABEL_W}" y="{y}" width="{length:.1f}" height="{BAR_H}" class="bar"/>'
            f'<text x="{LABEL_W + length + 4:.1f}" y="{y + BAR_H - 4}">{escape(fmt(value))}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def columns(items: Sequence[tuple[str, int]], fmt: Callable[[int], str], title: str) -> Markup:
    """Vertical columns, for a trend over months."""
    col_w, chart_h, base = 70, 160, 200
    width = max(1, len(items)) * col_w + 20
    top = max((value for _, value in items), default=0) or 1
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {base + 24}" width="{width}" '
        f'height="{base + 24}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for index, (label, value) in enumerate(items):
        x = 10 + index * col_w
        h = chart_h * max(value, 0) / top
        parts.append(
            f'<rect x="{x + 10}" y="{base - h:.1f}" width="{col_w - 20}" height="{h:.1f}" class="bar"/>'
            f'<text x="{x + col_w / 2}" y="{base - h - 4:.1f}" text-anchor="middle">'
            f"{escape(fmt(value))}</text>"
            f'<text x="{x + col_w / 2}" y="{base + 16}" text-anchor="middle">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
