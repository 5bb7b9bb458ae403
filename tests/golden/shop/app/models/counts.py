"""Live row counts, kept exact by database triggers (see the initial migration).

A list's total would otherwise be a ``count(*)`` over every matching row on every page
request: O(rows), the most expensive part of a list once a table grows. Triggers add
and subtract in the transaction of each write, so the count is never stale. On
PostgreSQL each connection adds to its own ``slot`` (backend pid mod 16), so concurrent
writers never queue on one counter row: the count of a table is ``SUM(live)``.

Counted tables: customers, products, orders, order_items.
"""

from __future__ import annotations

import sqlalchemy as sa

# Its own MetaData: the table belongs to the triggers, not to the models, so nothing
# that walks the models' tables (test clean-up, autogenerate) deletes or drops it.
counts_metadata = sa.MetaData()
row_counts = sa.Table(
    "row_counts",
    counts_metadata,
    sa.Column("table_name", sa.String(63), primary_key=True),
    sa.Column("slot", sa.SmallInteger(), primary_key=True),
    sa.Column("live", sa.BigInteger(), nullable=False),
)
# The tables with a kept count, and the column that marks a row deleted (None: rows
# are deleted for real, so every row is live).
COUNTED: dict[str, str | None] = {
    "customers": None,
    "products": None,
    "orders": None,
    "order_items": None,
}
