"""Extract fenced code blocks from Markdown files (the guide and our docs) for tests."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_FENCE = re.compile(r"^```([\w+-]*)[^\n]*\n(.*?)^```", re.DOTALL | re.MULTILINE)
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$", re.MULTILINE)


@dataclass(frozen=True)
class CodeBlock:
    """One fenced block: its position among all blocks, language, text and nearest heading."""

    index: int
    lang: str
    text: str
    heading: str
    line: int


def code_blocks(path: Path) -> list[CodeBlock]:
    """Return every fenced code block of ``path`` in document order."""
    text = path.read_text(encoding="utf-8")
    headings = [(m.start(), m.group(2).strip()) for m in _HEADING.finditer(text)]
    blocks: list[CodeBlock] = []
    for index, match in enumerate(_FENCE.finditer(text)):
        heading = ""
        for pos, title in headings:
            if pos < match.start():
                heading = title
        line = text.count("\n", 0, match.start()) + 1
        blocks.append(CodeBlock(index, match.group(1).lower(), match.group(2), heading, line))
    return blocks
