"""CSV checklist: one row per clause and finding, formulas neutralised, optional byte order mark."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import pytest
from test_report_golden import golden_run

from rmplint.report import render
from rmplint.report.csv import HEADER, neutralise


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))


def test_one_row_per_clause_and_per_finding():
    run = golden_run("sample-rmp")
    doc = run.documents[0]
    rows = _rows(render("csv", run))
    assert [r["clause"] for r in rows if r["kind"] == "clause"] == [c.clause for c in doc.clauses]
    assert len([r for r in rows if r["kind"].endswith("finding")]) == len(doc.findings)
    assert tuple(rows[0]) == HEADER


def test_contract_rows_are_findings_with_term_and_alternative():
    rows = _rows(render("csv", golden_run("kestrel-consultancy")))
    assert rows and all(r["kind"] == "adversarial finding" for r in rows)
    assert rows[0]["title"] == "Extended payment" and "Advance proactive payment" in rows[0]["reason"]
    assert rows[0]["location"].startswith("para ")


def test_waived_rows_carry_justification_and_approver():
    rows = _rows(render("csv", golden_run("sample-rmp")))
    waived = [r for r in rows if r["waived"] == "yes"]
    assert len(waived) == 2 and all(r["justification"] and r["approver"].startswith("J. Okafor") for r in waived)


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_formula_cells_are_neutralised(cell):
    assert neutralise(cell) == "'" + cell
    run = golden_run("kestrel-consultancy")
    doc = run.documents[0]
    f = replace(doc.findings[0], text=cell, message=cell)
    rows = _rows(render("csv", replace(run, documents=(replace(doc, findings=(f,)),))))
    assert rows[0]["evidence"] == "'" + cell and rows[0]["reason"] == "'" + cell


def test_plain_text_is_left_alone():
    assert neutralise("Risk register kept by the alliance board") == "Risk register kept by the alliance board"
    assert neutralise("a=b") == "a=b"


def test_bom_variant_starts_with_the_byte_order_mark_and_is_otherwise_the_same():
    run = golden_run("sample-rmp")
    plain, bom = render("csv", run), render("csv-bom", run)
    assert bom == "\ufeff" + plain and not plain.startswith("\ufeff")
    assert bom.encode("utf-8")[:3] == b"\xef\xbb\xbf"


def test_rows_end_with_crlf_and_are_written_unchanged(tmp_path):
    from rmplint.report import write_report

    path = tmp_path / "r.csv"
    write_report("csv", golden_run("sample-rmp"), str(path))
    data = path.read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n") and data.decode("utf-8") == render("csv", golden_run("sample-rmp"))
