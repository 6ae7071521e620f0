"""Read Word .docx files into located blocks in reading order, tracked changes accepted.

The zip is vetted before anything is inflated; python-docx only opens the package (parts and
relationships); the WordprocessingML is walked here, so that numbering, tracked changes and
fields read the way Word shows them.
"""

from __future__ import annotations

import copy
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from lxml import etree

from rmplint.errors import DocumentError
from rmplint.ingest.common import ContextTracker, Limits
from rmplint.model import Block, BlockKind, Document, Location, Part, Table

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
T = TypeVar("T")


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


VAL = _w("val")
BODY, P, TBL, TR, TC = _w("body"), _w("p"), _w("tbl"), _w("tr"), _w("tc")
PPR, RPR, TRPR, TCPR = _w("pPr"), _w("rPr"), _w("trPr"), _w("tcPr")
SDT, SDT_CONTENT, SECTPR = _w("sdt"), _w("sdtContent"), _w("sectPr")
RUN, TEXT, TXBX = _w("r"), _w("t"), _w("txbxContent")
BR, LAST_BREAK, PAGE_BREAK_BEFORE = _w("br"), _w("lastRenderedPageBreak"), _w("pageBreakBefore")
FLD_CHAR, SYM = _w("fldChar"), _w("sym")
NUM_PR, NUM_ID, ILVL, OUTLINE = _w("numPr"), _w("numId"), _w("ilvl"), _w("outlineLvl")
ALTERNATE, CHOICE, FALLBACK = f"{{{MC}}}AlternateContent", f"{{{MC}}}Choice", f"{{{MC}}}Fallback"
MATH_TEXT = f"{{{M}}}t"
MATH = {f"{{{M}}}oMath", f"{{{M}}}oMathPara"}

# Inline wrappers whose content is part of the text as accepted. w:del, w:moveFrom, comment
# ranges, bookmarks and proofing marks are deliberately absent: what is not listed is skipped.
INLINE_WRAPPERS = {
    _w(n) for n in ("ins", "moveTo", "hyperlink", "smartTag", "customXml", "fldSimple", "dir", "bdo")
}
# Block-level wrappers around paragraphs, tables, rows or cells.
BLOCK_WRAPPERS = {_w(n) for n in ("customXml", "ins", "moveTo")}
RUN_CHARS = {
    _w("tab"): "\t",
    _w("ptab"): "\t",
    _w("cr"): "\n",
    _w("noBreakHyphen"): "-",
}
PAGE_STARTS = {"nextPage", "oddPage", "evenPage"}
REFERENCE_PARTS: dict[str, Part] = {_w("headerReference"): "header", _w("footerReference"): "footer"}

# Below this size a single member cannot be a bomb by itself (the total is bounded anyway), and
# small, repetitive XML parts legitimately compress far better than the ratio limit.
RATIO_FLOOR = 1 << 20
# A table cell that only numbers its row: "4.1", "12.", "Clause 7".
_BARE_NUMBER = re.compile(r"\s*(?:clause\s+)?\d{1,3}(?:\.\d{1,3}){0,4}\.?\s*", re.I)
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Signature, versions, flags, method, time, date, CRC, sizes, then name and extra field lengths.
_LOCAL_HEADER = struct.Struct("<4s5H3I2H")
_CHUNK = 1 << 20


def read(path: Path, limits: Limits) -> Document:
    """Read a .docx file, or raise DocumentError with a stable kind."""
    path = Path(path)
    _check_package(path, limits)
    main = _open_main_part(path)
    try:
        return _Reader(path, main, limits).read()
    except DocumentError:
        raise
    except etree.XMLSyntaxError as exc:
        raise _xml_error(path, exc) from None
    except RecursionError:
        raise _corrupt(path, "document nested too deeply") from None
    except Exception as exc:  # a malformed part must not surface as a traceback
        raise _corrupt(path, type(exc).__name__) from None


def _corrupt(path: Path, why: str) -> DocumentError:
    return DocumentError(str(path), f"corrupt .docx ({why})", kind="corrupt")


def _xml_error(path: Path, exc: Exception) -> DocumentError:
    # libxml2 stops at 256 levels of nesting (e.g. tables inside tables inside tables...).
    if "excessive depth" in str(exc).lower():
        return DocumentError(str(path), "document nested too deeply (over 256 XML levels)", kind="too-large")
    return _corrupt(path, "invalid XML")


