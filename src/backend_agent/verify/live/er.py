"""An entity-relationship diagram as self-contained SVG, from Mermaid ``erDiagram`` text
or, failing that, from the schemas of an OpenAPI document."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from html import escape
from typing import Any

__all__ = ["ErLink", "ErTable", "er_svg", "tables_from_mermaid", "tables_from_openapi"]

_BOX_W, _ROW_H, _HEAD_H, _GAP_X, _GAP_Y, _PAD = 230, 18, 26, 70, 60, 20
_RELATION = re.compile(r"^\s*(\w+)\s+\S*--\S*\s+(\w+)\s*:\s*\"?([^\"]*)\"?\s*$")
_ENTITY = re.compile(r"^\s*(\w+)\s*\{\s*$")
_COLUMN = re.compile(r"^\s*(\w+)\s+(\w+)\s*(.*?)\s*$")
_NOT_ENTITIES = re.compile(r"(Create|Update|Response|Page|Request|Error|Detail|Meta|Pair)$")


@dataclass(frozen=True)
class ErTable:
    """A table and its (type, name, keys) columns."""

    name: str
    columns: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class ErLink:
    """A foreign key from ``child`` to ``parent``."""

    parent: str
    child: str
    label: str


def tables_from_mermaid(text: str) -> tuple[list[ErTable], list[ErLink]]:
    """Tables and links of a Mermaid ``erDiagram``."""
    tables: list[ErTable] = []
    links: list[ErLink] = []
    current: str | None = None
    columns: list[tuple[str, str, str]] = []
    for line in text.splitlines():
        if current is not None:
            if line.strip() == "}":
                tables.append(ErTable(current, tuple(columns)))
                current, columns = None, []
            elif match := _COLUMN.match(line):
                columns.append((match.group(1), match.group(2), match.group(3)))
            continue
        if match := _ENTITY.match(line):
            current = match.group(1)
        elif match := _RELATION.match(line):
            links.append(ErLink(match.group(1), match.group(2), match.group(3)))
    return tables, links


def _kind(schema: dict[str, Any]) -> str:
    kind = schema.get("type", "any")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    return str(schema.get("format") or kind)


def tables_from_openapi(document: dict[str, Any]) -> tuple[list[ErTable], list[ErLink]]:
    """Entity schemas (objects with an ``id``) and their ``*_id`` references."""
    schemas = document.get("components", {}).get("schemas", {})
    entities = {
        name: schema
        for name, schema in schemas.items()
        if isinstance(schema, dict)
        and "id" in schema.get("properties", {})
        and not _NOT_ENTITIES.search(name)
    }
    by_stem = {name.lower(): name for name in entities}
    tables, links = [], []
    for name, schema in entities.items():
        columns = []
        for prop, prop_schema in schema.get("properties", {}).items():
            keys = "PK" if prop == "id" else ""
            parent = by_stem.get(prop.removesuffix("_id").lower()) if prop.endswith("_id") else None
            if parent is None and prop == "owner_id":
                parent = by_stem.get("user")
            if parent is not None:
                keys = "FK"
                links.append(ErLink(parent, name, prop))
            columns.append(
                (_kind(prop_schema if isinstance(prop_schema, dict) else {}), prop, keys)
            )
        tables.append(ErTable(name, tuple(columns)))
    return tables, links


def _layout(tables: list[ErTable]) -> dict[str, tuple[float, float, float, float]]:
    per_row = max(1, math.ceil(math.sqrt(len(tables))))
    boxes: dict[str, tuple[float, float, float, float]] = {}
    y = float(_PAD)
    for start in range(0, len(tables), per_row):
        row = tables[start : start + per_row]
        height = max(_HEAD_H + _ROW_H * len(t.columns) + 6 for t in row)
        for index, table in enumerate(row):
            x = _PAD + index * (_BOX_W + _GAP_X)
            boxes[table.name] = (x, y, _BOX_W, _HEAD_H + _ROW_H * len(table.columns) + 6)
        y += height + _GAP_Y
    return boxes


def _edge(
    box: tuple[float, float, float, float], towards: tuple[float, float]
) -> tuple[float, float]:
    """Where the line from the box centre towards a point leaves the box."""
    x, y, w, h = box
    cx, cy = x + w / 2, y + h / 2
    dx, dy = towards[0] - cx, towards[1] - cy
    if dx == 0 and dy == 0:
        return cx, cy
    scale = min(w / 2 / abs(dx) if dx else math.inf, h / 2 / abs(dy) if dy else math.inf)
    return cx + dx * scale, cy + dy * scale


def er_svg(tables: list[ErTable], links: list[ErLink]) -> str:
    """The diagram as an ``<svg id="er-diagram">`` element."""
    boxes = _layout(tables)
    width = max((x + w for x, _y, w, _h in boxes.values()), default=0) + _PAD
    height = max((y + h for _x, y, _w, h in boxes.values()), default=0) + _PAD
    parts = [
        f'<svg id="er-diagram" xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-label="Entity-relationship diagram">'
    ]
    for link in links:
        if link.parent not in boxes or link.child not in boxes:
            continue
        pb, cb = boxes[link.parent], boxes[link.child]
        centre_p = (pb[0] + pb[2] / 2, pb[1] + pb[3] / 2)
        centre_c = (cb[0] + cb[2] / 2, cb[1] + cb[3] / 2)
        x1, y1 = _edge(pb, centre_c)
        x2, y2 = _edge(cb, centre_p)
        parts.append(
            f'<g class="relation"><line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke="#64748b" stroke-width="1.5"/><circle cx="{x2:.1f}" cy="{y2:.1f}" r="4" '
            f'fill="#64748b"/><text x="{(x1 + x2) / 2:.1f}" y="{(y1 + y2) / 2 - 4:.1f}" '
            f'font-size="11" fill="#475569" text-anchor="middle">{escape(link.label)}</text></g>'
        )
    for table in tables:
        x, y, w, h = boxes[table.name]
        parts.append(
            f'<g class="entity" data-name="{escape(table.name)}">'
            f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="4" fill="#fffbea" '
            f'stroke="#b7791f" stroke-width="1.5"/>'
            f'<rect x="{x}" y="{y}" width="{w}" height="{_HEAD_H}" rx="4" fill="#f6ad55"/>'
            f'<text x="{x + 8}" y="{y + 18}" font-size="14" font-weight="bold" '
            f'fill="#1a202c">{escape(table.name)}</text>'
        )
        for index, (kind, name, keys) in enumerate(table.columns):
            row_y = y + _HEAD_H + _ROW_H * (index + 1) - 4
            parts.append(
                f'<text x="{x + 8}" y="{row_y}" font-size="12" fill="#2d3748">{escape(name)}</text>'
                f'<text x="{x + w - 8}" y="{row_y}" font-size="11" fill="#718096" '
                f'text-anchor="end">{escape(kind)} {escape(keys)}</text>'
            )
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)
