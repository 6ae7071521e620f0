"""Read a PDF into blocks with pypdfium2, page by page: text, and tables from the grid of rulings.

Running headers and footers are found by repetition across pages and kept apart in furniture.
"""

from __future__ import annotations

import ctypes
import logging
import os
import re
import statistics
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rmplint.errors import DocumentError
from rmplint.ingest.common import ContextTracker, Limits, guess_heading
from rmplint.model import Block, Document, Location, Table

# Bullet glyphs that start a list item in extracted PDF text.
_BULLET = re.compile(r"^([\u2022\u25cf\u25aa\u25a0\u25e6\u2013\u2014\u2043\-*\uf0b7\uf0a7o])\s+(?=\S)")
_PAGE_NUMBER = re.compile(
    r"^(?:page\s+\d+(?:\s*(?:of|/)\s*\d+)?|[-\u2013\u2014]\s*\d+\s*[-\u2013\u2014]|\d+(?:\s*/\s*\d+)?"
    r"|\d+\s+of\s+\d+)$",
    re.I,
)
_SENTENCE_START = re.compile(r"^[\"'\u2018\u201c(]?[A-Z0-9]")
# Markers pdfium leaves where it joined a hyphenated line break, and the soft hyphen.
_JOINED_HYPHEN = str.maketrans({"\ufffe": None, "\x02": None, "\xad": None})
# In a cell a hyphen that pdfium joined across a line break stays: "service-affecting".
# (pdfplumber gives "service- affecting"; the prose path drops it, as it mends broken words.)
_CELL_HYPHEN = str.maketrans({"\ufffe": "-", "\x02": "-", "\xad": None})
_EDGE_LINES = 3
_EDGE_BAND = 0.065
# Cap on path segments examined per page, so that a vector drawing cannot make a page slow.
_MAX_SEGMENTS = 4000
_CELL_INSET = 1.0


@dataclass
class _Line:
    text: str
    top: float | None = None
    bottom: float | None = None
    x0: float | None = None
    x1: float | None = None


@dataclass
class _Grid:
    """A table found by pdfplumber: bbox in PDF space (origin bottom-left) and its rows."""

    top: float
    bottom: float
    left: float
    right: float
    rows: list[list[str | None]]

    def holds(self, x: float, y: float) -> bool:
        return self.left <= x <= self.right and self.bottom <= y <= self.top


@dataclass
class _Page:
    number: int
    lines: list[_Line]
    tables: list[_Grid] = field(default_factory=list)
    height: float = 0.0
    tables_unread: bool = False
    has_image: bool = False


def read(path: Path, limits: Limits) -> Document:
    """Read a PDF, or raise DocumentError (encrypted, corrupt, no text layer, too large)."""
    import pypdfium2 as pdfium

    name = str(path)
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code in (pdfium.raw.FPDF_ERR_PASSWORD, pdfium.raw.FPDF_ERR_SECURITY):
            raise DocumentError(name, "encrypted PDF (password required)", kind="encrypted") from None
        if code == pdfium.raw.FPDF_ERR_FILE:
            raise DocumentError(name, "cannot open file", kind="unreadable") from None
        raise DocumentError(name, "corrupt PDF (cannot be parsed)", kind="corrupt") from None
    except OSError as exc:
        # pypdfium2 raises FileNotFoundError(path) without an strerror; the line names the path already.
        missing = isinstance(exc, FileNotFoundError)
        reason = exc.strerror or ("no such file or directory" if missing else "cannot open file")
        raise DocumentError(name, reason.lower(), kind="unreadable") from None
    except Exception as exc:  # anything else from the loader means the bytes are not a PDF
        raise DocumentError(name, f"corrupt PDF ({type(exc).__name__})", kind="corrupt") from None
    plumber: list[Any] = []
    try:
        count = len(pdf)
        if count > limits.max_pages:
            raise DocumentError(name, f"too many pages ({count} > {limits.max_pages})", kind="too-large")
        pages = []
        chars = 0
        for index in range(count):
            page = _read_page(pdf, index, path, plumber)
            chars += sum(len(line.text) for line in page.lines)
            if chars > limits.max_chars:
                raise DocumentError(name, f"too much text (over {limits.max_chars} characters)", kind="too-large")
            pages.append(page)
    except DocumentError:
        raise
    except Exception as exc:  # pdfium and pdfminer raise many types; none may escape as a traceback
        raise DocumentError(name, f"corrupt PDF ({type(exc).__name__})", kind="corrupt") from None
    finally:
        pdf.close()
        _close(plumber)
    empty = [p.number for p in pages if not p.lines and not p.tables]
    if count == 0 or len(empty) == count:
        raise DocumentError(name, "no text layer (scanned?)", kind="no-text")
    furniture = _split_furniture(pages)
    # A scan with a page number or header stamped on digitally is still a page without text.
    empty += [p.number for p in pages if p.has_image and not p.lines and not p.tables and p.number not in empty]
    empty.sort()
    warnings = []
    if empty:
        label = "page" if len(empty) == 1 else "pages"
        warnings.append(f"no text layer on {label} {', '.join(map(str, empty))} (scanned?)")
    unread = [str(p.number) for p in pages if p.tables_unread]
    if unread:
        warnings.append(f"tables not read on pages {', '.join(unread)} (kept as text)")
    blocks, tables = _Builder().build(pages)
    return Document(
        path=name,
        format="pdf",
        blocks=tuple(blocks),
        furniture=tuple(furniture),
        tables=tuple(tables),
        page_count=count,
        warnings=tuple(warnings),
    )