def _check_package(path: Path, limits: Limits) -> None:
    """Refuse broken, encrypted or inflating archives from the zip directory alone."""
    name = str(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(len(OLE2_MAGIC))
    except OSError as exc:
        raise DocumentError(name, f"cannot read file ({exc.strerror or exc})", kind="unreadable") from None
    if size == 0:
        raise DocumentError(name, "empty file", kind="empty")
    if size > limits.max_file_bytes:
        raise DocumentError(name, f"file of {size} bytes exceeds the limit of {limits.max_file_bytes}", kind="too-large")
    if head == OLE2_MAGIC:
        # A password-protected .docx is an OLE2 container holding an EncryptedPackage stream.
        if "EncryptedPackage".encode("utf-16-le") in path.read_bytes():
            raise DocumentError(name, "encrypted Word document (password required)", kind="encrypted")
        raise DocumentError(name, "legacy Word 97-2003 .doc (OLE2) is not supported", kind="unsupported")
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError):
        raise _corrupt(path, "not a valid zip archive") from None
    if not any(m.filename == "word/document.xml" for m in members):
        raise _corrupt(path, "no word/document.xml")
    if any(m.flag_bits & 0x1 for m in members):
        raise DocumentError(name, "encrypted zip archive (password required)", kind="encrypted")
    total = sum(m.file_size for m in members)
    if total > limits.max_unzipped_bytes:
        raise DocumentError(
            name,
            f"unzips to {total} bytes, over the limit of {limits.max_unzipped_bytes} (zip bomb?)",
            kind="too-large",
        )
    for m in members:
        if m.filename.endswith((".xml", ".rels")) and m.file_size > limits.max_xml_part_bytes:
            raise DocumentError(
                name,
                f"{m.filename} is {m.file_size} bytes of XML, over the limit of {limits.max_xml_part_bytes}",
                kind="too-large",
            )
        ratio = m.file_size / max(m.compress_size, 1)
        if m.file_size >= RATIO_FLOOR and ratio > limits.max_zip_ratio:
            raise DocumentError(
                name,
                f"{m.filename} inflates {ratio:.0f}:1, over the limit of {limits.max_zip_ratio:g}:1 (zip bomb?)",
                kind="too-large",
            )
    _check_inflated_sizes(path, members)


def _check_inflated_sizes(path: Path, members: list[zipfile.ZipInfo]) -> None:
    """Inflate every member in bounded steps and refuse one that holds more than the zip
    directory declares: zipfile would inflate such a stream in one piece (up to 2 GB) before it
    noticed, and a matching CRC of the declared prefix is easy to forge."""
    try:
        with path.open("rb") as fh:
            for m in members:
                fh.seek(m.header_offset)
                local = fh.read(_LOCAL_HEADER.size)
                if len(local) < _LOCAL_HEADER.size or local[:4] != b"PK\x03\x04":
                    raise _corrupt(path, "not a valid zip archive")
                name_len, extra_len = _LOCAL_HEADER.unpack(local)[-2:]
                fh.seek(m.header_offset + _LOCAL_HEADER.size + name_len + extra_len)
                if m.compress_type == zipfile.ZIP_STORED:
                    if m.compress_size != m.file_size:
                        raise _corrupt(path, f"{m.filename} has inconsistent sizes")
                elif m.compress_type == zipfile.ZIP_DEFLATED:
                    _inflate_bounded(path, fh, m)
                else:  # Word writes only stored and deflated members
                    raise _corrupt(path, f"unsupported zip compression in {m.filename}")
    except OSError as exc:
        raise DocumentError(str(path), f"cannot read file ({exc.strerror or exc})", kind="unreadable") from None


def _inflate_bounded(path: Path, fh: Any, m: zipfile.ZipInfo) -> None:
    inflater = zlib.decompressobj(-15)
    left, produced = m.compress_size, 0
    try:
        while left > 0 and not inflater.eof:
            data = fh.read(min(left, _CHUNK))
            if not data:
                break
            left -= len(data)
            while data and not inflater.eof:
                produced += len(inflater.decompress(data, _CHUNK))
                if produced > m.file_size:
                    raise DocumentError(
                        str(path),
                        f"{m.filename} inflates beyond the {m.file_size} bytes its zip directory declares (zip bomb?)",
                        kind="too-large",
                    )
                data = inflater.unconsumed_tail
    except zlib.error:
        raise _corrupt(path, f"damaged compressed data in {m.filename}") from None


