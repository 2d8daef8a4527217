"""GroupCommit: items waiting together are committed together; each caller gets its own
outcome; threads and asyncio tasks both wait without blocking the loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

import pytest

from pywats_client.service.groupcommit import GroupCommit


def test_waiting_items_form_one_batch_and_errors_stay_with_their_item() -> None:
    batches: list[list[int]] = []
    gate = threading.Event()

    def commit(batch: list[int]) -> Sequence[BaseException | None]:
        gate.wait(5)  # the first commit holds the committer while the others queue up
        batches.append(list(batch))
        return [ValueError(f"bad {i}") if i == 3 else None for i in batch]

    group: GroupCommit[int] = GroupCommit(commit, name="test-group")
    results: dict[int, str] = {}

    def call(i: int) -> None:
        try:
            group.submit(i)
            results[i] = "ok"
        except ValueError as exc:
            results[i] = str(exc)

    threads = [threading.Thread(target=call, args=(i,)) for i in range(6)]
    threads[0].start()
    while group._requests.qsize():
        pass
    for t in threads[1:]:
        t.start()
    while group._requests.qsize() < 5:
        pass
    gate.set()
    for t in threads:
        t.join(5)
    group.close()
    assert batches[0] == [0] and sorted(batches[1]) == [1, 2, 3, 4, 5]
    assert results == {0: "ok", 1: "ok", 2: "ok", 3: "bad 3", 4: "ok", 5: "ok"}
    with pytest.raises(RuntimeError, match="closed"):
        group.submit(9)


def test_async_callers_and_a_failing_commit() -> None:
    def commit(batch: list[str]) -> Sequence[BaseException | None]:
        if "boom" in batch:
            raise OSError("disk full")
        return [None] * len(batch)

    async def main() -> None:
        group: GroupCommit[str] = GroupCommit(commit, name="test-async")
        await asyncio.gather(*(group.submit_async(f"a{i}") for i in range(10)))
        with pytest.raises(OSError, match="disk full"):
            await group.submit_async("boom")
        await asyncio.to_thread(group.close)

    asyncio.run(main())