# --- one page -------------------------------------------------------------------------------


def _read_page(pdf: Any, index: int, path: Path, plumber: list[Any]) -> _Page:
    page = pdf[index]
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range()
        lines = _lines(textpage, text)
        tables: list[_Grid] = []
        broken = False
        (horizontal, vertical), has_image = _scan(page)
        # A rotated page's cells would come out in the wrong order: its tables stay prose.
        if _lattice(horizontal, vertical) and page.get_rotation() == 0:
            try:
                tables = _grid_tables(textpage, horizontal, vertical)
                # Rulings that cross but enclose no cells the grid reader can see (curves, odd
                # drawings): pdfplumber, which reads every drawn object, has a second look.
                if not tables or os.environ.get("RMPLINT_PDF_TABLES") == "pdfplumber":
                    tables = _tables(path, index, page.get_height(), plumber)
            except Exception:  # pdfminer may fail where pdfium did not: keep the page as prose
                broken = True
            if tables:
                lines = _outside(textpage, text, lines, tables)
        return _Page(index + 1, lines, tables, page.get_height(), broken, has_image)
    finally:
        textpage.close()
        page.close()


def _char_index(textpage: Any, text_index: int) -> int:
    import pypdfium2.raw as raw

    return int(raw.FPDFText_GetCharIndexFromTextIndex(textpage.raw, text_index))


def _lines(textpage: Any, text: str) -> list[_Line]:
    """Split page text into lines, each with the loose box of its first visible character."""
    import pypdfium2.raw as raw

    rect = raw.FS_RECTF()
    out = []
    for m in re.finditer(r"[^\r\n]+", text):
        line = m.group()
        if not line.strip():
            continue
        first = m.start() + (len(line) - len(line.lstrip()))
        item = _Line(line)
        c = _char_index(textpage, first)
        if c >= 0 and raw.FPDFText_GetLooseCharBox(textpage.raw, c, rect):
            item.top, item.bottom, item.x0 = rect.top, rect.bottom, rect.left
        c = _char_index(textpage, m.start() + len(line.rstrip()) - 1)
        if c >= 0 and raw.FPDFText_GetLooseCharBox(textpage.raw, c, rect):
            item.x1 = rect.right
        out.append(item)
    return out


def _outside(textpage: Any, text: str, lines: list[_Line], tables: list[_Grid]) -> list[_Line]:
    """Drop the characters that lie inside a table, so that table text is not prose as well."""
    import pypdfium2.raw as raw

    kept = []
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    pos = 0
    for line in lines:
        start = text.index(line.text, pos)
        pos = start + len(line.text)
        # most lines lie wholly above, below or inside a table: only the others go char by char
        place = _placed(line, tables)
        if place != "mixed":
            if place == "outside":
                kept.append(line)
            continue
        chars = []
        for offset, ch in enumerate(line.text):
            c = _char_index(textpage, start + offset)
            if c >= 0 and raw.FPDFText_GetCharBox(textpage.raw, c, left, right, bottom, top):
                x, y = (left.value + right.value) / 2, (bottom.value + top.value) / 2
                if top.value > bottom.value and any(g.holds(x, y) for g in tables):
                    continue
            chars.append(ch)
        rest = "".join(chars)
        if rest.strip():
            kept.append(_Line(rest, line.top, line.bottom, line.x0, line.x1))
    return kept