def _open_main_part(path: Path) -> Any:
    """The main document part, through python-docx's package reader (its XML parser keeps
    entities unresolved: docx.oxml.parser uses resolve_entities=False, no DTD, no network)."""
    from docx.opc.exceptions import PackageNotFoundError
    from docx.package import Package

    try:
        part = Package.open(str(path)).main_document_part
    except etree.XMLSyntaxError as exc:
        raise _xml_error(path, exc) from None
    except PackageNotFoundError:
        raise _corrupt(path, "not a valid zip archive") from None
    except KeyError:
        raise _corrupt(path, "missing part or relationship") from None
    except Exception as exc:  # python-docx raises assorted errors on malformed packages
        raise _corrupt(path, type(exc).__name__) from None
    content_type = part.content_type
    if "wordprocessingml" not in content_type and "ms-word" not in content_type:
        raise DocumentError(str(path), f"not a Word document ({content_type})", kind="unsupported")
    return part


def _parse_xml(blob: bytes) -> Any:
    """Parse a part python-docx left as bytes, never resolving entities or loading DTDs."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    return etree.fromstring(blob, parser)


def _root(part: Any) -> Any:
    element = getattr(part, "element", None)
    return element if element is not None else _parse_xml(part.blob)


def _related(part: Any, rel_suffix: str) -> list[Any]:
    """Target parts of the internal relationships whose type ends with `rel_suffix`."""
    return [
        rel.target_part
        for rel in part.rels.values()
        if not rel.is_external and rel.reltype.endswith(rel_suffix)
    ]


def _on(el: Any) -> bool:
    """An OOXML on/off property: present and not switched off."""
    return el is not None and el.get(VAL) not in ("0", "false", "off")


def _val(parent: Any, tag: str) -> str | None:
    el = parent.find(tag) if parent is not None else None
    return el.get(VAL) if el is not None else None


def _int(value: str | None, default: int | None = None) -> int | None:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _children(container: Any, wanted: set[str]) -> Iterator[Any]:
    """Child elements with a wanted tag, looking through content controls and other wrappers."""
    for child in container:
        tag = child.tag
        if not isinstance(tag, str):  # comments, processing instructions, unresolved entities
            continue
        if tag in wanted:
            yield child
        elif tag == SDT:
            content = child.find(SDT_CONTENT)
            if content is not None:
                yield from _children(content, wanted)
        elif tag in BLOCK_WRAPPERS:
            yield from _children(child, wanted)
        elif tag == ALTERNATE:
            yield from _children(_branch(child), wanted)


def _branch(alternate: Any) -> Any:
    """The one branch of mc:AlternateContent to read (both usually carry the same text)."""
    for tag in (CHOICE, FALLBACK):
        el = alternate.find(tag)
        if el is not None:
            return el
    return []


def _text_boxes(el: Any) -> list[Any]:
    """Outermost text boxes under a drawing, skipping the duplicate VML fallback copies."""
    boxes = []
    for box in el.iter(TXBX):
        between = []
        for ancestor in box.iterancestors():
            if ancestor is el:
                break
            between.append(ancestor.tag)
        if TXBX not in between and FALLBACK not in between:
            boxes.append(box)
    return boxes


def _text_of(t: Any) -> str:
    """A w:t's characters; an unresolved entity reference in it stays out, the text after it in."""
    return (t.text or "") + "".join(child.tail or "" for child in t)


def _symbol(sym: Any) -> str:
    """w:sym, best effort: real code points as they are, Symbol-font private-use codes folded
    to Latin-1, other symbol fonts (Wingdings...) dropped as they carry no words."""
    char = sym.get(_w("char")) or ""
    if not re.fullmatch(r"[0-9A-Fa-f]{1,6}", char):
        return ""
    code = int(char, 16)
    if 0xF000 <= code <= 0xF0FF:
        symbol_font = (sym.get(_w("font")) or "").lower() == "symbol"
        return chr(code - 0xF000) if symbol_font and code >= 0xF020 else ""
    return chr(code) if code <= 0x10FFFF else ""


@dataclass
class _Inline:
    """Text of one paragraph as it is gathered, with page breaks met along the way."""

    page_marks: str | None  # which break markers count: "rendered", "explicit" or None
    parts: list[str] = field(default_factory=list)
    breaks: int = 0
    breaks_before_text: int | None = None
    boxes: list[Any] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        if self.breaks_before_text is None and text.strip():
            self.breaks_before_text = self.breaks
        self.parts.append(text)

    def text(self) -> str:
        return "".join(self.parts).strip()


