"""pyWATS station client: converters, watched folders, a durable queue and upload to WATS."""

from pywats._version import __version__

__all__ = ["__version__"]
