"""End-to-end verdicts on real files: evidence, locations, tracked changes, and what never counts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import make_docx


def verdict(result, clause):
    return next(c for c in result.clauses if c.clause == clause)


def test_every_checkable_clause_gets_a_verdict(checker, root):
    res = checker.check_path(root / "examples" / "sample-rmp.docx")
    assert res.error is None and res.profile == "rmp"
    assert len(res.clauses) == 89
    assert {c.status for c in res.clauses} <= {"met", "partial", "missing", "not-applicable", "not-checked"}
    # clauses without a rule are never reported as met
    ruled = {r.clause for r in checker.pack.rules if r.kind == "clause"}
    assert all(c.status == "not-checked" for c in res.clauses if c.clause not in ruled)


def test_table_evidence_is_located_by_table_and_heading_path(checker, root):
    res = checker.check_path(root / "fixtures" / "docx" / "rmp_structure.docx", )
    v = verdict(res, "4.6.4")
    assert v.status == "met", v.reason
    table_ev = [e for e in v.evidence if e.location.table is not None]
    assert table_ev, v.evidence
    loc = table_ev[0].location
    assert loc.table == 1
    assert loc.heading_path == ("2 Working together", "2.2 Joint risk management")
    assert loc.page == 3
    assert "table 1" in v.reason


def test_pdf_evidence_carries_page_and_cell(checker, root):
    res = checker.check_path(root / "fixtures" / "pdf" / "rmp_multipage.pdf")
    assert res.error is None
    v = verdict(res, "4.6.4")
    assert v.status == "met", v.reason
    locs = [e.location for e in v.evidence]
    assert any(loc.table == 1 and loc.page == 2 for loc in locs)
    assert all(loc.page is not None for loc in locs)
    # running header and footer text never appears in the body evidence
    for c in res.clauses:
        for e in c.evidence:
            assert "Northwind Alliance RMP v1.2" not in e.text and "Page 1 of 4" not in e.text


def test_tracked_deletion_is_ignored_and_insertion_read(checker, tmp_path):
    only_deleted = make_docx(tmp_path / "deleted.docx", [
        ("h1", "Risk"),
        ("tracked", [("plain", "Our approach: "), ("del", "each risk in the partnership risk register has a named owner who is accountable for it.")]),
    ])
    only_inserted = make_docx(tmp_path / "inserted.docx", [
        ("h1", "Risk"),
        ("tracked", [("plain", "Our approach: "), ("ins", "each risk in the partnership risk register has a named owner who is accountable for it.")]),
    ])
    deleted = checker.check_path(only_deleted)
    inserted = checker.check_path(only_inserted)
    assert verdict(deleted, "4.6.4").status == "missing"
    assert verdict(inserted, "4.6.4").status == "met"
    assert any("named owner" in e.text for e in verdict(inserted, "4.6.4").evidence)


NEVER_EVIDENCE = [
    # negated
    "No risk register has been set up and no owners have been assigned to risks.",
    "The partners have not yet agreed a joint exit strategy covering staff, data and assets.",
    "A business impact assessment has not been carried out.",
    "We have not identified potential partners for this opportunity.",
    # deferred
    "A risk register with named owners will be developed in due course.",
    "A joint exit strategy covering staff transfer, data and assets will be agreed at a later date.",
    "The business continuity plan for the partnership is to be developed next year.",
    "Objectives and measures for the relationship are to be agreed.",
    # placeholder
    "Risk owner: [insert name]. The risk register is held by TBC.",
    "The exit strategy covering staff, data and assets was approved on XX/XX/20XX by [insert name].",
]


@pytest.mark.parametrize("sentence", NEVER_EVIDENCE)
def test_negated_deferred_or_placeholder_sentences_never_make_a_clause_met(checker, tmp_path, sentence):
    path = make_docx(tmp_path / "plan.docx", [("h1", "Relationship management plan"), ("p", sentence)])
    res = checker.check_path(path)
    met = [c.clause for c in res.clauses if c.status == "met"]
    assert met == [], (met, [c.reason for c in res.clauses if c.status == "met"])


def test_one_sided_exit_strategy_is_partial_not_met(checker, tmp_path):
    path = make_docx(tmp_path / "plan.docx", [
        ("h1", "Exit"),
        ("p", "The Company's exit strategy covers the transfer of staff under TUPE, the return of data and the handover of assets."),
    ])
    v = verdict(checker.check_path(path), "10.1")
    assert v.status == "partial"
    assert "one party" in v.reason


def test_missing_reason_names_what_was_not_counted(checker, tmp_path):
    path = make_docx(tmp_path / "plan.docx", [
        ("h1", "Continuity"),
        ("p", "A business impact assessment will be carried out next year."),
    ])
    v = verdict(checker.check_path(path), "4.6.3.2")
    assert v.status == "missing"
    assert "deferred" in v.reason and "para" in v.reason


def test_clause_declared_not_applicable(checker, tmp_path):
    path = make_docx(tmp_path / "plan.docx", [
        ("h1", "Scope"),
        ("p", "Clause 4.5.5 is not applicable because the partnership has no external customers."),
    ])
    v = verdict(checker.check_path(path), "4.5.5")
    assert v.status == "not-applicable"
    assert v.evidence and "4.5.5" in v.evidence[0].text


def test_contract_terms_found_with_clause_reference_and_alternative(checker, root):
    # a real subcontract whose clause numbers come from Word's automatic numbering
    res = checker.check_path(root / "corpora" / "contracts" / "ashdown-birchwood-subcontract.docx")
    assert res.profile == "contract", res.profile_reason
    adverse = [f for f in res.findings if f.category == "adversarial"]
    assert adverse, res.findings
    for f in adverse:
        assert f.message.startswith("Potentially adversarial term")
        assert f.alternative and f.alternative in f.message
        assert f.location.clause_ref
    pwp = [f for f in adverse if f.term == "Pay when paid"]
    assert pwp and "conditional upon receipt" in pwp[0].text


def test_unreadable_document_is_a_result_with_an_error(checker, root):
    res = checker.check_path(root / "fixtures" / "pdf" / "scanned.pdf")
    assert res.error == "no text layer (scanned?)"
    assert res.error_kind == "no-text"
    assert res.clauses == () and res.findings == ()


def test_placeholders_are_hygiene_findings(checker, tmp_path):
    path = make_docx(tmp_path / "plan.docx", [("h1", "Review"), ("p", "The next review of this plan is due on XX/XX/20XX.")])
    res = checker.check_path(path)
    hyg = [f for f in res.findings if f.rule == "hygiene.placeholder"]
    assert len(hyg) == 1 and "XX/XX/20XX" in hyg[0].message


def test_profile_is_detected_from_content(checker, root):
    rmp = checker.check_path(root / "examples" / "sample-rmp.docx")
    assert rmp.profile == "rmp" and rmp.profile_reason
    contract = checker.check_path(root / "corpora" / "contracts" / "kestrel-consultancy.txt")
    assert contract.profile == "contract" and "contract cues" in contract.profile_reason


def test_same_input_gives_identical_results(checker, root):
    a = checker.check_path(root / "examples" / "sample-rmp.docx").to_dict()
    b = checker.check_path(root / "examples" / "sample-rmp.docx").to_dict()
    assert a == b


CONTRACT = """# Services Agreement