def _placed(line: _Line, tables: list[_Grid]) -> str:
    """Where a text line lies: wholly "outside" every table, wholly "inside" one, or "mixed"."""
    if line.top is None or line.bottom is None or line.x0 is None or line.x1 is None:
        return "mixed"
    across = [g for g in tables if line.bottom < g.top and line.top > g.bottom]
    if not across:
        return "outside"
    middle = (line.top + line.bottom) / 2
    if any(g.left < line.x0 and line.x1 < g.right and g.bottom < middle < g.top for g in across):
        return "inside" if len(across) == 1 else "mixed"
    return "mixed"


def _scan(page: Any) -> tuple[tuple[list, list], bool]:
    """((the page's horizontal and vertical ruling segments), whether the page has an image)."""
    import pypdfium2.raw as raw

    horizontal: list[tuple[float, float, float]] = []
    vertical: list[tuple[float, float, float]] = []
    budget = _MAX_SEGMENTS
    has_image = False
    lo, bo, ro, to = (ctypes.c_float() for _ in range(4))
    for i in range(raw.FPDFPage_CountObjects(page.raw)):
        obj = raw.FPDFPage_GetObject(page.raw, i)
        kind = raw.FPDFPageObj_GetType(obj)
        if kind in (raw.FPDF_PAGEOBJ_IMAGE, raw.FPDF_PAGEOBJ_FORM):
            has_image = True
        if kind != raw.FPDF_PAGEOBJ_PATH or budget < 0:
            continue
        if not raw.FPDFPageObj_GetBounds(obj, lo, bo, ro, to):
            continue
        l, b, r, t = lo.value, bo.value, ro.value, to.value
        if t - b <= 3 and r - l >= 5:
            horizontal.append(((b + t) / 2, l, r))
        elif r - l <= 3 and t - b >= 5:
            vertical.append(((l + r) / 2, b, t))
        elif r - l > 3 and t - b > 3:
            n = raw.FPDFPath_CountSegments(obj)
            budget -= n
            if budget >= 0:
                _segments(obj, n, horizontal, vertical)
    return (horizontal, vertical), has_image


def _segments(obj: Any, n: int, horizontal: list, vertical: list) -> None:
    """Add the straight axis-aligned segments of one path object (rectangles, grids) in page space."""
    import pypdfium2.raw as raw

    matrix = raw.FS_MATRIX()
    if not raw.FPDFPageObj_GetMatrix(obj, matrix):
        return
    x, y = ctypes.c_float(), ctypes.c_float()
    points = []
    for i in range(n):
        seg = raw.FPDFPath_GetPathSegment(obj, i)
        if not raw.FPDFPathSegment_GetPoint(seg, x, y):
            continue
        px = matrix.a * x.value + matrix.c * y.value + matrix.e
        py = matrix.b * x.value + matrix.d * y.value + matrix.f
        kind = raw.FPDFPathSegment_GetType(seg)
        if kind == raw.FPDF_SEGMENT_MOVETO:
            points = [(px, py)]
            continue
        if kind == raw.FPDF_SEGMENT_LINETO and points:
            _edge(points[-1], (px, py), horizontal, vertical)
            if raw.FPDFPathSegment_GetClose(seg):
                _edge((px, py), points[0], horizontal, vertical)
        points.append((px, py))


def _edge(a: tuple[float, float], b: tuple[float, float], horizontal: list, vertical: list) -> None:
    (x1, y1), (x2, y2) = a, b
    if abs(y1 - y2) <= 1 and abs(x1 - x2) >= 5:
        horizontal.append((y1, min(x1, x2), max(x1, x2)))
    elif abs(x1 - x2) <= 1 and abs(y1 - y2) >= 5:
        vertical.append((x1, min(y1, y2), max(y1, y2)))


def _lattice(horizontal: list, vertical: list) -> bool:
    """Ruling lines cross in at least a 3 x 3 lattice, i.e. a 2 x 2 table."""
    if len(horizontal) < 3 or len(vertical) < 3:
        return False
    xs: set[int] = set()
    ys: set[int] = set()
    crossings: set[tuple[int, int]] = set()
    for y, x0, x1 in horizontal[:500]:
        for x, y0, y1 in vertical[:500]:
            if x0 - 2 <= x <= x1 + 2 and y0 - 2 <= y <= y1 + 2:
                crossings.add((round(x), round(y)))
                xs.add(round(x))
                ys.add(round(y))
        if len(crossings) >= 9 and len(xs) >= 3 and len(ys) >= 3:
            return True
    return len(crossings) >= 9 and len(xs) >= 3 and len(ys) >= 3


