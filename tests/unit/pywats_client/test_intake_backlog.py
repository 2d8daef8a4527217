"""A backlog in the watch folder costs bounded memory: the intake tracks at most its limit of
files at a time (stability watch + waiting for a thread), leaves the rest in the folder, and
takes them in later passes — each file exactly once. File-event hints are bounded the same
way. (Folders and SQLite files only: no conversion runs here.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from pywats_client.config import ClientConfig
from pywats_client.converters.pool import ConverterPool
from pywats_client.queue import PersistentQueue
from pywats_client.service.intake import ConverterSlot, Intake
from pywats_client.service.ledger import IntakeLedger
from pywats_client.service.stats import ConverterStats, ServiceStats
from pywats_client.service.watcher import FolderEvents


def _intake(tmp_path: Path, folder: Path, stable_seconds: float) -> Intake:
    config = ClientConfig.from_dict({
        "reports_folder": str(tmp_path / "reports"),
        "converters": [{"name": "csv", "module_path": "csv", "watch_folder": str(folder),
                        "file_patterns": ["*.csv"], "file_stable_seconds": stable_seconds}],
    })
    conv = config.converters[0]
    slot = ConverterSlot(config=conv, stats=ConverterStats(name="csv", module_path="csv", watch_folder=str(folder)),
                         patterns=["*.csv"])
    return Intake(
        config=config,
        slots=[slot],
        pool=ConverterPool(1),  # never asked to convert here: no process starts
        queue=PersistentQueue(tmp_path / "queue"),
        ledger=IntakeLedger(tmp_path / "ledger.db"),
        stats=ServiceStats(instance_id="t", version="0"),
        context_factory=lambda _conv: None,  # type: ignore[arg-type, return-value]
        on_queued=lambda: None,
        workers=1,
    )


@pytest.mark.parametrize("stable_seconds", [0.0, 30.0])
def test_a_backlog_is_tracked_a_limited_number_at_a_time_and_each_file_once(
    tmp_path: Path, stable_seconds: float
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    names = {f"unit{i:03}.csv" for i in range(95)}
    for name in names:
        (folder / name).write_text("x", encoding="utf-8")
    intake = _intake(tmp_path, folder, stable_seconds)
    intake._track_limit = 20
    admitted: list[str] = []
    for _pass in range(10):
        intake._full_scan()
        tracked = [p for p in folder.iterdir() if p in intake._tracker or p in intake._ready]
        assert len(tracked) <= 20
        # the files admitted in this pass are taken (as the intake threads would)
        for path in tracked:
            admitted.append(path.name)
            path.unlink()
        if not intake._backlog_left and not any(folder.iterdir()):
            break
    assert sorted(admitted) == sorted(names)  # every file, none twice
    assert intake._backlog_left is False
    intake._full_scan()
    assert len(intake._tracker) == 0 and len(intake._ready) == 0  # taken files are forgotten


def test_a_flood_of_file_events_keeps_a_bounded_number_of_hints_and_asks_for_a_rescan(tmp_path: Path) -> None:
    wakes: list[int] = []
    events = FolderEvents([tmp_path], lambda: wakes.append(1), enabled=False, max_hints=50)
    for i in range(500):
        events._add(str(tmp_path / f"unit{i}.csv"))
    assert len(events.take()) == 50
    assert events.take_overflow() is True
    assert events.take_overflow() is False  # reported once
    assert len(wakes) == 1  # one wake-up for the whole batch
