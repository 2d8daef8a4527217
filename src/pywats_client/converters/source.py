"""The file handed to a converter: :class:`ConverterSource`."""

from __future__ import annotations

import codecs
import io
from pathlib import Path
from typing import IO, Any, TextIO

__all__ = ["ConverterSource", "decode_text"]

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_text(data: bytes, encoding: str | None = None, *, name: str = "<data>") -> str:
    """Decode ``data`` to text.

    With ``encoding`` ``None`` or ``"auto"`` a byte-order mark selects UTF-8/16/32 and
    anything without one is read as UTF-8. A BOM matching an explicit UTF encoding is
    dropped too. A decoding error becomes a :class:`ValueError` that names the file, the
    offset and the encoding, so the message is useful in ``NAME.error``.
    """
    chosen = encoding
    body = data
    for bom, bom_encoding in _BOMS:
        if data.startswith(bom):
            if chosen is None or chosen.lower() == "auto" or (
                codecs.lookup(chosen).name.startswith("utf") and _same_family(chosen, bom_encoding)
            ):
                chosen = bom_encoding
                body = data[len(bom):]
            break
    if chosen is None or chosen.lower() == "auto":
        chosen = "utf-8"
    try:
        return body.decode(chosen)
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{name}: not valid {chosen} text (byte 0x{body[exc.start]:02x} at offset {exc.start}); "
            "set the converter's 'encoding' argument (e.g. cp1252, latin-1, utf-16)"
        ) from exc
    except LookupError as exc:
        raise ValueError(f"{name}: unknown text encoding {encoding!r}") from exc


def _same_family(requested: str, bom_encoding: str) -> bool:
    req = codecs.lookup(requested).name.replace("_", "-")
    return req == "utf-8-sig" or req.split("-")[:2] == bom_encoding.split("-")[:2]


class ConverterSource:
    """A file to convert.

    Attributes:
        path: absolute path of the file.
        name: the file name (``path.name``).
    """

    __slots__ = ("path", "name", "_data")

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.name = self.path.name
        self._data: bytes | None = None

    def read_bytes(self) -> bytes:
        """Return the whole file as bytes (read once, then cached)."""
        if self._data is None:
            self._data = self.path.read_bytes()
        return self._data

    def read_text(self, encoding: str | None = None) -> str:
        """Return the file as text.

        ``encoding=None`` (or ``"auto"``) honours a UTF-8/16/32 byte-order mark and falls
        back to UTF-8; pass e.g. ``"cp1252"`` for legacy station files.
        """
        return decode_text(self.read_bytes(), encoding, name=self.name)

    def open_text(self, encoding: str | None = None) -> TextIO:
        """Open the file as a text stream read from disk piece by piece (not all at once).

        The encoding is chosen as in :meth:`read_text` (a UTF-8/16/32 byte-order mark
        wins over ``None``/``"auto"``; the BOM itself is skipped). Newlines are passed
        through untranslated (``newline=""``), as the :mod:`csv` module wants. Close the
        stream when done (``with source.open_text() as f: ...``). A decoding error is
        raised while reading, as :class:`UnicodeDecodeError`.

        Raises:
            ValueError: ``encoding`` is not a known text encoding.
        """
        raw: io.BytesIO | io.BufferedReader = (
            io.BytesIO(self._data) if self._data is not None else self.path.open("rb")
        )
        try:
            head = raw.read(4)
            chosen, skip = encoding, 0
            for bom, bom_encoding in _BOMS:
                if head.startswith(bom):
                    if chosen is None or chosen.lower() == "auto" or (
                        codecs.lookup(chosen).name.startswith("utf") and _same_family(chosen, bom_encoding)
                    ):
                        chosen, skip = bom_encoding, len(bom)
                    break
            if chosen is None or chosen.lower() == "auto":
                chosen = "utf-8"
            try:
                codecs.lookup(chosen)
            except LookupError:
                raise ValueError(f"{self.name}: unknown text encoding {encoding!r}") from None
            raw.seek(skip)
            return io.TextIOWrapper(raw, encoding=chosen, newline="")
        except BaseException:
            raw.close()
            raise

    def open(self, mode: str = "rb", encoding: str | None = None) -> IO[Any]:
        """Open the file for reading (``"rb"`` or ``"r"``); writing is refused."""
        if any(flag in mode for flag in "wax+"):
            raise ValueError(f"{self.name}: converters may only read their source (mode {mode!r})")
        if "b" in mode:
            return io.BytesIO(self.read_bytes())
        return io.StringIO(self.read_text(encoding), newline=None)

    def __repr__(self) -> str:
        return f"ConverterSource({str(self.path)!r})"
