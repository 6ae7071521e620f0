"""Every report format, rendered from saved results of the sample RMP and a contract, byte for byte.

The inputs (tests/golden/input/*.json) are JSON reports with the rule metadata, so that these
tests pin the reporters and not the rule pack. Regenerate with
    RMPLINT_UPDATE_GOLDEN=1 python -m pytest -q tests/test_report_golden.py       (outputs)
    RMPLINT_UPDATE_GOLDEN=inputs python -m pytest -q tests/test_report_golden.py  (re-check, then outputs)
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from rmplint.report import FORMATS, Run, render
from rmplint.report.load import run_from_json

GOLDEN = Path(__file__).resolve().parent / "golden"
# document → the file it was checked from (relative to the repository root, as a user would type it)
SOURCES = {"sample-rmp": "examples/sample-rmp.docx", "kestrel-consultancy": "corpora/contracts/kestrel-consultancy.txt"}
UPDATE = os.environ.get("RMPLINT_UPDATE_GOLDEN", "")


def golden_run(name: str) -> Run:
    return run_from_json((GOLDEN / "input" / f"{name}.json").read_text(encoding="utf-8"), fail_on="medium")


def _decorate(run: Run) -> Run:
    """Give the RMP input a waived clause, a waived finding and a maturity profile, so that the
    goldens show how each format presents them (the engine adds them only with a waivers file)."""
    from rmplint.findings import Waiver

    doc = run.documents[0]
    if doc.profile != "rmp":
        return run
    w = Waiver("Covered by the joint risk workshop minutes (appendix C)", "J. Okafor, alliance director",
               "2027-03-31", "waivers.yaml")
    missing = next(i for i, c in enumerate(doc.clauses) if c.status == "missing")
    clauses = list(doc.clauses)
    clauses[missing] = replace(clauses[missing], waiver=w)
    findings = list(doc.findings)
    if findings:
        findings[0] = replace(findings[0], waiver=replace(w, justification="Dates fixed at contract award"))
    summary = dict(doc.summary)
    summary.setdefault("maturity", {
        "awareness": {"level": "D", "reason": "no rules for this stage yet"},
        "knowledge": {"level": "B", "reason": "most of the knowledge clauses are evidenced"},
        "exit-strategy": {"level": "C", "reason": "exit strategy only partly evidenced"},
    })
    doc = replace(doc, clauses=tuple(clauses), findings=tuple(findings), summary=summary)
    return replace(run, documents=(doc,))


def _regenerate_inputs(root: Path) -> None:
    from rmplint import __version__
    from rmplint.engine import Checker
    from rmplint.report import rules_of
    from rmplint.rules.loader import load_pack

    pack = load_pack()
    checker = Checker(pack)
    for name, src in SOURCES.items():
        old = os.getcwd()
        os.chdir(root)
        try:
            result = checker.check_path(src)
        finally:
            os.chdir(old)
        run = _decorate(Run(version=__version__, documents=(result,)))
        used = {c.rule for c in result.clauses} | {f.rule for f in result.findings}
        data = json.loads(render("json", run))
        data["rules"] = [r.to_dict() for r in rules_of(pack) if r.id in used]
        (GOLDEN / "input" / f"{name}.json").write_text(
            json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


@pytest.fixture(scope="module", autouse=True)
def _inputs(root):
    if UPDATE == "inputs":
        _regenerate_inputs(root)


def _golden_path(name: str, fmt: str) -> Path:
    ext = {"text": "txt", "json": "json", "sarif": "sarif", "html": "html", "csv": "csv", "csv-bom": "bom.csv",
           "markdown": "md", "junit": "xml"}[fmt]
    return GOLDEN / f"{name}.{ext}"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", sorted(SOURCES))
def test_report_matches_golden_file(name, fmt):
    got = render(fmt, golden_run(name)).encode("utf-8")
    path = _golden_path(name, fmt)
    if UPDATE:
        path.write_bytes(got)
    assert path.exists(), f"no golden file {path.name}: run with RMPLINT_UPDATE_GOLDEN=1"
    assert got == path.read_bytes(), f"{path.name} differs; if the change is intended, regenerate (see module doc)"


@pytest.mark.parametrize("fmt", FORMATS)
def test_report_is_byte_identical_across_runs(fmt):
    run = golden_run("sample-rmp")
    assert render(fmt, run) == render(fmt, golden_run("sample-rmp"))


def test_golden_inputs_round_trip_through_the_json_report():
    text = (GOLDEN / "input" / "sample-rmp.json").read_text(encoding="utf-8")
    data = json.loads(text)
    data.pop("rules")
    assert json.loads(render("json", golden_run("sample-rmp"))) == data


def test_reports_do_not_depend_on_hash_seed():
    """Set and dict order must never leak into a report: two interpreters, two hash seeds, same bytes."""
    import subprocess
    import sys

    code = ("import hashlib, sys; sys.path.insert(0, sys.argv[1]); from test_report_golden import golden_run; "
            "from rmplint.report import FORMATS, render; "
            "print(hashlib.sha256(''.join(render(f, golden_run(n)) for n in ('sample-rmp', 'kestrel-consultancy') "
            "for f in FORMATS).encode()).hexdigest())")
    here = str(Path(__file__).resolve().parent)
    digests = {
        subprocess.run([sys.executable, "-c", code, here], capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed, "RMPLINT_UPDATE_GOLDEN": ""}).stdout
        for seed in ("1", "2")
    }
    assert len(digests) == 1 and len(digests.pop().strip()) == 64


@pytest.mark.parametrize("name", sorted(SOURCES))
@pytest.mark.parametrize("encoded", ["in the parent", "by the workers"])
def test_the_json_report_joined_from_documents_encoded_apart_is_the_golden_file(name, encoded):
    from rmplint.report import render_bytes
    from rmplint.report.json import prerender

    run = golden_run(name)
    if encoded == "by the workers":
        for doc in run.documents:
            prerender(doc)
            assert doc.rendered_json
    assert render_bytes("json", run) == _golden_path(name, "json").read_bytes()


def test_a_report_of_several_documents_some_encoded_apart_is_the_report_encoded_whole():
    from rmplint.report import render_bytes
    from rmplint.report.json import prerender

    docs = [d for name in sorted(SOURCES) for d in _decorate(golden_run(name)).documents]
    docs.append(replace(docs[0], path="unreadable.docx", profile=None, clauses=(), findings=(), summary={},
                        error="not a Word file", error_kind="corrupt"))
    run = replace(golden_run("sample-rmp"), documents=tuple(docs))
    whole = render("json", run).encode("utf-8")
    prerender(docs[1])  # one document encoded by a worker, the others by the parent
    assert render_bytes("json", run) == whole
    for doc in docs:
        prerender(doc)
    assert render_bytes("json", run) == whole
    assert render_bytes("json", replace(run, documents=())) == render("json", replace(run, documents=())).encode()


def test_a_result_changed_after_it_was_encoded_is_reported_as_it_now_is():
    from rmplint.report import render_bytes
    from rmplint.report.json import prerender

    run = golden_run("sample-rmp")
    doc = run.documents[0]
    prerender(doc)
    moved = replace(doc, path="elsewhere.docx")  # as a waiver or a printable path makes a new result
    assert doc.rendered_json and moved.rendered_json is None
    got = json.loads(render_bytes("json", replace(run, documents=(moved,))))
    assert got["documents"][0]["path"] == "elsewhere.docx"
