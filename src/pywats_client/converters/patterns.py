"""File-name matching for converters: :func:`matches_patterns`."""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import PurePath
from collections.abc import Sequence

__all__ = ["matches_patterns"]


def matches_patterns(path: str | PurePath, patterns: Sequence[str] | str) -> bool:
    """Return True if the file name of ``path`` matches one of the glob ``patterns``.

    Matching ignores case on every platform (station files are named on Windows, where
    ``*.csv`` matches ``TEST.CSV``). A pattern containing ``/`` or ``\\`` is matched
    against the whole path (with ``/`` separators) instead of the name. An empty pattern
    list matches nothing.
    """
    if isinstance(patterns, str):
        patterns = [patterns]
    p = PurePath(path) if not isinstance(path, PurePath) else path
    name = p.name.casefold()
    full: str | None = None
    for pattern in patterns:
        if not pattern:
            continue
        folded = pattern.casefold()
        if "/" in folded or "\\" in folded:
            if full is None:
                full = str(p).replace("\\", "/").casefold()
            if fnmatchcase(full, folded.replace("\\", "/")) or fnmatchcase(
                full, "*/" + folded.replace("\\", "/").lstrip("/")
            ):
                return True
        elif fnmatchcase(name, folded):
            return True
    return False


