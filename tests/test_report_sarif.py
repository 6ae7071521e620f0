"""SARIF 2.1.0 report: valid against the OASIS schema, one result per problem, stable identities."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_report_golden import golden_run

from rmplint.report import render

SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "schemas" / "sarif-schema-2.1.0.json"


def _sarif(name: str) -> dict:
    return json.loads(render("sarif", golden_run(name)))


@pytest.mark.parametrize("name", ["sample-rmp", "kestrel-consultancy"])
def test_sarif_is_valid_against_the_oasis_schema(name):
    if not SCHEMA.exists():
        pytest.skip(f"SARIF schema not found at {SCHEMA} (reference data kept outside the repository)")
    import jsonschema

    jsonschema.validate(_sarif(name), json.loads(SCHEMA.read_text(encoding="utf-8")))


def test_one_result_per_non_met_clause_and_per_finding():
    run = golden_run("sample-rmp")
    doc = run.documents[0]
    results = _sarif("sample-rmp")["runs"][0]["results"]
    clause_results = [r for r in results if "status" in r["properties"]]
    assert sorted(r["properties"]["clause"] for r in clause_results) == sorted(
        c.clause for c in doc.clauses if c.status in ("missing", "partial"))
    assert len(results) - len(clause_results) == len(doc.findings)
    assert {r["properties"]["status"] for r in clause_results} <= {"missing", "partial"}


def test_severity_maps_to_level_and_collaborative_is_a_note():
    for name in ("sample-rmp", "kestrel-consultancy"):
        for r in _sarif(name)["runs"][0]["results"]:
            sev = r["properties"]["severity"]
            expected = {"critical": "error", "high": "error", "medium": "warning"}.get(sev, "note")
            if r["properties"].get("category") == "collaborative":
                expected = "note"
            assert r["level"] == expected


def test_rules_carry_requirement_clause_stage_and_severity():
    sarif = _sarif("sample-rmp")
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(r["id"] for r in rules)
    for res in sarif["runs"][0]["results"]:
        rule = rules[res["ruleIndex"]]
        assert rule["id"] == res["ruleId"]
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"] and rule["help"]["text"]
    clause_rule = next(r for r in rules if r["id"].startswith("bs11000."))
    assert {"clause", "stage", "severity"} <= set(clause_rule["properties"])


def test_locations_use_relative_uri_paragraph_lines_and_heading_path():
    sarif = _sarif("kestrel-consultancy")
    run = sarif["runs"][0]
    assert run["properties"]["lineUnit"] == "paragraph"
    res = run["results"][0]
    loc = res["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"]["uri"] == "corpora/contracts/kestrel-consultancy.txt"
    assert loc["physicalLocation"]["region"]["startLine"] == golden_run("kestrel-consultancy").documents[0].findings[0].location.paragraph
    kinds = {ll["kind"]: ll for ll in loc["logicalLocations"]}
    assert kinds["section"]["fullyQualifiedName"].startswith("9.")
    assert kinds["clause"]["name"] == "9.3"


def test_table_cells_carry_table_row_and_col():
    results = _sarif("sample-rmp")["runs"][0]["results"]
    cell = next(r for r in results if r["properties"].get("category") == "hygiene")
    props = cell["locations"][0]["physicalLocation"]["region"]["properties"]
    assert {"table", "row", "col"} <= set(props)


def test_waived_results_are_suppressed_with_justification():
    results = _sarif("sample-rmp")["runs"][0]["results"]
    waived = [r for r in results if "suppressions" in r]
    assert len(waived) == 2  # one clause, one finding in the golden input
    for r in waived:
        (s,) = r["suppressions"]
        assert s["kind"] == "external" and s["status"] == "accepted" and s["justification"]
        assert s["properties"]["approver"].startswith("J. Okafor")


def test_fingerprints_are_unique_and_stable():
    a = _sarif("sample-rmp")["runs"][0]["results"]
    b = _sarif("sample-rmp")["runs"][0]["results"]
    fps = [r["partialFingerprints"]["rmplintResult/v1"] for r in a]
    assert len(set(fps)) == len(fps)
    assert fps == [r["partialFingerprints"]["rmplintResult/v1"] for r in b]


def test_unreadable_document_is_a_notification_not_a_result():
    from dataclasses import replace

    from rmplint.findings import DocumentResult

    run = golden_run("sample-rmp")
    bad = DocumentResult(path="broken.docx", profile=None, error="corrupt .docx (not a zip)", error_kind="corrupt")
    sarif = json.loads(render("sarif", replace(run, documents=run.documents + (bad,))))
    inv = sarif["runs"][0]["invocations"][0]
    assert inv["executionSuccessful"] is False
    assert "broken.docx" in inv["toolExecutionNotifications"][0]["message"]["text"]


def test_document_uri_is_relative_with_forward_slashes(tmp_path, monkeypatch):
    from rmplint.report.common import doc_uri

    monkeypatch.chdir(tmp_path)
    assert doc_uri(str(tmp_path / "plans" / "my plan.docx")) == "plans/my%20plan.docx"
    assert doc_uri("plans/a.docx") == "plans/a.docx"
    assert doc_uri("/elsewhere/b.docx").startswith("file:///elsewhere/")
