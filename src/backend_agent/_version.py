"""The package version, kept in one place."""

from importlib.metadata import PackageNotFoundError, version

__all__ = ["__version__"]

try:
    __version__ = version("backend-agent")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"
