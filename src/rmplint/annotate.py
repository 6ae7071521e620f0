"""Write a copy of a Word document with a real Word comment on every passage the check flagged.

Paragraphs are found by Location.paragraph, counted exactly as the .docx reader counts them; the
comment is anchored on the quoted sentence inside the paragraph where it can be found there.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

from rmplint.findings import ClauseVerdict, DocumentResult, Finding, Waiver
from rmplint.model import Location

AUTHOR, INITIALS = "rmplint", "RL"
NEARBY = 5  # a quote is looked for in its paragraph and the next few of the same container


@dataclass(frozen=True)
class Note:
    """One comment to write: where (None: the document start), the text to anchor on, the words."""

    location: Location | None
    quote: str | None
    text: str


def notes(result: DocumentResult, collaborative: bool = False) -> list[Note]:
    """Every flagged passage of a result: each evidence quote of a partial clause, each
    adversarial or hygiene finding (collaborative ones on request), and one note at the
    document start for the missing clauses (and partial ones without a quote)."""
    out: list[Note] = []
    unplaced: list[ClauseVerdict] = []
    for c in result.clauses:
        if c.status == "missing" or (c.status == "partial" and not c.evidence):
            unplaced.append(c)
        elif c.status == "partial":
            for e in c.evidence:
                out.append(_note(e.location, e.text, _clause_text(c)))
    for f in result.findings:
        if f.category != "collaborative" or collaborative:
            out.append(_note(f.location, f.text, _finding_text(f)))
    if unplaced:
        lines = [f"rmplint: {len(unplaced)} clause(s) not evidenced in this document"]
        lines += [f"{c.clause} {c.title}: {c.status}. {c.reason}{_waiver_text(c.waiver)}" for c in unplaced]
        out.insert(0, Note(None, None, "\n".join(lines)))
    return out


def _note(location: Location, quote: str, text: str) -> Note:
    if location.part != "body":  # headers, footers and notes: commented at the document start
        text = f"In the {location.part}: “{quote}”\n{text}"
    return Note(location, quote, text)


def _clause_text(c: ClauseVerdict) -> str:
    return f"BS 11000 {c.clause} {c.title}: {c.status} ({c.severity})\n{c.reason}{_waiver_text(c.waiver)}"


def _finding_text(f: Finding) -> str:
    what = f.term or f.clause or f.rule
    lines = [f"{what}: {f.category} ({f.severity})", f.message]
    if f.alternative:
        lines.append(f"Collaborative alternative: {f.alternative}")
    return "\n".join(lines) + _waiver_text(f.waiver)


def _waiver_text(w: Waiver | None) -> str:
    if w is None:
        return ""
    state = "EXPIRED waiver" if w.expired else "Waived"
    return f"\n{state} (until {w.expires}, approved by {w.approver}): {w.justification}"


# ---------------------------------------------------------------------------- writing

def annotate(source: Path, target: Path, result: DocumentResult, when: datetime, collaborative: bool = False) -> int:
    """Write `target`, a copy of `source` with one comment per note; returns how many."""
    import docx

    document = docx.Document(str(source))
    paragraphs = body_paragraphs(document.element.body)
    todo = notes(result, collaborative)
    for note in todo:
        start, end = _anchor(paragraphs, note)
        comment = document.comments.add_comment(text=note.text, author=AUTHOR, initials=INITIALS)
        comment._comment_elm.date = when  # fixed, so that the same input gives the same output
        _mark(start, end, comment.comment_id)
    document.save(str(target))
    return len(todo)


def body_paragraphs(body: Any) -> list[Any]:
    """Body w:p elements in the reader's order (ingest/docx.py): reading order, table cells
    walked row by row (tracked-deleted rows skipped), text boxes after their paragraph."""
    from rmplint.ingest.docx import P, TBL, TC, TR, TRPR, _children, _read_inline, _w

    out: list[Any] = []

    def walk(container: Any) -> None:
        for el in _children(container, {P, TBL}):
            if el.tag == P:
                out.append(el)
                for box in _read_inline(el, None).boxes:
                    walk(box)
                continue
            for tr in _children(el, {TR}):
                trpr = tr.find(TRPR)
                if trpr is not None and trpr.find(_w("del")) is not None:
                    continue
                for tc in _children(tr, {TC}):
                    walk(tc)

    walk(body)
    return out


def _anchor(paragraphs: list[Any], note: Note) -> tuple[Any, Any]:
    """(first element, last element) the comment range covers."""
    loc = note.location
    if loc is not None and loc.part == "body" and loc.paragraph and 0 < loc.paragraph <= len(paragraphs):
        first = paragraphs[loc.paragraph - 1]
        for p in _nearby(paragraphs, loc.paragraph - 1):
            span = _find(p, note.quote or "")
            if span is not None:
                return _split_for(p, *span)
        return _whole(first)
    # The document start: the first paragraph with text (a new run is added to an empty one).
    start = next((p for p in paragraphs if _text(p).strip()), paragraphs[0] if paragraphs else None)
    if start is None:
        raise ValueError("the document body has no paragraph")
    return _whole(start)


def _nearby(paragraphs: list[Any], i: int) -> Iterable[Any]:
    parent = paragraphs[i].getparent()
    for p in paragraphs[i : i + NEARBY]:
        if p.getparent() is parent:
            yield p


def _segments(p: Any) -> list[tuple[Any, int, int, str, bool]]:
    """(element, start, end, text, splittable) for each direct child of the paragraph that holds
    text: runs (splittable when they hold one w:t) and wrappers such as hyperlinks or insertions."""
    from docx.oxml.ns import qn

    out = []
    pos = 0
    for child in p:
        if not isinstance(child.tag, str) or child.tag == qn("w:pPr"):
            continue
        if child.tag == qn("w:r"):
            text = child.text or ""
            simple = [c for c in child if c.tag != qn("w:rPr")]
            splittable = len(simple) == 1 and simple[0].tag == qn("w:t")
        elif child.tag == qn("w:del"):
            continue
        else:
            text = "".join(r.text or "" for r in child.iter(qn("w:r")))
            splittable = False
        if text or child.tag == qn("w:r"):
            out.append((child, pos, pos + len(text), text, splittable))
        pos += len(text)
    return out


def _text(p: Any) -> str:
    return "".join(s[3] for s in _segments(p))


def _find(p: Any, quote: str) -> tuple[int, int] | None:
    """Raw character span of the quote in the paragraph's text, whitespace-insensitive."""
    raw = _text(p)
    norm: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(raw):
        if ch.isspace():
            if norm and norm[-1] != " ":
                norm.append(" ")
                where.append(i)
            continue
        norm.append(ch)
        where.append(i)
    wanted = " ".join(quote.split())
    if not wanted:
        return None
    idx = "".join(norm).find(wanted)
    if idx < 0:
        return None
    return where[idx], where[idx + len(wanted) - 1] + 1