This Agreement is made between the Customer and the Supplier. The parties agree as follows.

## 14 Audit

14.1 The Customer may audit the Supplier's books and records on reasonable notice.

## 15 General

15.1 {exclusion}
"""


@pytest.mark.parametrize(
    "exclusion, audited",
    [
        ("Clause 14 (Audit) shall not apply.", False),
        ("Clause 26 (Audit) of the Main Contract shall not apply.", True),
        ("This Agreement is governed by the law of England and Wales.", True),
    ],
)
def test_a_clause_the_contract_disapplies_is_not_a_term(checker, tmp_path, exclusion, audited):
    path = tmp_path / "agreement.md"
    path.write_text(CONTRACT.format(exclusion=exclusion), encoding="utf-8")
    res = checker.check_path(path, "contract")
    found = [f for f in res.findings if f.term == "Audit rights"]
    assert bool(found) is audited
    if audited:
        assert found[0].location.clause_ref == "14.1"


def test_list_items_under_a_deferring_lead_in_are_deferred(checker, tmp_path):
    path = make_docx(tmp_path / "plan.docx", [
        ("h1", "Knowledge"),
        ("p", "The following will be developed during the next phase:"),
        ("bullet", "Guidelines on which information may be shared with partner organisations and which is commercially sensitive."),
    ])
    v = verdict(checker.check_path(path), "4.4")
    assert v.status != "met" and "deferred" in v.reason


def test_placeholder_cut_by_the_sentencizer_still_marks_both_halves(checker, tmp_path):
    path = make_docx(tmp_path / "plan.docx", [
        ("h1", "Exit triggers"),
        ("p", "[insert exit triggers, e.g. change of ownership of the partner, persistent performance failure]"),
    ])
    res = checker.check_path(path)
    assert all("change of ownership" not in e.text for c in res.clauses for e in c.evidence)


def test_first_column_of_a_wide_table_is_evidence_not_a_label(checker, tmp_path):
    path = make_docx(tmp_path / "plan.docx", [
        ("h1", "Risks"),
        ("table", [["Risk", "Owner", "Mitigation"], ["Loss of key staff", "HR Director", "Succession plan"]]),
    ])
    res = checker.check_path(path)
    quotes = [e.text for c in res.clauses for e in c.evidence]
    assert any("Loss of key staff" in q for q in quotes)


TRAPS = """# Supply Agreement

