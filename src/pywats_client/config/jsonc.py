"""Reading JSON with comments (``//``, ``/* */``) and trailing commas, as the guide writes it."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["loads_jsonc", "strip_jsonc"]


def _string_end(text: str, start: int) -> int:
    """Index just past the JSON string whose opening quote is at ``text[start]``
    (the end of ``text`` if the string is not closed)."""
    i, n = start + 1, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            i += 2
        elif ch == '"':
            return i + 1
        else:
            i += 1
    return n


def _strip_comments(text: str) -> str:
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            end = _string_end(text, i)
            out.append(text[i:end])
            i = end
        elif text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append(" " * (end - i))
            i = end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2  # an unclosed comment runs to the end
            # keep newlines so json error positions still point at the right line
            out.append("".join(c if c == "\n" else " " for c in text[i:end]))
            i = end
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _strip_trailing_commas(text: str) -> str:
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            end = _string_end(text, i)
            out.append(text[i:end])
            i = end
            continue
        if ch == ",":
            j = i + 1
            while j < n and text[j] in " \t\r\n":
                j += 1
            if j < n and text[j] in "}]":
                ch = " "
        out.append(ch)
        i += 1
    return "".join(out)


def strip_jsonc(text: str) -> str:
    """Turn JSON-with-comments into plain JSON, keeping line and column positions."""
    text = text.removeprefix("\ufeff")
    return _strip_trailing_commas(_strip_comments(text))


def loads_jsonc(text: str) -> Any:
    """Parse JSON that may contain comments and trailing commas (raises json.JSONDecodeError)."""
    return json.loads(strip_jsonc(text))
