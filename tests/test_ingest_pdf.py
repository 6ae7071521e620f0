"""PDF ingestion: pages, headings, lists, ruled tables, running headers/footers, refusals."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rmplint.errors import DocumentError
from rmplint.ingest import load
from rmplint.ingest.common import Limits
from rmplint.ingest.pdf import read

PDF = Path(__file__).resolve().parent.parent / "fixtures" / "pdf"
LIMITS = Limits()


@pytest.fixture(scope="module")
def plan():
    return read(PDF / "rmp_multipage.pdf", LIMITS)


def _block(doc, start):
    (block,) = [b for b in doc.blocks if b.text.startswith(start)]
    return block


def _refusal(path: Path, limits: Limits = LIMITS) -> DocumentError:
    with pytest.raises(DocumentError) as info:
        read(path, limits)
    return info.value


def _canvas_pdf(path: Path, pages: list[list[tuple[float, str]]], **kwargs) -> Path:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), invariant=1, **kwargs)
    for lines in pages:
        for y, text in lines:
            c.drawString(72, y, text)
        c.showPage()
    c.save()
    return path


def test_page_count_and_format(plan):
    assert (plan.format, plan.page_count, plan.warnings) == ("pdf", 4, ())


@pytest.mark.parametrize(
    ("start", "page"),
    [
        ("This plan sets out how Northwind Utilities", 1),
        ("The joint management team meets monthly", 2),
        ("Escalation follows the issue resolution process", 2),
        ("Either partner may trigger the exit strategy", 3),
        ("The partners measure the relationship", 4),
    ],
)
def test_sentences_carry_their_page(plan, start, page):
    assert _block(plan, start).location.page == page


def test_wrapped_lines_join_into_one_paragraph(plan):
    block = _block(plan, "This plan sets out")
    assert block.kind == "paragraph"
    assert block.text == (
        "This plan sets out how Northwind Utilities and Contoso Engineering will work together "
        "for the five years of the framework. The partners will share a single joint risk register."
    )


def test_numbered_and_caps_headings(plan):
    headings = [(b.text, b.level, b.location.page) for b in plan.blocks if b.kind == "heading"]
    assert headings == [
        ("7 Working together", 1, 1),
        ("7.1 Joint objectives", 2, 1),
        ("7.2 Governance", 2, 2),
        ("7.3 Exit strategy", 2, 3),
        ("RISK MANAGEMENT", 1, 3),
        ("8 Continual improvement", 1, 4),
    ]


def test_heading_path_and_clause_ref(plan):
    loc = _block(plan, "The joint management team").location
    assert loc.heading_path == ("7 Working together", "7.2 Governance")
    assert loc.clause_ref == "7.2"


def test_bullets_are_list_items(plan):
    items = [b.text for b in plan.blocks if b.kind == "list_item"]
    assert items == [
        "Reduce unplanned outages by ten percent.",
        "Agree a shared value register by the end of March.",
        "Publish the joint lessons learned log each quarter.",
    ]


def test_line_end_hyphen_is_joined(plan):
    block = _block(plan, "The partners commit")
    assert block.text == "The partners commit to long-term collaborative behaviours across all workstreams."


def test_table_cells_have_row_and_col(plan):
    cells = {(b.location.row, b.location.col): b.text for b in plan.blocks if b.kind == "table_cell"}
    assert cells == {
        (1, 1): "Risk", (1, 2): "Owner", (1, 3): "Mitigation",
        (2, 1): "Loss of key staff", (2, 2): "Contoso", (2, 3): "Succession plan for each role",
        (3, 1): "Data breach", (3, 2): "Northwind", (3, 3): "Joint security audit",
        (4, 1): "Budget overrun", (4, 2): "Joint board", (4, 3): "Monthly cost review",
    }  # fmt: skip
    cell = _block(plan, "Joint security audit").location
    assert (cell.page, cell.table, cell.clause_ref) == (2, 1, "7.2")


def test_table_record_has_header(plan):
    (table,) = plan.tables
    assert (table.index, table.rows, table.cols) == (1, 4, 3)
    assert table.header == ("Risk", "Owner", "Mitigation")
    assert table.location.page == 2


def test_table_text_is_not_also_prose(plan):
    prose = " ".join(b.text for b in plan.blocks if b.kind != "table_cell")
    for text in ("Loss of key staff", "Succession plan", "Joint security audit", "Mitigation"):
        assert text not in prose


def test_table_sits_between_the_paragraphs_around_it(plan):
    kinds = [b.kind for b in plan.blocks]
    before = plan.blocks.index(_block(plan, "The joint management team"))
    after = plan.blocks.index(_block(plan, "Escalation follows"))
    assert kinds[before + 1 : after] == ["table_cell"] * 12
    assert [b.location.paragraph for b in plan.blocks] == list(range(1, len(plan.blocks) + 1))


def test_running_header_and_footer_are_furniture(plan):
    furniture = [(b.location.part, b.text, b.location.page) for b in plan.furniture]
    assert furniture == [
        ("header", "Northwind Alliance RMP v1.2", 1),
        ("footer", "Page 1 of 4", 1),
    ]
    assert "Northwind Alliance RMP" not in plan.text
    assert "of 4" not in plan.text


def test_bare_and_dashed_page_numbers_are_footers(tmp_path):
    p = _canvas_pdf(
        tmp_path / "numbers.pdf",
        [[(700, "First page text."), (40, "- 1 -")], [(700, "Second page text."), (40, "- 2 -")]],
    )
    doc = read(p, LIMITS)
    assert [b.text for b in doc.blocks] == ["First page text.", "Second page text."]
    assert [(b.location.part, b.text) for b in doc.furniture] == [("footer", "- 1 -")]
    single = read(_canvas_pdf(tmp_path / "one.pdf", [[(700, "Only page."), (40, "7")]]), LIMITS)
    assert [b.text for b in single.blocks] == ["Only page."]
    assert [(b.location.part, b.text) for b in single.furniture] == [("footer", "7")]


def test_body_line_differing_only_in_numbers_stays_in_body(tmp_path):
    def page(n: int) -> list[tuple[float, str]]:
        words = ["First", "Second", "Third", "Fourth"] if n == 1 else ["Fifth", "Sixth", "Seventh", "Eighth"]
        body = [(670 - 40 * i, f"{word} paragraph of the plan.") for i, word in enumerate(words)]
        return [(820, "Northwind Alliance RMP v1.2"), (700, f"Section {n} overview"), *body]

    doc = read(_canvas_pdf(tmp_path / "sections.pdf", [page(1), page(2)]), LIMITS)
    assert [b.text for b in doc.blocks if "overview" in b.text] == ["Section 1 overview", "Section 2 overview"]
    assert [b.text for b in doc.furniture] == ["Northwind Alliance RMP v1.2"]


def test_unfinished_paragraph_runs_on_to_the_next_page(tmp_path):
    first = "2.2 Vendor shall prepare and deliver a transition plan covering all of the"
    pages = [[(700, "Opening line of the page."), (688, first)], [(700, "Services, including contacts.")]]
    doc = read(_canvas_pdf(tmp_path / "runon.pdf", pages), LIMITS)
    assert [(b.text, b.location.page) for b in doc.blocks] == [
        ("Opening line of the page.", 1),
        (first + " Services, including contacts.", 1),
    ]


def test_table_drawn_as_cell_rectangles_is_found(tmp_path):
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(tmp_path / "cells.pdf"), invariant=1)
    c.drawString(72, 760, "The register below lists the owners.")
    rows = [["Risk", "Owner"], ["Supply delay", "Contoso"], ["Scope creep", "Joint board"]]
    for r, row in enumerate(rows):
        for col, text in enumerate(row):
            x, y = 72 + 150 * col, 700 - 20 * r
            c.rect(x, y, 150, 20)
            c.drawString(x + 4, y + 6, text)
    c.showPage()
    c.save()
    doc = read(tmp_path / "cells.pdf", LIMITS)
    assert doc.tables[0].header == ("Risk", "Owner")
    cell = _block(doc, "Scope creep").location
    assert (cell.table, cell.row, cell.col) == (1, 3, 1)
    assert [b.kind for b in doc.blocks] == ["paragraph"] + ["table_cell"] * 6


def test_scan_with_a_stamped_footer_still_warns(tmp_path):
    import io

    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    Image.new("L", (50, 50), 128).save(buf, format="PNG")
    c = canvas.Canvas(str(tmp_path / "stamped.pdf"), invariant=1)
    for n in (1, 2, 3):
        if n == 2:
            buf.seek(0)
            c.drawImage(ImageReader(buf), 72, 400, 300, 300)
        else:
            c.drawString(72, 700, f"Typed text on page {n}.")
        c.drawString(280, 30, f"Page {n} of 3")
        c.showPage()
    c.save()
    doc = read(tmp_path / "stamped.pdf", LIMITS)
    assert doc.warnings == ("no text layer on page 2 (scanned?)",)
    assert [b.location.page for b in doc.blocks] == [1, 3]


def test_scanned_pdf_has_no_text():
    err = _refusal(PDF / "scanned.pdf")
    assert (err.kind, err.reason) == ("no-text", "no text layer (scanned?)")


def test_mixed_pdf_warns_about_page_two():
    doc = read(PDF / "mixed.pdf", LIMITS)
    assert doc.warnings == ("no text layer on page 2 (scanned?)",)
    assert [(b.text, b.location.page) for b in doc.blocks] == [
        ("1 Introduction", 1),
        ("This first page has a real text layer.", 1),
        ("2 Governance", 3),
        ("The third page has text again.", 3),
    ]


def test_encrypted_pdf(tmp_path):
    p = _canvas_pdf(tmp_path / "locked.pdf", [[(700, "Hidden text.")]], encrypt="secret")
    err = _refusal(p)
    assert (err.kind, err.reason) == ("encrypted", "encrypted PDF (password required)")


def test_corrupt_pdf(tmp_path):
    p = tmp_path / "broken.pdf"
    p.write_bytes(b"%PDF-1.7\n1 0 obj garbage \x00\x01 endobj trailer <<>>\n%%EOF")
    assert _refusal(p).kind == "corrupt"


def test_broken_xref_is_repaired(tmp_path):
    data = (PDF / "rmp_multipage.pdf").read_bytes()
    cut = data.rindex(b"startxref")
    p = tmp_path / "badxref.pdf"
    p.write_bytes(data[:cut].replace(b"0000000", b"0000009") + b"startxref\n999999\n%%EOF\n")
    doc = read(p, LIMITS)
    assert doc.page_count == 4
    assert _block(doc, "Either partner may trigger").location.page == 3


def test_too_many_pages():
    err = _refusal(PDF / "rmp_multipage.pdf", Limits(max_pages=3))
    assert (err.kind, err.reason) == ("too-large", "too many pages (4 > 3)")


def test_pdf_named_docx_loads_as_pdf(tmp_path):
    renamed = tmp_path / "plan.docx"
    shutil.copy(PDF / "mixed.pdf", renamed)
    doc = load(renamed)
    assert (doc.format, doc.page_count) == ("pdf", 3)
