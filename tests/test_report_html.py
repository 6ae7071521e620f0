"""HTML report: one self-contained page, every piece of document text escaped, dashboard and tables."""

from __future__ import annotations

import re
from dataclasses import replace

from test_report_golden import golden_run

from rmplint.findings import Evidence, Waiver
from rmplint.model import Location
from rmplint.report import Run, render

PAYLOAD = "<script>alert(1)</script>"


def hostile_run() -> Run:
    """The sample RMP's results with markup in every place document text or user input can reach."""
    run = golden_run("sample-rmp")
    doc = run.documents[0]
    loc = Location(paragraph=3, heading_path=(f"Intro {PAYLOAD}",), clause_ref='1"><b>')
    clauses = list(doc.clauses)
    clauses[0] = replace(clauses[0], status="partial", reason=f"weak {PAYLOAD}", title=f"T {PAYLOAD}",
                         evidence=(Evidence(f"quote {PAYLOAD} <img src=x onerror=\"window.pwned=1\">", loc),),
                         waiver=Waiver(f"ok {PAYLOAD}", f"approver {PAYLOAD}", "2030-01-01", "w.yaml"))
    findings = [replace(doc.findings[0], text=f"TBC {PAYLOAD}", message=f"m {PAYLOAD}", term=f"t {PAYLOAD}",
                        location=loc)]
    summary = dict(doc.summary)
    summary["maturity"] = {"knowledge": {"level": "C", "reason": f"r {PAYLOAD}"}}
    doc = replace(doc, path=f"plans/<b>{PAYLOAD}.docx", profile_reason=f"cues {PAYLOAD}", warnings=(f"w {PAYLOAD}",),
                  clauses=tuple(clauses), findings=tuple(findings), summary=summary)
    return replace(run, documents=(doc,))


def test_document_text_is_escaped_everywhere():
    out = render("html", hostile_run())
    assert PAYLOAD not in out
    assert out.count("<script") == 1  # the report's own filter script
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "onerror=\"window" not in out and '1"><b>' not in out


def test_page_is_self_contained():
    out = render("html", golden_run("sample-rmp"))
    assert not re.search(r"<link|<img|<iframe|src=|@import|url\(", out)
    assert re.findall(r"https?://[^\"' ]+", out) == ["http://www.w3.org/2000/svg"]  # an SVG namespace, not a fetch
    assert "Content-Security-Policy" in out and "default-src 'none'" in out


def test_clause_rows_carry_filter_keys_and_expandable_details():
    run = golden_run("sample-rmp")
    out = render("html", run)
    rows = re.findall(r'<tr class="clause[^"]*" data-stage="([^"]+)" data-status="([^"]+)" data-severity="([^"]+)">', out)
    assert rows == [(c.stage, c.status, c.severity) for c in run.documents[0].clauses]
    assert out.count("<details>") == len(rows)


def test_maturity_chart_only_when_present():
    run = golden_run("sample-rmp")
    assert '<svg class="maturity"' in render("html", run)
    doc = run.documents[0]
    bare = replace(doc, summary={k: v for k, v in doc.summary.items() if k != "maturity"})
    assert '<svg class="maturity"' not in render("html", replace(run, documents=(bare,)))


def test_contract_dashboard_shows_balance_and_missing_counterparts():
    out = render("html", golden_run("kestrel-consultancy"))
    assert '<span class="count" data-key="balance-adversarial">2</span>' in out
    assert "Joint exit strategy (for Termination)" in out
    assert out.count('<tr class="finding cat-adversarial') == 3


def test_waived_results_are_marked_with_justification_and_approver():
    out = render("html", golden_run("sample-rmp"))
    assert out.count('<span class="tag">waived</span>') == 1
    assert "approved by J. Okafor, alliance director" in out
