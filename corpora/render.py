"""Render a small Markdown subset to a .docx with real Word structure, or to a ruled .pdf.

Used to build the gold corpora (corpora/*/src/*.md) and the examples. Output is deterministic.

Usage:
    python corpora/render.py SRC.md OUT.docx|OUT.pdf [--auto-number]

Supported source syntax:
    Title: Text                first line only -> Title style
    # .. ######                headings -> Heading 1..6
    blank-line paragraphs      **bold**, *italic*
    - item / "  - item"        bullets (2 spaces per level) -> List Bullet, List Bullet 2, ...
    1. item                    -> List Number (with --auto-number: a level-0 clause paragraph)
    | a | b | + |---|          pipe tables -> Table Grid (header row first)
    {++ins++} {--del--}        tracked insertion / deletion (author "Editor", 2024-01-01)
    <!-- pagebreak -->         page break
    <!-- header: TEXT -->      running header (any position); <!-- footer: TEXT --> likewise
--auto-number: headings and paragraphs starting with a typed "1.", "1.1", "1.1.1" or "(a)" get
Word automatic multilevel numbering (typed number removed); it restarts after a heading starting
with Schedule/Annex/Appendix. In PDF the typed numbers are printed as they are.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

FIXED_DATE = dt.datetime(2024, 1, 1, 0, 0, 0)
REVISION_DATE = "2024-01-01T00:00:00Z"
AUTHOR = "Editor"


# ---------------------------------------------------------------- parsing


@dataclass
class Block:
    kind: str  # title | heading | para | bullet | number | table | pagebreak
    text: str = ""
    level: int = 0
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Source:
    blocks: list[Block]
    header: str | None = None
    footer: str | None = None


_COMMENT = re.compile(r"<!--\s*(.*?)\s*-->")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BULLET = re.compile(r"^( *)[-*]\s+(.*)$")
_NUMBER = re.compile(r"^(\d+)\.\s+(.*)$")
_TABLE_SEP = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _split_row(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|"):
        line = line[:-1]
    return [c.strip() for c in line.split("|")]


def parse(text: str) -> Source:
    """Parse the Markdown subset into blocks plus the running header/footer."""
    src = Source(blocks=[])
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[0].startswith("Title:"):
        src.blocks.append(Block("title", lines[0][6:].strip()))
        lines = lines[1:]
    para: list[str] = []
    i = 0

    def flush() -> None:
        if para:
            src.blocks.append(Block("para", " ".join(s.strip() for s in para)))
            para.clear()

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        comment = _COMMENT.fullmatch(stripped)
        if comment:
            flush()
            body = comment.group(1)
            if body.lower() == "pagebreak":
                src.blocks.append(Block("pagebreak"))
            elif body.lower().startswith("header:"):
                src.header = body[7:].strip()
            elif body.lower().startswith("footer:"):
                src.footer = body[7:].strip()
            i += 1
            continue
        if not stripped:
            flush()
            i += 1
            continue
        m = _HEADING.match(line)
        if m:
            flush()
            src.blocks.append(Block("heading", m.group(2).strip(), len(m.group(1))))
            i += 1
            continue
        if stripped.startswith("|") and i + 1 < len(lines) and _TABLE_SEP.match(lines[i + 1].strip()):
            flush()
            rows = [_split_row(line)]
            i += 2
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(_split_row(lines[i]))
                i += 1
            width = max(len(r) for r in rows)
            rows = [r + [""] * (width - len(r)) for r in rows]
            src.blocks.append(Block("table", rows=rows))
            continue
        m = _BULLET.match(line)
        if m and not para:
            src.blocks.append(Block("bullet", m.group(2).strip(), len(m.group(1)) // 2))
            i += 1
            # indented continuation lines belong to the item
            while i < len(lines) and lines[i].startswith("  ") and lines[i].strip() and not _BULLET.match(lines[i]):
                src.blocks[-1].text += " " + lines[i].strip()
                i += 1
            continue
        m = _NUMBER.match(line)
        if m and not para:
            src.blocks.append(Block("number", stripped, 0))
            i += 1
            continue
        para.append(line)
        i += 1
    flush()
    return src


_INLINE = re.compile(r"\{\+\+(.*?)\+\+\}|\{--(.*?)--\}|\*\*(.+?)\*\*|\*(.+?)\*", re.S)


@dataclass
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    change: str = ""  # "" | "ins" | "del"


def runs(text: str, bold: bool = False, italic: bool = False, change: str = "") -> list[Run]:
    """Split inline markup into runs; tracked-change bodies may themselves hold bold/italic."""
    out: list[Run] = []
    pos = 0
    for m in _INLINE.finditer(text):
        if m.start() > pos:
            out.append(Run(text[pos : m.start()], bold, italic, change))
        if m.group(1) is not None:
            out += runs(m.group(1), bold, italic, "ins")
        elif m.group(2) is not None:
            out += runs(m.group(2), bold, italic, "del")
        elif m.group(3) is not None:
            out += runs(m.group(3), True, italic, change)
        else:
            out += runs(m.group(4), bold, True, change)
        pos = m.end()
    if pos < len(text):
        out.append(Run(text[pos:], bold, italic, change))
    return [r for r in out if r.text]


def accepted_text(text: str) -> str:
    """Plain text of an inline string with tracked changes accepted (used by label checks)."""
    return "".join(r.text for r in runs(text) if r.change != "del")


_CLAUSE_NUM = [
    (re.compile(r"^(\d+\.\d+\.\d+)\.?\s+"), 2),
    (re.compile(r"^(\d+\.\d+)\.?\s+"), 1),
    (re.compile(r"^(\d+)\.\s+"), 0),
    (re.compile(r"^\(([a-z]{1,2})\)\s+"), 3),
]
_RESTART = re.compile(r"^(schedule|annex|appendix)\b", re.I)


def clause_level(text: str) -> tuple[int, str] | None:
    """(level, text without the typed number) when text starts with a clause number."""
    for pattern, level in _CLAUSE_NUM:
        m = pattern.match(text)
        if m:
            return level, text[m.end() :]
    return None


# ---------------------------------------------------------------- docx


def _docx(src: Source, out: Path, auto_number: bool) -> None:
    from docx import Document
    from docx.enum.text import WD_BREAK
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    doc = Document()
    change_id = [0]

    def add_runs(paragraph, text: str) -> None:
        for r in runs(text):
            if r.change == "":
                run = paragraph.add_run(r.text)
                run.bold = r.bold or None
                run.italic = r.italic or None
                continue
            wrapper = OxmlElement("w:" + r.change)
            change_id[0] += 1
            wrapper.set(qn("w:id"), str(change_id[0]))
            wrapper.set(qn("w:author"), AUTHOR)
            wrapper.set(qn("w:date"), REVISION_DATE)
            w_r = OxmlElement("w:r")
            if r.bold or r.italic:
                rpr = OxmlElement("w:rPr")
                if r.bold:
                    rpr.append(OxmlElement("w:b"))
                if r.italic:
                    rpr.append(OxmlElement("w:i"))
                w_r.append(rpr)
            t = OxmlElement("w:delText" if r.change == "del" else "w:t")
            t.set(qn("xml:space"), "preserve")
            t.text = r.text
            w_r.append(t)
            wrapper.append(w_r)
            paragraph._p.append(wrapper)

    numbering = _AutoNumbering(doc) if auto_number else None

    def number(paragraph, text: str) -> str:
        if numbering is None:
            return text
        found = clause_level(text)
        if found is None:
            return text
        level, rest = found
        numbering.apply(paragraph, level)
        return rest

    for b in src.blocks:
        if b.kind == "title":
            add_runs(doc.add_paragraph(style="Title"), b.text)
        elif b.kind == "heading":
            p = doc.add_paragraph(style=f"Heading {b.level}")
            if numbering is not None and _RESTART.match(b.text):
                numbering.restart()
            add_runs(p, number(p, b.text))
        elif b.kind == "para":
            p = doc.add_paragraph()
            add_runs(p, number(p, b.text))
        elif b.kind == "bullet":
            style = "List Bullet" if b.level == 0 else f"List Bullet {min(b.level + 1, 3)}"
            add_runs(doc.add_paragraph(style=style), b.text)
        elif b.kind == "number":
            if numbering is not None:
                p = doc.add_paragraph()
                add_runs(p, number(p, b.text))
            else:
                add_runs(doc.add_paragraph(style="List Number"), _NUMBER.match(b.text).group(2))
        elif b.kind == "table":
            table = doc.add_table(rows=len(b.rows), cols=len(b.rows[0]))
            table.style = doc.styles["Table Grid"]
            for ri, row in enumerate(b.rows):
                for ci, cell_text in enumerate(row):
                    cell_p = table.cell(ri, ci).paragraphs[0]
                    add_runs(cell_p, f"**{cell_text}**" if ri == 0 and cell_text else cell_text)
            doc.add_paragraph()
        elif b.kind == "pagebreak":
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    section = doc.sections[0]
    if src.header:
        section.header.paragraphs[0].text = src.header
    if src.footer:
        section.footer.paragraphs[0].text = src.footer

    props = doc.core_properties
    props.author = AUTHOR
    props.last_modified_by = AUTHOR
    props.created = FIXED_DATE
    props.modified = FIXED_DATE
    props.last_printed = FIXED_DATE
    props.revision = 1
    props.title = next((b.text for b in src.blocks if b.kind in ("title", "heading")), "")
    props.title = accepted_text(props.title)

    buf = io.BytesIO()
    doc.save(buf)
    _write_fixed_zip(buf.getvalue(), out)


def _write_fixed_zip(data: bytes, out: Path) -> None:
    """Re-pack with fixed member timestamps so the same source gives identical bytes."""
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zout.writestr(info, zin.read(name))


class _AutoNumbering:
    """One multilevel list in numbering.xml; restart() adds a w:num with start overrides."""

    ABSTRACT_ID = 90
    LEVELS = [("decimal", "%1."), ("decimal", "%1.%2"), ("decimal", "%1.%2.%3"), ("lowerLetter", "(%4)")]

    def __init__(self, doc) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        self._el, self._qn = OxmlElement, qn
        self._numbering = doc.part.numbering_part.element
        abstract = OxmlElement("w:abstractNum")
        abstract.set(qn("w:abstractNumId"), str(self.ABSTRACT_ID))
        mlt = OxmlElement("w:multiLevelType")
        mlt.set(qn("w:val"), "multilevel")
        abstract.append(mlt)
        for ilvl, (fmt, text) in enumerate(self.LEVELS):
            lvl = OxmlElement("w:lvl")
            lvl.set(qn("w:ilvl"), str(ilvl))
            for tag, val in (("w:start", "1"), ("w:numFmt", fmt), ("w:lvlText", text), ("w:lvlJc", "left")):
                e = OxmlElement(tag)
                e.set(qn("w:val"), val)
                lvl.append(e)
            ppr = OxmlElement("w:pPr")
            ind = OxmlElement("w:ind")
            ind.set(qn("w:left"), str(720 * (ilvl + 1)))
            ind.set(qn("w:hanging"), "720")
            ppr.append(ind)
            lvl.append(ppr)
            abstract.append(lvl)
        # schema order: every abstractNum precedes every num
        first_num = self._numbering.find(qn("w:num"))
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            self._numbering.append(abstract)
        existing = [int(n.get(qn("w:numId"))) for n in self._numbering.findall(qn("w:num"))]
        self._next_id = max(existing, default=0) + 1
        self.num_id = self._new_num(override=False)

    def _new_num(self, override: bool) -> int:
        el, qn = self._el, self._qn
        num = el("w:num")
        num_id = self._next_id
        self._next_id += 1
        num.set(qn("w:numId"), str(num_id))
        ref = el("w:abstractNumId")
        ref.set(qn("w:val"), str(self.ABSTRACT_ID))
        num.append(ref)
        if override:
            for ilvl in range(len(self.LEVELS)):
                lo = el("w:lvlOverride")
                lo.set(qn("w:ilvl"), str(ilvl))
                so = el("w:startOverride")
                so.set(qn("w:val"), "1")
                lo.append(so)
                num.append(lo)
        self._numbering.append(num)
        return num_id

    def restart(self) -> None:
        self.num_id = self._new_num(override=True)

    def apply(self, paragraph, level: int) -> None:
        el, qn = self._el, self._qn
        ppr = paragraph._p.get_or_add_pPr()
        num_pr = el("w:numPr")
        ilvl = el("w:ilvl")
        ilvl.set(qn("w:val"), str(level))
        num_id = el("w:numId")
        num_id.set(qn("w:val"), str(self.num_id))
        num_pr.append(ilvl)
        num_pr.append(num_id)
        # numPr must follow pStyle/keepNext etc.; after pStyle is valid in practice
        style = ppr.find(qn("w:pStyle"))
        if style is not None:
            style.addnext(num_pr)
        else:
            ppr.insert(0, num_pr)


# ---------------------------------------------------------------- pdf


def _xml_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _markup(text: str) -> str:
    """reportlab paragraph markup; deleted text dropped, inserted text shown."""
    parts = []
    for r in runs(text):
        if r.change == "del":
            continue
        s = _xml_escape(r.text)
        if r.bold:
            s = f"<b>{s}</b>"
        if r.italic:
            s = f"<i>{s}</i>"
        parts.append(s)
    return "".join(parts)


def _register_vera() -> None:
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    faces = [("Vera", "Vera.ttf", 0, 0), ("Vera-Bold", "VeraBd.ttf", 1, 0),
             ("Vera-Italic", "VeraIt.ttf", 0, 1), ("Vera-BoldItalic", "VeraBI.ttf", 1, 1)]
    for name, filename, bold, italic in faces:
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, filename))
        addMapping("Vera", bold, italic, name)


def _pdf(src: Source, out: Path) -> None:
    from reportlab import rl_config
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    rl_config.invariant = 1
    _register_vera()
    sample = getSampleStyleSheet()
    # Vera (shipped with reportlab) is embedded with a ToUnicode map, so bullets, dashes and
    # curly quotes extract as text; the standard Helvetica encoding loses the bullet glyph.
    body = ParagraphStyle("body", parent=sample["BodyText"], fontName="Vera", bulletFontName="Vera")
    styles = {"Title": ParagraphStyle("title", parent=sample["Title"], fontName="Vera-Bold")}
    for n in range(1, 7):
        styles[f"Heading{n}"] = ParagraphStyle(f"h{n}", parent=sample[f"Heading{n}"], fontName="Vera-Bold")
    cell = ParagraphStyle("cell", parent=body, fontSize=9, leading=11)
    flow: list = []
    for b in src.blocks:
        if b.kind == "title":
            flow.append(Paragraph(_markup(b.text), styles["Title"]))
        elif b.kind == "heading":
            flow.append(Paragraph(_markup(b.text), styles[f"Heading{min(b.level, 6)}"]))
        elif b.kind == "para":
            flow.append(Paragraph(_markup(b.text), body))
        elif b.kind == "bullet":
            style = ParagraphStyle(f"b{b.level}", parent=body, leftIndent=12 + 14 * b.level, bulletIndent=2 + 14 * b.level)
            flow.append(Paragraph(_markup(b.text), style, bulletText="\u2022"))
        elif b.kind == "number":
            m = _NUMBER.match(b.text)
            style = ParagraphStyle("num", parent=body, leftIndent=18, bulletIndent=2)
            flow.append(Paragraph(_markup(m.group(2)), style, bulletText=f"{m.group(1)}."))
        elif b.kind == "table":
            data = [
                [Paragraph(f"<b>{_markup(c)}</b>" if ri == 0 and c else _markup(c), cell) for c in row]
                for ri, row in enumerate(b.rows)
            ]
            table = Table(data, repeatRows=1, colWidths=[(A4[0] - 40 * mm) / len(b.rows[0])] * len(b.rows[0]))
            table.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDDDDD")),
                    ]
                )
            )
            flow += [table, Spacer(1, 6)]
        elif b.kind == "pagebreak":
            flow.append(PageBreak())

    def furniture(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Vera", 8)
        if src.header:
            canvas.drawString(20 * mm, A4[1] - 12 * mm, src.header)
        if src.footer:
            canvas.drawString(20 * mm, 10 * mm, src.footer)
        canvas.drawRightString(A4[0] - 20 * mm, 10 * mm, f"Page {doc.page}")
        canvas.restoreState()

    title = next((accepted_text(b.text) for b in src.blocks if b.kind in ("title", "heading")), "")
    template = SimpleDocTemplate(
        str(out), pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm, bottomMargin=20 * mm,
        title=title, author=AUTHOR, creator="corpora/render.py", invariant=1,
    )
    template.build(flow, onFirstPage=furniture, onLaterPages=furniture)


# ---------------------------------------------------------------- entry points


def render(src: Path, out: Path, auto_number: bool = False) -> None:
    """Render the Markdown-subset file src to out (.docx or .pdf, chosen by suffix)."""
    src, out = Path(src), Path(out)
    parsed = parse(src.read_text(encoding="utf-8"))
    suffix = out.suffix.lower()
    if suffix == ".docx":
        _docx(parsed, out, auto_number)
    elif suffix == ".pdf":
        _pdf(parsed, out)
    else:
        raise SystemExit(f"render.py: unsupported output type {suffix!r} (use .docx or .pdf)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("src", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--auto-number", action="store_true", help="Word automatic clause numbering (contracts)")
    args = parser.parse_args(argv)
    render(args.src, args.out, args.auto_number)
    return 0


if __name__ == "__main__":
    sys.exit(main())
