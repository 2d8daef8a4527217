"""The OData subset understood by the local server's query endpoints.

WATS exposes ``$filter``, ``$orderby`` and ``$expand`` on ``GET /api/Report/Query/Header``
(and, more loosely, on a few other query endpoints).  This module implements the part of
OData v4 that WATS documents, with no third-party dependency:

* :func:`compile_filter` parses a ``$filter`` expression once (hand-written tokenizer and a
  recursive-descent, precedence-climbing parser) and compiles it to nested closures.  The
  returned predicate is evaluated against one header dict per row.
* :func:`parse_orderby` / :func:`sort_rows` handle ``$orderby``.
* :func:`parse_expand` handles ``$expand``.

Every malformed or unsupported expression raises :class:`ODataError` (a ``ValueError``)
whose message names the query option, what is wrong, the offending token and its
1-based character position, e.g. ``$filter: unknown operator 'eqq' at position 14``.

Filter semantics (``$filter``)
------------------------------
* Operators, highest precedence first: ``not``; comparisons ``eq ne gt ge lt le`` and
  ``in (v1, v2, ...)``; ``and``; ``or``.  Parentheses group.  ``not`` applies to the whole
  comparison that follows it (``not result eq 'Passed'`` means ``not (result eq 'Passed')``).
  Keywords and function names are matched case-insensitively.
* Literals: ``'text'`` (``''`` is an escaped quote), integers, decimals (``1.5``, ``1e3``),
  ``true``/``false``/``null``, bare GUIDs (``8-4-4-4-12`` hex), unquoted dates and
  date-times (``2026-01-01``, ``2026-01-01T00:00:00Z``, ``2026-01-01T00:00:00+01:00``,
  optional fractional seconds).  A date-time without an offset and a bare date are taken
  as UTC (a date means midnight).
* Properties: names are matched case-insensitively.  With ``fields`` given they are checked
  at compile time against that set (include the collection names such as ``subUnits`` if
  lambdas over them must be allowed); without it they resolve against each row at
  evaluation time, and a missing property is ``None``.  ``a/b`` navigates into nested dicts.
* String functions (OData v4): ``contains``, ``startswith``, ``endswith``, ``tolower``,
  ``toupper``, ``trim``, ``length``, ``indexof``, ``substring``, ``concat``.
* Lambdas over collections (lists of dicts in the row): ``subUnits/any(s: s/partNumber eq
  'X')``, ``miscInfo/any(m: m/description eq 'Firmware' and m/value eq '1.0')``,
  ``subUnits/any()`` (collection is non-empty) and ``coll/all(x: ...)``.  Inside a lambda,
  names not starting with the lambda variable still refer to the row's own properties.
* Comparisons: ``eq``/``ne`` on strings are exact and case-sensitive, as in OData.  (A real
  WATS server evaluates filters in SQL Server, whose usual collation is case-insensitive;
  this server keeps OData's exact comparison so results are predictable.)  A datetime
  literal is compared as an aware datetime with the row's ISO-8601 string values; a GUID
  literal is compared case-insensitively as a UUID; a number and a numeric string compare
  numerically.  Values of kinds that cannot be compared (e.g. a bool and a string) are
  simply unequal and never ordered.
* ``null``: ``x eq null`` is true only when ``x`` is missing/None; comparing None with any
  other value is false, except ``ne``, which is true.  Logic is two-valued: string
  functions on None yield false (so ``not contains(comment, 'x')`` matches rows without a
  comment), and a row matches only when the whole expression is exactly ``True``.
* Not supported (raise :class:`ODataError`): arithmetic operators (``add sub mul div divby
  mod``, unary minus), ``has``, date/number/type functions (``year``, ``round``, ``cast``,
  ...), ``$count``, ``$root``.  An empty or blank ``$filter`` matches every row.
"""

from __future__ import annotations

import difflib
import functools
import re
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, TypeVar

__all__ = [
    "ODataError",
    "FilterAst",
    "MAX_FILTER_DEPTH",
    "MAX_FILTER_LENGTH",
    "compile_filter",
    "parse_filter",
    "parse_orderby",
    "parse_expand",
    "sort_rows",
]


#: Deepest nesting of parentheses, ``not``, function calls and lambdas a ``$filter`` may use.
MAX_FILTER_DEPTH = 32
#: Longest ``$filter`` text accepted (characters).
MAX_FILTER_LENGTH = 8192

#: A parsed ``$filter`` as nested tuples: ``("lit", value)``, ``("field", name)``,
#: ``("var", name)``, ``("it",)``, ``("member", base, name)``, ``("cmp", op, left, right)``,
#: ``("in", left, (item, ...))``, ``("and", a, b)``, ``("or", a, b)``, ``("not", a)``,
#: ``("call", function, (arg, ...))``, ``("any" | "all", collection, var | None, body | None)``.
FilterAst = tuple[Any, ...]


class ODataError(ValueError):
    """A ``$filter``/``$orderby``/``$expand`` expression is malformed or unsupported.

    The message starts with the query option (``$filter: ...``) and names the offending
    token and its 1-based character position where there is one.
    """


# --------------------------------------------------------------------------------------
# Value helpers: ISO datetime parsing, coercion and comparison
# --------------------------------------------------------------------------------------

_DT_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?"
    r"(Z|z|[+-]\d{2}:?\d{2})?)?"
)


def _datetime_from_match(m: re.Match[str]) -> datetime:
    """Build an aware datetime from a :data:`_DT_RE` match (raises ValueError if invalid)."""
    year, month, day, hh, mm, ss, frac, tz = m.groups()
    micro = int((frac or "0")[:6].ljust(6, "0"))
    if tz is None or tz in ("Z", "z"):
        tzinfo = timezone.utc
    else:
        sign = -1 if tz[0] == "-" else 1
        digits = tz[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:])
        if hours > 23 or minutes > 59:
            raise ValueError(f"invalid UTC offset {tz!r}")
        tzinfo = timezone(sign * timedelta(hours=hours, minutes=minutes))
    return datetime(
        int(year),
        int(month),
        int(day),
        int(hh or 0),
        int(mm or 0),
        int(ss or 0),
        micro,
        tzinfo=tzinfo,
    )


