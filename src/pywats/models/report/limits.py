"""Comparison operators (``compOp``) and limit evaluation.

The WATS server stores the status it is sent and never compares values with limits, so
the client does it here. Single-limit operators (``EQ NE GT GE LT LE``) use ``lowLimit``
only, LT/LE included; dual-limit operators use both. Operators are read
case-insensitively (exports contain ``IgnoreCase``).

Non-finite numbers cannot travel as JSON numbers; they are carried as the strings
``"NaN"``, ``"Infinity"`` and ``"-Infinity"``. Such a value passes only ``LOG``.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = [
    "LOG",
    "SINGLE_LIMIT_OPS",
    "DUAL_LIMIT_OPS",
    "NUMERIC_OPS",
    "STRING_OPS",
    "NON_FINITE_STRINGS",
    "normalize_comp_op",
    "default_comp_op",
    "evaluate_numeric",
    "evaluate_string",
    "json_number",
]

LOG = "LOG"
SINGLE_LIMIT_OPS: frozenset[str] = frozenset({"EQ", "NE", "GT", "GE", "LT", "LE"})
DUAL_LIMIT_OPS: frozenset[str] = frozenset(
    {"GTLT", "GELE", "GELT", "GTLE", "LTGT", "LEGE", "LEGT", "LTGE"}
)
NUMERIC_OPS: frozenset[str] = frozenset({LOG}) | SINGLE_LIMIT_OPS | DUAL_LIMIT_OPS
STRING_OPS: frozenset[str] = frozenset({LOG, "EQ", "NE", "CASESENSIT", "IGNORECASE"})
NON_FINITE_STRINGS: dict[str, float] = {
    "NaN": math.nan,
    "Infinity": math.inf,
    "-Infinity": -math.inf,
}

_UPPER: dict[str, str] = {op: op for op in NUMERIC_OPS | STRING_OPS}


def normalize_comp_op(op: str, *, string: bool = False) -> str:
    """Return the canonical upper-case operator, or raise ``ValueError`` if unknown.

    Args:
        op: the operator in any case (``"gele"``, ``"IgnoreCase"``).
        string: validate against the string-measurement operators instead of the numeric ones.
    """
    canonical = _UPPER.get(op)
    if canonical is None and isinstance(op, str):
        canonical = _UPPER.get(op.strip().upper())
    allowed = STRING_OPS if string else NUMERIC_OPS
    if canonical is None or canonical not in allowed:
        kind = "string" if string else "numeric"
        raise ValueError(f"unknown {kind} compOp {op!r}; valid: {', '.join(sorted(allowed))}")
    return canonical


def default_comp_op(low: Any, high: Any) -> str:
    """The operator implied by which limits are given: both → GELE, low → GE, high → LE, none → LOG."""
    if low is not None:
        return "GELE" if high is not None else "GE"
    return "LE" if high is not None else LOG


def _as_float(value: Any) -> float:
    if isinstance(value, str):
        return NON_FINITE_STRINGS.get(value, math.nan)
    return float(value)


def evaluate_numeric(op: str, value: Any, low: Any = None, high: Any = None) -> bool:
    """Return True when ``value`` passes ``op`` with the given limits.

    ``op`` must already be canonical (see :func:`normalize_comp_op`). A missing limit that
    the operator needs, or a non-finite value, fails the test (except for ``LOG``).
    """
    if op == LOG:
        return True
    try:
        v = _as_float(value)
        lo = _as_float(low) if low is not None else math.nan
    except (TypeError, ValueError):
        return False
    if op in SINGLE_LIMIT_OPS:
        if math.isnan(v) or math.isnan(lo):
            return False
        if op == "GE":
            return v >= lo
        if op == "LE":
            return v <= lo
        if op == "GT":
            return v > lo
        if op == "LT":
            return v < lo
        if op == "EQ":
            return v == lo
        return v != lo  # NE
    try:
        hi = _as_float(high) if high is not None else math.nan
    except (TypeError, ValueError):
        return False
    if math.isnan(v) or math.isnan(lo) or math.isnan(hi):
        return False
    if op == "GELE":
        return lo <= v <= hi
    if op == "GTLT":
        return lo < v < hi
    if op == "GELT":
        return lo <= v < hi
    if op == "GTLE":
        return lo < v <= hi
    if op == "LTGT":
        return v < lo or v > hi
    if op == "LEGE":
        return v <= lo or v >= hi
    if op == "LEGT":
        return v <= lo or v > hi
    if op == "LTGE":
        return v < lo or v >= hi
    return False


def evaluate_string(op: str, value: Any, limit: Any) -> bool:
    """Return True when the string ``value`` passes ``op`` against ``limit``.

    ``EQ`` and ``CASESENSIT`` are the same test; ``IGNORECASE`` compares case-folded text;
    ``NE`` passes when the strings differ; ``LOG`` always passes.
    """
    if op == LOG:
        return True
    if value is None or limit is None:
        return False
    text, expected = str(value), str(limit)
    if op == "IGNORECASE":
        return text.casefold() == expected.casefold()
    if op == "NE":
        return text != expected
    return text == expected  # EQ, CASESENSIT


def json_number(value: float) -> float | int | str:
    """Return ``value`` unchanged if finite, else its WSJF string form (``"NaN"`` …)."""
    if isinstance(value, float) and not math.isfinite(value):
        if math.isnan(value):
            return "NaN"
        return "Infinity" if value > 0 else "-Infinity"
    return value