## Background

(A) The parties wish to work collaboratively and may in due course agree liquidated damages for late delivery.

## 1 Definitions

1.1 "Liquidated Damages" means the sums set out in Schedule 4.

1.2 "Performance Bonus" has the meaning given in Schedule 5.

## 2 Supply

2.1 The Supplier shall deliver the Goods on the Delivery Date. This Agreement is governed by the law of England.

2.2 The parties may in future agree a performance bonus scheme.

2.3 No liquidated damages shall be payable under this Agreement.

2.4 The delay damages rate is £[insert amount] per week.
"""


def test_recitals_definitions_negations_and_placeholders_are_not_terms(checker, tmp_path):
    path = tmp_path / "supply.md"
    path.write_text(TRAPS, encoding="utf-8")
    res = checker.check_path(path, "contract")
    terms = {f.term for f in res.findings if f.category in ("adversarial", "collaborative")}
    assert "Liquidated damages" not in terms and "Performance bonuses" not in terms, res.findings
    holders = [f for f in res.findings if f.rule == "hygiene.placeholder"]
    assert holders and holders[0].location.clause_ref == "2.4"


def test_an_engine_bug_on_one_document_is_an_error_result_not_a_crash(checker, root, monkeypatch):
    from rmplint.engine import Checker

    def boom(self, doc, profile=None):
        raise ValueError("unexpected structure")

    monkeypatch.delenv("RMPLINT_DEBUG", raising=False)
    monkeypatch.setattr(Checker, "check_document", boom)
    res = checker.check_path(root / "examples" / "sample-rmp.docx")
    assert res.error_kind == "internal"
    assert "ValueError: unexpected structure" in res.error and "please report" in res.error


def test_a_title_followed_by_not_used_is_excluded(checker, tmp_path):
    path = tmp_path / "schedule.md"
    path.write_text(
        "# Schedule 2\n\nThis Agreement is made between the parties and the parties agree as follows.\n\n"
        "Part C — Liquidated damages of £500 per day of delay. Not used.\n",
        encoding="utf-8",
    )
    res = checker.check_path(path, "contract")
    assert not [f for f in res.findings if f.term == "Liquidated damages"]


def test_the_cycle_collector_is_off_during_a_check_and_restored_after(checker, root, monkeypatch):
    import gc

    import rmplint.engine as engine

    seen = []
    real = engine.analyse
    monkeypatch.setattr(engine, "analyse", lambda *a: (seen.append(gc.isenabled()), real(*a))[1])
    path = root / "examples" / "sample-rmp.docx"
    assert gc.isenabled()
    checker.check_path(path)
    assert seen == [False] and gc.isenabled()
    gc.disable()  # a caller that keeps it off finds it off
    try:
        checker.check_path(path)
        assert not gc.isenabled()
    finally:
        gc.enable()
    monkeypatch.setattr(engine, "analyse", lambda *a: 1 / 0)
    assert checker.check_path(path).error_kind == "internal"  # a failing check puts it back too
    assert gc.isenabled()


def test_profile_cues_are_counted_as_a_pass_of_every_cue_over_the_opening_would(root):
    # the literal pre-test only skips cues a text cannot hold: the counts and the reasons are the
    # ones a findall of every cue over the document's first 200,000 characters gives
    import re

    from rmplint.engine import _CASE_SENSITIVE, _CONTRACT_CUES, _RMP_CUES, detect_profile
    from rmplint.ingest import load

    paths = sorted(p for p in (root / "corpora").rglob("*") if p.suffix in (".docx", ".pdf", ".txt"))
    assert len(paths) > 20
    for path in paths:
        doc = load(path)
        text = doc.text[:200_000]
        counts = {name: len(re.findall(rx, text, 0 if any(k in rx for k in _CASE_SENSITIVE) else re.I))
                  for name, rx, _, _ in (*_CONTRACT_CUES, *_RMP_CUES)}
        profile, reason = detect_profile(doc)
        for name, rx, _, needed in (*_CONTRACT_CUES, *_RMP_CUES):
            if counts[name] >= needed and (name, rx) in [(n, r) for n, r, _, _ in
                                                         (_CONTRACT_CUES if profile == "contract" else _RMP_CUES)]:
                assert f"{name} x{counts[name]}" in reason, (path, name, reason)
            else:
                assert f"{name} x" not in reason, (path, name, reason)


@pytest.mark.parametrize("text", [
    "The exit strategy is [insert date] and will be agreed at the first annual review.",
    '"Relationship Manager" means the person named in Schedule 2; fees of £1.5m per annum.',
    "In the event of the relationship ends, both sponsors meet. ****",
    "Nothing here at all",
])
def test_one_pretest_pass_opens_what_the_concept_and_mark_pretests_open(checker, text):
    import re

    from rmplint.detect.prefilter import Gate
    from rmplint.nlp import mark_vocabulary

    matcher, mv = checker.matcher, mark_vocabulary()
    concept_part, mark_part = matcher.open_block(text)
    assert mv.patterns_opened(mark_part) == mv.patterns_for(text)
    assert concept_part == Gate([(p, re.I) for _, p in matcher._regex]).open(text.casefold())


@pytest.mark.parametrize("pattern, flags, newline", [
    (r"\bexit strateg(?:y|ies)\b", re.I, False),
    (r"\blessons[ -](?:learned|learnt)\b", re.I, False),
    (r"\bBS\s?11000\b", re.I, True),  # \s matches a line break
    (r"\bterm[^.]{0,9}ends", re.I, True),  # so does a negated set
    (r"\bterm.{0,9}ends", re.I, False),
    (r"\bterm.{0,9}ends", re.I | re.S, True),
    (r"\b\w+\d[\w-]*\S", 0, False),
])
def test_a_pattern_that_may_match_a_line_break_is_told(pattern, flags, newline):
    from rmplint.detect.prefilter import may_match_newline

    assert may_match_newline(pattern, flags) is newline


@pytest.mark.parametrize("text", [
    "Exit strategy\nThe exit strategies are set.\nEXIT STRATEGY: see the exit strategy.",
    "no match here\nexit\nstrategy",  # a match would cross the line break: there is none
    "exitstrategy exit strategy\n\nexit strategy",
    "exit strategy",
    "",
])
def test_line_by_line_counts_are_the_counts_of_the_whole_text(text):
    from rmplint.engine import _count

    rx = re.compile(r"\bexit strateg(?:y|ies)\b", re.I)
    assert _count(rx, text, text.lower(), ("exit strateg",)) == len(rx.findall(text))
    assert _count(rx, text, None, ("exit strateg",)) == len(rx.findall(text))  # text not ASCII: the whole pass


def test_the_analysis_takes_the_pipelines_docs_a_batch_at_a_time(checker):
    """Each batch of texts goes all the way through the pipeline before its Docs are analysed
    (analysis._docs), in order, none lost at a batch's edge, and no more than a batch read ahead."""
    from rmplint.detect import analysis
    from rmplint.nlp import WORDS, get_nlp

    n = 2 * analysis._BATCH + 3
    texts = [f"Review {i} is held. The partners attend." for i in range(n)]
    pulled = []

    def source():
        for t in texts:
            pulled.append(t)
            yield t

    docs = analysis._docs(get_nlp(), source())
    first = next(docs)
    assert len(pulled) == analysis._BATCH  # only the first batch was read
    rest = list(docs)
    assert [d.text for d in [first, *rest]] == texts
    assert all(WORDS in d.user_data and len(list(d.sents)) == 2 for d in [first, *rest])  # the whole pipeline