@functools.lru_cache(maxsize=65536)
def _parse_iso(text: str) -> datetime | None:
    """Parse an ISO-8601 date or date-time string to an aware datetime, or None.

    Accepts ``Z``/``±hh:mm``/``±hhmm`` offsets and any number of fractional digits (.NET
    writes seven); a value without an offset is taken as UTC.
    """
    m = _DT_RE.fullmatch(text.strip())
    if m is None:
        return None
    try:
        return _datetime_from_match(m)
    except ValueError:
        return None


def _aware(value: datetime) -> datetime:
    """Return ``value`` with UTC attached when it is naive."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


_NUMBER_TYPES = (int, float, Decimal)
_SIMPLE_TYPES = frozenset({str, int, float})


def _to_number(text: str) -> int | float | None:
    """Convert a numeric string to int/float, or None when it is not a number."""
    s = text.strip()
    try:
        return int(s)
    except ValueError:
        pass
    try:
        return float(s)
    except ValueError:
        return None


def _coerce(a: Any, b: Any) -> tuple[Any, Any] | None:
    """Bring two non-None values to comparable forms, or return None when they are not.

    Rules: bools only compare with bools; numbers with numbers or numeric strings;
    datetimes with datetimes or ISO strings; UUIDs with UUIDs or GUID strings; strings
    with strings.  Everything else is incomparable.
    """
    if isinstance(a, bool) or isinstance(b, bool):
        return (a, b) if isinstance(a, bool) and isinstance(b, bool) else None
    if isinstance(a, _NUMBER_TYPES):
        if isinstance(b, _NUMBER_TYPES):
            if isinstance(a, Decimal) != isinstance(b, Decimal):
                return float(a), float(b)
            return a, b
        if isinstance(b, str):
            nb = _to_number(b)
            return None if nb is None else _coerce(a, nb)
        return None
    if isinstance(b, _NUMBER_TYPES):
        swapped = _coerce(b, a)
        return None if swapped is None else (swapped[1], swapped[0])
    if isinstance(a, datetime):
        if isinstance(b, datetime):
            return _aware(a), _aware(b)
        if isinstance(b, str):
            db = _parse_iso(b)
            return None if db is None else (_aware(a), db)
        return None
    if isinstance(b, datetime):
        swapped = _coerce(b, a)
        return None if swapped is None else (swapped[1], swapped[0])
    if isinstance(a, uuid.UUID):
        if isinstance(b, uuid.UUID):
            return a, b
        if isinstance(b, str):
            try:
                return a, uuid.UUID(b)
            except ValueError:
                return None
        return None
    if isinstance(b, uuid.UUID):
        swapped = _coerce(b, a)
        return None if swapped is None else (swapped[1], swapped[0])
    if isinstance(a, str) and isinstance(b, str):
        return a, b
    return None


def _eq(a: Any, b: Any) -> bool:
    """OData ``eq`` with this module's coercion rules (None equals only None)."""
    ta = type(a)
    if ta is type(b) and ta in _SIMPLE_TYPES:
        return bool(a == b)
    if a is None or b is None:
        return a is None and b is None
    pair = _coerce(a, b)
    return pair is not None and bool(pair[0] == pair[1])


def _ne(a: Any, b: Any) -> bool:
    """OData ``ne``: the negation of :func:`_eq` (so None ne 'x' is true)."""
    return not _eq(a, b)


def _ordering(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    """Wrap a Python ordering operator with None handling and coercion."""

    def compare(a: Any, b: Any) -> bool:
        ta = type(a)
        if ta is type(b) and ta in _SIMPLE_TYPES:
            return op(a, b)
        if a is None or b is None:
            return False
        pair = _coerce(a, b)
        if pair is None:
            return False
        try:
            return bool(op(pair[0], pair[1]))
        except TypeError:
            return False

    return compare


_COMPARATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": _eq,
    "ne": _ne,
    "gt": _ordering(lambda x, y: x > y),
    "ge": _ordering(lambda x, y: x >= y),
    "lt": _ordering(lambda x, y: x < y),
    "le": _ordering(lambda x, y: x <= y),
}


def _lookup(row: Any, name: str, lname: str) -> Any:
    """Return ``row[name]``, else the value of the key equal to ``name`` ignoring case."""
    if not isinstance(row, Mapping):
        return None
    try:
        return row[name]
    except KeyError:
        pass
    for key in row:
        if isinstance(key, str) and key.lower() == lname:
            return row[key]
    return None


# --------------------------------------------------------------------------------------
# Tokenizer
# --------------------------------------------------------------------------------------

_HEX = "[0-9A-Fa-f]"
_GUID_RE = re.compile(f"{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}")
_DATE_LIT_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?"
)
_NUMBER_RE = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_IDENT_RE = re.compile(r"\$?[A-Za-z_][A-Za-z0-9_.]*")
_IDENT_CHAR_RE = re.compile(r"[A-Za-z0-9_.$-]")
_DECODED_PLUS_RE = re.compile(r" \d{2}:\d{2}(?![0-9:])")
_SYMBOLS = {"(": "LPAREN", ")": "RPAREN", ",": "COMMA", ":": "COLON", "/": "SLASH"}

# Token kinds
_STRING, _NUMBER, _DATETIME, _GUID, _IDENT, _EOF = (
    "STRING",
    "NUMBER",
    "DATETIME",
    "GUID",
    "IDENT",
    "EOF",
)


@dataclass(frozen=True)
class _Token:
    """One lexical token: kind, literal value, source text and 0-based position."""

    kind: str
    value: Any
    text: str
    pos: int

    def describe(self) -> str:
        """Human wording of the token for error messages."""
        if self.kind == _EOF:
            return "end of expression"
        return repr(self.text)


