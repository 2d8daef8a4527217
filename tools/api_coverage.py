"""Generate ``docs/api-coverage.md``: every WATS operation, the pyWATS method that calls it,
whether the local server answers it, and the integration test that covers it.

Reads the committed facts lists (``src/pywats_server/data/wats_public_operations.json`` and
``wats_internal_operations.json``), the library's domain sources (which ``@operation``
method sends which method + path) and the server's route table.

    python tools/api_coverage.py          # rewrite docs/api-coverage.md
    python tools/api_coverage.py --check  # exit 1 when the file is out of date
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "pywats_server" / "data"
DOMAINS_DIR = ROOT / "src" / "pywats" / "domains"
TESTS_DIR = ROOT / "tests" / "integration"
OUTPUT = ROOT / "docs" / "api-coverage.md"

#: Operations pyWATS deliberately does not call, with the reason shown in the table.
NOT_OFFERED: dict[tuple[str, str], str] = {
    ("GET", "/api/internal/App/TopFailed"): "the public GET /api/App/TopFailed answers the same",
    ("POST", "/api/internal/App/TopFailed"): "the public POST /api/App/TopFailed answers the same",
    ("GET", "/api/internal/Trigger/GetAlarmAndNotificationLogs"): "WATS marks it 'to be deleted'; the POST form is used",
    ("GET", "/api/internal/Process/GetProcesses"): "api.process uses the public GET /api/App/Processes",
}

#: Library calls outside the WATS documents: extensions of the local server (or calls real WATS
#: answers that its documents omit), each with what it is.
LOCAL_EXTENSIONS: dict[tuple[str, str], str] = {
    ("GET", "/api/Product/BOM"): "read a revision's BOM (WATS documents only the PUT)",
    ("PUT", "/api/Production/SerialNumbers/Types"): "create a serial-number type (local server; WATS configures them in its UI)",
    ("POST", "/api/Software/VirtualFolder"): "create a virtual folder (local server; WATS creates them in its UI)",
}

_PLACEHOLDER = re.compile(r"\{[^}]*\}")


@dataclass(frozen=True)
class Operation:
    """One operation of a facts list."""

    method: str
    path: str
    operation_id: str
    tag: str
    internal: bool
    origin: str = "public"


def load_operations() -> list[Operation]:
    """Public operations first, then those added in WATS 25.3, then the internal ones pyWATS uses."""
    out = []
    for name, origin in (("wats_public_operations.json", "public"), ("wats_added_operations.json", "25.3"),
                         ("wats_internal_operations.json", "internal")):
        file = DATA / name
        for op in json.loads(file.read_text(encoding="utf-8"))["operations"]:
            out.append(Operation(op["method"], op["path"], op["operationId"], op["tag"], origin == "internal", origin))
    return out


def _key(method: str, path: str) -> tuple[str, str]:
    return method.upper(), _PLACEHOLDER.sub("{}", path).lower().rstrip("/")


def _paths(node: ast.AST, assigned: Mapping[str, ast.AST]) -> set[str]:
    """Every path text an expression can produce (``{}`` for interpolated values)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.JoinedStr):
        text = "".join(str(v.value) if isinstance(v, ast.Constant) else "{}" for v in node.values)
        return {str(text)}
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return {a + b for a in _paths(node.left, assigned) for b in _paths(node.right, assigned)}
    if isinstance(node, ast.IfExp):
        return _paths(node.body, assigned) | _paths(node.orelse, assigned)
    if isinstance(node, ast.Name) and node.id in assigned:
        return _paths(assigned[node.id], assigned)
    return set()


def _requests(func: ast.AST) -> list[tuple[str, str | None]]:
    """(HTTP method, path or None) of each ``Request(...)`` in ``func``; the path is None when
    it arrives as a parameter (helpers)."""
    assigned = {t.id: n.value for n in ast.walk(func) if isinstance(n, ast.Assign)
                for t in n.targets if isinstance(t, ast.Name)}
    params = {a.arg for a in func.args.args} if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)) else set()
    out: list[tuple[str, str | None]] = []
    for node in ast.walk(func):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Request" \
                and len(node.args) >= 2 and isinstance(node.args[0], ast.Constant):
            method = str(node.args[0].value)
            if isinstance(node.args[1], ast.Name) and node.args[1].id in params:
                out.append((method, None))
            out += [(method, p) for p in _paths(node.args[1], assigned)]
    return out


