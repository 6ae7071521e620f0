"""Read plain text and Markdown into blocks: decoding by BOM and trial, then line-by-line structure.

Linear in the size of the input, so that a 60 MB file on one line is as cheap as it can be.
"""

from __future__ import annotations

import re
from pathlib import Path

from rmplint.errors import DocumentError
from rmplint.ingest.common import ContextTracker, Limits, guess_heading
from rmplint.model import Block, Document, Location, Table

# Every pattern is anchored and bounded so that none of them can backtrack over a huge line.
_ATX = re.compile(r" {0,3}(#{1,6})(?=[ \t]|$)")
_SETEXT = re.compile(r" {0,3}(=+|-+)[ \t]*$")
_RULE = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_FENCE = re.compile(r" {0,3}(```|~~~)")
_LIST = re.compile(
    r"([ \t]{0,40})([-*+\u2022]|\d{1,3}[.)]|[a-zA-Z]\)|\((?:[a-zA-Z]|[ivxIVX]{1,5}|\d{1,3})\))[ \t]+(?=\S)"
)
_TABLE_SEP = re.compile(r"[ \t]{0,3}\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*){0,60}\|?[ \t]*$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_LINK = re.compile(r"!?\[([^\]\n]{0,300})\]\([^)\n]{0,500}\)")
_EMPHASIS = re.compile(r"\*\*|__|`")
_NUMERIC_MARKER = re.compile(r"\d")
_MAX_HEADING = 1000


# --- decoding -------------------------------------------------------------------------------


def guess_encoding(head: bytes) -> str | None:
    """The encoding a BOM or a NUL-byte pattern announces: utf-8-sig, utf-16-le/-be, or None."""
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith(b"\xff\xfe"):
        return "utf-16-le"
    if head.startswith(b"\xfe\xff"):
        return "utf-16-be"
    sample = head[:4096]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    # Latin text in UTF-16 has a NUL in every other byte; binary data has them anywhere.
    even, odd = sample[0 : 2 * pairs : 2].count(0), sample[1 : 2 * pairs : 2].count(0)
    if odd >= 0.3 * pairs and even <= 0.02 * pairs:
        return "utf-16-le"
    if even >= 0.3 * pairs and odd <= 0.02 * pairs:
        return "utf-16-be"
    return None


def decode(data: bytes) -> tuple[str, int]:
    """Text and the number of invalid byte sequences replaced with U+FFFD."""
    encoding = guess_encoding(data)
    if encoding:
        body = data[3:] if encoding == "utf-8-sig" else data
        if encoding.startswith("utf-16") and data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            body = data[2:]
        codec = "utf-8" if encoding == "utf-8-sig" else encoding
        return _replacing(body, codec)
    try:
        return data.decode("utf-8"), 0
    except UnicodeDecodeError:
        pass
    text, bad = _replacing(data, "utf-8")
    # Real UTF-8 with a few damaged bytes keeps its accents; otherwise it is a legacy code page.
    good = len(text) - len(text.encode("ascii", "ignore")) - text.count("\ufffd")
    if good > bad:
        return text, bad
    try:
        return data.decode("cp1252"), 0
    except UnicodeDecodeError:
        return data.decode("latin-1"), 0


def _replacing(data: bytes, codec: str) -> tuple[str, int]:
    text = data.decode(codec, errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode(codec))
    return text, max(bad, 0)


# --- reading --------------------------------------------------------------------------------


def read(path: Path, limits: Limits, markdown: bool) -> Document:
    """Read a text or Markdown file, or raise DocumentError (unreadable, too large, empty)."""
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(name, (exc.strerror or str(exc)).lower(), kind="unreadable") from None
    if len(data) > limits.max_file_bytes:
        raise DocumentError(name, f"file too large ({len(data)} bytes)", kind="too-large")
    text, bad = decode(data)
    del data
    if len(text) > limits.max_chars:
        raise DocumentError(name, f"too much text (over {limits.max_chars} characters)", kind="too-large")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    pages = text.split("\f")
    if len(pages) > 1 and not pages[-1].strip():
        pages.pop()
    parser = _Parser(markdown)
    for number, page in enumerate(pages, start=1):
        parser.page(page.split("\n"), number if len(pages) > 1 else None)
    if not parser.blocks:
        raise DocumentError(name, "no text (only whitespace)", kind="empty")
    warnings = (f"{bad} invalid byte sequences replaced",) if bad else ()
    return Document(
        path=name,
        format="markdown" if markdown else "text",
        blocks=tuple(parser.blocks),
        tables=tuple(parser.tables),
        page_count=len(pages) if len(pages) > 1 else None,
        warnings=warnings,
    )


def _indent(line: str) -> int:
    lead = line[: len(line) - len(line.lstrip(" \t"))]
    return len(lead.expandtabs(4))


