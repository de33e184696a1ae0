"""A process drawn as an SVG picture an agency admin or a clerk reads at a glance: steps top
to bottom in the order a document meets them, arrows for the allowed moves (a dashed arc for a
move back, e.g. "trả lại"), the step a document is at outlined. Pure and dependency-free, so
the page needs no script and the picture prints."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from html import escape

from vanban.core.processgraph import Step, depths

BOX_W, BOX_H, GAP_X, GAP_Y, MARGIN = 230, 58, 40, 56, 20


@dataclass(frozen=True)
class Box:
    step: Step
    who: str = ""
    current: bool = False


@dataclass(frozen=True)
class Arrow:
    source: Hashable
    target: Hashable
    label: str = ""


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def svg(boxes: Sequence[Box], arrows: Sequence[Arrow], title: str = "") -> str:
    if not boxes:
        return ""
    level = depths([b.step for b in boxes], [(a.source, a.target) for a in arrows])
    rows: dict[int, list[Box]] = {}
    for b in boxes:
        rows.setdefault(level[b.step.key], []).append(b)
    widest = max(len(r) for r in rows.values())
    width = MARGIN * 2 + widest * BOX_W + (widest - 1) * GAP_X + 120  # room on the right for arcs back
    height = MARGIN * 2 + (max(rows) + 1) * (BOX_H + GAP_Y) - GAP_Y
    pos: dict[Hashable, tuple[float, float]] = {}
    for depth, row in rows.items():
        span = len(row) * BOX_W + (len(row) - 1) * GAP_X
        left = MARGIN + (widest * BOX_W + (widest - 1) * GAP_X - span) / 2
        for i, b in enumerate(row):
            pos[b.step.key] = (left + i * (BOX_W + GAP_X), MARGIN + depth * (BOX_H + GAP_Y))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
           f'width="{width:.0f}" height="{height:.0f}" role="img" aria-label="{escape(title)}" '
           'class="process-drawing">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#4a5568"/></marker></defs>']
    if title:
        out.append(f"<title>{escape(title)}</title>")
    for n, a in enumerate(arrows):
        if a.source not in pos or a.target not in pos:
            continue
        (sx, sy), (tx, ty) = pos[a.source], pos[a.target]
        if level[a.target] > level[a.source]:  # forward: bottom of one box to the top of the next
            x1, y1, x2, y2 = sx + BOX_W / 2, sy + BOX_H, tx + BOX_W / 2, ty
            out.append(f'<path d="M{x1:.0f},{y1:.0f} L{x2:.0f},{y2:.0f}" stroke="#4a5568" stroke-width="1.5" '
                       f'fill="none" marker-end="url(#arrow)"/>')
            lx, ly = (x1 + x2) / 2 + 6, (y1 + y2) / 2 + 4
            anchor = "start"
        else:  # back (or sideways): an arc on the right side
            x1, y1, x2, y2 = sx + BOX_W, sy + BOX_H / 2 + 8, tx + BOX_W, ty + BOX_H / 2 - 8
            bulge = 50 + 14 * (n % 4)
            out.append(f'<path d="M{x1:.0f},{y1:.0f} C{x1 + bulge:.0f},{y1:.0f} {x2 + bulge:.0f},{y2:.0f} '
                       f'{x2:.0f},{y2:.0f}" stroke="#b7791f" stroke-width="1.5" stroke-dasharray="5 3" fill="none" '
                       f'marker-end="url(#arrow)"/>')
            lx, ly = max(x1, x2) + bulge * 0.75 + 2, (y1 + y2) / 2 + 4
            anchor = "start"
        if a.label:
            out.append(f'<text x="{lx:.0f}" y="{ly:.0f}" font-size="11" fill="#2d3748" text-anchor="{anchor}">'
                       f'{escape(_clip(a.label, 28))}</text>')
    for b in boxes:
        x, y = pos[b.step.key]
        fill = "#e6fffa" if b.step.is_end else "#ebf4ff"
        stroke, sw = ("#c53030", 3) if b.current else ("#2b6cb0", 1.2)
        rx = 28 if b.step.is_end else 6
        mark = ' data-current="1"' if b.current else ""
        out.append(f'<g data-step="{escape(str(b.step.key))}"{mark}>'
                   f'<title>{escape(b.step.name)} — {escape(b.who)}</title>'
                   f'<rect x="{x:.0f}" y="{y:.0f}" width="{BOX_W}" height="{BOX_H}" rx="{rx}" fill="{fill}" '
                   f'stroke="{stroke}" stroke-width="{sw}"/>'
                   f'<text x="{x + BOX_W / 2:.0f}" y="{y + 24:.0f}" font-size="13" font-weight="bold" '
                   f'text-anchor="middle" fill="#1a202c">{escape(_clip(b.step.name, 30))}</text>'
                   f'<text x="{x + BOX_W / 2:.0f}" y="{y + 43:.0f}" font-size="11" text-anchor="middle" '
                   f'fill="#4a5568">{escape(_clip(b.who, 38))}</text></g>')
    out.append("</svg>")
    return "".join(out)
