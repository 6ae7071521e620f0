"""Small builders shared by tests: real .docx files (with tracked changes) written with python-docx."""

from __future__ import annotations

from pathlib import Path

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _run(text: str, deleted: bool = False):  # type: ignore[no-untyped-def]
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    r = OxmlElement("w:r")
    t = OxmlElement("w:delText" if deleted else "w:t")
    t.set(qn("xml:space"), "preserve")
    t.text = text
    r.append(t)
    return r


def tracked_paragraph(doc, parts: list[tuple[str, str]]) -> None:  # type: ignore[no-untyped-def]
    """Append a paragraph made of ("plain"|"ins"|"del", text) parts as real tracked changes."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    p = doc.add_paragraph()._p
    for i, (kind, text) in enumerate(parts):
        if kind == "plain":
            p.append(_run(text))
            continue
        wrap = OxmlElement("w:ins" if kind == "ins" else "w:del")
        wrap.set(qn("w:id"), str(100 + i))
        wrap.set(qn("w:author"), "Reviewer")
        wrap.set(qn("w:date"), "2024-01-01T00:00:00Z")
        wrap.append(_run(text, deleted=(kind == "del")))
        p.append(wrap)


def make_docx(path: Path, body: list[tuple[str, object]]) -> Path:
    """Write a .docx from ("h1"|"h2"|"p"|"bullet"|"table"|"tracked", content) items."""
    import docx

    d = docx.Document()
    for kind, content in body:
        if kind in ("h1", "h2", "h3"):
            d.add_heading(str(content), level=int(kind[1]))
        elif kind == "p":
            d.add_paragraph(str(content))
        elif kind == "bullet":
            d.add_paragraph(str(content), style="List Bullet")
        elif kind == "table":
            rows = content  # type: ignore[assignment]
            t = d.add_table(rows=len(rows), cols=len(rows[0]))  # type: ignore[arg-type]
            t.style = "Table Grid"
            for r, row in enumerate(rows):  # type: ignore[arg-type]
                for c, val in enumerate(row):
                    t.cell(r, c).text = val
        elif kind == "tracked":
            tracked_paragraph(d, content)  # type: ignore[arg-type]
        else:  # pragma: no cover
            raise ValueError(kind)
    d.core_properties.author = "rmplint tests"
    d.save(str(path))
    return path


__all__ = ["make_docx", "tracked_paragraph"]