def _read_inline(paragraph: Any, page_marks: str | None) -> _Inline:
    state = _Inline(page_marks)
    _inline(paragraph, state)
    return state


def _inline(el: Any, st: _Inline) -> None:
    for child in el:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        if tag == RUN:
            rpr = child.find(RPR)
            _run(child, st, hidden=rpr is not None and _on(rpr.find(_w("vanish"))))
        elif tag in INLINE_WRAPPERS:
            _inline(child, st)
        elif tag == SDT:
            content = child.find(SDT_CONTENT)
            if content is not None:
                _inline(content, st)
        elif tag == ALTERNATE:
            _inline(_branch(child), st)
        elif tag in MATH:
            st.add("".join(_text_of(t) for t in child.iter(MATH_TEXT)))


def _run(run: Any, st: _Inline, hidden: bool) -> None:
    for child in run:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        if tag == FLD_CHAR:
            # Complex fields: the instruction (begin..separate) is code, the result is text.
            kind = child.get(_w("fldCharType"))
            if kind == "begin":
                st.fields.append("instruction")
            elif kind == "separate" and st.fields:
                st.fields[-1] = "result"
            elif kind == "end" and st.fields:
                st.fields.pop()
        elif tag == LAST_BREAK:
            st.breaks += st.page_marks == "rendered"
        elif tag == BR and child.get(_w("type")) == "page":
            st.breaks += st.page_marks == "explicit"
        elif hidden or "instruction" in st.fields:
            continue
        elif tag == TEXT:
            st.add(_text_of(child))
        elif tag == BR:
            st.add("\n")
        elif tag in RUN_CHARS:
            st.add(RUN_CHARS[tag])
        elif tag == SYM:
            st.add(_symbol(child))
        elif tag == ALTERNATE:
            _run(_branch(child), st, hidden)
        elif tag in (_w("drawing"), _w("pict"), _w("object")):
            st.boxes.extend(_text_boxes(child))


def _per_style(method: Callable[["_Styles", str | None], T]) -> Callable[["_Styles", str | None], T]:
    """A style property is worked out once per style id: the answer cannot change during a read,
    and walking the basedOn chain for every paragraph was a third of reading a long document."""

    def cached(self: "_Styles", sid: str | None) -> T:
        key = (method.__name__, sid)
        if key not in self._memo:
            self._memo[key] = method(self, sid)
        return self._memo[key]  # type: ignore[no-any-return]

    return cached


class _Styles:
    """Paragraph and numbering styles by id, following basedOn chains."""

    def __init__(self, root: Any) -> None:
        self._by_id: dict[str, Any] = {}
        self._memo: dict[tuple[str, str | None], Any] = {}
        self.default: str | None = None
        if root is None:
            return
        for style in root.iterchildren(_w("style")):
            sid = style.get(_w("styleId"))
            if sid is None or sid in self._by_id:
                continue
            self._by_id[sid] = style
            if style.get(_w("type")) == "paragraph" and style.get(_w("default")) in ("1", "true", "on"):
                self.default = self.default or sid

    def chain(self, sid: str | None) -> Iterator[Any]:
        seen: set[str] = set()
        while sid and sid in self._by_id and sid not in seen:
            seen.add(sid)
            style = self._by_id[sid]
            yield style
            sid = _val(style, _w("basedOn"))

    @_per_style
    def name(self, sid: str | None) -> str | None:
        from docx.styles import BabelFish

        name = _val(self._by_id.get(sid), _w("name")) if sid in self._by_id else None
        return BabelFish.internal2ui(name) if name else sid

    @_per_style
    def heading_level(self, sid: str | None) -> int | None:
        for style in self.chain(sid):
            outline = _int(_val(style.find(PPR), OUTLINE))
            if outline is not None:
                return outline + 1 if 0 <= outline < 9 else None
            name = (_val(style, _w("name")) or "").strip().lower()
            m = re.fullmatch(r"heading\s*([1-9])", name)
            if m:
                return int(m.group(1))
            if name == "title":
                return 1
        return None

    @_per_style
    def is_contents(self, sid: str | None) -> bool:
        """A table-of-contents entry ("toc 1"): it repeats headings, it does not start clauses."""
        return any(re.fullmatch(r"toc\s*\d", (_val(s, _w("name")) or "").lower()) for s in self.chain(sid))

    @_per_style
    def numbering(self, sid: str | None) -> tuple[str, int | None] | None:
        for style in self.chain(sid):
            num_pr = style.find(PPR).find(NUM_PR) if style.find(PPR) is not None else None
            num_id = _val(num_pr, NUM_ID)
            if num_id is not None:
                return num_id, _int(_val(num_pr, ILVL))
        return None

    @_per_style
    def page_break_before(self, sid: str | None) -> bool:
        for style in self.chain(sid):
            ppr = style.find(PPR)
            if ppr is not None and ppr.find(PAGE_BREAK_BEFORE) is not None:
                return _on(ppr.find(PAGE_BREAK_BEFORE))
        return False