class _Lexer:
    """Splits a ``$filter`` expression into :class:`_Token` objects."""

    def __init__(self, text: str, option: str) -> None:
        self.text = text
        self.option = option

    def error(self, message: str, pos: int) -> ODataError:
        """Build an ODataError for ``message`` at 0-based ``pos``."""
        return ODataError(f"{self.option}: {message} at position {pos + 1}")

    def _check_boundary(self, end: int, start: int) -> None:
        """Reject a literal that runs straight into identifier characters (``12ab``)."""
        if end < len(self.text) and _IDENT_CHAR_RE.match(self.text, end):
            m = re.compile(r"[^\s(),:/]+").match(self.text, start)
            bad = m.group(0) if m else self.text[start:end + 1]
            raise self.error(f"malformed literal {bad!r}", start)

    def tokens(self) -> list[_Token]:
        """Tokenize the whole expression (always ends with an EOF token)."""
        text = self.text
        n = len(text)
        i = 0
        out: list[_Token] = []
        while True:
            while i < n and text[i].isspace():
                i += 1
            if i >= n:
                out.append(_Token(_EOF, None, "", n))
                return out
            ch = text[i]
            if ch in _SYMBOLS:
                out.append(_Token(_SYMBOLS[ch], ch, ch, i))
                i += 1
                continue
            if ch == "'":
                i = self._string(i, out)
                continue
            m = _GUID_RE.match(text, i)
            if m and not (m.end() < n and _IDENT_CHAR_RE.match(text, m.end())):
                out.append(_Token(_GUID, uuid.UUID(m.group(0)), m.group(0), i))
                i = m.end()
                continue
            if ch.isdigit():
                m = _DATE_LIT_RE.match(text, i)
                if m:
                    i = self._datetime(m, out)
                    continue
            m = _NUMBER_RE.match(text, i)
            if m:
                self._check_boundary(m.end(), i)
                lit = m.group(0)
                value: int | float
                if re.fullmatch(r"-?\d+", lit):
                    value = int(lit)
                else:
                    value = float(lit)
                out.append(_Token(_NUMBER, value, lit, i))
                i = m.end()
                continue
            m = _IDENT_RE.match(text, i)
            if m:
                out.append(_Token(_IDENT, m.group(0), m.group(0), i))
                i = m.end()
                continue
            if ch == "-":
                raise self.error("arithmetic negation '-' is not supported", i)
            if ch == '"':
                raise self.error(
                    "unexpected character '\"' (string literals use single quotes)", i
                )
            raise self.error(f"unexpected character {ch!r}", i)

    def _string(self, start: int, out: list[_Token]) -> int:
        """Read a single-quoted string starting at ``start``; return the next index."""
        text = self.text
        n = len(text)
        i = start + 1
        parts: list[str] = []
        while True:
            j = text.find("'", i)
            if j < 0:
                raise self.error("unterminated string literal starting", start)
            parts.append(text[i:j])
            if j + 1 < n and text[j + 1] == "'":
                parts.append("'")
                i = j + 2
                continue
            out.append(_Token(_STRING, "".join(parts), text[start:j + 1], start))
            return j + 1

    def _datetime(self, m: re.Match[str], out: list[_Token]) -> int:
        """Turn a date/date-time literal match into a DATETIME token."""
        start, end = m.start(), m.end()
        lit = m.group(0)
        self._check_boundary(end, start)
        full = _DT_RE.fullmatch(lit)
        try:
            if full is None:  # pragma: no cover - _DATE_LIT_RE is a subset of _DT_RE
                raise ValueError(lit)
            value = _datetime_from_match(full)
        except ValueError:
            raise self.error(f"invalid date/time literal {lit!r}", start) from None
        if "T" in lit and not re.search(r"(Z|[+-]\d{2}:\d{2})$", lit):
            plus = _DECODED_PLUS_RE.match(self.text, end)
            if plus:
                raise self.error(
                    f"date/time literal {lit!r} is followed by {plus.group(0).strip()!r}: "
                    "a '+' in the URL was decoded as a space; encode it as %2B",
                    start,
                )
        out.append(_Token(_DATETIME, value, lit, start))
        return end


# --------------------------------------------------------------------------------------
# Parser / compiler
# --------------------------------------------------------------------------------------

_Env = Mapping[str, Any]
_Fn = Callable[[Mapping[str, Any], _Env], Any]


def _either(lf: _Fn, rf: _Fn) -> _Fn:
    """``a or b`` (two-valued: only ``True`` counts)."""
    return lambda row, env: lf(row, env) is True or rf(row, env) is True


def _both(lf: _Fn, rf: _Fn) -> _Fn:
    """``a and b`` (two-valued: only ``True`` counts)."""
    return lambda row, env: lf(row, env) is True and rf(row, env) is True


def _negate(fn: _Fn) -> _Fn:
    """``not a``."""
    return lambda row, env: fn(row, env) is not True


def _constant(value: Any) -> _Fn:
    """A literal."""
    return lambda row, env: value


def _scope_var(name: str) -> _Fn:
    """A lambda variable (``s`` in ``subUnits/any(s: ...)``)."""
    return lambda row, env: env.get(name)


def _field(name: str) -> _Fn:
    """A top-level property of the row, matched ignoring case."""
    low = name.lower()
    return lambda row, env: _lookup(row, name, low)


def _member(getter: _Fn, name: str) -> _Fn:
    """``x/name``: a property of what ``getter`` yields."""
    low = name.lower()
    return lambda row, env: _lookup(getter(row, env), name, low)
_EMPTY_ENV: _Env = {}


@dataclass(frozen=True)
class _Node:
    """A compiled sub-expression.

    ``fn(row, env)`` evaluates it (``env`` binds lambda variables).  ``kind`` is one of
    ``bool`` (a boolean-valued expression), ``value`` (any value, e.g. a property), or
    ``literal`` (a constant; ``const`` holds it).  ``text`` is the source text used in
    error messages; ``pos`` its 0-based position.  ``ast`` is the same expression as a tree
    of tuples (see :data:`FilterAst`), for back-ends that translate rather than evaluate it
    (:mod:`pywats_server.odata_sql`).
    """

    fn: _Fn
    kind: str
    text: str
    pos: int
    const: Any = None
    ast: tuple[Any, ...] = ()


