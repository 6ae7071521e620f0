"""Text and Markdown ingestion: decoding, headings, lists, pipe tables, pages, limits."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from rmplint.errors import DocumentError
from rmplint.ingest import load
from rmplint.ingest.common import Limits
from rmplint.ingest.text import decode, read

TEXT = Path(__file__).resolve().parent.parent / "fixtures" / "text"
LIMITS = Limits()
BUDGET = "Budget: \u00a3250,000 for the caf\u00e9 refit \u2013 \u201cagreed\u201d by both partners."


def _write(tmp_path: Path, content: str | bytes, name: str = "plan.txt") -> Path:
    p = tmp_path / name
    p.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return p


@pytest.mark.parametrize("name", ["utf16le.txt", "utf16be_nobom.txt", "cp1252.txt"])
def test_each_encoding_decodes_exact_characters(name):
    doc = read(TEXT / name, LIMITS, markdown=False)
    assert doc.blocks[-1].text == BUDGET
    assert "\u00a3" in doc.text and "\u00e9" in doc.text and "\u2013" in doc.text
    assert doc.warnings == ()


def test_plain_text_headings_and_wrapped_paragraph():
    doc = read(TEXT / "cp1252.txt", LIMITS, markdown=False)
    kinds = [(b.kind, b.level, b.text) for b in doc.blocks]
    assert kinds[:3] == [
        ("heading", 1, "RELATIONSHIP MANAGEMENT PLAN"),
        ("heading", 2, "7.2 Governance"),
        ("paragraph", 0, "The joint board meets monthly and reviews the risk register."),
    ]
    para = doc.blocks[2].location
    assert para.heading_path == ("RELATIONSHIP MANAGEMENT PLAN", "7.2 Governance")
    assert para.clause_ref == "7.2"
    assert para.paragraph == 3
    assert para.page is None


def test_utf8_bom_is_stripped():
    doc = read(TEXT / "plan_utf8bom.md", LIMITS, markdown=True)
    assert doc.blocks[0].text == "Relationship Management Plan"
    assert doc.format == "markdown"


def test_invalid_utf8_bytes_are_replaced_and_counted(tmp_path):
    p = _write(tmp_path, "caf\u00e9 na\u00efve \u00a3".encode() + b" bad \xff\xfe here")
    doc = read(p, LIMITS, markdown=False)
    assert doc.blocks[0].text == "caf\u00e9 na\u00efve \u00a3 bad \ufffd\ufffd here"
    assert doc.warnings == ("2 invalid byte sequences replaced",)


def test_latin1_when_not_cp1252():
    # 0x81 is undefined in cp1252, so only latin-1 can read these bytes.
    assert decode(b"caf\xe9 \x81") == ("caf\u00e9 \x81", 0)


def test_utf16_with_odd_trailing_byte_reports_replacement():
    text, bad = decode(b"\xff\xfe" + "Plan".encode("utf-16-le") + b"A")
    assert (text, bad) == ("Plan\ufffd", 1)


def test_markdown_headings_levels_and_paths():
    doc = read(TEXT / "plan_utf8bom.md", LIMITS, markdown=True)
    headings = [(b.level, b.text) for b in doc.blocks if b.kind == "heading"]
    assert headings == [
        (1, "Relationship Management Plan"),
        (2, "7 Working together"),
        (3, "7.2 Governance"),
        (2, "Exit strategy"),  # setext, underlined with dashes
    ]
    exit_para = doc.blocks[-1]
    assert exit_para.text == "Either partner may exit with six months notice."
    assert exit_para.location.heading_path == ("Relationship Management Plan", "Exit strategy")


def test_markdown_inline_markup_is_removed():
    doc = read(TEXT / "plan_utf8bom.md", LIMITS, markdown=True)
    assert doc.blocks[2].text == "The partners work jointly on the shared plan."
    assert doc.blocks[2].location.clause_ref == "7"


def test_nested_list_levels():
    doc = read(TEXT / "plan_utf8bom.md", LIMITS, markdown=True)
    items = [(b.level, b.text) for b in doc.blocks if b.kind == "list_item"]
    assert items == [
        (0, "Joint board"),
        (1, "Meets monthly"),
        (2, "Chaired by the senior executive"),
        (0, "Decision log"),
        (0, "Agree objectives"),
        (0, "Review risks"),
    ]
    assert doc.blocks[4].location.heading_path[-1] == "7.2 Governance"


def test_pipe_table_cells_and_record():
    doc = read(TEXT / "plan_utf8bom.md", LIMITS, markdown=True)
    cells = {(b.location.row, b.location.col): b.text for b in doc.blocks if b.kind == "table_cell"}
    assert cells[(1, 1)] == "Risk"
    assert cells[(1, 3)] == "Mitigation"
    assert cells[(2, 2)] == "Contoso"
    assert cells[(3, 3)] == "Joint security audit"
    assert len(cells) == 9  # the |---| separator is not a row
    (table,) = doc.tables
    assert (table.index, table.rows, table.cols, table.header) == (1, 3, 3, ("Risk", "Owner", "Mitigation"))
    assert table.location.clause_ref == "7.2"
    assert all(b.location.table == 1 for b in doc.blocks if b.kind == "table_cell")


def test_list_markers_letters_cite_sub_paragraphs(tmp_path):
    p = _write(tmp_path, "18.2 Audit\n\na) The Supplier keeps records.\n  b) Nested item.\n+ plus item\n")
    doc = read(p, LIMITS, markdown=False)
    items = [(b.kind, b.level, b.text, b.location.clause_ref) for b in doc.blocks[1:]]
    assert items == [
        ("list_item", 0, "The Supplier keeps records.", "18.2(a)"),
        ("list_item", 1, "Nested item.", "18.2(b)"),
        ("list_item", 0, "plus item", "18.2"),
    ]


def test_short_caps_and_numbered_lines_are_headings_only_at_block_start(tmp_path):
    p = _write(tmp_path, "The fee is paid within\n30 Days of the invoice\n\nGOVERNANCE\nThe board meets.\n")
    doc = read(p, LIMITS, markdown=False)
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("paragraph", "The fee is paid within 30 Days of the invoice"),
        ("heading", "GOVERNANCE"),
        ("paragraph", "The board meets."),
    ]


def test_form_feeds_make_pages(tmp_path):
    p = _write(tmp_path, "1 Scope\n\nPage one text.\n\f2 Governance\n\nPage two text.\n\f")
    doc = read(p, LIMITS, markdown=False)
    assert [(b.text, b.location.page) for b in doc.blocks] == [
        ("1 Scope", 1),
        ("Page one text.", 1),
        ("2 Governance", 2),
        ("Page two text.", 2),
    ]
    assert doc.page_count == 2


def test_crlf_and_cr_line_ends(tmp_path):
    p = _write(tmp_path, "First line\r\nwrapped\r\rSecond para\r")
    doc = read(p, LIMITS, markdown=False)
    assert [b.text for b in doc.blocks] == ["First line wrapped", "Second para"]


def test_too_many_characters(tmp_path):
    p = _write(tmp_path, "word " * 100)
    with pytest.raises(DocumentError) as info:
        read(p, Limits(max_chars=100), markdown=False)
    assert info.value.kind == "too-large"


def test_whitespace_only_is_empty(tmp_path):
    with pytest.raises(DocumentError) as info:
        read(_write(tmp_path, " \n\n\t\n"), LIMITS, markdown=False)
    assert info.value.kind == "empty"


@pytest.mark.parametrize(("name", "markdown"), [("big.txt", False), ("big.md", True)])
def test_sixty_megabytes_on_one_line_is_linear(tmp_path, name, markdown):
    line = "# The partners share one joint risk register | and review it [see](x). " * 900_000
    p = _write(tmp_path, line + "\n", name=name)
    start = time.perf_counter()
    doc = read(p, LIMITS, markdown=markdown)
    elapsed = time.perf_counter() - start
    assert [b.kind for b in doc.blocks] == ["paragraph"]
    assert len(doc.blocks[0].text) > 55_000_000
    assert elapsed < 20, elapsed


def test_load_dispatches_markdown_by_content(tmp_path):
    p = _write(tmp_path, "## 7.2 Governance\n\n* Board meets monthly\n")
    doc = load(p)
    assert doc.format == "markdown"
    assert [(b.kind, b.level) for b in doc.blocks] == [("heading", 2), ("list_item", 0)]
