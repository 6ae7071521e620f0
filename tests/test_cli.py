"""The command line as a user runs it: reports, exit codes, batches, rule commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


SAMPLE = "examples/sample-rmp.docx"


@pytest.fixture()
def run(root, invoke):
    return lambda *args: invoke(root, *args)


def test_version_is_instant_and_imports_no_nlp(root):
    code = "import sys, rmplint.cli; sys.argv=['rmplint','--version']\n" \
           "try:\n  rmplint.cli.main()\nexcept SystemExit: pass\n" \
           "assert 'spacy' not in sys.modules and 'pdfplumber' not in sys.modules and 'yaml' not in sys.modules, sorted(m for m in sys.modules if m.split('.')[0] in ('spacy','pdfplumber','yaml'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root)
    assert out.returncode == 0, out.stderr
    assert "rmplint, version" in out.stdout


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts a process's threads in /proc")
def test_the_command_starts_no_blas_threads_and_keeps_a_users_setting(root):
    """numpy's OpenBLAS starts a thread per core that spins after import; the command (cli.run)
    asks for none before anything imports numpy. The test's command stands in for a check."""
    from rmplint.cli import one_blas_thread

    code = ("import os, rmplint.cli as c\n"
            "def command():\n"
            "    import numpy\n"
            "    print(len(os.listdir('/proc/self/task')), os.environ.get('OPENBLAS_NUM_THREADS'))\n"
            "c.main = command\n"
            "c.run()\n")
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1", "1"]  # the process's only thread: no pool
    environ = {"OPENBLAS_NUM_THREADS": "4"}
    one_blas_thread(environ)
    assert environ == {"OPENBLAS_NUM_THREADS": "4", "MKL_NUM_THREADS": "1"}


def test_text_report_groups_clauses_by_stage(run):
    r = run("check", SAMPLE)
    assert r.exit_code == 0, r.output
    assert "1. Awareness (clause 3)" in r.output and "8. Exit strategy (clause 10)" in r.output
    assert "4.6.4" in r.output and "Risk ownership" in r.output
    assert "\x1b[" not in r.output  # no colour when not a terminal


def test_json_report_shape_and_determinism(run):
    a = run("check", SAMPLE, "--format", "json")
    b = run("check", SAMPLE, "--format", "json")
    assert a.exit_code == 0
    assert a.output == b.output  # byte-identical
    data = json.loads(a.output)
    assert data["tool"]["name"] == "rmplint"
    doc = data["documents"][0]
    assert set(doc) >= {"path", "profile", "error", "clauses", "findings", "summary"}
    assert len(doc["clauses"]) == 89
    c = doc["clauses"][0]
    assert set(c) >= {"clause", "title", "stage", "status", "severity", "reason", "evidence"}
    ev = next(e for c in doc["clauses"] for e in c["evidence"])
    assert set(ev["location"]) >= {"page", "paragraph", "table", "row", "col", "heading_path"}


def test_fail_on_gate_sets_exit_code(run):
    assert run("check", SAMPLE, "--fail-on", "high").exit_code == 1
    assert run("check", SAMPLE, "--fail-on", "none").exit_code == 0


def test_batch_goes_on_after_an_unreadable_file_and_exits_2(run, root, tmp_path):
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    good = tmp_path / "plan.md"
    good.write_text((root / "examples" / "sample-rmp.md").read_text(encoding="utf-8"), encoding="utf-8")
    r = run("check", str(tmp_path), "--format", "json")
    assert r.exit_code == 2
    data = json.loads(r.stdout)
    by_name = {Path(d["path"]).name: d for d in data["documents"]}
    assert by_name["broken.docx"]["error"] and by_name["broken.docx"]["clauses"] == []
    assert by_name["plan.md"]["error"] is None and len(by_name["plan.md"]["clauses"]) == 89
    assert "broken.docx:" in r.stderr and "Traceback" not in r.output


def test_missing_path_is_reported_not_crashed(run):
    r = run("check", "does/not/exist.docx")
    assert r.exit_code == 2
    assert "does/not/exist.docx" in r.stderr