_COMPARISON_OPS = frozenset(_COMPARATORS)
_ARITHMETIC_OPS = frozenset({"add", "sub", "mul", "div", "divby", "mod"})
_KEYWORDS = _COMPARISON_OPS | _ARITHMETIC_OPS | {"and", "or", "not", "in", "has"}
_LITERAL_WORDS = {"true": True, "false": False, "null": None}
_UNSUPPORTED_FUNCTIONS = {
    name: "date/time functions are not supported"
    for name in (
        "year month day hour minute second fractionalseconds totalseconds date time "
        "totaloffsetminutes now mindatetime maxdatetime"
    ).split()
}
_UNSUPPORTED_FUNCTIONS.update(
    {name: "number functions are not supported" for name in ("round", "floor", "ceiling")}
)
_UNSUPPORTED_FUNCTIONS.update(
    {
        name: "type and geo functions are not supported"
        for name in ("cast", "isof", "geo.distance", "geo.length", "geo.intersects")
    }
)
_UNSUPPORTED_FUNCTIONS["matchespattern"] = "matchesPattern is not supported"


def _quote(text: str) -> str:
    """Render ``text`` as an OData string literal (``'`` doubled)."""
    return "'" + text.replace("'", "''") + "'"


def _string_arg(value: Any) -> str | None:
    """Return ``value`` if it is a string, else None (functions treat None as no match)."""
    return value if isinstance(value, str) else None


def _fn_contains(a: Any, b: Any) -> bool:
    sa, sb = _string_arg(a), _string_arg(b)
    return sa is not None and sb is not None and sb in sa


def _fn_startswith(a: Any, b: Any) -> bool:
    sa, sb = _string_arg(a), _string_arg(b)
    return sa is not None and sb is not None and sa.startswith(sb)


def _fn_endswith(a: Any, b: Any) -> bool:
    sa, sb = _string_arg(a), _string_arg(b)
    return sa is not None and sb is not None and sa.endswith(sb)


def _fn_tolower(a: Any) -> Any:
    return a.lower() if isinstance(a, str) else a


def _fn_toupper(a: Any) -> Any:
    return a.upper() if isinstance(a, str) else a


def _fn_trim(a: Any) -> Any:
    return a.strip() if isinstance(a, str) else a


def _fn_length(a: Any) -> int | None:
    return len(a) if isinstance(a, str) else None


def _fn_indexof(a: Any, b: Any) -> int | None:
    sa, sb = _string_arg(a), _string_arg(b)
    return sa.find(sb) if sa is not None and sb is not None else None


def _fn_concat(a: Any, b: Any) -> str | None:
    sa, sb = _string_arg(a), _string_arg(b)
    return sa + sb if sa is not None and sb is not None else None


def _fn_substring(a: Any, start: Any, length: Any = None) -> str | None:
    sa = _string_arg(a)
    if sa is None or not isinstance(start, int) or isinstance(start, bool):
        return None
    begin = max(start, 0)
    if length is None:
        return sa[begin:]
    if not isinstance(length, int) or isinstance(length, bool):
        return None
    return sa[begin:begin + max(length, 0)]


# name -> (callable, min args, max args, result kind)
_FUNCTIONS: dict[str, tuple[Callable[..., Any], int, int, str]] = {
    "contains": (_fn_contains, 2, 2, "bool"),
    "startswith": (_fn_startswith, 2, 2, "bool"),
    "endswith": (_fn_endswith, 2, 2, "bool"),
    "tolower": (_fn_tolower, 1, 1, "value"),
    "toupper": (_fn_toupper, 1, 1, "value"),
    "trim": (_fn_trim, 1, 1, "value"),
    "length": (_fn_length, 1, 1, "value"),
    "indexof": (_fn_indexof, 2, 2, "value"),
    "concat": (_fn_concat, 2, 2, "value"),
    "substring": (_fn_substring, 2, 3, "value"),
}


