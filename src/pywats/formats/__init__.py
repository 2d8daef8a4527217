"""Readers and writers of the other WATS report formats, to and from WSJF dicts.

* :mod:`pywats.formats.wsxf` — WATS Standard XML Format (``POST /api/Report/WSXF``):
  :func:`~pywats.formats.wsxf.iter_wsxf`, :func:`~pywats.formats.wsxf.parse_wsxf`,
  :func:`~pywats.formats.wsxf.to_wsxf`.
* :mod:`pywats.formats.wrml` — WRML, the WATS .NET client's own report XML (its pending
  folder): :func:`~pywats.formats.wrml.iter_wrml`.

Readers are incremental (``iterparse``; finished elements are released), accept every
spelling WATS writes, and raise :class:`WATSFormatError` naming the report and element of
anything they cannot read. The WSJF dicts they return are ready for
:func:`pywats.models.report.submit.prepare_for_submit`.
"""

from __future__ import annotations

from pywats.formats._xml import WATSFormatError

__all__ = ["WATSFormatError"]
