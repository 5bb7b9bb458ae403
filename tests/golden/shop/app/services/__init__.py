"""Rules: roles, ownership, references, transactions."""