class _Parser:
    """Recursive-descent parser that compiles a ``$filter`` into closures.

    Grammar (lowest precedence first)::

        or_expr    := and_expr ('or' and_expr)*
        and_expr   := not_expr ('and' not_expr)*
        not_expr   := 'not' not_expr | comparison
        comparison := primary (('eq'|'ne'|'gt'|'ge'|'lt'|'le') primary | 'in' list)*
        list       := '(' primary (',' primary)* ')'
        primary    := '(' or_expr ')' | literal | function '(' args ')' | path
        path       := segment ('/' segment)* ['/' ('any'|'all') '(' [var ':' or_expr] ')']
    """

    def __init__(self, text: str, fields: Collection[str] | None, option: str) -> None:
        self.text = text
        self.option = option
        self.tokens = _Lexer(text, option).tokens()
        self.index = 0
        self.depth = 0
        self.scopes: list[str] = []
        self.fields: dict[str, str] | None = None
        if fields is not None:
            self.fields = {}
            for name in fields:
                self.fields.setdefault(name.lower(), name)

    # -- token helpers -------------------------------------------------------------
    def _enter(self, tok: _Token) -> None:
        """Count one more level of nesting (parenthesis, 'not', call, lambda) at ``tok``."""
        self.depth += 1
        if self.depth > MAX_FILTER_DEPTH:
            raise self.error(
                f"the expression is nested deeper than {MAX_FILTER_DEPTH} levels "
                "(parentheses, 'not', function calls and lambdas)", tok)

    def error(self, message: str, token: _Token | None = None) -> ODataError:
        """Build an ODataError at ``token`` (default: the current token)."""
        tok = token or self.peek()
        return ODataError(f"{self.option}: {message} at position {tok.pos + 1}")

    def peek(self, offset: int = 0) -> _Token:
        """Return the token ``offset`` places ahead without consuming it."""
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def advance(self) -> _Token:
        """Consume and return the current token."""
        tok = self.tokens[self.index]
        if tok.kind != _EOF:
            self.index += 1
        return tok

    def keyword(self, tok: _Token) -> str | None:
        """Lower-cased keyword of an IDENT token, or None when it is not a keyword."""
        if tok.kind == _IDENT and tok.value.lower() in _KEYWORDS:
            return str(tok.value.lower())
        return None

    def expect(self, kind: str, what: str) -> _Token:
        """Consume a token of ``kind`` or raise an error saying ``what`` was expected."""
        tok = self.peek()
        if tok.kind != kind:
            raise self.error(f"expected {what} but found {tok.describe()}", tok)
        return self.advance()

    # -- entry point ---------------------------------------------------------------
    def parse(self) -> _Node:
        """Parse the whole expression; it must be boolean-valued."""
        node = self.or_expr()
        tok = self.peek()
        if tok.kind != _EOF:
            raise self._unexpected_after_operand(tok)
        self._require_bool(node, "the filter")
        return node

    def _glued_to_previous(self, tok: _Token) -> str | None:
        """If ``tok`` directly continues the previous name (``SN-001``), return the whole run."""
        i = self.tokens.index(tok)
        if i == 0:
            return None
        prev = self.tokens[i - 1]
        if prev.kind != _IDENT or prev.pos + len(prev.text) != tok.pos:
            return None
        m = re.compile(r"[^\s(),]+").match(self.text, prev.pos)
        return m.group(0) if m else None

    def _unexpected_after_operand(self, tok: _Token) -> ODataError:
        """Explain a token that appears where an operator or the end was expected."""
        glued = self._glued_to_previous(tok) if tok.kind != _EOF else None
        if glued is not None:
            return self.error(
                f"unexpected {tok.describe()} after {self.tokens[self.tokens.index(tok) - 1].text!r}"
                f"; if {glued!r} is a text value, quote it: {_quote(glued)}",
                tok,
            )
        kw = self.keyword(tok)
        if tok.kind == _IDENT and kw is None and tok.value.lower() not in _LITERAL_WORDS:
            return self.error(f"unknown operator {tok.text!r}", tok)
        if kw == "not":
            return self.error("'not' must come before its operand, not after it", tok)
        if tok.kind == "RPAREN":
            return self.error("unbalanced ')'", tok)
        return self.error(f"expected an operator but found {tok.describe()}", tok)

    def _require_bool(self, node: _Node, where: str) -> None:
        """Reject a literal that is not a boolean where a condition is needed."""
        if node.kind == "literal" and not isinstance(node.const, bool):
            raise ODataError(
                f"{self.option}: {where} needs a condition, not the literal {node.text!r} "
                f"at position {node.pos + 1}"
            )

    # -- logical operators ---------------------------------------------------------
    def or_expr(self) -> _Node:
        """``and_expr ('or' and_expr)*``."""
        left = self.and_expr()
        while self.keyword(self.peek()) == "or":
            self.advance()
            right = self.and_expr()
            self._require_bool(left, "'or'")
            self._require_bool(right, "'or'")
            left = _Node(
                _either(left.fn, right.fn),
                "bool",
                f"{left.text} or {right.text}",
                left.pos,
                ast=("or", left.ast, right.ast),
            )
        return left

    def and_expr(self) -> _Node:
        """``not_expr ('and' not_expr)*``."""
        left = self.not_expr()
        while self.keyword(self.peek()) == "and":
            self.advance()
            right = self.not_expr()
            self._require_bool(left, "'and'")
            self._require_bool(right, "'and'")
            left = _Node(
                _both(left.fn, right.fn),
                "bool",
                f"{left.text} and {right.text}",
                left.pos,
                ast=("and", left.ast, right.ast),
            )
        return left

    def not_expr(self) -> _Node:
        """``'not' not_expr | comparison``."""
        tok = self.peek()
        if self.keyword(tok) == "not":
            self.advance()
            self._enter(tok)
            operand = self.not_expr()
            self.depth -= 1
            self._require_bool(operand, "'not'")
            return _Node(
                _negate(operand.fn),
                "bool",
                f"not {operand.text}",
                tok.pos,
                ast=("not", operand.ast),
            )
        return self.comparison()

    # -- comparisons -----------------------------------------------------------------
    def comparison(self) -> _Node:
        """``primary (cmp primary | 'in' list)*`` (left-associative)."""
        left = self.primary()
        while True:
            tok = self.peek()
            kw = self.keyword(tok)
            if kw in _COMPARISON_OPS:
                self.advance()
                right = self.primary()
                left = self._compare(kw, left, right)
            elif kw == "in":
                self.advance()
                left = self._in(left)
            elif kw in _ARITHMETIC_OPS:
                raise self.error(f"arithmetic operator {tok.text!r} is not supported", tok)
            elif kw == "has":
                raise self.error("operator 'has' is not supported", tok)
            elif (
                tok.kind == _IDENT
                and kw is None
                and tok.value.lower() not in _LITERAL_WORDS
            ):
                raise self.error(f"unknown operator {tok.text!r}", tok)
            else:
                return left

    def _compare(self, op: str, left: _Node, right: _Node) -> _Node:
        """Compile ``left op right``."""
        cmp = _COMPARATORS[op]
        text = f"{left.text} {op} {right.text}"
        if right.kind == "literal" and left.kind != "literal":
            lf, const = left.fn, right.const
            if op == "eq" and type(const) is str:
                def fn(row: Mapping[str, Any], env: _Env) -> bool:
                    v = lf(row, env)
                    return v == const if type(v) is str else _eq(v, const)
            else:
                def fn(row: Mapping[str, Any], env: _Env) -> bool:
                    return cmp(lf(row, env), const)
        else:
            lf, rf = left.fn, right.fn

            def fn(row: Mapping[str, Any], env: _Env) -> bool:
                return cmp(lf(row, env), rf(row, env))

        return _Node(fn, "bool", text, left.pos, ast=("cmp", op, left.ast, right.ast))

    def _in(self, left: _Node) -> _Node:
        """Compile ``left in (v1, v2, ...)``."""
        open_tok = self.peek()
        if open_tok.kind != "LPAREN":
            raise self.error(
                f"'in' needs a parenthesised list such as ('a','b') but found "
                f"{open_tok.describe()}",
                open_tok,
            )
        self.advance()
        items: list[_Node] = []
        if self.peek().kind == "RPAREN":
            raise self.error("the 'in' list is empty")
        while True:
            items.append(self.primary())
            tok = self.peek()
            if tok.kind == "COMMA":
                self.advance()
                continue
            if tok.kind == "RPAREN":
                self.advance()
                break
            raise self.error(f"expected ',' or ')' in the 'in' list but found {tok.describe()}")
        text = f"{left.text} in ({', '.join(i.text for i in items)})"
        lf = left.fn
        if all(i.kind == "literal" for i in items):
            consts = [i.const for i in items]
            str_set = frozenset(c for c in consts if type(c) is str)
            others = [c for c in consts if type(c) is not str]

            def fn(row: Mapping[str, Any], env: _Env) -> bool:
                v = lf(row, env)
                if type(v) is str and v in str_set:
                    return True
                if type(v) is str and not others:
                    return False
                return any(_eq(v, c) for c in consts)
        else:
            fns = [i.fn for i in items]

            def fn(row: Mapping[str, Any], env: _Env) -> bool:
                v = lf(row, env)
                return any(_eq(v, f(row, env)) for f in fns)

        return _Node(fn, "bool", text, left.pos, ast=("in", left.ast, tuple(i.ast for i in items)))

    # -- primaries -------------------------------------------------------------------
    def primary(self) -> _Node:
        """A parenthesised expression, a literal, a function call or a property path."""
        tok = self.peek()
        kind = tok.kind
        if kind == "LPAREN":
            self.advance()
            self._enter(tok)
            inner = self.or_expr()
            self.depth -= 1
            close = self.peek()
            if close.kind != "RPAREN":
                if close.kind == _EOF:
                    raise ODataError(
                        f"{self.option}: missing ')' for the '(' at position {tok.pos + 1} "
                        f"(reached the end of the expression at position {close.pos + 1})"
                    )
                raise self._unexpected_after_operand(close)
            self.advance()
            return _Node(inner.fn, inner.kind, f"({inner.text})", tok.pos, inner.const, inner.ast)
        if kind in (_STRING, _NUMBER, _DATETIME, _GUID):
            self.advance()
            return self._literal(tok.value, tok)
        if kind == _IDENT:
            lower = tok.value.lower()
            if lower in _LITERAL_WORDS:
                self.advance()
                return self._literal(_LITERAL_WORDS[lower], tok)
            if lower in _KEYWORDS:
                raise self.error(f"expected an operand but found operator {tok.text!r}", tok)
            if self.peek(1).kind == "LPAREN":
                return self.function()
            return self.path()
        if kind == _EOF:
            raise self.error("unexpected end of expression; an operand is missing", tok)
        raise self.error(f"expected an operand but found {tok.describe()}", tok)

    @staticmethod
    def _literal(value: Any, tok: _Token) -> _Node:
        """A constant node."""
        return _Node(_constant(value), "literal", tok.text, tok.pos, value, ("lit", value))

    def function(self) -> _Node:
        """``name '(' args ')'`` for the supported string functions."""
        name_tok = self.advance()
        name = name_tok.value.lower()
        if name in _UNSUPPORTED_FUNCTIONS:
            raise self.error(
                f"function {name_tok.text!r} is not supported ({_UNSUPPORTED_FUNCTIONS[name]})",
                name_tok,
            )
        if name.startswith("$"):
            raise self.error(f"{name_tok.text!r} is not supported", name_tok)
        if name not in _FUNCTIONS:
            hint = difflib.get_close_matches(name, list(_FUNCTIONS), n=1)
            extra = f"; did you mean '{hint[0]}'?" if hint else ""
            raise self.error(
                f"unknown function {name_tok.text!r}{extra} (supported: "
                f"{', '.join(_FUNCTIONS)})",
                name_tok,
            )
        impl, min_args, max_args, result_kind = _FUNCTIONS[name]
        self._enter(self.expect("LPAREN", "'('"))
        args: list[_Node] = []
        if self.peek().kind != "RPAREN":
            while True:
                args.append(self.or_expr())
                if self.peek().kind == "COMMA":
                    self.advance()
                    continue
                break
        self.depth -= 1
        close = self.peek()
        if close.kind != "RPAREN":
            raise self.error(
                f"expected ',' or ')' in the arguments of {name}() but found "
                f"{close.describe()}",
                close,
            )
        self.advance()
        if not min_args <= len(args) <= max_args:
            want = str(min_args) if min_args == max_args else f"{min_args} or {max_args}"
            raise self.error(
                f"{name}() takes {want} argument{'s' if max_args > 1 else ''}, "
                f"got {len(args)}",
                name_tok,
            )
        for arg in args:
            if arg.kind == "literal" and isinstance(arg.const, (bool, uuid.UUID, datetime)):
                raise ODataError(
                    f"{self.option}: {name}() does not accept the literal {arg.text!r} "
                    f"at position {arg.pos + 1}"
                )
        text = f"{name}({', '.join(a.text for a in args)})"
        fns = [a.fn for a in args]
        if len(fns) == 1:
            f0 = fns[0]

            def fn(row: Mapping[str, Any], env: _Env) -> Any:
                return impl(f0(row, env))
        elif len(fns) == 2:
            f0, f1 = fns

            def fn(row: Mapping[str, Any], env: _Env) -> Any:
                return impl(f0(row, env), f1(row, env))
        else:

            def fn(row: Mapping[str, Any], env: _Env) -> Any:
                return impl(*[f(row, env) for f in fns])

        return _Node(fn, result_kind, text, name_tok.pos, ast=("call", name, tuple(a.ast for a in args)))

    # -- property paths and lambdas --------------------------------------------------
    def _segment(self) -> _Token:
        """Consume one path segment identifier."""
        tok = self.peek()
        if tok.kind != _IDENT:
            raise self.error(f"expected a property name after '/' but found {tok.describe()}")
        if tok.value.startswith("$"):
            raise self.error(f"{tok.text!r} is not supported", tok)
        return self.advance()

    def path(self) -> _Node:
        """A property path, optionally ending with an ``any``/``all`` lambda."""
        first = self.advance()
        name: str = first.value
        if name.startswith("$"):
            if name.lower() != "$it":
                raise self.error(f"{first.text!r} is not supported", first)
            getter: _Fn = lambda row, env: row  # noqa: E731
            text = name
            ast: tuple[Any, ...] = ("it",)
        elif name in self.scopes:
            getter = _scope_var(name)
            text = name
            ast = ("var", name)
        else:
            canonical = self._resolve_field(first)
            getter = _field(canonical)
            text = name
            ast = ("field", canonical)
        while self.peek().kind == "SLASH":
            self.advance()
            seg = self._segment()
            low = seg.value.lower()
            if low in ("any", "all") and self.peek().kind == "LPAREN":
                return self._lambda(getter, ast, low, f"{text}/{seg.text}", first)
            text = f"{text}/{seg.text}"
            getter = _member(getter, seg.value)
            ast = ("member", ast, seg.value)
        return _Node(getter, "value", text, first.pos, ast=ast)

    def _resolve_field(self, tok: _Token) -> str:
        """Map a top-level property name to its canonical spelling (checks ``fields``)."""
        name: str = tok.value
        if self.fields is None:
            return name
        canonical = self.fields.get(name.lower())
        if canonical is None:
            hint = difflib.get_close_matches(name.lower(), list(self.fields), n=1)
            extra = f"; did you mean {self.fields[hint[0]]!r}?" if hint else ""
            i = self.tokens.index(tok)
            value_position = i > 0 and self.keyword(self.tokens[i - 1]) in _COMPARISON_OPS
            if not value_position and i > 1 and self.tokens[i - 1].kind in ("LPAREN", "COMMA"):
                j = i - 1
                while j > 0 and self.tokens[j].kind != "LPAREN":
                    j -= 1
                value_position = j > 0 and self.keyword(self.tokens[j - 1]) == "in"
            if value_position:
                run = re.compile(r"[^\s(),]+").match(self.text, tok.pos)
                word = run.group(0) if run else name
                extra += f" (if {word!r} is a text value, quote it: {_quote(word)})"
            raise self.error(f"unknown property {name!r}{extra}", tok)
        return canonical

    def _lambda(self, collection: _Fn, coll_ast: tuple[Any, ...], op: str, text: str, first: _Token) -> _Node:
        """``coll/any(var: expr)``, ``coll/any()`` or ``coll/all(var: expr)``."""
        self.advance()  # '(' (the body's nesting is counted below)
        if self.peek().kind == "RPAREN":
            self.advance()
            if op == "all":
                raise self.error("all() needs a condition, e.g. coll/all(x: x/value eq 1)")

            def non_empty(row: Mapping[str, Any], env: _Env) -> bool:
                items = collection(row, env)
                return isinstance(items, (list, tuple)) and len(items) > 0

            return _Node(non_empty, "bool", f"{text}()", first.pos, ast=("any", coll_ast, None, None))
        var_tok = self.peek()
        if var_tok.kind != _IDENT or self.keyword(var_tok) or var_tok.value.startswith("$"):
            raise self.error(
                f"expected a lambda variable such as 's' in {op}(s: ...) but found "
                f"{var_tok.describe()}",
                var_tok,
            )
        self.advance()
        self.expect("COLON", f"':' after the lambda variable {var_tok.text!r}")
        var: str = var_tok.value
        self.scopes.append(var)
        self._enter(var_tok)
        try:
            body = self.or_expr()
        finally:
            self.scopes.pop()
        self.depth -= 1
        self._require_bool(body, f"{op}()")
        close = self.peek()
        if close.kind != "RPAREN":
            if close.kind == _EOF:
                raise self.error(f"missing ')' to close {op}(", close)
            raise self._unexpected_after_operand(close)
        self.advance()
        bf = body.fn

        def items_of(row: Mapping[str, Any], env: _Env) -> list[Any] | tuple[Any, ...]:
            items = collection(row, env)
            return items if isinstance(items, (list, tuple)) else ()

        if op == "any":

            def fn(row: Mapping[str, Any], env: _Env) -> bool:
                for item in items_of(row, env):
                    if bf(row, {**env, var: item}) is True:
                        return True
                return False
        else:

            def fn(row: Mapping[str, Any], env: _Env) -> bool:
                for item in items_of(row, env):
                    if bf(row, {**env, var: item}) is not True:
                        return False
                return True

        return _Node(fn, "bool", f"{text}({var}: {body.text})", first.pos, ast=(op, coll_ast, var, body.ast))


