"""`rmplint check` with several reports in one run: -o FORMAT=PATH, a plain -o PATH, bad -o values."""

from __future__ import annotations

import json
import os
import re

import pytest
from click.testing import CliRunner

from rmplint.cli import main
from rmplint.report import FORMATS, parse_output

SAMPLE = "examples/sample-rmp.docx"


@pytest.fixture()
def run(root):
    def _run(*args: str):
        old = os.getcwd()
        os.chdir(root)
        try:
            return CliRunner().invoke(main, list(args), catch_exceptions=False)
        finally:
            os.chdir(old)

    return _run


def test_several_reports_in_one_run_each_to_its_own_file(run, tmp_path):
    outs = {fmt: tmp_path / f"r-{fmt}" for fmt in FORMATS if fmt != "text"}
    args = [a for fmt, p in outs.items() for a in ("-o", f"{fmt}={p}")]
    r = run("check", SAMPLE, *args)
    assert r.exit_code == 0, r.output
    assert "1. Awareness (clause 3)" in r.output  # the text summary is still on the terminal
    assert json.loads(outs["json"].read_text(encoding="utf-8"))["documents"][0]["path"] == SAMPLE
    assert json.loads(outs["sarif"].read_text(encoding="utf-8"))["version"] == "2.1.0"
    for fmt, p in outs.items():
        assert p.stat().st_size > 0, fmt
    # the HTML written in the same run shows the JSON report's counts
    summary = json.loads(outs["json"].read_text(encoding="utf-8"))["summary"]
    head = outs["html"].read_text(encoding="utf-8").split("</header>")[0]
    shown = {k: int(v) for k, v in re.findall(r'<span class="count" data-key="([^"]+)">(\d+)</span>', head)}
    assert shown == summary


def test_plain_output_path_still_takes_the_format(run, tmp_path):
    out = tmp_path / "r.sarif"
    r = run("check", SAMPLE, "--format", "sarif", "-o", str(out))
    assert r.exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["runs"][0]["tool"]["driver"]["name"] == "rmplint"
    assert "1. Awareness (clause 3)" in r.output


def test_named_outputs_leave_format_on_stdout(run, tmp_path):
    r = run("check", SAMPLE, "--format", "json", "-o", f"sarif={tmp_path / 'x.sarif'}")
    assert json.loads(r.output)["tool"]["name"] == "rmplint"


def test_unknown_output_format_is_a_usage_error(run, tmp_path):
    r = run("check", SAMPLE, "-o", f"htm={tmp_path / 'x.html'}")
    assert r.exit_code == 2
    assert "unknown report format 'htm'" in r.stderr
    assert not (tmp_path / "x.html").exists()


def test_unwritable_output_is_a_one_line_error(run, tmp_path):
    r = run("check", SAMPLE, "-o", f"json={tmp_path / 'no' / 'such' / 'dir.json'}")
    assert r.exit_code == 2 and "cannot write" in r.stderr


def test_parse_output_values():
    assert parse_output("json=report.json", "text") == ("json", "report.json")
    assert parse_output("sarif=a b.sarif", "text") == ("sarif", "a b.sarif")
    assert parse_output("csv-bom=a.csv", "text") == ("csv-bom", "a.csv")
    assert parse_output("report.json", "json") == ("json", "report.json")
    assert parse_output("dir/a=b.json", "json") == ("json", "dir/a=b.json")  # a path, not a format
    with pytest.raises(ValueError):
        parse_output("html=", "text")


def _many_quotes(path):
    from helpers import make_docx

    sentence = "The joint risk register is reviewed monthly by the joint management team of both parties."
    return make_docx(path, [("h1", "Joint risk management"), *[("p", f"{sentence} Item {i}.") for i in range(40)]])


