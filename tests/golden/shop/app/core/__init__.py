"""Configuration, database, security, errors and middleware: the plumbing."""
