"""Export wizard models (``/api/Export/*``)."""

from __future__ import annotations

from pywats.models.common import WATSModel

__all__ = ["ExportJob"]


class ExportJob(WATSModel):
    """A queued (on the local server: finished) export; download it by ``file_name``."""

    file_name: str | None = None
    report_count: int | None = None
