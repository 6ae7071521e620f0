"""The configuration cascade: defaults, project file, --config FILE, command line; errors name file and key."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from rmplint.config import Config, ConfigError, load_config, maturity_shortfalls
from rmplint.findings import DocumentResult


@pytest.fixture()
def run(invoke):
    return invoke


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_each_level_overrides_the_one_before(tmp_path):
    _write(tmp_path / "rmplint.toml", 'profile = "contract"\nreview_months = 6\nextended_payment_days = 40\n'
                                      'prompt_payment_days = 7\nseverity = {"4.6.1" = "low", "4.2" = "low"}\n')
    extra = _write(tmp_path / "ci" / "strict.toml", 'extended_payment_days = 45\nprompt_payment_days = 10\n'
                                                    'severity = {"4.6.1" = "critical"}\n')
    cfg = load_config({"prompt_payment_days": 12}, str(extra), cwd=tmp_path / "ci")
    assert cfg.fail_on == "none" and cfg.source("fail_on") == "default"
    assert cfg.profile == "contract" and cfg.review_months == 6
    assert cfg.source("review_months") == str(tmp_path / "rmplint.toml")
    assert cfg.extended_payment_days == 45 and cfg.source("extended_payment_days") == f"--config {extra}"
    assert cfg.prompt_payment_days == 12 and cfg.source("prompt_payment_days") == "command line"
    assert cfg.severity == {"4.6.1": "critical", "4.2": "low"}  # merged key by key
    opts = cfg.check_options()
    assert opts.settings["extended_payment_days"] == 45 and opts.severity["4.6.1"] == "critical"


def test_pyproject_tool_table_is_found_upward_and_rmplint_toml_wins_in_one_folder(tmp_path):
    _write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n[tool.rmplint]\nfail_on = "high"\nrules = ["house-rules"]\n')
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    cfg = load_config({}, cwd=deep)
    assert cfg.fail_on == "high" and cfg.source("fail_on") == f"{tmp_path / 'pyproject.toml'} [tool.rmplint]"
    assert cfg.rules == (str(tmp_path.resolve() / "house-rules"),)  # relative to the file
    _write(tmp_path / "rmplint.toml", 'fail_on = "low"\n')
    assert load_config({}, cwd=deep).fail_on == "low"
    _write(tmp_path / "a" / "pyproject.toml", '[project]\nname = "y"\n')  # no [tool.rmplint]: passed over
    assert load_config({}, cwd=deep).fail_on == "low"


def test_a_pyproject_that_never_names_rmplint_is_passed_over_even_when_broken(tmp_path):
    _write(tmp_path / "rmplint.toml", 'fail_on = "low"\n')
    deep = tmp_path / "a"
    _write(deep / "pyproject.toml", '[project\nname = "y"\n')  # another tool's file, not valid TOML
    assert load_config({}, cwd=deep).fail_on == "low"
    for text in ('[tool.rmplint\nfail_on = "high"\n', '[tool."rmp\\u006cint"\nfail_on = "high"\n'):
        _write(deep / "pyproject.toml", text)  # one that may hold the table is read, and must be valid
        with pytest.raises(ConfigError, match="invalid TOML"):
            load_config({}, cwd=deep)
    _write(deep / "pyproject.toml", '[tool."rmp\\u006cint"]\nfail_on = "high"\n')  # a quoted key, escaped
    assert load_config({}, cwd=deep).fail_on == "high"


@pytest.mark.parametrize("text", ['tool = "rmplint"\n', 'tool = ["rmplint"]\n'])
def test_a_pyproject_whose_tool_is_not_a_table_is_a_config_error(run, tmp_path, text):
    _write(tmp_path / "pyproject.toml", text)
    r = run(tmp_path, "config", "show")
    assert r.exit_code == 2
    assert "tool must be a table" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_the_project_file_is_parsed_once(tmp_path, monkeypatch):
    from rmplint import config

    parsed = []
    real = config._read_toml
    monkeypatch.setattr(config, "_read_toml", lambda path, raw=None: parsed.append(path) or real(path, raw))
    for name, text, fail_on in (("pyproject.toml", '[tool.rmplint]\nfail_on = "high"\n', "high"),
                                ("rmplint.toml", 'fail_on = "low"\n', "low")):
        folder = tmp_path / name.split(".")[0]
        _write(folder / name, text)
        parsed.clear()
        assert load_config({}, cwd=folder).fail_on == fail_on
        assert parsed == [folder / name]  # the search's parse is the one the values come from


def test_documents_folder_is_searched_before_the_working_directory(tmp_path):
    _write(tmp_path / "work" / "rmplint.toml", 'fail_on = "low"\n')
    docs = tmp_path / "submissions"
    _write(docs / "rmplint.toml", 'fail_on = "critical"\nwaivers = "waivers.yaml"\n')
    _write(docs / "plan.md", "# Plan\n")
    assert load_config({}, paths=[str(docs)], cwd=tmp_path / "work").fail_on == "critical"
    cfg = load_config({}, paths=[str(docs / "plan.md")], cwd=tmp_path / "work")
    assert cfg.fail_on == "critical" and cfg.waivers == str(docs.resolve() / "waivers.yaml")
    other = _write(tmp_path / "elsewhere" / "c.md", "x")
    assert load_config({}, paths=[str(docs / "plan.md"), str(other)], cwd=tmp_path / "work").fail_on == "low"


def test_unknown_key_is_a_one_line_error_naming_file_and_key(run, root, tmp_path):
    _write(tmp_path / "rmplint.toml", 'fail_onn = "high"\n')
    r = run(tmp_path, "check", str(root / "examples" / "sample-rmp.md"))
    assert r.exit_code == 2
    assert r.stderr.strip() == (f"rmplint: error: {tmp_path / 'rmplint.toml'}: unknown key 'fail_onn' (known: profile, "
                                "rules, disable, severity, extended_payment_days, prompt_payment_days, review_months, max_evidence, "
                                "fail_on, fail_below, waivers, exclude)")
    assert "Traceback" not in r.output


@pytest.mark.parametrize(("text", "message"), [
    ("review_months = \"twelve\"\n", "key 'review_months' must be an integer, got 'twelve'"),
    ("fail_below = \"E\"\n", "key 'fail_below' must be one of A, B, C, D, got 'E'"),
    ("severity = {\"4.6.1\" = \"severe\"}\n", "key 'severity' '4.6.1' must be one of info, low, medium, high, critical"),
    ("rules = 3\n", "key 'rules' must be a list of strings, got 3"),
    ("profile = \n", "invalid TOML"),
])
def test_wrong_types_are_config_errors(run, tmp_path, text, message):
    cfg = _write(tmp_path / "custom.toml", text)
    r = run(tmp_path, "config", "show", "--config", str(cfg))
    assert r.exit_code == 2
    assert str(cfg) in r.stderr and message in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_config_show_says_where_each_value_came_from(run, tmp_path):
    _write(tmp_path / "pyproject.toml", '[tool.rmplint]\nreview_months = 18\n')
    extra = _write(tmp_path / "extra.toml", 'fail_on = "medium"\n')
    r = run(tmp_path, "config", "show", "--config", str(extra), "--severity", "4.6.1=critical", "--fail-below", "C")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert f"review_months = 18  # {tmp_path / 'pyproject.toml'} [tool.rmplint]" in lines
    assert f"fail_on = \"medium\"  # --config {extra}" in lines
    assert 'severity = {"4.6.1" = "critical"}  # command line' in lines
    assert 'fail_below = "C"  # command line' in lines
    assert "profile = \"auto\"  # default" in lines


def test_severity_overrides_and_disabled_rules_take_effect(run, root, tmp_path):
    sample = str(root / "examples" / "sample-rmp.md")
    base = json.loads(run(tmp_path, "check", sample, "--format", "json").stdout)["documents"][0]
    target = next(c for c in base["clauses"] if c["status"] in ("partial", "missing") and c["severity"] != "critical")
    gone = next(c for c in base["clauses"] if c["status"] == "met" and c["rule"])
    _write(tmp_path / "rmplint.toml", f'disable = ["{gone["rule"]}"]\nseverity = {{"{target["clause"]}" = "critical"}}\n')
    r = run(tmp_path, "check", sample, "--format", "json", "--fail-on", "critical")
    doc = json.loads(r.stdout)["documents"][0]
    by_clause = {c["clause"]: c for c in doc["clauses"]}
    assert by_clause[target["clause"]]["severity"] == "critical"
    assert by_clause[gone["clause"]]["status"] == "not-checked"
    assert r.exit_code == 1  # the raised severity now trips the gate
    # the command line overrides the project file
    r2 = run(tmp_path, "check", sample, "--format", "json", "--severity", f"{target['clause']}=low")
    doc2 = json.loads(r2.stdout)["documents"][0]
    assert {c["clause"]: c for c in doc2["clauses"]}[target["clause"]]["severity"] == "low"


def test_bad_severity_option_is_a_usage_error(run, tmp_path):
    r = run(tmp_path, "config", "show", "--severity", "4.6.1")
    assert r.exit_code == 2 and "expected KEY=SEVERITY" in r.stderr


def _rmp(levels: dict[str, str | None]) -> DocumentResult:
    return DocumentResult(path="plan.docx", profile="rmp",
                          summary={"maturity": {s: {"level": lv, "score": None} for s, lv in levels.items()}})


def test_fail_below_names_every_stage_under_the_level():
    r = _rmp({"awareness": "B", "knowledge": "C", "exit-strategy": "D", "partner-selection": None})
    assert maturity_shortfalls(r, "B") == [("knowledge", "C"), ("exit-strategy", "D")]
    assert maturity_shortfalls(r, "D") == []
    assert maturity_shortfalls(r, None) == []
    assert maturity_shortfalls(DocumentResult(path="x", profile=None, error="bad"), "A") == []
    assert Config(fail_below="A").fail_below == "A"


def test_fail_below_sets_exit_code_and_exit_2_still_wins(run, root, tmp_path, monkeypatch):
    import rmplint.runner

    results = [_rmp({"awareness": "A", "knowledge": "C"})]
    monkeypatch.setattr(rmplint.runner, "run_batch", lambda *args, **kwargs: list(results))
    sample = str(root / "examples" / "sample-rmp.md")
    assert run(tmp_path, "check", sample, "--fail-below", "C").exit_code == 0
    r = run(tmp_path, "check", sample, "--fail-below", "B")
    assert r.exit_code == 1 and "stage knowledge maturity C is below B" in r.stderr
    _write(tmp_path / "rmplint.toml", 'fail_below = "B"\n')
    assert run(tmp_path, "check", sample).exit_code == 1  # from the project file
    assert run(tmp_path, "check", sample, "--fail-below", "D").exit_code == 0  # command line wins
    results.append(DocumentResult(path="broken.docx", profile=None, error="corrupt .docx", error_kind="corrupt"))
    assert run(tmp_path, "check", sample).exit_code == 2


def test_pre_commit_hook_gates_documents_at_high(root):
    import re

    import yaml

    [hook] = yaml.safe_load((root / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "rmplint" and hook["entry"] == "rmplint check --fail-on high"
    assert hook["language"] == "python"
    files = re.compile(hook["files"])
    assert all(files.search(n) for n in ("plans/rmp.docx", "c.pdf", "notes.md"))
    assert not any(files.search(n) for n in ("a.py", "rmp.docx.bak", "x.txt"))


def test_github_action_runs_the_gate_and_writes_sarif(root, tmp_path):
    import subprocess
    import sys

    import yaml

    action = yaml.safe_load((root / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    assert {"paths", "fail-on", "format", "sarif", "upload-sarif"} <= set(action["inputs"])
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "check")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "PATHS": "examples/sample-rmp.md", "FAIL_ON": "high", "FAIL_BELOW": "", "FORMAT": "text",
           "SARIF": str(tmp_path / "r.sarif"), "CONFIG": "", "WAIVERS": "",
           "GITHUB_OUTPUT": str(tmp_path / "out"), "GITHUB_ENV": str(tmp_path / "env")}
    proc = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", step["run"]], env=env, cwd=root,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr  # the step records the exit code; the Gate step fails
    assert "exit-code=1" in (tmp_path / "out").read_text() and "RMPLINT_EXIT=1" in (tmp_path / "env").read_text()
    sarif = json.loads((tmp_path / "r.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
