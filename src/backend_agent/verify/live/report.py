"""``report.html``: one self-contained page (inline CSS and SVG, nothing fetched) with the
gates, every figure and its evidence, a latency percentile chart and the ER diagram."""

from __future__ import annotations

import math
from html import escape
from pathlib import Path, PurePath
from typing import Any

from backend_agent.figures import Delivery, Figure
from backend_agent.verify.live.er import er_svg, tables_from_mermaid, tables_from_openapi

__all__ = ["latency_svg", "render_html_report", "write_html_report"]

_COLOURS = {"50": "#2b6cb0", "95": "#dd6b20", "99": "#c53030"}
_STATUS = {
    "passed": "#2f855a",
    "failed": "#c53030",
    "not_measured": "#b7791f",
    "skipped": "#718096",
}
_DELIVERY = {"completed": "#2f855a", "failed": "#c53030", "incomplete": "#b7791f"}
_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:24px;
color:#1a202c;background:#fff}h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #e2e8f0;padding:4px 8px;
text-align:left;vertical-align:top}th{background:#f7fafc}.num{text-align:right;white-space:nowrap}
.status{font-weight:bold}.note{color:#718096;font-size:12px}.card{overflow-x:auto;border:1px solid
#e2e8f0;border-radius:6px;padding:8px}code{font-size:12px;word-break:break-all}
"""


def _endpoints(figures: dict[str, Figure]) -> list[tuple[str, str, dict[str, float]]]:
    """(key, label, {percentile: ms}) for every endpoint with measured p50, p95 and p99."""
    found = []
    for name, figure in figures.items():
        if not name.startswith("load_p95_ms.") or not isinstance(figure.value, int | float):
            continue
        key = name.split(".", 1)[1]
        values = {}
        for q in ("50", "95", "99"):
            value = figures.get(f"load_p{q}_ms.{key}")
            if value is not None and isinstance(value.value, int | float):
                values[q] = float(value.value)
        label = (figure.note or key).split(",", 1)[0]
        if len(values) == 3:
            found.append((key, label, values))
    return found


def _nice(top: float) -> float:
    if top <= 0:
        return 1.0
    step = 10.0 ** math.floor(math.log10(top))
    return next(float(m * step) for m in (1, 2, 2.5, 5, 10) if m * step >= top)


def latency_svg(delivery: Delivery, *, p95_limit_ms: float | None = None) -> str | None:
    """A grouped bar chart of p50/p95/p99 per endpoint, or ``None`` when load was not measured."""
    endpoints = _endpoints(delivery.figures)
    if not endpoints:
        return None
    width, height, left, right, top, bottom = 900, 360, 60, 20, 40, 90
    peak = max(max(v.values()) for _k, _l, v in endpoints)
    scale_top = _nice(max(peak, p95_limit_ms or 0) * 1.1)
    plot_w, plot_h = width - left - right, height - top - bottom
    group = plot_w / len(endpoints)
    bar = min(40.0, group / 4)

    def y_of(ms: float) -> float:
        return top + plot_h * (1 - ms / scale_top)

    parts = [
        f'<svg id="latency-chart" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Latency percentiles per endpoint">',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for i in range(6):
        ms = scale_top * i / 5
        y = y_of(ms)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e2e8f0"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="#4a5568">{ms:g} ms</text>'
        )
    for index, (key, label, values) in enumerate(endpoints):
        x0 = left + group * index + (group - 3 * bar) / 2
        for offset, q in enumerate(("50", "95", "99")):
            ms = values[q]
            y = y_of(ms)
            parts.append(
                f'<rect class="bar" data-endpoint="{escape(key)}" data-percentile="p{q}" '
                f'x="{x0 + offset * bar:.1f}" y="{y:.1f}" width="{bar - 2:.1f}" '
                f'height="{top + plot_h - y:.1f}" fill="{_COLOURS[q]}">'
                f"<title>{escape(label)} p{q}: {ms:g} ms</title></rect>"
            )
        parts.append(
            f'<text x="{left + group * index + group / 2:.1f}" y="{top + plot_h + 18}" '
            f'font-size="11" text-anchor="middle" fill="#2d3748">{escape(label)}</text>'
        )
    if p95_limit_ms is not None:
        y = y_of(p95_limit_ms)
        parts.append(
            f'<line id="p95-limit" x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="#dd6b20" stroke-dasharray="6 4"/><text x="{width - right}" y="{y - 4:.1f}" '
            f'font-size="11" text-anchor="end" fill="#dd6b20">p95 limit {p95_limit_ms:g} ms</text>'
        )
    for index, q in enumerate(("50", "95", "99")):
        x = left + index * 90
        parts.append(
            f'<rect x="{x}" y="{height - 30}" width="14" height="14" fill="{_COLOURS[q]}"/>'
            f'<text x="{x + 20}" y="{height - 19}" font-size="12" fill="#2d3748">p{q}</text>'
        )
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        f'stroke="#4a5568"/></svg>'
    )
    return "".join(parts)


def _evidence(figure: Figure) -> str:
    if figure.artifact is None:
        return f'<span class="note">{escape(figure.note or "")}</span>'
    name = PurePath(figure.artifact).name
    code = "" if figure.exit_code is None else f" (exit {figure.exit_code})"
    command = f"<br><code>{escape(figure.command or '')}</code>" if figure.command else ""
    note = f'<br><span class="note">{escape(figure.note)}</span>' if figure.note else ""
    return f'<a href="{escape(name)}">{escape(figure.artifact)}</a>{code}{command}{note}'


def render_html_report(
    delivery: Delivery,
    *,
    er_diagram: str | None = None,
    openapi: dict[str, Any] | None = None,
    p95_limit_ms: float | None = 100.0,
) -> str:
    """The report page as one string."""
    colour = _DELIVERY[delivery.status]
    gates = "".join(
        f'<tr><td>{escape(g.name)}</td><td class="status" style="color:{_STATUS[g.status]}">'
        f"{escape(g.status.replace('_', ' '))}</td><td>{escape(g.message)}</td></tr>"
        for g in delivery.gates
    )
    figures = "".join(
        f'<tr><td><code>{escape(name)}</code></td><td class="num">{escape(f.display())}</td>'
        f"<td>{_evidence(f)}</td></tr>"
        for name, f in delivery.figures.items()
    )
    chart = latency_svg(delivery, p95_limit_ms=p95_limit_ms) or (
        '<p id="latency-chart-missing">Load was not measured.</p>'
    )
    tables, links = tables_from_mermaid(er_diagram) if er_diagram else ([], [])
    if not tables and openapi is not None:
        tables, links = tables_from_openapi(openapi)
    diagram = er_svg(tables, links) if tables else '<p id="er-missing">No entities found.</p>'
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>backend-agent report</title><style>{_CSS}</style></head><body>"
        f'<h1>backend-agent report</h1><p style="color:{colour}" class="status">'
        f"{escape(delivery.status)}: {escape(delivery.summary)}</p>"
        f'<h2>Latency percentiles</h2><div class="card">{chart}</div>'
        f'<h2>Entity-relationship diagram</h2><div class="card">{diagram}</div>'
        f"<h2>Gates</h2><table><tr><th>gate</th><th>status</th><th>detail</th></tr>{gates}</table>"
        '<h2>Figures</h2><p class="note">Each value comes from the command shown; the link '
        "opens its raw output.</p><table><tr><th>figure</th><th>value</th><th>evidence</th></tr>"
        f"{figures}</table>"
        "</body></html>\n"
    )


def write_html_report(
    delivery: Delivery,
    path: Path,
    *,
    er_diagram: str | None = None,
    openapi: dict[str, Any] | None = None,
    p95_limit_ms: float | None = 100.0,
) -> Path:
    """Write ``report.html`` (links to artifacts are relative: keep it in the reports folder)."""
    path.write_text(
        render_html_report(
            delivery, er_diagram=er_diagram, openapi=openapi, p95_limit_ms=p95_limit_ms
        ),
        encoding="utf-8",
    )
    return path