def test_max_evidence_keeps_the_first_quotes_and_reports_the_total(run, tmp_path):
    doc = str(_many_quotes(tmp_path / "plan.docx"))
    every = json.loads(run("check", "--format", "json", "--max-evidence", "0", doc).output)
    capped = json.loads(run("check", "--format", "json", "--max-evidence", "3", doc).output)
    default = json.loads(run("check", "--format", "json", doc).output)
    pairs = list(zip(every["documents"][0]["clauses"], capped["documents"][0]["clauses"],
                     default["documents"][0]["clauses"]))
    busy = [(a, b, c) for a, b, c in pairs if len(a["evidence"]) > 25]
    assert busy, "some clause has more than 25 quotes in this plan"
    for a, b, c in pairs:
        total = len(a["evidence"])
        assert a["evidence_total"] == b["evidence_total"] == c["evidence_total"] == total
        assert b["evidence"] == a["evidence"][:3] and c["evidence"] == a["evidence"][:25]
        assert (a["status"], a["reason"]) == (b["status"], b["reason"])
    html = tmp_path / "r.html"
    run("check", "--max-evidence", "3", "-o", f"html={html}", doc)
    assert f"and {len(busy[0][0]['evidence']) - 3} more passages" in html.read_text(encoding="utf-8")


def test_max_evidence_from_the_config_file(run, tmp_path):
    doc = str(_many_quotes(tmp_path / "plan.docx"))
    (tmp_path / "rmplint.toml").write_text("max_evidence = 1\n", encoding="utf-8")
    got = json.loads(run("check", "--format", "json", "--config", str(tmp_path / "rmplint.toml"), doc).output)
    assert max(len(c["evidence"]) for c in got["documents"][0]["clauses"]) == 1


def test_data_reports_on_stdout_keep_the_documents_text_as_written(run, tmp_path):
    # click strips colour codes from what it prints when stdout is not a terminal: only the text
    # report may be coloured, so a CSV quote keeps an escape character the document held
    plan = tmp_path / "plan.txt"
    plan.write_text("Relationship Management Plan\n\n1. Governance\n\n"
                    "Both parties review the risk register \x1b[31mmonthly\x1b[0m at the joint board.\n", encoding="utf-8")
    out = run("check", str(plan), "--format", "csv").output
    assert "register \x1b[31mmonthly\x1b[0m at the joint board" in out
    assert json.loads(run("check", str(plan), "--format", "json").output)["documents"][0]["path"] == str(plan)


def test_the_json_report_on_stdout_and_in_a_file_are_the_same_bytes(run, tmp_path):
    out = tmp_path / "r.json"
    r = run("check", SAMPLE, "--format", "json", "-o", f"json={out}", "-o", f"text={tmp_path / 'r.txt'}")
    assert r.exit_code == 0
    assert r.stdout_bytes == out.read_bytes()
    assert json.loads(out.read_bytes())["documents"][0]["path"] == SAMPLE


@pytest.mark.parametrize(("args", "shown", "encoded_apart"), [
    (("--format", "json"), "json", True),
    ((), "text", False),
    (("--format", "sarif"), "sarif", False),
    (("-o", "json={dir}/r.json"), "text", True),  # the text summary on the terminal, JSON in a file
    (("--format", "json", "-o", "{dir}/r.out"), "text", True),  # a plain path takes --format
    (("--format", "json", "-o", "{dir}/r.out", "-o", "text={dir}/r.txt"), "", True),  # nothing on the terminal
])
def test_workers_encode_the_json_report_s_documents_only_when_a_json_report_is_written(run, tmp_path, monkeypatch,
                                                                                     args, shown, encoded_apart):
    import rmplint.runner as runner
    from rmplint.report.json import prerender

    asked = []
    real = runner.run_batch
    monkeypatch.setattr(runner, "run_batch", lambda *a, **k: (asked.append(k.get("prepare")), real(*a, **k))[1])
    r = run("check", SAMPLE, *(a.format(dir=tmp_path) for a in args))
    assert r.exit_code == 0, r.output
    assert asked == [prerender if encoded_apart else None]
    if shown == "json":
        assert json.loads(r.stdout_bytes)["documents"][0]["path"] == SAMPLE
    elif shown == "text":
        assert "1. Awareness (clause 3)" in r.output
    elif shown == "sarif":
        assert json.loads(r.output)["version"] == "2.1.0"
    else:
        assert r.output == ""
    if encoded_apart and "-o" in args:
        written = next(p for p in tmp_path.iterdir() if p.suffix in (".json", ".out"))
        assert json.loads(written.read_bytes())["documents"][0]["path"] == SAMPLE
