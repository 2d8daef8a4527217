"""``$filter`` translated to a SQLite ``WHERE`` clause, with the semantics of :mod:`.odata`.

:func:`.odata.parse_filter` parses the expression; :func:`compile_where` turns that tree into
SQL for one table described by a :class:`SqlSchema` (which property is which column, which
properties are JSON collections). The database then does the work: comparisons of a
property with a literal become plain comparisons on the column (so the indexes on serial
number, part number, start time, process code are used), ``in`` lists become ``IN``,
``startswith`` a ``GLOB`` prefix (index range), lambdas over collections ``EXISTS`` over
``json_each``. Where a comparison's OData rules (number/text coercion, function results)
differ from SQLite's, it is evaluated by :func:`install_functions`' SQL functions, which call
the very comparators and functions of :mod:`.odata` — results are the same as evaluating
the filter in Python on every row, only computed by the query engine.

What this translation cannot express (comparing a date/time literal with a property other
than the start time, ``$it``, a lambda variable used as a value, nested lambdas, a
collection used as a value) raises :class:`~.odata.ODataError` naming the construct, and
the request is answered 400 instead of scanning the table.

Logic is two-valued as in :mod:`.odata`: every SQL condition here is true only when the
Python predicate is ``True``; a condition that may be NULL is negated as ``(x) IS NOT 1``.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from .odata import _COMPARATORS, _FUNCTIONS, FilterAst, ODataError, _quote, _to_number

__all__ = ["SqlColumn", "SqlCollection", "SqlSchema", "SqlWhere", "compile_where", "install_functions"]


@dataclass(frozen=True)
class SqlColumn:
    """A scalar property: SQL expression and kind.

    ``kind``: ``text`` (TEXT column, compared ordinally as OData does), ``number``
    (INTEGER/REAL), ``bool`` (0/1 INTEGER read as false/true), ``uuid`` (lower-case GUID text), ``start`` (the header's start time,
    ``yyyy-MM-ddTHH:mm:ssZ`` text; ``start_full`` names the indexed ``...ss.fffZ`` column
    used for date/time literals) or ``const`` (the same value on every row: ``const``).
    ``nullable``: the expression may be NULL.
    """

    expr: str
    kind: str
    nullable: bool = True
    const: Any = None
    start_full: str = ""


@dataclass(frozen=True)
class SqlCollection:
    """A collection property stored as a JSON array of objects at ``path`` in ``column``;
    ``keys`` are the objects' member names (matched ignoring case, as :mod:`.odata` does)."""

    column: str
    path: str
    keys: tuple[str, ...]


@dataclass(frozen=True)
class SqlSchema:
    """The properties a ``$filter`` may name, by canonical name.

    Names are matched ignoring case. ``unknown_is_null``: a name that is not a column is
    ``null`` on every row (as :mod:`.odata` resolves a property a record lacks), for
    endpoints whose filters are parsed without a field list.
    """

    columns: Mapping[str, SqlColumn]
    collections: Mapping[str, SqlCollection] = field(default_factory=dict)
    unknown_is_null: bool = False

    def field_names(self) -> list[str]:
        """Every property name (for :func:`.odata.parse_filter`'s ``fields``)."""
        return [*self.columns, *self.collections]

    def column(self, name: str) -> SqlColumn | None:
        """The column of property ``name`` (ignoring case); None for a collection or, unless
        ``unknown_is_null``, an unknown name."""
        found = self.columns.get(name)
        if found is None:
            low = name.lower()
            found = next((c for n, c in self.columns.items() if n.lower() == low), None)
        if found is None and self.unknown_is_null and self.collection(name) is None:
            found = _UNKNOWN
        return found

    def collection(self, name: str) -> SqlCollection | None:
        """The collection property ``name`` (ignoring case), or None."""
        found = self.collections.get(name)
        if found is None:
            low = name.lower()
            found = next((c for n, c in self.collections.items() if n.lower() == low), None)
        return found


_UNKNOWN = SqlColumn("NULL", "const", True, None)


@dataclass(frozen=True)
class SqlWhere:
    """A condition and its bound parameters (``?`` placeholders, in order)."""

    sql: str
    params: tuple[Any, ...]


# -- SQL functions: the exact OData comparison and string functions --------------------