def compile_filter(
    text: str, *, fields: Collection[str] | None = None
) -> Callable[[Mapping[str, Any]], bool]:
    """Compile an OData ``$filter`` expression into a row predicate.

    Args:
        text: the ``$filter`` value (already URL-decoded).  Empty or blank text yields a
            predicate that accepts every row.
        fields: allowed top-level property names.  When given, names in ``text`` are
            matched case-insensitively against it and an unknown name raises
            :class:`ODataError`; include collection names (``subUnits``, ``miscInfo``...)
            to allow lambdas over them.  When None, any name is accepted and resolved
            case-insensitively against each row (missing means None).

    Returns:
        ``predicate(row) -> bool``: True when the row matches.  The expression is parsed
        once; the predicate is cheap to call for many rows.

    Raises:
        ODataError: the expression is malformed or uses an unsupported feature; the
            message names the offending token and its 1-based position.
    """
    if not isinstance(text, str):
        raise ODataError(f"$filter: expected a string, got {type(text).__name__}")
    if not text.strip():
        return lambda row: True
    fn = _parse(text, fields).fn

    def predicate(row: Mapping[str, Any]) -> bool:
        return fn(row, _EMPTY_ENV) is True

    predicate.__doc__ = f"Row predicate for $filter={text}"
    return predicate


