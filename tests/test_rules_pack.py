"""The rule pack and its loader: valid rules, examples that hold, clear errors for bad rule files."""

from __future__ import annotations

import pytest

from rmplint.catalogue import load_catalogue
from rmplint.errors import RuleError
from rmplint.rules.loader import load_pack
from rmplint.rules.selftest import run_examples


def test_every_rule_names_a_catalogue_clause_or_term(pack):
    cat = load_catalogue()
    for r in pack.rules:
        if r.kind == "clause":
            c = cat.clause(r.clause)
            assert c is not None and not c.group, r.id
        else:
            assert cat.term_category(r.term) == r.category, r.id


def test_issue_scope_is_covered(pack):
    clauses = {r.clause for r in pack.rules if r.kind == "clause"}
    stage4 = {c.clause for c in load_catalogue().checkable if c.stage == "knowledge"}
    assert len(stage4) == 21 and stage4 <= clauses
    assert "10.1" in clauses
    assert len(pack.terms()) >= 6


def test_all_rule_examples_hold(pack):
    report = run_examples(pack)
    assert report.failed == 0, "\n".join(report.problems)
    assert report.passed == len(pack.rules)


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


GOOD = """schema_version: 1
id: my.rule
kind: clause
clause: "4.1"
severity: high
requirement: Something an auditor would look for in the plan.
evidence:
  thing:
    describe: a thing
    any:
      - sentence: {all: [%s]}
examples: {pass: [], fail: []}
"""


@pytest.mark.parametrize(
    "text, expect",
    [
        ("id: [unclosed\n", "invalid YAML"),
        (GOOD.replace("severity: high", "severity: urgent") % "risk", "/severity"),
        (GOOD % "no-such-concept", "unknown concept 'no-such-concept'"),
        (GOOD.replace('clause: "4.1"', 'clause: "4.6"') % "risk", "heading (group)"),
        (GOOD.replace('clause: "4.1"', 'clause: "42.1"') % "risk", "unknown clause"),
        (GOOD.replace("sentence: {all: [%s]}", "pattern: {regex: '(a+)+$'}"), "nested quantifiers"),
        (GOOD.replace("sentence:", "telepathy:") % "risk", "/evidence/thing/any/0"),
        (GOOD.replace("requirement:", "colour: red\nrequirement:") % "risk", "colour"),
    ],
)
def test_bad_rule_files_name_file_rule_and_place(tmp_path, text, expect):
    _write(tmp_path, "bad.yaml", text)
    with pytest.raises(RuleError) as e:
        load_pack([tmp_path])
    msg = e.value.one_line()
    assert "bad.yaml" in msg and expect in msg, msg


def test_duplicate_rule_ids_are_rejected(tmp_path):
    _write(tmp_path, "a.yaml", GOOD % "lemma:risk")
    _write(tmp_path, "b.yaml", GOOD % "lemma:risk")
    with pytest.raises(RuleError, match="duplicate rule id"):
        load_pack([tmp_path], builtin=False)


def test_user_vocabulary_extends_a_builtin_concept(tmp_path, pack):
    _write(tmp_path, "vocab.yaml", "schema_version: 1\nconcepts:\n  risk-register:\n    phrases: [hazard ledger]\n")
    extended = load_pack([tmp_path])
    assert "hazard ledger" in extended.concepts["risk-register"].phrases
    assert set(pack.concepts["risk-register"].phrases) < set(extended.concepts["risk-register"].phrases)


def test_bare_yaml_boolean_in_vocabulary_gets_a_hint(tmp_path):
    _write(tmp_path, "vocab.yaml", "schema_version: 1\nconcepts:\n  negator:\n    exact: [not, no]\n")
    with pytest.raises(RuleError) as e:
        load_pack([tmp_path], builtin=False)
    msg = e.value.one_line()
    assert "vocab.yaml" in msg and "/concepts/negator/exact/1" in msg and "quote the word" in msg
