"""Whether two converters' file patterns can both match one file name: :func:`patterns_may_overlap`.

Converter patterns are matched like :func:`pywats_client.converters.patterns.matches_patterns`
does: ``fnmatch`` on the case-folded file name. The answer here is exact for patterns made of
literal characters, ``*`` and ``?`` (the usual ``*.csv``, ``ICT_*.txt``, ``??_*.xml``). For
anything else (a ``[...]`` character class, or a pattern with ``/`` or ``\\`` that is
matched against the whole path) it answers True, i.e. "may overlap": the check errs
towards reporting a conflict, never towards a file converted twice.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["patterns_may_overlap", "globs_may_overlap"]

_STAR = "*"
_ANY = "?"


def _simple(pattern: str) -> bool:
    return not any(ch in pattern for ch in "[/\\")


def globs_may_overlap(a: str, b: str) -> bool:
    """True if some file name matches both glob ``a`` and glob ``b`` (ignoring case).

    Exact for ``*``, ``?`` and literal characters; True for any pattern using another
    feature. An empty pattern matches nothing (as in the converter matcher).
    """
    if not a or not b:
        return False
    a, b = a.casefold(), b.casefold()
    if not (_simple(a) and _simple(b)):
        return True
    # Walk the product of the two patterns' automata: state (i, j) = positions in a and b.
    # A name matching both exists iff (len(a), len(b)) is reachable from (0, 0).
    n, m = len(a), len(b)
    seen: set[tuple[int, int]] = set()
    todo = [(0, 0)]
    while todo:
        state = todo.pop()
        if state in seen:
            continue
        seen.add(state)
        i, j = state
        if i == n and j == m:
            return True
        # '*' may match nothing
        if i < n and a[i] == _STAR:
            todo.append((i + 1, j))
        if j < m and b[j] == _STAR:
            todo.append((i, j + 1))
        if i == n or j == m:
            continue  # the other pattern still needs characters; only '*'-skips are left
        # consume one character that both patterns accept here
        ca, cb = a[i], b[j]
        ni = i if ca == _STAR else i + 1
        nj = j if cb == _STAR else j + 1
        if ca in (_STAR, _ANY) or cb in (_STAR, _ANY) or ca == cb:
            todo.append((ni, nj))
    return False


def patterns_may_overlap(a: Sequence[str] | None, b: Sequence[str] | None) -> bool:
    """True if a file name may match one of ``a`` and one of ``b``.

    ``None`` stands for "not known" (e.g. a converter whose patterns come from its class)
    and overlaps with anything that matches at least one name.
    """
    if a is None and b is None:
        return True
    if a is None:
        return any(p for p in b or ())
    if b is None:
        return any(p for p in a)
    return any(globs_may_overlap(x, y) for x in a for y in b)
