"""Status letters used in WSJF reports, their word aliases, and the roll-up rules.

WSJF uses single letters:

* report ``result``: ``P`` Passed, ``F`` Failed, ``E`` Error, ``T`` Terminated;
* step ``status``: the same plus ``D`` Done, ``S`` Skipped, ``U`` Unknown;
* measurement ``status``: ``P``, ``F``, ``S``.

Roll-up (a sequence from its children, the report from its root sequence), in order of
precedence: any ``E`` child → ``E``; else any ``T`` → ``T``; else any ``F`` → ``F``;
else ``P``. ``D`` (Done), ``S`` (Skipped) and ``U`` (Unknown) never fail a parent: an
action that was done or a test that was skipped does not make the unit bad. Error wins
over Terminated because a run that hit a run-time error and was then aborted is
reported as the error, which is the cause (the same order TestStand uses).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

__all__ = [
    "ReportStatus",
    "STEP_STATUSES",
    "REPORT_RESULTS",
    "MEASUREMENT_STATUSES",
    "normalize_status",
    "roll_up",
    "RANK",
    "LETTER_FOR_RANK",
]

STEP_STATUSES: frozenset[str] = frozenset("PFDSETU")
"""Letters valid as a step ``status``."""
REPORT_RESULTS: frozenset[str] = frozenset("PFET")
"""Letters valid as a report ``result`` (``D`` is deliberately not among them)."""
MEASUREMENT_STATUSES: frozenset[str] = frozenset("PFS")
"""Letters valid as a measurement ``status`` (server schema)."""

RANK: dict[str, int] = {"P": 0, "D": 0, "S": 0, "U": 0, "F": 1, "T": 2, "E": 3}
"""Severity of each letter for the roll-up (higher wins)."""
LETTER_FOR_RANK: tuple[str, str, str, str] = ("P", "F", "T", "E")
"""Roll-up letter for each severity."""

_ALIASES: dict[str, str] = {}
for _letter, _words in {
    "P": ("p", "pass", "passed", "ok", "success", "succeeded", "true"),
    "F": ("f", "fail", "failed", "failure", "ng", "nok", "false"),
    "S": ("s", "skip", "skipped"),
    "D": ("d", "done", "complete", "completed"),
    "E": ("e", "err", "error"),
    "T": ("t", "term", "terminated", "abort", "aborted"),
    "U": ("u", "unknown"),
}.items():
    for _word in _words:
        _ALIASES[_word] = _letter


class ReportStatus(str, Enum):
    """A WSJF status letter with a readable name (``ReportStatus.PASSED == "P"``)."""

    PASSED = "P"
    FAILED = "F"
    ERROR = "E"
    TERMINATED = "T"
    DONE = "D"
    SKIPPED = "S"
    UNKNOWN = "U"

    @classmethod
    def parse(cls, value: str | bool | ReportStatus) -> ReportStatus:
        """Return the status for a letter, a word or alias (``"Passed"``, ``"ok"``) or a bool."""
        return cls(normalize_status(value))


def normalize_status(value: str | bool | ReportStatus) -> str:
    """Turn a letter, a word/alias (case-insensitive) or a bool into a WSJF status letter.

    Raises:
        ValueError: the value is not a known status.
    """
    if isinstance(value, ReportStatus):
        return value.value
    if value is True:
        return "P"
    if value is False:
        return "F"
    if isinstance(value, str):
        if value in RANK:
            return value
        letter = _ALIASES.get(value.strip().lower())
        if letter is not None:
            return letter
    raise ValueError(
        f"unknown status {value!r}: use P, F, E, T, D, S, U or a word such as "
        "'Passed', 'Failed', 'Error', 'Terminated', 'Done', 'Skipped'"
    )


def roll_up(statuses: Iterable[str | None]) -> str:
    """Roll child statuses up into one of ``P``, ``F``, ``T``, ``E`` (see module doc)."""
    worst = 0
    for status in statuses:
        rank = RANK.get(status or "P", 0)
        if rank > worst:
            worst = rank
            if worst == 3:
                break
    return LETTER_FOR_RANK[worst]