def _split_for(p: Any, start: int, end: int) -> tuple[Any, Any]:
    """First and last elements covering [start, end), splitting single-text runs at the edges."""
    first = _at(p, start, end_edge=False)
    last = _at(p, end, end_edge=True)
    return first, last


def _at(p: Any, offset: int, end_edge: bool) -> Any:
    for el, s, e, text, splittable in _segments(p):
        inside = s < offset <= e if end_edge else s <= offset < e
        if not inside:
            continue
        cut = offset - s
        if not splittable or cut in (0, len(text)):
            return el
        right = _split_run(el, cut)
        return el if end_edge else right
    raise ValueError("offset outside the paragraph")


def _split_run(r: Any, cut: int) -> Any:
    """Split a run holding one w:t at `cut`; the left half stays `r`, the right half is returned."""
    from docx.oxml.ns import qn

    right = copy.deepcopy(r)
    t_left, t_right = r.find(qn("w:t")), right.find(qn("w:t"))
    text = t_left.text or ""
    t_left.text, t_right.text = text[:cut], text[cut:]
    for t in (t_left, t_right):
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    r.addnext(right)
    return right


def _whole(p: Any) -> tuple[Any, Any]:
    segments = _segments(p)
    if not segments:
        import docx.oxml

        p.append(docx.oxml.OxmlElement("w:r"))
        segments = _segments(p)
    return segments[0][0], segments[-1][0]


def _mark(first: Any, last: Any, comment_id: int) -> None:
    """w:commentRangeStart before `first`, w:commentRangeEnd and the reference run after `last`."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    first.addprevious(OxmlElement("w:commentRangeStart", attrs={qn("w:id"): str(comment_id)}))
    reference = OxmlElement("w:r")
    reference.get_or_add_rPr().style = "CommentReference"
    reference.append(OxmlElement("w:commentReference", attrs={qn("w:id"): str(comment_id)}))
    last.addnext(reference)
    last.addnext(OxmlElement("w:commentRangeEnd", attrs={qn("w:id"): str(comment_id)}))