@dataclass(frozen=True)
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = ""
    restart: int | None = None  # None: after any higher level; 0: never; n: after levels < n
    legal: bool = False
    style: str | None = None


def _level(lvl: Any) -> tuple[int, _Level]:
    return _int(lvl.get(_w("ilvl")), 0) or 0, _Level(
        start=_int(_val(lvl, _w("start")), 1) or 0,
        fmt=_val(lvl, _w("numFmt")) or "decimal",
        text=_val(lvl, _w("lvlText")) or "",
        restart=_int(_val(lvl, _w("lvlRestart"))),
        legal=_on(lvl.find(_w("isLgl"))),
        style=_val(lvl, _w("pStyle")),
    )


def _format_number(n: int, fmt: str) -> str:
    if fmt == "none":
        return ""
    if fmt in ("lowerLetter", "upperLetter") and n > 0:
        # Word goes a..z, then aa..zz, then aaa...
        letters = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letters.upper() if fmt == "upperLetter" else letters
    if fmt in ("lowerRoman", "upperRoman") and 0 < n < 4000:
        roman = _roman(n)
        return roman.lower() if fmt == "lowerRoman" else roman
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "ordinal":
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"{n}{suffix}"
    return str(n)


def _roman(n: int) -> str:
    out = []
    for value, numeral in (
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ):
        count, n = divmod(n, value)
        out.append(numeral * count)
    return "".join(out)


class _Numbering:
    """Word's automatic numbering: list definitions from numbering.xml and running counters."""

    def __init__(self, root: Any, styles: _Styles) -> None:
        self._styles = styles
        self._abstract: dict[str, dict[int, _Level]] = {}
        self._style_link: dict[str, str] = {}
        self._nums: dict[str, tuple[str, dict[int, int], dict[int, _Level]]] = {}
        self._counters: dict[str, dict[int, int]] = {}
        self._started: set[str] = set()
        if root is None:
            return
        for abstract in root.iterchildren(_w("abstractNum")):
            aid = abstract.get(_w("abstractNumId"))
            self._abstract[aid] = dict(_level(lvl) for lvl in abstract.iterchildren(_w("lvl")))
            link = _val(abstract, _w("numStyleLink"))
            if link:
                self._style_link[aid] = link
        for num in root.iterchildren(_w("num")):
            starts: dict[int, int] = {}
            levels: dict[int, _Level] = {}
            for override in num.iterchildren(_w("lvlOverride")):
                ilvl = _int(override.get(_w("ilvl")), 0) or 0
                start = _int(_val(override, _w("startOverride")))
                if start is not None:
                    starts[ilvl] = start
                lvl = override.find(_w("lvl"))
                if lvl is not None:
                    levels[ilvl] = _level(lvl)[1]
            self._nums[num.get(_w("numId"))] = (_val(num, _w("abstractNumId")) or "", starts, levels)

    def _abstract_id(self, num_id: str) -> str | None:
        """Follow numStyleLink through the numbering style to the definition it stands for."""
        seen: set[str] = set()
        while num_id in self._nums and num_id not in seen:
            seen.add(num_id)
            aid = self._nums[num_id][0]
            link = self._style_link.get(aid)
            linked = self._styles.numbering(link) if link else None
            if not linked:
                return aid
            num_id = linked[0]
        return None

    def _levels(self, num_id: str) -> dict[int, _Level]:
        levels = dict(self._abstract.get(self._abstract_id(num_id) or "", {}))
        levels.update(self._nums[num_id][2])
        return levels

    def level_of_style(self, num_id: str, style_id: str | None) -> int | None:
        if num_id not in self._nums:
            return None
        return next((i for i, lvl in self._levels(num_id).items() if lvl.style and lvl.style == style_id), None)

    def advance(self, num_id: str, ilvl: int) -> tuple[bool, str | None]:
        """Count one numbered paragraph; returns (is a list, label as Word shows it or None)."""
        aid = self._abstract_id(num_id) if num_id in self._nums else None
        if aid is None:
            return False, None
        levels = self._levels(num_id)
        if ilvl not in levels:
            return True, None
        # Lists sharing a definition continue one another; a startOverride restarts once.
        counters = self._counters.setdefault(aid, {})
        if num_id not in self._started:
            self._started.add(num_id)
            for lv, start in self._nums[num_id][1].items():
                for deeper in [d for d in counters if d >= lv]:
                    del counters[deeper]
                counters[lv] = start - 1
        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else levels[ilvl].start
        for deeper in [d for d in counters if d > ilvl]:
            restart = levels[deeper].restart if deeper in levels else None
            if restart is None or (restart > 0 and ilvl < restart):
                del counters[deeper]
        return True, self._render(levels, counters, ilvl)

    @staticmethod
    def _render(levels: dict[int, _Level], counters: dict[int, int], ilvl: int) -> str | None:
        lvl = levels[ilvl]
        if lvl.fmt == "bullet":
            return None

        def number(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            ref = levels.get(k, _Level())
            fmt = "decimal" if lvl.legal and ref.fmt != "none" else ref.fmt
            return _format_number(counters.get(k, ref.start), fmt)

        return re.sub(r"%([1-9])", number, lvl.text).strip() or None


@dataclass(frozen=True)
class _Para:
    ordinal: int
    text: str
    page: int | None
    heading: int | None  # heading level, when the paragraph is a heading
    list_level: int | None  # ilvl, when the paragraph is numbered or bulleted
    label: str | None
    style: str | None
    contents_entry: bool = False


@dataclass
class _Cell:
    paragraphs: list[_Para] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs if p.text)

    def first_with_text(self) -> _Para | None:
        return next((p for p in self.paragraphs if p.text), None)


