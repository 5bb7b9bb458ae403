"""The schema a project really has, when an older generator made its service tables.

The spec says nothing about the service's own tables (accounts, sessions, refresh
tokens, audit log, idempotency keys): their shape is the generator's. A project made
by an older generator has the older shape, which its recorded initial migration shows.
``as_built`` turns the blueprint of the recorded spec into that older shape, so the
update's revision moves the schema from what exists to what the new code expects.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from backend_agent.design.blueprint import Blueprint, Column, Index, Table
from backend_agent.design.counts import COUNTS_TABLE

__all__ = ["LEGACY_SHAPES", "LegacyShape", "as_built"]


@dataclass(frozen=True)
class LegacyShape:
    """Columns and indexes a service table had in an older generator, found by ``marker``."""

    table: str
    marker: str  # text of the recorded initial migration that only the old shape has
    columns: tuple[Column, ...]
    indexes: tuple[Index, ...] = ()


LEGACY_SHAPES = (
    # Before refresh tokens had their own table (and reuse detection), a session held
    # the digest of its current refresh token.
    LegacyShape(
        table="sessions",
        marker='"refresh_token_hash"',
        columns=(Column("refresh_token_hash", "string", nullable=False, max_length=64),),
        indexes=(Index("uq_sessions_refresh_token_hash", ("refresh_token_hash",), unique=True),),
    ),
)


def _with_legacy(table: Table, shape: LegacyShape) -> Table:
    have = {c.name for c in table.columns}
    columns = table.columns + tuple(c for c in shape.columns if c.name not in have)
    named = {i.name for i in table.indexes}
    indexes = table.indexes + tuple(i for i in shape.indexes if i.name not in named)
    return replace(table, columns=columns, indexes=indexes)


def as_built(blueprint: Blueprint, initial_migration: str | None) -> Blueprint:
    """``blueprint`` with its service tables as the recorded initial migration made them.

    Service tables the migration does not create are left out (the update creates them);
    columns of an older shape that it does create are put back (the update drops them).
    Without ``row_counts`` no table was counted (the update installs the counts).
    """
    if initial_migration is None:
        return blueprint
    own = {t.name for t in (*blueprint.auth.tables, *blueprint.platform.tables)}
    absent = {name for name in own if f'"{name}"' not in initial_migration}
    shapes = {s.table: s for s in LEGACY_SHAPES if s.marker in initial_migration}
    tables = tuple(
        _with_legacy(t, shapes[t.name]) if t.name in shapes else t
        for t in blueprint.tables
        if t.name not in absent
    )
    counted = blueprint.counted if f'"{COUNTS_TABLE}"' in initial_migration else ()
    return replace(blueprint, tables=tables, counted=counted)