def _sql_cmp(op: str, a: Any, b: Any) -> int:
    return 1 if _COMPARATORS[op](a, b) else 0


def _sql_call(name: str, *args: Any) -> Any:
    value = _FUNCTIONS[name][0](*args)
    return int(value) if isinstance(value, bool) else value


def install_functions(conn: sqlite3.Connection) -> None:
    """Register ``odata_cmp(op, a, b)`` and ``odata_fn(name, args...)`` on ``conn``."""
    conn.create_function("odata_cmp", 3, _sql_cmp, deterministic=True)
    conn.create_function("odata_fn", -1, _sql_call, deterministic=True)


# -- translation --------------------------------------------------------------------------

_SWAP = {"eq": "eq", "ne": "ne", "gt": "lt", "ge": "le", "lt": "gt", "le": "ge"}
_SQL_OP = {"eq": "=", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}
_TRUE = "1"
_FALSE = "0"


@dataclass(frozen=True)
class _Cond:
    """A translated condition; ``nullable`` when it may evaluate to NULL (= not true)."""

    sql: str
    params: tuple[Any, ...] = ()
    nullable: bool = False


@dataclass(frozen=True)
class _Val:
    """A translated value: SQL, parameters, kind (``text``/``number``/``uuid``/``start``/
    ``any``), whether it may be NULL, and for ``start`` the indexed full-precision column."""

    sql: str
    params: tuple[Any, ...]
    kind: str
    nullable: bool = True
    start_full: str = ""


def _const(value: bool) -> _Cond:
    return _Cond(_TRUE if value else _FALSE)


def render(ast: FilterAst) -> str:
    """The OData text of ``ast`` (for error messages)."""
    tag = ast[0]
    if tag == "lit":
        v = ast[1]
        if isinstance(v, str):
            return _quote(v)
        if v is None or isinstance(v, bool):
            return {None: "null", True: "true", False: "false"}[v]
        if isinstance(v, datetime):
            return v.isoformat()
        return str(v)
    if tag == "field" or tag == "var":
        return str(ast[1])
    if tag == "it":
        return "$it"
    if tag == "member":
        return f"{render(ast[1])}/{ast[2]}"
    if tag == "cmp":
        return f"{render(ast[2])} {ast[1]} {render(ast[3])}"
    if tag == "in":
        return f"{render(ast[1])} in ({', '.join(render(i) for i in ast[2])})"
    if tag in ("and", "or"):
        terms: list[FilterAst] = []
        stack = [ast]
        while stack:  # long chains are left-deep: flatten without recursion
            node = stack.pop()
            if node[0] == tag:
                stack.extend((node[2], node[1]))
            else:
                terms.append(node)
        return "(" + f" {tag} ".join(render(t) for t in terms) + ")"
    if tag == "not":
        return f"not {render(ast[1])}"
    if tag == "call":
        return f"{ast[1]}({', '.join(render(a) for a in ast[2])})"
    if ast[2] is None:
        return f"{render(ast[1])}/{tag}()"
    return f"{render(ast[1])}/{tag}({ast[2]}: {render(ast[3])})"


def _unsupported(what: str, ast: FilterAst) -> ODataError:
    text = render(ast)
    if len(text) > 200:
        text = text[:197] + "..."
    return ODataError(f"$filter: {what} is not supported by this server's query engine (in {text!r})")


def _glob_prefix(text: str) -> str:
    escaped = "".join(f"[{ch}]" if ch in "*?[" else ch for ch in text)
    return escaped + "*"


def _utc_text(dt: datetime, fraction: bool) -> str:
    u = dt.astimezone(timezone.utc)
    return u.strftime("%Y-%m-%dT%H:%M:%S") + (".000Z" if fraction else "Z")


