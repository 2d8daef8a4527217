"""Test certificates as PDF: one page (or more) of plain text per report.

A deliberately small renderer (Helvetica, A4, one line per header field and step); WATS's
own certificates carry more layout, the facts are the same. Used by
``GET /api/Report/Certificate/{id}`` and ``POST /api/Export/Certificate``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["certificate_lines", "render_pdf"]

_LINES_PER_PAGE = 60
_STATUS = {"P": "Passed", "F": "Failed", "E": "Error", "T": "Terminated", "S": "Skipped", "D": "Done"}


def certificate_lines(report: dict[str, Any], header_only: bool = False) -> list[str]:
    """The text lines of one report's certificate (WSJF dict), steps included unless ``header_only``."""
    lines = [
        "Test certificate",
        "",
        f"Serial number: {report.get('sn', '')}",
        f"Part number:   {report.get('pn', '')}   Revision: {report.get('rev', '')}",
        f"Operation:     {report.get('processName') or report.get('processCode', '')}",
        f"Result:        {_STATUS.get(str(report.get('result')), report.get('result'))}",
        f"Started:       {report.get('start', '')}",
        f"Station:       {report.get('machineName', '')}   Location: {report.get('location', '')}",
        f"Report id:     {report.get('id', '')}",
    ]
    if header_only:
        return lines
    lines += ["", "Steps:"]
    stack: list[tuple[dict[str, Any], int]] = [(report.get("root") or {}, 0)]
    while stack:
        step, depth = stack.pop()
        status = _STATUS.get(str(step.get("status")), step.get("status") or "")
        lines.append(f"{'  ' * depth}{step.get('name', '')}  {status}")
        for meas in step.get("numericMeas") or []:
            limits = " ".join(str(meas[k]) for k in ("lowLimit", "highLimit") if meas.get(k) is not None)
            lines.append(f"{'  ' * (depth + 1)}{meas.get('name') or 'value'} = {meas.get('value')} {meas.get('unit') or ''}"
                         f" {limits}".rstrip())
        children = [c for c in step.get("steps") or [] if isinstance(c, dict)]
        stack.extend((c, depth + 1) for c in reversed(children))
    return lines


def _escape(text: str) -> bytes:
    raw = text.encode("latin-1", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def render_pdf(pages_of_lines: Iterable[list[str]]) -> bytes:
    """A PDF with the given texts; each text starts a new page and continues over as many
    pages as it needs."""
    pages: list[list[str]] = []
    for lines in pages_of_lines:
        chunk = lines or [""]
        pages += [chunk[i:i + _LINES_PER_PAGE] for i in range(0, len(chunk), _LINES_PER_PAGE)]
    if not pages:
        pages = [[""]]
    objects: list[bytes] = [b"", b""]  # 1: catalog, 2: page tree (filled in below)
    font = 3
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    kids = []
    for lines in pages:
        body = b"BT /F1 10 Tf 50 800 Td 13 TL\n" + b"".join(b"(" + _escape(line) + b") Tj T*\n" for line in lines) + b"ET"
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(body), body))
        content = len(objects)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R"
                       b" /Resources << /Font << /F1 %d 0 R >> >> >>" % (content, font))
        kids.append(len(objects))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, obj)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
