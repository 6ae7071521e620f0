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


def test_vocabulary_from_several_files_merges_in_file_order_without_repeats(tmp_path, pack):
    builtin = pack.concepts["risk-register"].phrases
    _write(tmp_path, "a.yaml", "schema_version: 1\nconcepts:\n  risk-register:\n"
                               f"    phrases: [peril log, {builtin[0]}, hazard ledger, peril log]\n"
                               "    patterns: ['\\bhzl\\b']\n")
    _write(tmp_path, "b.yaml", "schema_version: 1\nconcepts:\n  risk-register:\n"
                               "    phrases: [danger list, peril log, ancient roll]\n    patterns: ['\\bhzl\\b', '\\bdgl\\b']\n")
    merged = load_pack([tmp_path]).concepts["risk-register"]
    assert merged.phrases == (*builtin, "peril log", "hazard ledger", "danger list", "ancient roll")
    assert merged.patterns[-2:] == (r"\bhzl\b", r"\bdgl\b") and merged.patterns.count(r"\bhzl\b") == 1


def test_bare_yaml_boolean_in_vocabulary_gets_a_hint(tmp_path):
    _write(tmp_path, "vocab.yaml", "schema_version: 1\nconcepts:\n  negator:\n    exact: [not, no]\n")
    with pytest.raises(RuleError) as e:
        load_pack([tmp_path], builtin=False)
    msg = e.value.one_line()
    assert "vocab.yaml" in msg and "/concepts/negator/exact/1" in msg and "quote the word" in msg


# --------------------------------------------------------------------------- phrase alternatives


def test_phrase_alternatives_spell_out_every_choice_in_order():
    from rmplint.rules.loader import alternatives

    assert alternatives("risk register") == ["risk register"]
    assert alternatives("{from|of} {each|both} {of the|} party") == [
        "from each of the party", "from each party", "from both of the party", "from both party",
        "of each of the party", "of each party", "of both of the party", "of both party"]
    # a choice inside a word, and repeats said once
    assert alternatives("the {|sub}contractor{|s}") == ["the contractor", "the contractors", "the subcontractor",
                                                        "the subcontractors"]
    assert alternatives("{a|a} b") == ["a b"]


@pytest.mark.parametrize(
    "phrase, expect",
    [("each {party", "in pairs"), ("each party}", "in pairs"), ("{a|{b}}", "in pairs"), ("{|}", "empty"),
     ("{a|b|c|d}" * 5 + " x", "more than 1000 phrases")],
)
def test_bad_phrase_alternatives_name_file_concept_and_phrase(tmp_path, phrase, expect):
    _write(tmp_path, "vocab.yaml", f"schema_version: 1\nconcepts:\n  duo:\n    exact: ['{phrase}']\n")
    with pytest.raises(RuleError) as e:
        load_pack([tmp_path], builtin=False)
    msg = e.value.one_line()
    assert "vocab.yaml" in msg and "concept duo" in msg and phrase in msg and expect in msg, msg


def test_phrase_alternatives_match_in_a_word_document(tmp_path):
    from helpers import make_docx

    from rmplint.detect.analysis import analyse
    from rmplint.detect.concepts import ConceptMatcher
    from rmplint.ingest import load

    _write(tmp_path, "vocab.yaml", "schema_version: 1\nconcepts:\n"
           "  duo:\n    exact: ['{members|nominees} {of|from} {each|both} {of the|} {party|parties}']\n"
           "  pair-lemma:\n    phrases: ['{value|strategic} driver']\n")
    pack = load_pack([tmp_path], builtin=False)
    assert len(pack.concepts["duo"].exact) == 32
    path = make_docx(tmp_path / "plan.docx", [
        ("h1", "Governance"),
        ("p", "Nominees from both of the parties sit on the board. Members of each party attend."),
        ("bullet", "Members from all parties attend."),  # "all" is not one of the choices
        ("table", [["Driver", "Owner"], ["Our strategic drivers are cost and speed.", "Board"]]),
    ])
    found = {s.text: s.concepts for s in analyse(load(path), ConceptMatcher(pack), "rmp").sentences}
    assert "duo" in found["Nominees from both of the parties sit on the board."]
    assert "duo" in found["Members of each party attend."]
    assert "duo" not in found["Members from all parties attend."]
    assert "pair-lemma" in found["Our strategic drivers are cost and speed."]  # on lemmas: "drivers"
