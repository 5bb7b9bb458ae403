"""Open-source web services from PyPI, wired the way their documentation says, for ``audit``."""