def library_calls() -> dict[tuple[str, str], list[str]]:
    """(method, normalised path) → ``api.<domain>.<method>`` names of the operations sending it."""
    from pywats.domains import DOMAINS

    calls: dict[tuple[str, str], list[str]] = {}
    for attr, target in sorted(DOMAINS.items()):
        module, cls_name = target.split(":")
        tree = ast.parse((DOMAINS_DIR / f"{module.rsplit('.', 1)[1]}.py").read_text(encoding="utf-8"))
        functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
        cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls_name)
        helpers = {n.name: n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name.startswith("_")}
        for fn in cls.body:
            if not isinstance(fn, ast.FunctionDef) or fn.name.startswith("_") \
                    or not any(isinstance(d, ast.Name) and d.id == "operation" for d in fn.decorator_list):
                continue
            found = [(m, p) for m, p in _requests(fn) if p]
            for node in ast.walk(fn):
                if not isinstance(node, ast.Call):
                    continue
                callee = node.func
                if isinstance(callee, ast.Attribute) and isinstance(callee.value, ast.Name) \
                        and callee.value.id == "self" and callee.attr in helpers:
                    methods = {m for m, p in _requests(helpers[callee.attr]) if p is None}
                    consts = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
                              and a.value.startswith("/api/")]
                    found += [(m, p) for m in methods for p in consts]
                elif isinstance(callee, ast.Name) and callee.id in functions:
                    inner = functions[callee.id]
                    found += [(m, p) for m, p in _requests(inner) if p]
                    for sub in ast.walk(inner):
                        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id in functions:
                            found += [(m, p) for m, p in _requests(functions[sub.func.id]) if p]
            for method, path in found:
                names = calls.setdefault(_key(method, path), [])
                name = f"api.{attr}.{fn.name}"
                if name not in names:
                    names.append(name)
    return calls


def server_answers(op: Operation) -> bool:
    """Whether a route of the local server takes ``op`` (method and path)."""
    from starlette.routing import Match, Route

    from pywats_server.routes import all_routes

    path = _PLACEHOLDER.sub("x1", op.path)
    scope = {"type": "http", "method": op.method, "path": path, "root_path": ""}
    for route in all_routes():
        if isinstance(route, Route) and re.fullmatch(route.path_regex.pattern, path, re.IGNORECASE):
            if route.matches(scope)[0] == Match.FULL or route.methods is None:
                return True
            if op.method in (route.methods or set()):
                return True
    return False


def tests_calling(method_names: list[str], path: str) -> str:
    """The integration test files that call one of the methods (by ``.name(``) or, for an
    operation no method calls, that send its path."""
    files = []
    literal = path.split("{", 1)[0].lower()
    for file in sorted(TESTS_DIR.rglob("test_*.py"), key=lambda f: f.name):
        text = file.read_text(encoding="utf-8")
        if method_names:
            hit = any(re.search(rf"\.{re.escape(n.rsplit('.', 1)[1])}\(", text) and f".{n.split('.')[1]}." in text
                      for n in method_names)
        else:
            hit = re.search(re.escape(literal) + r"(?![\w/])", text.lower()) is not None
        if hit:
            files.append(f"`{file.name}`")
    return ", ".join(files[:2]) or "—"


def render() -> str:
    """The Markdown text of ``docs/api-coverage.md``."""
    ops = load_operations()
    calls = library_calls()
    rows = []
    counts = {"lib": 0, "srv": 0}
    for op in ops:
        names = calls.get(_key(op.method, op.path), [])
        answered = server_answers(op)
        counts["lib"] += bool(names)
        counts["srv"] += answered
        library = ", ".join(f"`{n}`" for n in names) if names else \
            f"not offered: {NOT_OFFERED.get((op.method, op.path), 'not written yet')}"
        rows.append(f"| {op.tag}{'' if op.origin == 'public' else f' ({op.origin})'} | {op.method} | `{op.path}` | {library} | "
                    f"{'yes' if answered else 'no'} | {tests_calling(names, op.path)} |")
    public = sum(1 for o in ops if o.origin == "public")
    added = sum(1 for o in ops if o.origin == "25.3")
    head = [
        "# WATS API coverage",
        "",
        "Generated by `python tools/api_coverage.py` from the facts lists in `src/pywats_server/data/`",
        "(the WATS Swagger documents' operations: method, path, operationId, tag, summary), the",
        "library's domain sources and the local server's route table. Do not edit by hand;",
        "`tests/unit/test_api_coverage.py` fails when it is out of date.",
        "",
        (f"Operations: {len(ops)} ({public} public from the Swagger document, {added} public added in WATS 25.3, "
         f"{len(ops) - public - added} internal used by pyWATS features); "
         f"called by the library: {counts['lib']}; answered by the local server: {counts['srv']}."),
        "",
        "Internal operations (tag marked *internal*) are sent with a `Referer` header, as the WATS web",
        "application does; the local server refuses them without it. Operations marked *25.3* came with",
        "WATS 25.3 and are not in the Swagger document.",
        "",
        "| Tag | Method | Path | Library method | Local server | Test |",
        "|---|---|---|---|---|---|",
    ]
    extra = ["", "## Library calls outside the WATS documents", "",
             "| Method | Path | Library method | What it is |", "|---|---|---|---|"]
    for (method, path), what in sorted(LOCAL_EXTENSIONS.items(), key=lambda kv: (kv[0][1].lower(), kv[0][0])):
        callers = ", ".join(f"`{n}`" for n in calls.get(_key(method, path), [])) or "—"
        extra.append(f"| {method} | `{path}` | {callers} | {what} |")
    return "\n".join(head + rows + extra) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the file, or with ``--check`` compare it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when docs/api-coverage.md is out of date")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT} is out of date: run python tools/api_coverage.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