def _cells(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    return [" ".join(c.replace("\\|", "|").split()) for c in _CELL_SPLIT.split(s)]


def _inline(text: str) -> str:
    """Markdown inline markup away: links keep their words, bold and code marks go."""
    return _EMPHASIS.sub("", _LINK.sub(r"\1", text))


class _Parser:
    """Line-by-line block builder: paragraphs, headings, list items and pipe tables."""

    def __init__(self, markdown: bool) -> None:
        self.markdown = markdown
        self.tracker = ContextTracker()
        self.blocks: list[Block] = []
        self.tables: list[Table] = []
        self.kind = ""
        self.parts: list[str] = []
        self.level = 0
        self.label: str | None = None
        self.indents: list[int] = []
        self.number: int | None = None
        self.last = ""

    def page(self, lines: list[str], number: int | None) -> None:
        self.number = number
        fenced = False
        i = 0
        while i < len(lines):
            line = lines[i]
            i += 1
            if self.markdown and _FENCE.match(line):
                self.flush()
                fenced = not fenced
                continue
            stripped = line.strip()
            if fenced:
                if stripped:
                    self.add("paragraph", stripped)
                continue
            if not stripped:
                self.flush()
                continue
            if "|" in stripped and i < len(lines) and _TABLE_SEP.match(lines[i]):
                end = i + 1
                while end < len(lines) and "|" in lines[end] and lines[end].strip():
                    end += 1
                self.table([lines[i - 1]] + lines[i + 1 : end])
                i = end
                continue
            self.line(line, stripped)
        self.flush()

    def line(self, line: str, stripped: str) -> None:
        if self.markdown:
            if self._markdown_heading(line, stripped):
                return
        elif not self.kind and not (self.last == "list_item" and _LIST.match(line)):
            level = guess_heading(stripped)
            if level:
                self.heading(stripped, level)
                return
        m = _LIST.match(line)
        if m:
            self.flush()
            marker = m.group(2)
            self.level = self._list_level(_indent(line))
            # Letters and numerals ("a)", "(iv)") cite a sub-paragraph; digits and bullets do not.
            self.label = None if len(marker) == 1 or _NUMERIC_MARKER.search(marker) else marker
            self.start("list_item", stripped[len(marker) :].strip())
            return
        if self.kind in ("paragraph", "list_item"):
            self.parts.append(stripped)
            return
        if self.last != "list_item" or _indent(line) == 0:
            self.indents = []
        self.start("paragraph", stripped)

    def _markdown_heading(self, line: str, stripped: str) -> bool:
        m = _ATX.match(line)
        # A "heading" of a megabyte is a paragraph that starts with "#"; keep headings short.
        if m and len(stripped) <= _MAX_HEADING:
            text = stripped[len(m.group(1)) :].strip()
            # A closing run of #s is decoration ("## Governance ##").
            bare = text.rstrip("#")
            if bare != text and (not bare or bare[-1] in " \t"):
                text = bare.strip()
            self.flush()
            self.heading(text, len(m.group(1)))
            return True
        m = _SETEXT.match(line)
        if m and self.kind == "paragraph" and self.parts:
            text = " ".join(self.parts)
            self.kind, self.parts = "", []
            self.heading(text, 1 if m.group(1)[0] == "=" else 2)
            return True
        if _RULE.match(line):
            self.flush()
            return True
        return False

    def _list_level(self, indent: int) -> int:
        while self.indents and self.indents[-1] > indent:
            self.indents.pop()
        if not self.indents or indent > self.indents[-1]:
            self.indents.append(indent)
        return len(self.indents) - 1

    def start(self, kind: str, text: str) -> None:
        self.kind, self.parts = kind, [text]

    def add(self, kind: str, text: str) -> None:
        if self.kind != kind:
            self.flush()
            self.kind = kind
        self.parts.append(text)

    def flush(self) -> None:
        if self.parts:
            text = " ".join(self.parts)
            if self.markdown:
                text = _inline(text)
            path, ref = self.tracker.locate(text, self.label)
            level = self.level if self.kind == "list_item" else 0
            self.emit(Block(self.kind, text, self._loc(path, ref), level=level))  # type: ignore[arg-type]
        self.kind, self.parts, self.level, self.label = "", [], 0, None

    def heading(self, text: str, level: int) -> None:
        if self.markdown:
            text = _inline(text)
        path, ref = self.tracker.heading(text, level)
        self.emit(Block("heading", text, self._loc(path, ref), level=level))
        self.indents = []

    def table(self, lines: list[str]) -> None:
        self.flush()
        rows = [_cells(line) for line in lines]
        index = len(self.tables) + 1
        path, ref = self.tracker.locate("")
        first = len(self.blocks) + 1
        for r, row in enumerate(rows, start=1):
            for c, cell in enumerate(row, start=1):
                if cell:
                    text = _inline(cell) if self.markdown else cell
                    loc = self._loc(path, ref, table=index, row=r, col=c)
                    self.emit(Block("table_cell", text, loc))
        loc = Location(page=self.number, paragraph=first, table=index, heading_path=path, clause_ref=ref)
        self.tables.append(Table(index, len(rows), max(len(r) for r in rows), tuple(rows[0]), loc))
        self.last = "table_cell"

    def _loc(self, path: tuple[str, ...], ref: str | None, table: int | None = None, row: int | None = None,
             col: int | None = None) -> Location:
        return Location(page=self.number, paragraph=len(self.blocks) + 1, heading_path=path, clause_ref=ref,
                        table=table, row=row, col=col)

    def emit(self, block: Block) -> None:
        self.blocks.append(block)
        self.last = block.kind
