"""Processes (operation types), levels and product groups, plus the seed loader."""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from .core import Storage, register_schema

__all__ = ["Process", "ProcessCatalog", "load_seed", "builtin_seed", "SeedError"]

register_schema(
    "processes",
    """
CREATE TABLE IF NOT EXISTS processes (
    code            INTEGER PRIMARY KEY,
    process_id      TEXT NOT NULL,
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    is_test         INTEGER NOT NULL DEFAULT 0,
    is_repair       INTEGER NOT NULL DEFAULT 0,
    is_wip          INTEGER NOT NULL DEFAULT 0,
    process_index   INTEGER NOT NULL DEFAULT 0,
    state           INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS levels (
    level_id    INTEGER PRIMARY KEY,
    level_name  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS product_groups (
    product_group_id    INTEGER PRIMARY KEY,
    product_group_name  TEXT NOT NULL
);
""",
)


class SeedError(ValueError):
    """A seed file is unreadable or has a bad entry (the message names file and key)."""


@dataclass(frozen=True)
class Process:
    """One process (operation type) record."""

    code: int
    process_id: str
    name: str
    description: str
    is_test: bool
    is_repair: bool
    is_wip: bool
    process_index: int
    state: int

    def public(self) -> dict[str, Any]:
        """The camelCase record of ``GET /api/App/Processes``."""
        return {
            "code": self.code,
            "name": self.name,
            "description": self.description,
            "isTestOperation": self.is_test,
            "isRepairOperation": self.is_repair,
            "isWipOperation": self.is_wip,
            "processIndex": self.process_index,
            "state": self.state,
            "processId": self.process_id,
        }

    def internal(self) -> dict[str, Any]:
        """The PascalCase record of ``GET /api/internal/Process/GetProcesses``."""
        return {
            "Code": self.code,
            "ProcessID": self.process_id,
            "Name": self.name,
            "Description": self.description,
            "ProcessIndex": self.process_index,
            "State": self.state,
            "Properties": None,
            "IsTestOperation": self.is_test,
            "IsWIPOperation": self.is_wip,
            "IsRepairOperation": self.is_repair,
        }


class ProcessCatalog:
    """In-memory copy of the processes table (processes only change through the seed)."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self._by_code: dict[int, Process] = {}
        self.reload()

    def reload(self) -> None:
        """Re-read the processes table."""
        rows = self._storage.read_sync(
            lambda c: c.execute("SELECT * FROM processes ORDER BY process_index, code").fetchall()
        )
        self._by_code = {
            int(r["code"]): Process(
                code=int(r["code"]),
                process_id=r["process_id"],
                name=r["name"],
                description=r["description"],
                is_test=bool(r["is_test"]),
                is_repair=bool(r["is_repair"]),
                is_wip=bool(r["is_wip"]),
                process_index=int(r["process_index"]),
                state=int(r["state"]),
            )
            for r in rows
        }

    def get(self, code: int) -> Process | None:
        """The process with ``code`` or None."""
        return self._by_code.get(code)

    def all(self) -> list[Process]:
        """All processes ordered by process index."""
        return list(self._by_code.values())


def builtin_seed() -> dict[str, Any]:
    """The seed shipped with the package (``pywats_server/data/seed.json``)."""
    text = resources.files("pywats_server").joinpath("data/seed.json").read_text(encoding="utf-8")
    return json.loads(text)


def _flag(entry: dict[str, Any], key: str, where: str) -> int:
    value = entry.get(key, False)
    if not isinstance(value, bool):
        raise SeedError(f"{where}.{key}: must be true or false")
    return int(value)


def _apply_seed(conn: sqlite3.Connection, seed: dict[str, Any], source: str) -> None:
    if not isinstance(seed, dict):
        raise SeedError(f"{source}: the seed must be a JSON object")
    for i, p in enumerate(seed.get("processes") or []):
        where = f"{source}: processes[{i}]"
        if not isinstance(p, dict):
            raise SeedError(f"{where}: must be an object")
        code, name = p.get("code"), p.get("name")
        if not isinstance(code, int) or isinstance(code, bool):
            raise SeedError(f"{where}.code: must be an integer")
        if not isinstance(name, str) or not name:
            raise SeedError(f"{where}.name: must be a non-empty string")
        existing = conn.execute("SELECT process_id FROM processes WHERE code=?", (code,)).fetchone()
        pid = existing[0] if existing else str(p.get("processId") or uuid.uuid4())
        conn.execute(
            "INSERT OR REPLACE INTO processes(code, process_id, name, description, is_test, is_repair,"
            " is_wip, process_index, state) VALUES(?,?,?,?,?,?,?,?,?)",
            (
                code, pid, name, str(p.get("description") or ""),
                _flag(p, "isTestOperation", where), _flag(p, "isRepairOperation", where),
                _flag(p, "isWipOperation", where), int(p.get("processIndex") or 0), int(p.get("state", 1)),
            ),
        )
    for i, lv in enumerate(seed.get("levels") or []):
        if not isinstance(lv, dict) or not isinstance(lv.get("levelId"), int) or not lv.get("levelName"):
            raise SeedError(f"{source}: levels[{i}]: needs integer levelId and levelName")
        conn.execute("INSERT OR REPLACE INTO levels VALUES(?,?)", (lv["levelId"], str(lv["levelName"])))
    for i, g in enumerate(seed.get("productGroups") or []):
        if not isinstance(g, dict) or not isinstance(g.get("productGroupId"), int) or not g.get("productGroupName"):
            raise SeedError(f"{source}: productGroups[{i}]: needs integer productGroupId and productGroupName")
        conn.execute(
            "INSERT OR REPLACE INTO product_groups VALUES(?,?)", (g["productGroupId"], str(g["productGroupName"]))
        )


def load_seed(storage: Storage, seed_file: Path | None = None) -> None:
    """Load the built-in seed once per database, then ``seed_file`` (if given) every start.

    Entries are upserted by key (process ``code``, ``levelId``, ``productGroupId``).
    """
    if storage.get_meta("builtin_seed_loaded") is None:
        storage.write_sync(_apply_seed, builtin_seed(), "built-in seed.json")
        storage.set_meta("builtin_seed_loaded", "1")
    if seed_file is not None:
        try:
            seed = json.loads(Path(seed_file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SeedError(f"{seed_file}: cannot read seed file: {exc}") from exc
        storage.write_sync(_apply_seed, seed, str(seed_file))