def _grid_tables(textpage: Any, horizontal: list, vertical: list) -> list[_Grid]:
    """Tables from the page's rulings, each cell's text read from pdfium inside the cell."""
    from rmplint.ingest.pdf_grid import find_tables

    grids = []
    for box in find_tables(horizontal, vertical):
        if len(box.rows) < 2 or len(box.rows[0]) < 2:
            continue
        rows = [[_cell_text(textpage, c) if c is not None else None for c in row] for row in box.rows]
        grids.append(_Grid(top=box.top, bottom=box.bottom, left=box.left, right=box.right, rows=rows))
    return grids


def _cell_text(textpage: Any, cell: Any) -> str:
    # a character counts when its box meets the cell; the inset keeps glyphs that merely touch
    # a ruling from the cell beyond it
    inset = min(_CELL_INSET, (cell.right - cell.left) / 4, (cell.top - cell.bottom) / 4)
    text = textpage.get_text_bounded(cell.left + inset, cell.bottom + inset, cell.right - inset, cell.top - inset)
    return str(text).translate(_CELL_HYPHEN)


def _tables(path: Path, index: int, height: float, plumber: list[Any]) -> list[_Grid]:
    """Tables on one page, from pdfplumber; the one pdfplumber.PDF is opened on first need.
    RMPLINT_PDF_TABLES=pdfplumber makes it read every ruled page (to compare the two readers)."""
    if not plumber:
        import pdfplumber

        # pdfminer logs every damaged object it skips; the reader reports damage once itself.
        quiet = logging.getLogger("pdfminer")
        if quiet.level == logging.NOTSET:
            quiet.setLevel(logging.ERROR)
        plumber.append(pdfplumber.open(str(path)))
    page = plumber[0].pages[index]
    try:
        grids = []
        for table in page.find_tables():
            rows = table.extract()
            if len(rows) < 2 or max(len(r) for r in rows) < 2:
                continue
            x0, top, x1, bottom = table.bbox
            grids.append(_Grid(top=height - top, bottom=height - bottom, left=x0, right=x1, rows=rows))
        grids.sort(key=lambda g: -g.top)
        return grids
    finally:
        page.close()


def _close(plumber: list[Any]) -> None:
    if plumber:
        try:
            plumber[0].close()
        except Exception:  # closing walks every page again; a damaged one must not fail the read
            pass


# --- running headers and footers ------------------------------------------------------------


def _edge_lines(page: _Page) -> list[tuple[int, str]]:
    """Indexes of the top and bottom three lines of a page, each with 'header' or 'footer'."""
    lines = page.lines
    if all(line.top is not None for line in lines):
        order = sorted(range(len(lines)), key=lambda i: -(lines[i].top or 0.0))
    else:
        order = list(range(len(lines)))
    top = order[:_EDGE_LINES]
    bottom = [i for i in order[-_EDGE_LINES:] if i not in top]
    return [(i, "header") for i in top] + [(i, "footer") for i in bottom]


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.split())).lower()


