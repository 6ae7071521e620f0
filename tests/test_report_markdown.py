"""Markdown for review comments: stage table, clauses not met with reasons, findings; text made inert."""

from __future__ import annotations

from dataclasses import replace

from test_report_golden import golden_run

from rmplint.report import render
from rmplint.report.markdown import md


def test_stage_table_with_maturity_when_present():
    out = render("markdown", golden_run("sample-rmp"))
    assert "| Stage | Met | Partial | Missing | Not applicable | Not checked | Maturity |" in out
    assert "| 2. Knowledge (clause 4) |" in out and "B: medium level of maturity" in out


def test_no_maturity_column_when_absent():
    run = golden_run("sample-rmp")
    doc = run.documents[0]
    summary = {k: v for k, v in doc.summary.items() if k != "maturity"}
    out = render("markdown", replace(run, documents=(replace(doc, summary=summary),)))
    assert "| Stage |" in out and "Maturity" not in out


def test_every_non_met_clause_is_listed_with_its_reason():
    run = golden_run("sample-rmp")
    out = render("markdown", run)
    for c in run.documents[0].clauses:
        if c.status in ("missing", "partial"):
            assert f"- **{md(c.clause)} {md(c.title)}**" in out and md(c.reason) in out


def test_contract_shows_balance_counterparts_and_findings():
    out = render("markdown", golden_run("kestrel-consultancy"))
    assert "Balance of Table 10 terms: 2 potentially adversarial, 0 collaborative." in out
    assert "Joint exit strategy (for Termination)" in out
    assert "| adversarial | Termination | medium | para 81, clause 13.1" in out


def test_document_text_cannot_inject_markup_or_break_tables():
    assert md("<script>alert(1)</script>") == "\\<script\\>alert(1)\\</script\\>"
    assert md("a | b\nc") == "a \\| b c"
    assert md("**bold** [link](x)") == "\\*\\*bold\\*\\* \\[link\\](x)"


def test_stage_without_a_level_says_why():
    run = golden_run("sample-rmp")
    doc = run.documents[0]
    summary = dict(doc.summary, maturity={
        "knowledge": {"level": "B", "score": 0.6, "reason": "9 met"},
        "awareness": {"level": None, "score": None, "reason": "no clause of this stage is checked yet"},
    })
    out = render("markdown", replace(run, documents=(replace(doc, summary=summary),)))
    assert "| 1. Awareness (clause 3) | 0 | 0 | 0 | 0 | 10 | – no clause of this stage is checked yet |" in out


def test_a_finding_of_absence_shows_its_message_and_no_empty_quote():
    from rmplint.findings import Finding
    from rmplint.model import Location

    run = golden_run("sample-rmp")
    absent = Finding(rule="hygiene.sign-off", category="hygiene", severity="high", text="", location=Location(),
                     message="No approval or sign-off of the plan was found")
    run = replace(run, documents=(replace(run.documents[0], findings=(absent,)),))
    for fmt in ("markdown", "text", "html"):
        out = render(fmt, run)
        assert "No approval or sign-off of the plan was found" in out
        assert "“”" not in out and "<q></q>" not in out, fmt