def test_a_repeated_text_is_read_once_and_marked_by_each_place_it_stands(checker, tmp_path, monkeypatch):
    """The pipeline and the rules see each distinct block text once (analysis._read); what a block's
    place adds (heading, label cell, section context, a deferring lead-in, a placeholder cell) is
    still its own. Fails if the first place of a text decides the others."""
    from rmplint.detect import analysis
    from rmplint.ingest import load

    review = "The joint team reviews the risk register monthly."
    holder = "[insert owner]"
    path = make_docx(tmp_path / "plan.docx", [
        ("h1", "Relationship management plan"),
        ("h2", "Risk management"),
        ("p", review),
        ("table", [["Risk", "Owner"], ["Supplier insolvency", holder]]),
        ("h2", "Governance"),
        ("p", "The following will be developed:"),
        ("bullet", review),
        ("table", [["Owner", "Risk"], [holder, "Supplier insolvency"]]),
        ("p", review),
    ])
    piped: list[str] = []
    docs = analysis._docs

    def spy(nlp, texts):
        texts = list(texts)
        piped.extend(texts)
        return docs(nlp, texts)

    monkeypatch.setattr(analysis, "_docs", spy)
    adoc = analysis.analyse(load(path), checker.matcher, "rmp")
    blocks = [b.text for b in adoc.document.blocks]
    assert sorted(piped) == sorted(set(blocks)) and len(piped) < len(blocks)  # each text piped once

    said = [s for s in adoc.sentences if s.text == review]
    assert [s.kind for s in said] == ["paragraph", "list_item", "paragraph"]
    first, deferred, last = said
    assert first.usable and last.usable and "deferred" in deferred.marks and not deferred.usable
    assert first.concepts == deferred.concepts == last.concepts and first.concepts  # what the text says
    assert first.context != last.context  # under "Risk management", then under "Governance"
    # a header cell is a label where it heads a column, and not in a data row
    owner = [s for s in adoc.sentences if s.text == "Owner"]
    assert [s.location.row for s in owner] == [1, 1]
    insolvency = [s for s in adoc.sentences if s.text == "Supplier insolvency"]
    assert [(s.location.table, s.location.col) for s in insolvency] == [(1, 1), (2, 2)]
    assert "label" in insolvency[0].marks and "label" not in insolvency[1].marks  # a 2-column table's entry
    # the placeholder leaves its column unfilled in both tables, wherever it stands
    assert [t.filled for t in adoc.tables] == [(True, False), (False, True)]
    holders = [s for s in adoc.sentences if s.text == holder]
    assert len(holders) == 2 and all("placeholder" in s.marks for s in holders)