class _Reader:
    """One pass over the body in reading order; owns the counters a pass needs."""

    def __init__(self, path: Path, main: Any, limits: Limits) -> None:
        self.path = path
        self.main = main
        self.limits = limits
        root = _root(main)
        self.body = root.find(BODY)
        if self.body is None:
            raise _corrupt(path, "no document body")
        styles_parts = _related(main, "/styles")
        self.styles = _Styles(_root(styles_parts[0]) if styles_parts else None)
        numbering_parts = _related(main, "/numbering")
        self.numbering = _Numbering(_root(numbering_parts[0]) if numbering_parts else None, self.styles)
        self.tracker = ContextTracker()
        self.sections = [s for s in self.body.iter(SECTPR) if s.getparent().tag in (PPR, BODY)]
        self.page_marks = self._page_marks()
        self.blocks: list[Block | None] = []
        self.tables: list[Table] = []
        self.warnings: list[str] = []
        self.paragraph_no = 0
        self.table_no = 0
        self.section_no = 0
        self.breaks = 0
        self.seen_text = False

    def read(self) -> Document:
        self._walk(self.body, self._emit)
        blocks = tuple(b for b in self.blocks if b is not None)
        furniture = tuple(self._furniture())
        chars = sum(len(b.text) for b in blocks + furniture)
        if chars > self.limits.max_chars:
            raise DocumentError(
                str(self.path), f"{chars} characters of text exceed the limit of {self.limits.max_chars}", kind="too-large"
            )
        if next(self.body.iter(_w("altChunk")), None) is not None:
            self.warnings.append("embedded alternative-format content (altChunk) was not read")
        if not blocks:
            self.warnings.append("the document body has no text")
        return Document(
            path=str(self.path),
            format="docx",
            blocks=blocks,
            furniture=furniture,
            tables=tuple(sorted(self.tables, key=lambda t: t.index)),
            page_count=1 + self.breaks if self.page_marks else None,
            warnings=tuple(self.warnings),
        )

    # -- pages ---------------------------------------------------------------------------

    def _page_marks(self) -> str | None:
        """Which markers give pages: Word's own rendered breaks when it saved them (they already
        include the hard breaks), else explicit breaks, else the file records no pages."""
        body = self.body
        if next(body.iter(LAST_BREAK), None) is not None:
            return "rendered"
        if any(br.get(_w("type")) == "page" for br in body.iter(BR)):
            return "explicit"
        if any(self._breaks_page_before(p.find(PPR)) for p in body.iter(P)):
            return "explicit"
        if any(self._section_type(s) in PAGE_STARTS for s in self.sections[1:]):
            return "explicit"
        return None

    def _breaks_page_before(self, ppr: Any) -> bool:
        if ppr is not None and ppr.find(PAGE_BREAK_BEFORE) is not None:
            return _on(ppr.find(PAGE_BREAK_BEFORE))
        return self.styles.page_break_before(_val(ppr, _w("pStyle")) or self.styles.default)

    @staticmethod
    def _section_type(sect: Any) -> str:
        return _val(sect, _w("type")) or "nextPage"

    def _end_of_paragraph(self, p: Any) -> None:
        """A section break in this paragraph starts a new page if the next section says so."""
        ppr = p.find(PPR)
        if ppr is None or ppr.find(SECTPR) is None:
            return
        self.section_no += 1
        if self.section_no < len(self.sections) and self.page_marks == "explicit":
            self.breaks += self._section_type(self.sections[self.section_no]) in PAGE_STARTS

    # -- walking ---------------------------------------------------------------------------

    def _walk(self, container: Any, on_paragraph: Callable[[_Para], None]) -> None:
        for el in _children(container, {P, TBL}):
            if el.tag == TBL:
                self._table(el)
                continue
            para, boxes = self._paragraph(el)
            on_paragraph(para)
            for box in boxes:  # text boxes read as paragraphs where they are anchored
                self._walk(box, on_paragraph)
            self._end_of_paragraph(el)

    def _paragraph(self, p: Any) -> tuple[_Para, list[Any]]:
        self.paragraph_no += 1
        ppr = p.find(PPR)
        style_id = _val(ppr, _w("pStyle")) or self.styles.default
        if self.page_marks == "explicit" and self.seen_text and self._breaks_page_before(ppr):
            self.breaks += 1
        inline = _read_inline(p, self.page_marks)
        text = inline.text()
        page = None
        if self.page_marks:
            page = 1 + self.breaks + (inline.breaks_before_text or 0)
            self.breaks += inline.breaks
        self.seen_text = self.seen_text or bool(text)

        outline = _int(_val(ppr, OUTLINE))
        if outline is not None:
            heading = outline + 1 if 0 <= outline < 9 else None
        else:
            heading = self.styles.heading_level(style_id)
        list_level, label = self._number(ppr, style_id)
        para = _Para(
            self.paragraph_no, text, page, heading, list_level, label, self.styles.name(style_id),
            contents_entry=self.styles.is_contents(style_id),
        )
        return para, inline.boxes

    def _number(self, ppr: Any, style_id: str | None) -> tuple[int | None, str | None]:
        """(list level, label) for a paragraph numbered directly or through its style."""
        num_pr = ppr.find(NUM_PR) if ppr is not None else None
        num_id, ilvl = _val(num_pr, NUM_ID), _int(_val(num_pr, ILVL))
        if num_id is None:
            from_style = self.styles.numbering(style_id)
            if from_style is None:
                return None, None
            num_id = from_style[0]
            if ilvl is None:
                ilvl = from_style[1]
            if ilvl is None:
                ilvl = self.numbering.level_of_style(num_id, style_id)
        if num_id == "0":  # numId 0 switches numbering off
            return None, None
        ilvl = ilvl or 0
        is_list, label = self.numbering.advance(num_id, ilvl)
        return (ilvl if is_list else None), label

    def _emit(self, para: _Para) -> None:
        if not para.text:
            return
        kind: BlockKind
        if para.heading is not None:
            path, ref = self.tracker.heading(para.text, para.heading, para.label)
            kind, level = "heading", para.heading
        else:
            # "18.2 Governance ... 12" in a table of contents must not become the current clause.
            path, ref = self.tracker.locate("") if para.contents_entry else self.tracker.locate(para.text, para.label)
            kind = "list_item" if para.list_level is not None else "paragraph"
            level = para.list_level or 0
        location = Location(page=para.page, paragraph=para.ordinal, heading_path=path, clause_ref=ref)
        self.blocks.append(Block(kind, para.text, location, level=level, style=para.style))

    def _table(self, tbl: Any) -> None:
        self.table_no += 1
        index = self.table_no
        start = Location(
            page=1 + self.breaks if self.page_marks else None,
            paragraph=self.paragraph_no + 1,
            table=index,
            heading_path=self.tracker.path,
        )
        grid = len(tbl.findall(f"{_w('tblGrid')}/{_w('gridCol')}"))
        rows, cols = 0, 0
        header: tuple[str, ...] = ()
        for tr in _children(tbl, {TR}):
            trpr = tr.find(TRPR)
            if trpr is not None and trpr.find(_w("del")) is not None:  # row deleted with tracking
                continue
            rows += 1
            col = 1 + (_int(_val(trpr, _w("gridBefore")), 0) or 0)
            texts = []
            # Cells of a row sit side by side: a row split over a page break carries a break
            # marker in each cell, so the row advances by the most any one cell does, not the sum.
            row_start = row_end = self.breaks
            row_tracker = copy.deepcopy(self.tracker)
            for tc in _children(tr, {TC}):
                tcpr = tc.find(TCPR)
                span = max(_int(_val(tcpr, _w("gridSpan")), 1) or 1, 1)
                slot = len(self.blocks)
                self.blocks.append(None)  # keeps the cell ahead of any nested table's cells
                cell = _Cell()
                self.breaks = row_start
                self._walk(tc, cell.paragraphs.append)
                row_end = max(row_end, self.breaks)
                if not self._continues_merge(tcpr):
                    texts.append(cell.text)
                    self.blocks[slot] = self._cell_block(cell, row_tracker, index, rows, col)
                col += span
            self.breaks = row_end
            cols = max(cols, col - 1 + (_int(_val(trpr, _w("gridAfter")), 0) or 0))
            if rows == 1:
                header = tuple(texts)
        self.tables.append(Table(index=index, rows=rows, cols=max(grid, cols), header=header, location=start))

    @staticmethod
    def _continues_merge(tcpr: Any) -> bool:
        """A cell that only continues a merge above or to the left: its content is elsewhere."""
        if tcpr is None:
            return False
        vmerge, hmerge = tcpr.find(_w("vMerge")), tcpr.find(_w("hMerge"))
        return (vmerge is not None and vmerge.get(VAL) != "restart") or (
            hmerge is not None and hmerge.get(VAL) != "restart"
        )

    def _cell_block(self, cell: _Cell, row_tracker: ContextTracker, table: int, row: int, col: int) -> Block | None:
        first = cell.first_with_text()
        if first is None:
            return None
        # Cells mostly hold data ("14 Mar 2023", "30 days"), so only a cell that is nothing but a
        # number ("4.1") or carries a Word list number sets the reference, and only for its row.
        bare_number = _BARE_NUMBER.fullmatch(cell.text) is not None
        path, ref = row_tracker.locate(cell.text if bare_number else "", first.label)
        location = Location(
            page=first.page,
            paragraph=cell.paragraphs[0].ordinal,
            table=table,
            row=row,
            col=col,
            heading_path=path,
            clause_ref=ref,
        )
        return Block("table_cell", cell.text, location, style=first.style)

    # -- headers, footers, notes -----------------------------------------------------------

    def _furniture(self) -> Iterator[Block]:
        parts: list[tuple[Part, Any]] = []
        for sect in self.sections:
            for ref in sect:
                kind = REFERENCE_PARTS.get(ref.tag)
                rel = self.main.rels.get(ref.get(f"{{{R}}}id")) if kind else None
                if kind and rel is not None and not rel.is_external:
                    if all(rel.target_part is not known for _, known in parts):  # sections share parts
                        parts.append((kind, rel.target_part))
        seen_texts: set[tuple[str, str]] = set()
        for kind, part in parts:
            for ordinal, p in enumerate(_paragraphs(_root(part)), start=1):
                text = _read_inline(p, None).text()
                if text and (kind, text) not in seen_texts:
                    seen_texts.add((kind, text))
                    yield Block("paragraph", text, Location(paragraph=ordinal, part=kind))
        for suffix, note in (("/footnotes", "footnote"), ("/endnotes", "endnote")):
            for part in _related(self.main, suffix):
                yield from _notes(_root(part), note)


def _paragraphs(root: Any) -> Iterator[Any]:
    """Every paragraph of a part in document order, once (not the VML copies of text boxes)."""
    for p in root.iter(P):
        if not any(a.tag in (FALLBACK, _w("del"), _w("moveFrom")) for a in p.iterancestors()):
            yield p


def _notes(root: Any, note: str) -> Iterator[Block]:
    """One block per footnote or endnote; separators are layout, not text."""
    ordinal = 0
    for item in root.iterchildren(_w(note)):
        paragraphs = list(_paragraphs(item))
        first = ordinal + 1
        ordinal += len(paragraphs)
        if item.get(_w("type"), "normal") != "normal":
            continue
        text = "\n".join(t for t in (_read_inline(p, None).text() for p in paragraphs) if t)
        if text:
            yield Block("paragraph", text, Location(paragraph=first, part="footnote"))