def _split_furniture(pages: list[_Page]) -> list[Block]:
    """Remove running headers/footers and page numbers from the pages; return one copy of each."""
    seen: dict[str, dict[int, str]] = {}
    for page in pages:
        for i, _ in _edge_lines(page):
            text = " ".join(page.lines[i].text.split())
            seen.setdefault(_key(text), {})[page.number] = text
    needed = max(2, (len(pages) + 1) // 2)
    repeating = {k for k, on in seen.items() if len(on) >= needed}
    # Lines that differ only in their numbers ("Page 3", "Line 0 of page 3") count only at the
    # very edge of the page; a body line that happens to repeat that way sits further in.
    exact = {k for k in repeating if len(set(seen[k].values())) == 1}
    furniture: dict[str, Block] = {}
    for page in pages:
        drop = set()
        for i, part in _edge_lines(page):
            line = page.lines[i]
            text = " ".join(line.text.split())
            key = _key(text)
            if _PAGE_NUMBER.match(text):
                part = "footer"
            elif key not in exact and not (key in repeating and _at_edge(line, page.height)):
                continue
            drop.add(i)
            if key not in furniture:
                loc = Location(page=page.number, part=part)  # type: ignore[arg-type]
                furniture[key] = Block("paragraph", text, loc)
        page.lines = [line for i, line in enumerate(page.lines) if i not in drop]
    return list(furniture.values())


def _at_edge(line: _Line, height: float) -> bool:
    """In the outer band where headers and footers sit (half an inch on a letter page)."""
    if line.top is None or line.bottom is None or height <= 0:
        return True
    return line.bottom >= (1 - _EDGE_BAND) * height or line.top <= _EDGE_BAND * height


# --- blocks ---------------------------------------------------------------------------------


def _join(a: str, b: str) -> str:
    """Join wrapped lines, undoing a line-end hyphen before a lower-case continuation."""
    if a.endswith("-") and len(a) > 1 and a[-2].isalpha() and b[:1].islower():
        return a[:-1] + b
    return f"{a} {b}"


def _caps_tail(text: str) -> bool:
    """A short line mostly in capitals, as the second line of a wrapped capitals heading."""
    letters = [c for c in text if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    short = len(text) <= 60 and not _ends_sentence(text)
    return short and len(letters) >= 3 and upper >= 0.8 * len(letters) and guess_heading(text) in (1, None)


def _ends_sentence(text: str) -> bool:
    return text.rstrip().endswith((".", ":", ";", "!", "?"))


class _Builder:
    """Turns body lines, page by page, into headings, paragraphs, list items and table cells."""

    def __init__(self) -> None:
        self.tracker = ContextTracker()
        self.blocks: list[Block] = []
        self.tables: list[Table] = []
        self.kind = ""
        self.parts: list[str] = []
        self.page = 0
        self.level = 0
        self.bullets: list[float] = []
        self.prev: _Line | None = None
        self.open_heading: int | None = None

    def build(self, pages: list[_Page]) -> tuple[list[Block], list[Table]]:
        for page in pages:
            pending = list(page.tables)
            gap = _typical_height(page.lines)
            for line in page.lines:
                while pending and line.top is not None and line.top <= pending[0].bottom + 1:
                    self.flush()
                    self.table(pending.pop(0), page.number)
                self.line(line, page.number, gap)
            for grid in pending:
                self.flush()
                self.table(grid, page.number)
            # A paragraph whose last line is unfinished and runs to the right margin goes on
            # at the top of the next page; anything else ends with the page.
            if not _runs_on(self.kind, self.parts, self.prev, page):
                self.flush()
            self.prev = None
        self.flush()
        return self.blocks, self.tables

    def line(self, line: _Line, page: int, height: float | None) -> None:
        text = " ".join(line.text.translate(_JOINED_HYPHEN).split())
        prev, self.prev = self.prev, line
        new_block = self.kind == "" or self._gap(prev, line, height)
        carried = self.kind == "paragraph" and bool(self.parts) and self.page != page
        if carried:
            # An unfinished paragraph at the foot of a page goes on at the top of the next.
            new_block = False
        open_heading, self.open_heading = self.open_heading, None
        # Judged on the lines' own size: a large heading font has a large line spacing.
        close = prev is not None and not self._gap(prev, line, max(_height(prev), _height(line)))
        if open_heading is not None and close and _caps_tail(text):
            self.extend_heading(open_heading, text)
            return
        bullet = _BULLET.match(text)
        if bullet:
            self.flush()
            self.start("list_item", text[bullet.end():], page)
            self.level = self._bullet_level(line.x0)
            return
        level = guess_heading(text) or _by_size(text, line, height)
        at_start = new_block or carried or not self.parts or _ends_sentence(self.parts[-1])
        if level and at_start:
            self.flush()
            self.heading(text, level, page)
            return
        if self.kind == "list_item" and not new_block and self._hanging(line):
            self.parts.append(text)
            return
        if self.kind == "paragraph" and not new_block:
            if not (_ends_sentence(self.parts[-1]) and _SENTENCE_START.match(text)):
                self.parts.append(text)
                return
        self.flush()
        self.bullets = []
        self.start("paragraph", text, page)

    def heading(self, text: str, level: int, page: int) -> None:
        path, ref = self.tracker.heading(text, level)
        loc = Location(page=page, paragraph=self._ordinal(), heading_path=path, clause_ref=ref)
        self.emit(Block("heading", text, loc, level=level))
        self.open_heading = len(self.blocks) - 1
        self.bullets = []

    def extend_heading(self, index: int, text: str) -> None:
        """A capitals heading wrapped onto a second line: one heading, re-recorded in the tracker."""
        old = self.blocks[index]
        merged = f"{old.text} {text}"
        path, ref = self.tracker.heading(merged, old.level)
        loc = replace(old.location, heading_path=path, clause_ref=ref)
        self.blocks[index] = replace(old, text=merged, location=loc)
        self.open_heading = index

    def _gap(self, prev: _Line | None, line: _Line, height: float | None) -> bool:
        """A vertical gap well beyond the line spacing (or a jump upwards) starts a new block."""
        if prev is None or not height or prev.bottom is None or line.top is None:
            return False
        gap = prev.bottom - line.top
        return gap > 0.4 * height or gap < -2 * height

    def _hanging(self, line: _Line) -> bool:
        return line.x0 is None or not self.bullets or line.x0 > self.bullets[-1] + 2

    def _bullet_level(self, x0: float | None) -> int:
        if x0 is None:
            return 0
        while self.bullets and self.bullets[-1] > x0 + 2:
            self.bullets.pop()
        if not self.bullets or x0 > self.bullets[-1] + 2:
            self.bullets.append(x0)
        return len(self.bullets) - 1

    def start(self, kind: str, text: str, page: int) -> None:
        self.kind, self.parts, self.page = kind, [text], page

    def flush(self) -> None:
        if not self.parts:
            self.kind = ""
            return
        text = self.parts[0]
        for part in self.parts[1:]:
            text = _join(text, part)
        path, ref = self.tracker.locate(text)
        loc = Location(page=self.page, paragraph=self._ordinal(), heading_path=path, clause_ref=ref)
        level = self.level if self.kind == "list_item" else 0
        self.emit(Block(self.kind, text, loc, level=level))  # type: ignore[arg-type]
        self.kind, self.parts, self.level = "", [], 0

    def table(self, grid: _Grid, page: int) -> None:
        index = len(self.tables) + 1
        path, ref = self.tracker.locate("")
        cols = max(len(r) for r in grid.rows)
        header = tuple(" ".join((c or "").split()) for c in grid.rows[0])
        first = len(self.blocks) + 1
        for r, row in enumerate(grid.rows, start=1):
            for c, cell in enumerate(row, start=1):
                text = " ".join((cell or "").split())
                if text:
                    loc = Location(page=page, paragraph=self._ordinal(), table=index, row=r, col=c,
                                   heading_path=path, clause_ref=ref)
                    self.emit(Block("table_cell", text, loc))
        loc = Location(page=page, paragraph=first, table=index, heading_path=path, clause_ref=ref)
        self.tables.append(Table(index, len(grid.rows), cols, header, loc))

    def emit(self, block: Block) -> None:
        self.blocks.append(block)

    def _ordinal(self) -> int:
        return len(self.blocks) + 1


def _runs_on(kind: str, parts: list[str], last: _Line | None, page: _Page) -> bool:
    """Whether the open paragraph, unfinished at the foot of the page, goes on to the next page."""
    if kind != "paragraph" or not parts or _ends_sentence(parts[-1]) or last is None:
        return False
    if last.x1 is None:
        return True
    left = min((ln.x0 for ln in page.lines if ln.x0 is not None), default=0.0)
    right = max((ln.x1 for ln in page.lines if ln.x1 is not None), default=0.0)
    return last.x1 >= right - 0.2 * (right - left)


def _by_size(text: str, line: _Line, typical: float | None) -> int | None:
    """A short line set in a clearly larger font than the page's body text is a heading
    (level 1 when much larger), even without a number ("Appendix: Glossary", "After the JV")."""
    if not typical or len(text.split()) > 12 or text.rstrip().endswith((".", ",", ";")) or not text[:1].isalpha():
        return None
    ratio = _height(line) / typical
    if ratio >= 1.4:
        return 1
    if ratio >= 1.15:
        return 2
    return None


def _height(line: _Line) -> float:
    return line.top - line.bottom if line.top is not None and line.bottom is not None else 0.0


def _typical_height(lines: list[_Line]) -> float | None:
    heights = [ln.top - ln.bottom for ln in lines if ln.top is not None and ln.bottom is not None]
    heights = [h for h in heights if h > 0]
    return statistics.median(heights) if heights else None
