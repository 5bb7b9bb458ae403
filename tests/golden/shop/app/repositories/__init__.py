"""SQL: one function per query, ownership inside the WHERE clause."""