class _Translator:
    def __init__(self, schema: SqlSchema) -> None:
        self.schema = schema
        self.scopes: dict[str, tuple[str, SqlCollection]] = {}
        self.aliases = 0

    # -- conditions ------------------------------------------------------------------
    def cond(self, ast: FilterAst) -> _Cond:
        tag = ast[0]
        if tag in ("and", "or"):
            return self._logic(ast)
        if tag == "not":
            inner = self.cond(ast[1])
            if inner.sql in (_TRUE, _FALSE):
                return _const(inner.sql == _FALSE)
            if inner.nullable:
                return _Cond(f"(({inner.sql}) IS NOT 1)", inner.params)
            return _Cond(f"(NOT {inner.sql})", inner.params)
        if tag == "cmp":
            return self._compare(ast[1], ast[2], ast[3], ast)
        if tag == "in":
            return self._in(ast)
        if tag in ("any", "all"):
            return self._lambda(ast)
        if tag == "lit":
            return _const(ast[1] is True)
        if tag == "call" and _FUNCTIONS[ast[1]][3] == "bool":
            return self._bool_call(ast)
        # a value where a condition is expected: true only when the value is True, which
        # a column never holds (constants are checked here)
        col = self.schema.column(ast[1]) if tag == "field" else None
        if col is not None and col.kind == "bool":
            return _Cond(f"({col.expr} = 1)", (), col.nullable)
        if col is not None:
            return _const(col.kind == "const" and col.const is True)
        if tag == "call":
            return _const(False)
        raise _unsupported(f"{render(ast)!r} as a condition", ast)

    def _logic(self, ast: FilterAst) -> _Cond:
        tag = ast[0]
        # flatten left-deep chains iteratively (long 'a and b and c ...' lists)
        terms: list[FilterAst] = []
        stack = [ast]
        while stack:
            node = stack.pop()
            if node[0] == tag:
                stack.append(node[2])
                stack.append(node[1])
            else:
                terms.append(node)
        parts: list[_Cond] = []
        for term in terms:
            c = self.cond(term)
            if c.sql == (_FALSE if tag == "and" else _TRUE):
                return c
            if c.sql == (_TRUE if tag == "and" else _FALSE):
                continue
            parts.append(c)
        if not parts:
            return _const(tag == "and")
        if len(parts) == 1:
            return parts[0]
        return _join(parts, " AND " if tag == "and" else " OR ")

    def _lambda(self, ast: FilterAst) -> _Cond:
        op, coll_ast, var, body = ast
        found = self.schema.collection(coll_ast[1]) if coll_ast[0] == "field" else None
        if found is None:
            raise _unsupported(f"a lambda over {render(coll_ast)!r}", ast)
        coll = found
        if var is None:
            return _Cond(f"(json_array_length({coll.column}, '{coll.path}') > 0)", (), True)
        self.aliases += 1
        alias = f"j{self.aliases}"
        previous = self.scopes.get(var)
        self.scopes[var] = (alias, coll)
        try:
            inner = self.cond(body)
        finally:
            if previous is None:
                self.scopes.pop(var)
            else:
                self.scopes[var] = previous
        source = f"json_each({coll.column}, '{coll.path}') AS {alias}"
        if op == "any":
            return _Cond(f"EXISTS (SELECT 1 FROM {source} WHERE {inner.sql})", inner.params)
        return _Cond(f"NOT EXISTS (SELECT 1 FROM {source} WHERE ({inner.sql}) IS NOT 1)", inner.params)

    def _bool_call(self, ast: FilterAst) -> _Cond:
        name, args = ast[1], ast[2]
        first, second = args
        if second[0] == "lit" and isinstance(second[1], str) and first[0] != "lit":
            val = self.value(first)
            lit: str = second[1]
            if val.kind in ("text", "start", "uuid"):
                if name == "contains":
                    return _Cond(f"(instr({val.sql}, ?) > 0)", (*val.params, lit), val.nullable)
                if name == "startswith":
                    return _Cond(f"({val.sql} GLOB ?)", (*val.params, _glob_prefix(lit)), val.nullable)
                if not lit:
                    return _Cond(f"({val.sql} IS NOT NULL)", val.params)
                return _Cond(f"(substr({val.sql}, ?) = ?)", (*val.params, -len(lit), lit), val.nullable)
            if val.kind == "number":
                return _const(False)  # string functions never match a number
        vals = [self.value(a) for a in args]
        return _Cond(
            f"(odata_fn('{name}', {', '.join(v.sql for v in vals)}) = 1)",
            tuple(x for v in vals for x in v.params),
        )

    # -- values ----------------------------------------------------------------------------
    def value(self, ast: FilterAst) -> _Val:
        tag = ast[0]
        if tag == "lit":
            v = ast[1]
            if isinstance(v, (bool, datetime, uuid.UUID)):
                raise _unsupported(f"the literal {render(ast)} here", ast)
            return _Val("?", (v,), "any", v is None)
        if tag == "field":
            name = ast[1]
            col = self.schema.column(name)
            if col is None:
                raise _unsupported(f"the collection {name!r} used as a value", ast)
            if col.kind == "const":
                if isinstance(col.const, bool):
                    raise _unsupported(f"{name!r} used as a value", ast)
                return _Val("?", (col.const,), "any", col.const is None)
            if col.kind == "bool":
                raise _unsupported(f"{name!r} compared with anything but true/false", ast)
            return _Val(col.expr, (), col.kind, col.nullable, col.start_full)
        if tag == "member":
            base = ast[1]
            if base[0] == "var" and base[1] in self.scopes:
                alias, coll = self.scopes[base[1]]
                key = self._member_key(coll, ast[2])
                path = '$."' + key.replace('"', '') + '"'
                return _Val(f"json_extract({alias}.value, '{path}')", (), "any", True)
            raise _unsupported(f"the property path {render(ast)!r}", ast)
        if tag == "call":
            name, args = ast[1], ast[2]
            if _FUNCTIONS[name][3] == "bool":
                raise _unsupported(f"{name}() used as a value", ast)
            vals = [self.value(a) for a in args]
            return _Val(
                f"odata_fn('{name}', {', '.join(v.sql for v in vals)})",
                tuple(x for v in vals for x in v.params), "any",
            )
        if tag == "var":
            raise _unsupported(f"the lambda variable {ast[1]!r} used as a value", ast)
        if tag == "it":
            raise _unsupported("$it", ast)
        raise _unsupported(f"a condition ({render(ast)!r}) used as a value", ast)

    @staticmethod
    def _member_key(coll: SqlCollection, name: str) -> str:
        if name in coll.keys:
            return name
        low = name.lower()
        for key in coll.keys:
            if key.lower() == low:
                return key
        return name

    # -- comparisons ---------------------------------------------------------------------
    def _compare(self, op: str, left: FilterAst, right: FilterAst, whole: FilterAst) -> _Cond:
        if left[0] == "lit" and right[0] == "lit":
            return _const(_COMPARATORS[op](left[1], right[1]))
        if left[0] == "lit":
            left, right, op = right, left, _SWAP[op]
        if right[0] != "lit":
            a, b = self.value(left), self.value(right)
            return _Cond(f"odata_cmp('{op}', {a.sql}, {b.sql})", (*a.params, *b.params))
        lit = right[1]
        col = self.schema.column(left[1]) if left[0] == "field" else None
        if col is not None and col.kind == "const":
            return _const(_COMPARATORS[op](col.const, lit))
        if col is not None and col.kind == "bool":
            val = _Val(col.expr, (), "bool", col.nullable)
        else:
            val = self.value(left)
        return self._with_literal(op, val, lit, whole)

    def _with_literal(self, op: str, val: _Val, lit: Any, whole: FilterAst) -> _Cond:
        if lit is None:
            if op == "eq":
                return _Cond(f"({val.sql} IS NULL)", val.params)
            if op == "ne":
                return _Cond(f"({val.sql} IS NOT NULL)", val.params)
            return _const(False)
        kind = val.kind
        if kind == "bool":  # compares with true/false only; anything else is incomparable
            if isinstance(lit, bool):
                return self._native(op, val, int(lit))
            return _const(op == "ne")
        if isinstance(lit, bool):
            if kind == "any" and "json_extract" in val.sql:
                raise _unsupported("comparing a collection member with true/false", whole)
            return _const(op == "ne")  # no column value is a boolean: incomparable
        if isinstance(lit, datetime):
            if kind != "start":
                raise _unsupported("comparing a property other than start/startUtc with a date/time", whole)
            return self._start_range(op, val, lit)
        if isinstance(lit, uuid.UUID):
            if kind != "uuid":
                raise _unsupported("comparing a property other than uuid with a GUID", whole)
            return self._native(op, val, str(lit))
        if kind in ("text", "start", "uuid"):
            if isinstance(lit, str):
                return self._native(op, val, lit)
            return self._generic(op, val, lit)
        if kind == "number":
            if isinstance(lit, str):
                number = _to_number(lit)
                if number is None:
                    return _const(op == "ne")
                return self._native(op, val, number)
            return self._native(op, val, lit)
        return self._generic(op, val, lit)

    @staticmethod
    def _native(op: str, val: _Val, lit: Any) -> _Cond:
        if op == "ne":
            return _Cond(f"({val.sql} IS NOT ?)", (*val.params, lit))
        return _Cond(f"({val.sql} {_SQL_OP[op]} ?)", (*val.params, lit), val.nullable)

    @staticmethod
    def _generic(op: str, val: _Val, lit: Any) -> _Cond:
        return _Cond(f"odata_cmp('{op}', {val.sql}, ?)", (*val.params, lit))

    @staticmethod
    def _start_range(op: str, val: _Val, lit: datetime) -> _Cond:
        """``start op <date/time>`` on the indexed full-precision column.

        The header's start has whole seconds: with ``s`` the literal's second and ``f``
        whether it has a fraction, start ≥ lit ⟺ full ≥ s (+1 s when f); start ≤ lit ⟺
        full < s + 1 s; start = lit ⟺ not f and s ≤ full < s + 1 s.
        """
        full = val.start_full
        second = lit.replace(microsecond=0)
        frac = lit.microsecond != 0
        try:
            nxt: str | None = _utc_text(second + timedelta(seconds=1), True)
        except OverflowError:
            nxt = None
        this = _utc_text(second, True)
        if op in ("ge", "gt"):
            if op == "gt" or frac:
                return _Cond(f"({full} >= ?)", (nxt,)) if nxt else _const(False)
            return _Cond(f"({full} >= ?)", (this,))
        if op in ("le", "lt"):
            if op == "le" or frac:
                return _Cond(f"({full} < ?)", (nxt,)) if nxt else _Cond(f"({full} IS NOT NULL)")
            return _Cond(f"({full} < ?)", (this,))
        if frac:
            return _const(op == "ne")
        upper = f" AND {full} < ?" if nxt else ""
        bounds = (this, nxt) if nxt else (this,)
        if op == "eq":
            return _Cond(f"({full} >= ?{upper})", bounds)
        return _Cond(f"(NOT ({full} >= ?{upper}))", bounds)

    def _in(self, ast: FilterAst) -> _Cond:
        left, items = ast[1], ast[2]
        if left[0] != "lit" and all(i[0] == "lit" and isinstance(i[1], str) for i in items):
            val = self.value(left)
            if val.kind == "text":
                marks = ", ".join("?" for _ in items)
                return _Cond(f"({val.sql} IN ({marks}))", (*val.params, *(i[1] for i in items)), val.nullable)
        return self._logic_of("or", [("cmp", "eq", left, item) for item in items])

    def _logic_of(self, tag: str, terms: list[FilterAst]) -> _Cond:
        """``terms`` joined by ``tag`` (``and``/``or``) without building a deep tree."""
        node: FilterAst = terms[0]
        for term in terms[1:]:
            node = (tag, node, term)
        return self._logic(node) if len(terms) > 1 else self.cond(node)


def _join(parts: list[_Cond], joiner: str) -> _Cond:
    """``parts`` joined by ``joiner`` as a balanced tree (SQLite limits expression depth to
    1000, and a flat chain of n terms is n deep)."""
    if len(parts) == 1:
        return parts[0]
    if len(parts) > 16:
        half = len(parts) // 2
        parts = [_join(parts[:half], joiner), _join(parts[half:], joiner)]
    return _Cond(
        "(" + joiner.join(p.sql for p in parts) + ")",
        tuple(x for p in parts for x in p.params),
        any(p.nullable for p in parts),
    )


def compile_where(ast: FilterAst, schema: SqlSchema) -> SqlWhere:
    """The SQL condition equivalent to the parsed ``$filter`` ``ast`` on ``schema``'s table.

    Raises :class:`~.odata.ODataError` for what the translation cannot express (the message
    names it). The condition uses ``odata_cmp``/``odata_fn``: run it on a connection set up
    with :func:`install_functions`.
    """
    cond = _Translator(schema).cond(ast)
    return SqlWhere(cond.sql, cond.params)