def _parse(text: str, fields: Collection[str] | None) -> _Node:
    if len(text) > MAX_FILTER_LENGTH:
        raise ODataError(
            f"$filter: the expression is {len(text)} characters long; at most {MAX_FILTER_LENGTH} are accepted")
    return _Parser(text, fields, "$filter").parse()


def parse_filter(text: str, *, fields: Collection[str] | None = None) -> FilterAst:
    """Parse a non-blank ``$filter`` into its :data:`FilterAst` (same checks and errors as
    :func:`compile_filter`; field names come out in their canonical spelling)."""
    if not isinstance(text, str) or not text.strip():
        raise ODataError("$filter: the expression is empty")
    return _parse(text, fields).ast


# --------------------------------------------------------------------------------------
# $orderby, $expand and sorting
# --------------------------------------------------------------------------------------


def _allowed_map(allowed: Collection[str]) -> tuple[dict[str, str], str]:
    """Lower-case -> canonical map of ``allowed`` and a display list for messages."""
    mapping: dict[str, str] = {}
    for name in allowed:
        mapping.setdefault(name.lower(), name)
    names = sorted(allowed) if isinstance(allowed, (set, frozenset)) else list(allowed)
    return mapping, ", ".join(names)


def _split_items(text: str, option: str) -> list[tuple[str, int]]:
    """Split a comma-separated option value into (stripped item, 0-based position)."""
    items: list[tuple[str, int]] = []
    pos = 0
    for part in text.split(","):
        stripped = part.strip()
        lead = len(part) - len(part.lstrip())
        if not stripped:
            raise ODataError(f"{option}: empty item at position {pos + lead + 1}")
        items.append((stripped, pos + lead))
        pos += len(part) + 1
    return items


