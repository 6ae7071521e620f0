"""The .docx ingester: reading order, headings, numbering, tables, tracked changes, furniture,
pages, and refusal of broken or hostile files."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest

from rmplint.errors import DocumentError
from rmplint.ingest import docx, load
from rmplint.ingest.common import Limits
from rmplint.model import Block, Document

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "docx"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


# -- helpers ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rmp() -> Document:
    return load(FIXTURES / "rmp_structure.docx")


@pytest.fixture(scope="module")
def contract() -> Document:
    return docx.read(FIXTURES / "contract_numbering.docx", Limits())


def block(doc: Document, starts: str) -> Block:
    found = [b for b in doc.blocks if b.text.startswith(starts)]
    assert len(found) == 1, f"{starts!r}: {[b.text for b in found]}"
    return found[0]


def all_text(doc: Document) -> str:
    return "\n".join(b.text for b in doc.blocks + doc.furniture)


def make_docx(
    path: Path,
    body: str,
    numbering: str | None = None,
    document_xml: str | None = None,
    parts: dict[str, str] | None = None,
) -> Path:
    """A minimal .docx: the body paragraphs given as w: XML, optional numbering definitions."""
    rels = ['<Relationship Id="rIdNum" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/>'] if numbering else []
    overrides = ['<Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/>'] if numbering else []
    for name in parts or {}:
        kind = name.removeprefix("word/").removesuffix(".xml")
        rels.append(f'<Relationship Id="rId{kind}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}" Target="{kind}.xml"/>')
        overrides.append(f'<Override PartName="/{name}" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}+xml"/>')
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            + "".join(overrides)
            + "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
            "</Relationships>"
        ),
        "word/_rels/document.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(rels)
            + "</Relationships>"
        ),
        "word/document.xml": document_xml
        or (
            f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}" '
            'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
            'xmlns:v="urn:schemas-microsoft-com:vml">'
            f"<w:body>{body}</w:body></w:document>"
        ),
        **(parts or {}),
    }
    if numbering:
        files["word/numbering.xml"] = f'<w:numbering xmlns:w="{W_NS}">{numbering}</w:numbering>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return path


def para(text: str, ppr: str = "") -> str:
    return f'<w:p><w:pPr>{ppr}</w:pPr><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def refused(path: Path, limits: Limits | None = None) -> DocumentError:
    with pytest.raises(DocumentError) as info:
        docx.read(path, limits or Limits())
    return info.value


# -- reading order, headings, lists -----------------------------------------------------------


def test_blocks_follow_document_order(rmp: Document) -> None:
    assert rmp.format == "docx"
    assert [b.text for b in rmp.blocks[:8]] == [
        "Relationship Management Plan",
        "1 Introduction",
        "This plan sets out how Acme Rail and Beacon Signalling will work together.",
        "1.1 Purpose",
        "The purpose of this plan is to align both organisations on shared objectives.",
        "Scope of this plan",
        "The plan covers the signalling upgrade between Northgate and Southend.",
        "2 Working together",
    ]
    assert rmp.blocks[-1].text == "End of plan excerpt."


def test_heading_levels_come_from_style_based_on_chain_and_outline_level(rmp: Document) -> None:
    levels = {b.text: (b.level, b.style) for b in rmp.blocks if b.kind == "heading"}
    assert levels == {
        "Relationship Management Plan": (1, "Title"),
        "1 Introduction": (1, "Heading 1"),
        "1.1 Purpose": (2, "Heading 2"),
        "Scope of this plan": (2, "RMP Subheading"),  # custom style based on Heading 2
        "2 Working together": (1, "Normal"),  # direct w:outlineLvl 0
        "2.1 Governance": (2, "Heading 2"),
        "2.2 Joint risk management": (2, "Heading 2"),
    }


def test_heading_path_and_clause_ref(rmp: Document) -> None:
    scope = block(rmp, "The plan covers").location
    assert scope.heading_path == ("1 Introduction", "Scope of this plan")
    assert scope.clause_ref == "1.1"
    assert block(rmp, "2.1 Governance").location.heading_path == ("2 Working together",)


def test_bullets_are_list_items_with_their_level_and_no_label(rmp: Document) -> None:
    items = [(b.text, b.level, b.location.clause_ref) for b in rmp.blocks if b.kind == "list_item"]
    assert items == [
        ("Deliver the upgrade on time", 0, "2.1"),
        ("Monthly joint programme review", 1, "2.1"),
        ("One shared schedule", 1, "2.1"),
        ("Reduce whole-life cost", 0, "2.1"),
    ]


# -- tables ------------------------------------------------------------------------------------


def test_table_cell_has_row_col_and_heading_path(rmp: Document) -> None:
    owner = block(rmp, "Jane Doe, Relationship Manager")
    assert owner.kind == "table_cell"
    loc = owner.location
    assert (loc.table, loc.row, loc.col) == (1, 2, 2)
    assert loc.heading_path == ("2 Working together", "2.2 Joint risk management")
    assert loc.clause_ref == "2.2"
    assert loc.page == 3


def test_tables_are_recorded_with_shape_and_header(rmp: Document) -> None:
    shapes = [(t.index, t.rows, t.cols, t.header) for t in rmp.tables]
    assert shapes == [
        (1, 3, 3, ("Risk", "Owner", "Mitigation")),
        (2, 2, 2, ("Action", "Due")),
        (3, 3, 3, ("Governance roles", "Notes")),
    ]
    assert rmp.tables[0].location.heading_path == ("2 Working together", "2.2 Joint risk management")


def test_nested_table_has_its_own_ordinal_and_is_not_in_the_outer_cell(rmp: Document) -> None:
    inner = block(rmp, "Quarterly credit check").location
    assert (inner.table, inner.row, inner.col) == (2, 2, 1)
    outer = block(rmp, "Monitor credit reports")
    assert outer.text == "Monitor credit reports"
    assert (outer.location.table, outer.location.row, outer.location.col) == (1, 3, 3)
    # The outer cell comes before the cells of the table nested in it.
    order = [b.text for b in rmp.blocks]
    assert order.index("Monitor credit reports") < order.index("Action")


def test_merged_cells_count_grid_columns_and_skip_continuations(rmp: Document) -> None:
    cells = {(b.location.row, b.location.col): b.text for b in rmp.blocks if b.location.table == 3}
    assert cells == {
        (1, 1): "Governance roles",  # spans two grid columns
        (1, 3): "Notes",
        (2, 1): "Joint Board",  # merged down into row 3, emitted once
        (2, 2): "Chair",
        (2, 3): "Alternates yearly",
        (3, 2): "Members",
        (3, 3): "Four per party",
    }


# -- tracked changes, comments, furniture ---------------------------------------------------


def test_tracked_insertion_is_read_and_deletion_ignored(rmp: Document) -> None:
    assert block(rmp, "The Relationship Manager is").text == (
        "The Relationship Manager is Jane Doe, who reports to the Executive Sponsor."
    )
    assert "John Smith" not in all_text(rmp)


def test_comment_text_is_never_body_text(rmp: Document) -> None:
    with zipfile.ZipFile(FIXTURES / "rmp_structure.docx") as zf:
        assert b"confirm scope with legal" in zf.read("word/comments.xml")  # the fixture has it
    assert "confirm scope with legal" not in all_text(rmp)
    assert block(rmp, "The purpose of this plan").text == (
        "The purpose of this plan is to align both organisations on shared objectives."
    )


def test_headers_footers_and_footnotes_are_furniture_only(rmp: Document) -> None:
    furniture = [(b.location.part, b.text) for b in rmp.furniture]
    assert furniture == [
        ("header", "Acme Rail / Beacon Signalling - Relationship Management Plan"),
        ("footer", "Commercial in confidence"),
        ("footnote", "Based on ISO 44001:2017, clause 8."),
    ]
    body = "\n".join(b.text for b in rmp.blocks)
    for _, text in furniture:
        assert text not in body
    assert all(b.location.part == "body" for b in rmp.blocks)


def test_text_box_paragraphs_are_read_where_they_are_anchored(rmp: Document) -> None:
    texts = [b.text for b in rmp.blocks]
    box = texts.index("Key contact: Priya Raman")
    assert texts[box - 1] == "Contacts are shown in the box."
    assert block(rmp, "Key contact").location.paragraph == 18


# -- locations: paragraphs and pages ------------------------------------------------------------


def test_paragraph_ordinals_count_empty_paragraphs_and_cells(rmp: Document) -> None:
    assert block(rmp, "2 Working together").location.paragraph == 9  # 8 is the page-break paragraph
    assert block(rmp, "Risk").location.paragraph == 21
    assert block(rmp, "Members").location.paragraph == 42  # 41 is the merged-away cell
    assert block(rmp, "End of plan excerpt.").location.paragraph == 44


def test_pages_from_explicit_page_breaks(rmp: Document) -> None:
    assert rmp.page_count == 3
    assert block(rmp, "1 Introduction").location.page == 1
    assert block(rmp, "The plan covers").location.page == 1
    assert block(rmp, "2 Working together").location.page == 2
    assert block(rmp, "Key contact").location.page == 2
    assert block(rmp, "Supplier insolvency").location.page == 3


def test_pages_unknown_when_the_file_records_none(contract: Document) -> None:
    assert contract.page_count is None
    assert {b.location.page for b in contract.blocks} == {None}


def test_rendered_page_breaks_are_not_counted_twice(tmp_path: Path) -> None:
    body = (
        para("One")
        + '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'
        + '<w:p><w:r><w:lastRenderedPageBreak/><w:t>Two</w:t></w:r></w:p>'
        + '<w:p><w:r><w:t xml:space="preserve">Three </w:t></w:r><w:r><w:lastRenderedPageBreak/><w:t>runs on</w:t></w:r></w:p>'
        + para("Four")
    )
    doc = docx.read(make_docx(tmp_path / "r.docx", body), Limits())
    assert [(b.text, b.location.page) for b in doc.blocks] == [
        ("One", 1),
        ("Two", 2),
        ("Three runs on", 2),
        ("Four", 3),
    ]
    assert doc.page_count == 3


@pytest.mark.parametrize(("section_type", "pages"), [("nextPage", [1, 2]), ("continuous", [None, None])])
def test_section_breaks_start_pages_as_the_next_section_says(tmp_path: Path, section_type: str, pages: list) -> None:
    body = para("First section", "<w:sectPr/>") + para("Second section") + f'<w:sectPr><w:type w:val="{section_type}"/></w:sectPr>'
    doc = docx.read(make_docx(tmp_path / "s.docx", body), Limits())
    assert [b.location.page for b in doc.blocks] == pages


# -- automatic numbering ------------------------------------------------------------------------


def test_auto_numbers_become_clause_refs(contract: Document) -> None:
    refs = {b.text: b.location.clause_ref for b in contract.blocks}
    assert refs["Definitions"] == "1"
    assert refs["In this Agreement the following definitions apply."] == "1.1"
    assert refs["\u201cJoint Board\u201d means the board established under clause 2.2."] == "1.1(b)"
    assert refs["Headings do not affect interpretation."] == "1.2"
    assert refs["the Relationship Manager shall attend each Joint Board meeting; and"] == "2.1(a)"
    assert refs["The parties shall establish a Joint Board."] == "2.2"
    assert refs["including the transfer of knowledge and records."] == "4.1(a)"
    assert refs["The Supplier shall invoice monthly in arrears."] == "Schedule 3, paragraph 1"
    assert refs["Invoices are payable within 30 days of receipt."] == "Schedule 3, paragraph 4"


def test_numbered_headings_read_like_word_in_heading_paths(contract: Document) -> None:
    assert block(contract, "Each party shall appoint").location.heading_path == ("2. Collaboration",)
    assert block(contract, "Invoices are payable").location.heading_path == ("Schedule 3 \u2013 Payment",)
    # The label is not typed into the text, and the text is left as typed.
    assert block(contract, "Definitions").kind == "heading"
    assert block(contract, "Each party shall appoint").text == "Each party shall appoint a Relationship Manager."
    with zipfile.ZipFile(FIXTURES / "contract_numbering.docx") as zf:
        assert b"2.1" not in zf.read("word/document.xml").replace(b"clause 2.1", b"")


def test_numbered_clauses_are_list_items_at_their_level(contract: Document) -> None:
    kinds = [(b.kind, b.level) for b in contract.blocks if b.text.startswith(("Each party", "the Relationship Manager shall attend", "Invoices"))]
    assert kinds == [("list_item", 1), ("list_item", 2), ("list_item", 0)]


NUMBERING = (
    '<w:abstractNum w:abstractNumId="1">'
    '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="Article %1"/></w:lvl>'
    '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlRestart w:val="0"/><w:isLgl/><w:lvlText w:val="%1.%2"/></w:lvl>'
    '<w:lvl w:ilvl="2"><w:start w:val="3"/><w:numFmt w:val="lowerRoman"/><w:lvlText w:val="(%3)"/></w:lvl>'
    "</w:abstractNum>"
    '<w:abstractNum w:abstractNumId="2">'
    '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperLetter"/><w:lvlText w:val="Annex %1"/></w:lvl>'
    "</w:abstractNum>"
    '<w:num w:numId="1"><w:abstractNumId w:val="1"/></w:num>'
    '<w:num w:numId="2"><w:abstractNumId w:val="2"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="27"/></w:lvlOverride></w:num>'
)


def numbered(text: str, num_id: int, ilvl: int, outline: int | None = None) -> str:
    outline_xml = f'<w:outlineLvl w:val="{outline}"/>' if outline is not None else ""
    return para(text, f'<w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>{outline_xml}')


def test_number_formats_legal_numbering_and_restart_rules(tmp_path: Path) -> None:
    body = (
        numbered("Scope", 1, 0, outline=0)  # Article I
        + numbered("Purpose", 1, 1, outline=1)  # isLgl: 1.1, not I.1
        + para("Body one")
        + numbered("Terms", 1, 0, outline=0)  # Article II
        + numbered("Duration", 1, 1, outline=1)  # lvlRestart 0: never restarts, so 2.2
        + numbered("Item", 1, 2)  # lowerRoman starting at 3
        + para("Body two")
        + numbered("Extras", 2, 0, outline=0)  # startOverride 27 in upperLetter: AA
        + para("Body three")
        + numbered("Blank", 0, 0)  # numId 0: not numbered
    )
    doc = docx.read(make_docx(tmp_path / "n.docx", body, numbering=NUMBERING), Limits())
    assert block(doc, "Body one").location.heading_path == ("Article I Scope", "1.1 Purpose")
    assert block(doc, "Body two").location.heading_path == ("Article II Terms", "2.2 Duration")
    assert block(doc, "Item").location.clause_ref == "2.2(iii)"
    assert block(doc, "Body three").location.heading_path == ("Annex AA Extras",)
    assert block(doc, "Blank").kind == "paragraph"


# -- what Word shows, and what it does not ------------------------------------------------------


def test_fields_hidden_text_and_special_characters_read_as_shown(tmp_path: Path) -> None:
    body = (
        "<w:p>"
        "<w:r><w:t>See page </w:t></w:r>"
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGEREF _Toc1 \\h </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>7</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
        '<w:r><w:rPr><w:vanish/></w:rPr><w:t>HIDDEN</w:t></w:r>'
        '<w:r><w:t xml:space="preserve"> for the well</w:t><w:noBreakHyphen/><w:t>being</w:t><w:tab/><w:t>plan</w:t>'
        '<w:sym w:font="Arial" w:char="2013"/><w:br/><w:t>next line</w:t></w:r>'
        "</w:p>"
    )
    doc = docx.read(make_docx(tmp_path / "f.docx", body), Limits())
    assert [b.text for b in doc.blocks] == ["See page 7 for the well-being\tplan\u2013\nnext line"]


def test_wrappers_are_read_and_moved_from_text_is_not(tmp_path: Path) -> None:
    body = (
        "<w:p>"
        '<w:sdt><w:sdtPr><w:alias w:val="ALIAS"/></w:sdtPr><w:sdtContent><w:r><w:t>Owner: </w:t></w:r></w:sdtContent></w:sdt>'
        '<w:smartTag w:uri="x" w:element="name"><w:r><w:t>Ann Lee</w:t></w:r></w:smartTag>'
        '<w:hyperlink w:anchor="a"><w:r><w:t xml:space="preserve"> (link)</w:t></w:r></w:hyperlink>'
        '<w:moveFrom w:id="1" w:author="A" w:date="2024-01-01T00:00:00Z"><w:r><w:t>OLDPLACE</w:t></w:r></w:moveFrom>'
        '<w:moveTo w:id="2" w:author="A" w:date="2024-01-01T00:00:00Z"><w:r><w:t xml:space="preserve"> moved here</w:t></w:r></w:moveTo>'
        '<w:commentRangeStart w:id="0"/><w:r><w:commentReference w:id="0"/></w:r><w:commentRangeEnd w:id="0"/>'
        "</w:p>"
        '<w:sdt><w:sdtContent><w:p><w:r><w:t>Inside a block control</w:t></w:r></w:p></w:sdtContent></w:sdt>'
    )
    doc = docx.read(make_docx(tmp_path / "w.docx", body), Limits())
    assert [b.text for b in doc.blocks] == ["Owner: Ann Lee (link) moved here", "Inside a block control"]
    assert [b.location.paragraph for b in doc.blocks] == [1, 2]


def test_alternate_content_text_box_is_read_once(tmp_path: Path) -> None:
    box = "<w:txbxContent><w:p><w:r><w:t>Escalate within 5 days</w:t></w:r></w:p></w:txbxContent>"
    body = (
        "<w:p><w:r><w:t>Anchor</w:t></w:r><w:r><mc:AlternateContent>"
        f'<mc:Choice Requires="wps"><w:drawing><wrap>{box}</wrap></w:drawing></mc:Choice>'
        f"<mc:Fallback><w:pict><v:shape><v:textbox>{box}</v:textbox></v:shape></w:pict></mc:Fallback>"
        "</mc:AlternateContent></w:r></w:p>"
    )
    doc = docx.read(make_docx(tmp_path / "a.docx", body), Limits())
    assert [b.text for b in doc.blocks] == ["Anchor", "Escalate within 5 days"]


def test_tracked_deleted_table_row_is_skipped(tmp_path: Path) -> None:
    row = '<w:tr>{}<w:tc><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:tc></w:tr>'
    deleted = '<w:trPr><w:del w:id="9" w:author="A" w:date="2024-01-01T00:00:00Z"/></w:trPr>'
    body = "<w:tbl><w:tblGrid><w:gridCol/></w:tblGrid>" + row.format("", "Kept") + row.format(deleted, "Gone") + row.format("", "Last") + "</w:tbl>"
    doc = docx.read(make_docx(tmp_path / "t.docx", body), Limits())
    assert [(b.text, b.location.row) for b in doc.blocks] == [("Kept", 1), ("Last", 2)]
    assert doc.tables[0].rows == 2


# -- refusing bad and hostile files -------------------------------------------------------------


def test_broken_zip_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04" + b"\x00garbage" * 50)
    err = refused(path)
    assert err.kind == "corrupt"
    assert err.reason == "corrupt .docx (not a valid zip archive)"


def test_zip_without_document_xml_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "nodoc.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
    err = refused(path)
    assert err.kind == "corrupt"
    assert "word/document.xml" in err.reason


def test_invalid_xml_is_corrupt(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "bad.docx", "", document_xml=f'<w:document xmlns:w="{W_NS}"><w:body><w:p>')
    err = refused(path)
    assert err.kind == "corrupt"
    assert err.reason == "corrupt .docx (invalid XML)"


def test_document_without_body_is_corrupt_not_a_traceback(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "nobody.docx", "", document_xml=f'<w:document xmlns:w="{W_NS}"/>')
    assert refused(path).kind == "corrupt"


def test_missing_content_types_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "noct.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", f'<w:document xmlns:w="{W_NS}"><w:body/></w:document>')
    assert refused(path).kind == "corrupt"


def _bomb(path: Path, size: int) -> Path:
    make_docx(path, para("Hello"))
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/media/zeros.bin", b"\0" * size)
    return path


def test_zip_bomb_by_ratio_is_refused_before_inflating(tmp_path: Path) -> None:
    err = refused(_bomb(tmp_path / "ratio.docx", 4 * 1024 * 1024), Limits(max_zip_ratio=50))
    assert err.kind == "too-large"
    assert "word/media/zeros.bin" in err.reason and ":1" in err.reason and "50" in err.reason


def test_zip_bomb_by_total_size_is_refused(tmp_path: Path) -> None:
    err = refused(_bomb(tmp_path / "total.docx", 2 * 1024 * 1024), Limits(max_unzipped_bytes=1_000_000))
    assert err.kind == "too-large"
    assert "1000000" in err.reason


def test_empty_and_encrypted_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.docx"
    empty.write_bytes(b"")
    assert refused(empty).kind == "empty"
    encrypted = tmp_path / "locked.docx"
    encrypted.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500 + "EncryptedPackage".encode("utf-16-le"))
    assert refused(encrypted).kind == "encrypted"


SECRET = "S3CRET-TOKEN-7731"


def _external_entity_docx(tmp_path: Path, extra_entities: str = "", uses: str = "&xxe;") -> Path:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    doctype = f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "{secret.as_uri()}">{extra_entities}]>'
    document = (
        f'<?xml version="1.0"?>{doctype}<w:document xmlns:w="{W_NS}"><w:body>'
        f"<w:p><w:r><w:t>before {uses} after</w:t></w:r></w:p>"
        "</w:body></w:document>"
    )
    footnotes = (
        f'<?xml version="1.0"?><!DOCTYPE w:footnotes [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
        f'<w:footnotes xmlns:w="{W_NS}"><w:footnote w:id="1"><w:p><w:r><w:t>note &xxe;</w:t></w:r></w:p></w:footnote></w:footnotes>'
    )
    return make_docx(tmp_path / "xxe.docx", "", document_xml=document, parts={"word/footnotes.xml": footnotes})


def test_external_entity_is_never_resolved(tmp_path: Path) -> None:
    doc = docx.read(_external_entity_docx(tmp_path), Limits())
    assert SECRET not in all_text(doc)
    assert [b.text for b in doc.blocks] == ["before  after"]
    assert [b.text for b in doc.furniture] == ["note"]


def test_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    laughs = '<!ENTITY a "lollollollollollollollollollol">' + "".join(
        f'<!ENTITY {n} "{("&" + p + ";") * 10}">' for p, n in zip("abcdefgh", "bcdefghi")
    )
    path = _external_entity_docx(tmp_path, laughs, uses="&i; &xxe;")
    # libxml2 refuses the amplification outright; a parser that did not would still leave the
    # entities unexpanded. Either way: no secret, no hang.
    started = time.monotonic()
    try:
        doc = docx.read(path, Limits())
    except DocumentError as err:
        assert err.kind == "corrupt"
        assert err.reason == "corrupt .docx (invalid XML)"
    else:
        assert SECRET not in all_text(doc)
        assert "lol" not in all_text(doc)
    assert time.monotonic() - started < 5


def test_numbering_reached_through_a_numbering_style_link(tmp_path: Path) -> None:
    styles = (
        f'<w:styles xmlns:w="{W_NS}">'
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>'
        '<w:style w:type="numbering" w:styleId="ContractList"><w:name w:val="Contract List"/>'
        '<w:pPr><w:numPr><w:numId w:val="6"/></w:numPr></w:pPr></w:style>'
        "</w:styles>"
    )
    numbering = (
        '<w:abstractNum w:abstractNumId="5"><w:numStyleLink w:val="ContractList"/></w:abstractNum>'
        '<w:abstractNum w:abstractNumId="7"><w:styleLink w:val="ContractList"/>'
        '<w:lvl w:ilvl="0"><w:start w:val="5"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>'
        "</w:abstractNum>"
        '<w:num w:numId="5"><w:abstractNumId w:val="5"/></w:num>'
        '<w:num w:numId="6"><w:abstractNumId w:val="7"/></w:num>'
    )
    body = numbered("Fees are fixed.", 5, 0) + numbered("Fees are reviewed yearly.", 5, 0)
    path = make_docx(tmp_path / "link.docx", body, numbering=numbering, parts={"word/styles.xml": styles})
    doc = docx.read(path, Limits())
    assert [(b.kind, b.location.clause_ref, b.style) for b in doc.blocks] == [
        ("list_item", "5", "Normal"),
        ("list_item", "6", "Normal"),
    ]


def test_a_row_split_over_a_page_counts_one_page_break(tmp_path: Path) -> None:
    def cell(before: str, after: str) -> str:
        return (
            f'<w:tc><w:p><w:r><w:t>{before}</w:t></w:r></w:p>'
            f'<w:p><w:r><w:lastRenderedPageBreak/><w:t>{after}</w:t></w:r></w:p></w:tc>'
        )

    body = (
        '<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid><w:tr>'
        + cell("Risk text", "continues")
        + cell("Owner text", "continues too")
        + "</w:tr></w:tbl>"
        + para("After the table")
    )
    doc = docx.read(make_docx(tmp_path / "split.docx", body), Limits())
    assert [(b.text.split("\n")[0], b.location.page) for b in doc.blocks] == [
        ("Risk text", 1),
        ("Owner text", 1),
        ("After the table", 2),
    ]
    assert doc.page_count == 2


def test_a_number_cell_gives_its_row_a_clause_ref_and_dates_do_not(tmp_path: Path) -> None:
    def row(*cells: str) -> str:
        return "<w:tr>" + "".join(f"<w:tc><w:p><w:r><w:t>{c}</w:t></w:r></w:p></w:tc>" for c in cells) + "</w:tr>"

    body = (
        para("7 Performance", '<w:outlineLvl w:val="0"/>')
        + "<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid>"
        + row("7.1", "The Supplier shall report monthly.")
        + row("14 Mar 2023", "Reviewed at the board.")
        + "</w:tbl>"
        + para("After the table.")
    )
    doc = docx.read(make_docx(tmp_path / "rows.docx", body), Limits())
    refs = {b.text: b.location.clause_ref for b in doc.blocks}
    assert refs == {
        "7 Performance": "7",
        "7.1": "7.1",
        "The Supplier shall report monthly.": "7.1",
        "14 Mar 2023": "7",
        "Reviewed at the board.": "7",
        "After the table.": "7",
    }


def test_table_of_contents_entries_do_not_become_the_current_clause(tmp_path: Path) -> None:
    styles = (
        f'<w:styles xmlns:w="{W_NS}">'
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>'
        '<w:style w:type="paragraph" w:styleId="TOC1"><w:name w:val="toc 1"/><w:basedOn w:val="Normal"/></w:style>'
        "</w:styles>"
    )
    body = (
        para("3 Governance", '<w:outlineLvl w:val="0"/>')
        + para("18 Exit strategy\t12", '<w:pStyle w:val="TOC1"/>')
        + para("The board meets quarterly.")
    )
    doc = docx.read(make_docx(tmp_path / "toc.docx", body, parts={"word/styles.xml": styles}), Limits())
    assert [(b.text, b.location.clause_ref) for b in doc.blocks] == [
        ("3 Governance", "3"),
        ("18 Exit strategy\t12", "3"),
        ("The board meets quarterly.", "3"),
    ]


def test_a_read_document_pickles_whole(rmp: Document) -> None:
    # the read-ahead hands documents to the workers as pickles; Location and Block pickle as their fields
    import pickle

    again = pickle.loads(pickle.dumps(rmp, protocol=pickle.HIGHEST_PROTOCOL))
    assert again == rmp
    cell = next(b for b in again.blocks if b.kind == "table_cell" and b.location.heading_path)
    original = next(b for b in rmp.blocks if b.kind == "table_cell" and b.location.heading_path)
    assert (cell.location.table, cell.location.row, cell.location.col, cell.location.heading_path) == (
        original.location.table, original.location.row, original.location.col, original.location.heading_path)
    assert all(type(b) is Block for b in again.blocks) and again.furniture == rmp.furniture
