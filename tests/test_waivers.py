"""Waivers: accepted deviations applied after checking, never hiding a result, expiring on their date."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from test_config import run  # noqa: F401  (the CLI runner fixture)

from rmplint import waivers
from rmplint.engine import gate_failures
from rmplint.errors import ConfigError
from rmplint.findings import ClauseVerdict, DocumentResult, Finding
from rmplint.model import Location

AS_OF = date(2026, 6, 1)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _result(path: str = "bids/plan.docx") -> DocumentResult:
    return DocumentResult(
        path=path,
        profile="rmp",
        clauses=(
            ClauseVerdict("4.6.1", "Risk register", "knowledge", "missing", "high", "no register",
                          rule="bs11000.4.6.1.risk-register"),
            ClauseVerdict("4.2", "Knowledge", "knowledge", "met", "high", "found", rule="bs11000.4.2.knowledge"),
        ),
        findings=(
            Finding("term.adversarial.pay-when-paid", "adversarial", "high", "Pay when paid", "We pay when paid.",
                    Location(paragraph=3), clause="5", term="Pay when paid", alternative="Advance proactive payment"),
        ),
    )


def _entries(tmp_path: Path, body: str) -> tuple[waivers.WaiverEntry, ...]:
    return waivers.load(_write(tmp_path / "waivers.yaml", body))


def test_a_waived_result_stays_in_the_report_and_is_not_counted_by_the_gate(tmp_path):
    entries = _entries(tmp_path, """
waivers:
  - clause: "4.6.1"
    justification: Register kept by the client under the framework agreement
    approver: J. Okafor
    expires: 2026-12-31
  - term: pay when paid
    document: "bids/*.docx"
    justification: Statutory scheme applies
    approver: Legal
    expires: "2026-09-30"
""")
    assert gate_failures(_result(), "high") == 2
    [out], used = waivers.apply([_result()], entries, AS_OF)
    assert used == {0, 1}
    clause = out.clauses[0]
    assert clause.status == "missing" and clause.waived
    assert clause.to_dict()["waiver"] == {
        "justification": "Register kept by the client under the framework agreement", "approver": "J. Okafor",
        "expires": "2026-12-31", "source": f"{tmp_path / 'waivers.yaml'}, entry 1", "expired": False,
    }
    assert out.findings[0].waived and out.clauses[1].waiver is None  # a met clause needs no waiver
    assert gate_failures(out, "high") == 0


def test_an_expired_waiver_does_not_waive_and_is_shown_as_expired(tmp_path):
    entries = _entries(tmp_path, """
- rule: bs11000.4.6.1.risk-register
  justification: Agreed at the March board
  approver: COO
  expires: 2026-05-31
""")
    [out], used = waivers.apply([_result()], entries, AS_OF)
    assert used == {0}
    assert out.clauses[0].waiver.expired and not out.clauses[0].waived
    assert gate_failures(out, "high") == 2
    [same_day], _ = waivers.apply([_result()], entries, date(2026, 5, 31))
    assert same_day.clauses[0].waived  # valid through its expiry date


def test_document_glob_limits_a_waiver(tmp_path):
    entries = _entries(tmp_path, """
- clause: "4.6.1"
  document: "framework/*.docx"
  justification: x
  approver: y
  expires: 2030-01-01