def test_contract_profile_and_output_file(run, tmp_path):
    out = tmp_path / "r.json"
    r = run("check", "corpora/contracts/kestrel-consultancy.txt", "--profile", "contract", "--format", "json", "-o", str(out))
    assert r.exit_code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    findings = data["documents"][0]["findings"]
    assert any(f["category"] == "adversarial" for f in findings)
    assert "kestrel-consultancy.txt" in r.output  # text summary still on the terminal


def test_rules_list_and_explain(run):
    r = run("rules", "list")
    assert r.exit_code == 0 and "bs11000.4.6.4.risk-ownership" in r.output
    e = run("rules", "explain", "4.6.1")
    assert e.exit_code == 0 and "Clause 4.6.1" in e.output and "Passes:" in e.output
    t = run("rules", "explain", "Pay when paid")
    assert "Collaborative alternative: Advance proactive payment" in t.output
    assert run("rules", "explain", "99.9").exit_code == 2


def test_rules_test_passes_on_the_shipped_pack(run):
    r = run("rules", "test")
    assert r.exit_code == 0, r.output
    assert " 0 failed" in r.output


def test_bad_rule_folder_is_a_one_line_error(run, tmp_path):
    (tmp_path / "bad.yaml").write_text("schema_version: 1\nid: x.y\nkind: clause\nclause: '4.1'\n", encoding="utf-8")
    r = run("check", SAMPLE, "--rules", str(tmp_path))
    assert r.exit_code == 2
    assert "bad.yaml" in r.stderr and "rule x.y" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize(
    ("args", "code", "stdout_has", "stderr_is"),
    [
        (["--version"], 0, "rmplint, version", ""),
        (["check", "--format", "json", SAMPLE], 0, '"documents"', ""),
        (["check", "--fail-on", "low", SAMPLE], 1, "clauses:", ""),
        (["check", "no-such-file.docx"], 2, "1 unreadable", "rmplint: no-such-file.docx: no such file or directory\n"),
        (["check", "--no-such-option", SAMPLE], 2, "", None),
    ],
)
def test_the_command_exits_with_its_code_and_all_its_output(root, tmp_path, args, code, stdout_has, stderr_is):
    """`rmplint` (cli.run) ends the process at once after the command: nothing it wrote is lost."""
    out_file = tmp_path / "out"
    with out_file.open("wb") as out:
        p = subprocess.run([sys.executable, "-m", "rmplint.cli", *args], stdout=out, stderr=subprocess.PIPE,
                           cwd=root, text=False)
    stdout = out_file.read_text(encoding="utf-8")
    assert p.returncode == code, p.stderr
    assert stdout_has in stdout
    if stderr_is is not None:
        assert p.stderr.decode() == stderr_is
    if "--format" in args:
        assert json.loads(stdout)["documents"][0]["clauses"]  # the whole report, flushed


def test_a_reader_that_stops_early_cuts_the_json_report_short_without_a_traceback(root):
    """`rmplint check --format json ... | head`: the report (megabytes, written piece by piece)
    stops where the reader stopped, nothing on stderr, and the run does not say it wrote
    everything (click's exit 1 for a closed pipe)."""
    p = subprocess.Popen([sys.executable, "-m", "rmplint.cli", "check", "--format", "json", "--max-evidence", "0",
                          SAMPLE, "corpora/rmp", "corpora/contracts"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         cwd=root)
    assert p.stdout is not None and p.stderr is not None
    first = p.stdout.read(10)
    p.stdout.close()
    err = p.stderr.read().decode()
    assert first and err == "" and p.wait(120) == 1


def test_several_workers_read_ahead_give_the_same_json_and_leave_no_files(root, invoke, tmp_path, monkeypatch):
    import tempfile

    from rmplint.readahead import ReadAhead

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the read-ahead keeps its pickles
    closed = []
    real_close = ReadAhead.close
    monkeypatch.setattr(ReadAhead, "close", lambda self: (real_close(self), closed.append(self))[0])
    args = ("check", "--format", "json", "corpora/rmp", "corpora/contracts")
    one = invoke(root, *args, "--jobs", "1")
    two = invoke(root, *args, "--jobs", "2")  # more documents than workers: documents are read ahead
    assert one.exit_code == two.exit_code and one.stdout == two.stdout
    assert len(json.loads(two.stdout)["documents"]) > 2
    assert len({id(a) for a in closed}) == 1 and closed[0].handed  # only the run with two workers read ahead
    assert not list(tmp_path.glob("rmplint-read-*"))
