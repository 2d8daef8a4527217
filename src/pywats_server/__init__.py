"""A WATS-compatible local server (SQLite storage) for demos, tests and offline labs."""

from pywats._version import __version__

__all__ = ["__version__"]
