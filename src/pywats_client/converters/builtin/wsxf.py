"""Built-in WSXF converter (``"wsxf"``): WATS Standard XML Format files, UUT and UUR.

A thin wrapper of :mod:`pywats.formats.wsxf` (its docstring lists what maps to what and
what is dropped): every ``Report`` in the file becomes one WSJF report, read
incrementally. An ``Attachment`` without data is read from the file its ``Name`` points
to (relative to the WSXF file's folder), as the WATS .NET client does; elements with no
WSJF place are logged as warnings. A file of another format is refused with an error
naming it. Parameters: the standard header defaults (``part_number``, ``revision``,
``operation_type``, ``operator``, ``station``, ``location``, ``purpose``,
``sequence_name``, ``sequence_version``); a value in the file wins.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pywats.formats.wsxf import iter_wsxf
from pywats_client.converters.builtin._wats_xml import WATSXMLConverter

__all__ = ["WSXFConverter"]


class WSXFConverter(WATSXMLConverter):
    """WATS Standard XML Format (WSXF) → WSJF."""

    @property
    def name(self) -> str:
        """Display name."""
        return "WSXF Converter"

    def read(self, path: Path, on_drop: Callable[[str], None]) -> Iterator[dict[str, Any]]:
        """The reports of the WSXF file at ``path``."""
        with path.open("rb") as stream:
            yield from iter_wsxf(stream, attachment_dir=path.parent, on_drop=on_drop)
