"""Request schemas: what clients may send."""
