"""Built-in WRML converter (``"wrml"``): the WATS .NET client's pending-folder reports.

A site moving from the .NET client to this one points this converter at the old client's
pending folder, so its backlog is sent instead of lost. The report ``ID`` in the file is
kept, so a report the old client had already sent is not stored twice. A thin wrapper of
:mod:`pywats.formats.wrml` (its docstring lists what maps to what and what is dropped);
read incrementally. Elements with no WSJF place are logged as warnings; a file of another
format is refused with an error naming it. Parameters: the standard header defaults
(``part_number``, ``revision``, ``operation_type``, ``operator``, ``station``,
``location``, ``purpose``, ``sequence_name``, ``sequence_version``); a value in the file wins.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pywats.formats.wrml import iter_wrml
from pywats_client.converters.builtin._wats_xml import WATSXMLConverter

__all__ = ["WRMLConverter"]


class WRMLConverter(WATSXMLConverter):
    """WRML (the WATS .NET client's report XML) → WSJF."""

    @property
    def name(self) -> str:
        """Display name."""
        return "WRML Converter"

    @property
    def file_patterns(self) -> list[str]:
        """``*.xml`` and ``*.wrml``."""
        return ["*.xml", "*.wrml"]

    def read(self, path: Path, on_drop: Callable[[str], None]) -> Iterator[dict[str, Any]]:
        """The reports of the WRML file at ``path``."""
        with path.open("rb") as stream:
            yield from iter_wrml(stream, on_drop=on_drop)
