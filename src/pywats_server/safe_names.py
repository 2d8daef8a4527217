"""Names from clients made safe to hand on as file paths (archive entries, package files).

A stored name may come from any station: ``../../etc/passwd``, ``/abs/path``,
``C:/Windows/x.dll``, ``//server/share/f`` (or with backslashes). Whatever receives it (someone unpacking a zip
this server built, a station installing a software package) must never be led outside its
target folder, so names are reduced to relative paths of plain segments.
"""

from __future__ import annotations

import re

__all__ = ["safe_relative_path"]

_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_relative_path(name: str) -> str:
    """``name`` as a relative ``/``-separated path with no ``..``/``.``/empty segments, no
    leading separator, no drive letter and no control characters ("" when nothing is left).

    For example ``../../C:/bin/./tool.exe`` becomes ``bin/tool.exe``.
    """
    text = _CONTROL.sub("", name).replace("\\", "/")
    parts: list[str] = []
    for segment in text.split("/"):
        segment = _DRIVE.sub("", segment).strip()
        if segment in ("", ".", "..") or set(segment) == {"."}:
            continue
        parts.append(segment)
    return "/".join(parts)
