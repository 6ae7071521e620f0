"""JUnit XML: a testsuite per document, a testcase per clause and per adversarial/hygiene finding."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace

from test_report_golden import golden_run

from rmplint.findings import DocumentResult
from rmplint.report import render


def _xml(run) -> ET.Element:  # type: ignore[no-untyped-def]
    return ET.fromstring(render("junit", run).encode("utf-8"))


def test_one_testcase_per_clause_and_problem_finding():
    run = golden_run("sample-rmp")
    doc = run.documents[0]
    (suite,) = _xml(run).findall("testsuite")
    cases = suite.findall("testcase")
    assert len(cases) == len(doc.clauses) + sum(1 for f in doc.findings if f.category != "collaborative")
    assert suite.get("name") == doc.path and suite.get("tests") == str(len(cases))


def test_failures_follow_the_fail_on_gate_and_waivers():
    run = golden_run("sample-rmp")  # fail_on=medium
    doc = run.documents[0]
    gated = [c for c in doc.clauses if c.status in ("missing", "partial") and not c.waived
             and c.severity in ("medium", "high", "critical")]
    gated_f = [f for f in doc.findings if f.category != "collaborative" and not f.waived
               and f.severity in ("medium", "high", "critical")]
    root = _xml(run)
    assert root.get("failures") == str(len(gated) + len(gated_f))
    assert _xml(replace(run, fail_on=None)).get("failures") == "0"
    assert _xml(replace(run, fail_on="critical")).get("failures") == str(
        sum(1 for c in gated if c.severity == "critical") + sum(1 for f in gated_f if f.severity == "critical"))


def test_not_checked_is_skipped_and_waived_passes_with_a_property():
    run = golden_run("sample-rmp")
    root = _xml(run)
    doc = run.documents[0]
    assert root.get("skipped") == str(sum(1 for c in doc.clauses if c.status == "not-checked"))
    waived = [tc for tc in root.iter("testcase") if tc.find("properties/property[@name='waived']") is not None]
    assert len(waived) == 2 and all(tc.find("failure") is None for tc in waived)


def test_unreadable_document_is_an_error_and_control_characters_are_dropped():
    run = golden_run("kestrel-consultancy")
    doc = run.documents[0]
    f = replace(doc.findings[0], text="bad \x01 byte")
    bad = DocumentResult(path="broken.docx", profile=None, error="corrupt .docx", error_kind="corrupt")
    root = _xml(replace(run, documents=(replace(doc, findings=(f,)), bad)))
    assert root.get("errors") == "1"
    assert "\x01" not in ET.tostring(root, encoding="unicode")