""")
    [out], used = waivers.apply([_result("bids/plan.docx")], entries, AS_OF)
    assert out.clauses[0].waiver is None and used == set()
    [out], used = waivers.apply([_result("/srv/framework/plan.docx")], entries, AS_OF)
    assert out.clauses[0].waived and used == {0}


@pytest.mark.parametrize(("entry", "message"), [
    ("- clause: '4.6.1'\n  approver: y\n  expires: 2030-01-01\n", "entry 1 (clause 4.6.1): missing justification"),
    ("- term: Retention\n  justification: x\n  expires: 2030-01-01\n", "entry 1 (term Retention): missing approver"),
    ("- rule: a.b\n  justification: x\n  approver: y\n", "entry 1 (rule a.b): missing expires"),
    ("- justification: x\n  approver: y\n  expires: 2030-01-01\n", "entry 1: needs exactly one of clause, rule, term"),
    ("- clause: '1'\n  justification: x\n  approver: y\n  expires: soon\n", "expires must be an ISO date"),
    ("- clause: '1'\n  reason: x\n", "entry 1: unknown key 'reason'"),
    ("- clause: 3.10\n  justification: x\n  approver: y\n  expires: 2030-01-01\n", "clause must be quoted text"),
])
def test_incomplete_waivers_are_rejected_naming_file_and_entry(tmp_path, entry, message):
    with pytest.raises(ConfigError) as e:
        _entries(tmp_path, entry)
    assert str(tmp_path / "waivers.yaml") in str(e.value) and message in str(e.value)


def test_check_applies_waivers_to_every_report_and_the_gate(run, root, tmp_path):  # noqa: F811
    sample = str(root / "examples" / "sample-rmp.md")
    first = run(tmp_path, "check", sample, "--format", "json", "--fail-on", "high")
    assert first.exit_code == 1
    doc = json.loads(first.stdout)["documents"][0]
    rules = sorted({c["rule"] for c in doc["clauses"] if c["status"] in ("partial", "missing")
                    and c["severity"] in ("high", "critical")}
                   | {f["rule"] for f in doc["findings"] if f["category"] != "collaborative"
                      and f["severity"] in ("high", "critical")})
    body = "".join(f"- rule: {r}\n  justification: accepted for the pilot\n  approver: QA\n  expires: 2026-12-31\n"
                   for r in rules)
    wfile = _write(tmp_path / "waivers.yaml", body)
    ok = run(tmp_path, "check", sample, "--format", "json", "--fail-on", "high", "--waivers", str(wfile),
             "--as-of", "2026-06-01")
    assert ok.exit_code == 0, ok.stderr
    waived = [c for c in json.loads(ok.stdout)["documents"][0]["clauses"] if c["waiver"]]
    assert waived and all(c["waiver"]["expired"] is False for c in waived)
    late = run(tmp_path, "check", sample, "--format", "json", "--fail-on", "high", "--waivers", str(wfile),
               "--as-of", "2027-01-01")
    assert late.exit_code == 1
    assert all(c["waiver"]["expired"] for c in json.loads(late.stdout)["documents"][0]["clauses"] if c["waiver"])


def test_waivers_check_lists_expired_and_unused(run, root, tmp_path):  # noqa: F811
    wfile = _write(tmp_path / "waivers.yaml", """
- clause: "3.5"
  justification: Segmentation done at group level
  approver: Head of Partnerships
  expires: 2026-12-31
- rule: bs11000.no-such-rule
  justification: Left over from last year
  approver: QA
  expires: 2026-01-31
""")
    r = run(tmp_path, "waivers", "check", "--waivers", str(wfile), "--as-of", "2026-06-01")
    assert r.exit_code == 1
    assert f"expired: {wfile}, entry 2: rule bs11000.no-such-rule (expires 2026-01-31" in r.output
    assert "2 waivers as of 2026-06-01: 1 expired" in r.output
    sample = str(root / "examples" / "sample-rmp.md")
    used = run(tmp_path, "waivers", "check", "--waivers", str(wfile), "--as-of", "2025-06-01", sample)
    assert used.exit_code == 0, used.output
    assert f"unused: {wfile}, entry 2" in used.output and "entry 1" not in used.output
    assert "2 waivers as of 2025-06-01: 0 expired, 1 unused" in used.output


def test_waivers_file_from_the_project_config(run, tmp_path):  # noqa: F811
    _write(tmp_path / "waivers.yaml", "[]\n")
    _write(tmp_path / "rmplint.toml", 'waivers = "waivers.yaml"\n')
    r = run(tmp_path, "waivers", "check")
    assert r.exit_code == 0 and "0 waivers" in r.output
    (tmp_path / "rmplint.toml").unlink()
    assert run(tmp_path, "waivers", "check").exit_code == 2