def parse_orderby(text: str, allowed: Collection[str]) -> list[tuple[str, bool]]:
    """Parse an OData ``$orderby`` value.

    Args:
        text: comma-separated ``field [asc|desc]`` items, e.g. ``"start desc, uuid"``.
            Empty or blank text gives an empty list (the caller applies its default).
        allowed: the sortable field names; matched case-insensitively.

    Returns:
        ``[(canonical field name from allowed, descending), ...]`` in the given order.

    Raises:
        ODataError: a field is not in ``allowed``, a direction is not asc/desc, an item is
            empty, or a field is listed twice.
    """
    if not text.strip():
        return []
    mapping, display = _allowed_map(allowed)
    result: list[tuple[str, bool]] = []
    seen: set[str] = set()
    for item, pos in _split_items(text, "$orderby"):
        words = item.split()
        name = words[0]
        canonical = mapping.get(name.lower())
        if canonical is None:
            raise ODataError(
                f"$orderby: {name!r} is not sortable; use one of {display} "
                f"(at position {pos + 1})"
            )
        descending = False
        if len(words) >= 2:
            direction = words[1].lower()
            if direction not in ("asc", "desc"):
                raise ODataError(
                    f"$orderby: direction {words[1]!r} after {name!r} must be 'asc' or 'desc' "
                    f"(at position {pos + item.index(words[1], len(name)) + 1})"
                )
            descending = direction == "desc"
        if len(words) > 2:
            raise ODataError(
                f"$orderby: unexpected {words[2]!r} in {item!r}; items are "
                f"'field [asc|desc]' separated by commas (at position {pos + 1})"
            )
        if canonical in seen:
            raise ODataError(
                f"$orderby: {canonical!r} is listed more than once (at position {pos + 1})"
            )
        seen.add(canonical)
        result.append((canonical, descending))
    return result


def parse_expand(text: str, allowed: Collection[str]) -> list[str]:
    """Parse an OData ``$expand`` value.

    Args:
        text: comma-separated collection names, e.g. ``"subunits,miscinfo"``.  Empty or
            blank text gives an empty list.
        allowed: the expandable names; matched case-insensitively.

    Returns:
        Canonical names from ``allowed``, in the given order, without duplicates.

    Raises:
        ODataError: a name is not in ``allowed``, an item is empty, or an item carries
            nested options such as ``subUnits($select=...)``.
    """
    if not text.strip():
        return []
    mapping, display = _allowed_map(allowed)
    result: list[str] = []
    for item, pos in _split_items(text, "$expand"):
        if "(" in item or "/" in item:
            raise ODataError(
                f"$expand: nested expand options or paths are not supported in {item!r} "
                f"(at position {pos + 1})"
            )
        canonical = mapping.get(item.lower())
        if canonical is None:
            raise ODataError(
                f"$expand: {item!r} cannot be expanded; use one of {display} "
                f"(at position {pos + 1})"
            )
        if canonical not in result:
            result.append(canonical)
    return result


_ISO_DATETIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _sort_key(value: Any) -> tuple[Any, ...]:
    """A total-order key: None first, then bools/numbers, strings, datetimes, others.

    Strings that look like ISO date-times sort as datetimes so that mixed offsets and
    fractional seconds order correctly.
    """
    if value is None:
        return (0,)
    if isinstance(value, (bool, int, float, Decimal)):
        return (1, value)
    if isinstance(value, str):
        if _ISO_DATETIME_RE.match(value):
            parsed = _parse_iso(value)
            if parsed is not None:
                return (3, parsed)
        return (2, value)
    if isinstance(value, datetime):
        return (3, _aware(value))
    if isinstance(value, uuid.UUID):
        return (2, str(value))
    return (4, str(value))


_Row = TypeVar("_Row", bound=Mapping[str, Any])


def sort_rows(rows: Sequence[_Row], order: list[tuple[str, bool]]) -> list[_Row]:
    """Return ``rows`` sorted by ``order`` (as returned by :func:`parse_orderby`).

    The sort is stable and multi-key; field names are looked up case-insensitively; None
    (or a missing field) sorts first in ascending order and last in descending order.
    Strings compare ordinally (case-sensitive); ISO date-time strings compare as instants.
    """
    result = list(rows)
    for name, descending in reversed(order):
        lname = name.lower()
        result.sort(key=lambda row: _sort_key(_lookup(row, name, lname)), reverse=descending)
    return result
