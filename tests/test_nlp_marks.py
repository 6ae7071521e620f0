"""Sentence marks: negation scope, exclusion, deferral, conditions, placeholders, definitions."""

from __future__ import annotations

import pytest

from rmplint.nlp import get_nlp, looks_like_contents_entry, mark_sentence, section_marks


def marks(text: str, profile: str = "rmp"):
    doc = get_nlp()(text)
    words = [t.lower_ for t in doc]
    m = mark_sentence(words, [t.norm_ for t in doc], text, profile)
    neg = {words[i] for i in m.negated_tokens}
    exc = {words[i] for i in m.excluded_tokens}
    return m.marks, neg, exc


def test_lemmas_are_case_insensitive():
    doc = get_nlp()("The Parties developed Risk Registers")
    assert [t.norm_ for t in doc] == ["the", "party", "develop", "risk", "register"]


@pytest.mark.parametrize(
    "text, negated_word",
    [
        ("No joint risk register has been established.", "register"),
        ("A joint risk register has not yet been established.", "register"),
        ("Customer requirements have not been captured.", "requirements"),
        ("We have never carried out a skills gap analysis.", "analysis"),
        ("There is no exit strategy.", "exit"),
    ],
)
def test_negation_reaches_the_thing_denied(text, negated_word):
    m, neg, _ = marks(text)
    assert "negated" in m and negated_word in neg


@pytest.mark.parametrize(
    "text, free_word",
    [
        ("Payment is due no later than 30 days after the invoice.", "payment"),
        ("Risks are not static, and the joint risk register is reviewed monthly.", "register"),
        ("Costs include, without limitation, travel and subsistence.", "travel"),
    ],
)
def test_idioms_and_clause_breaks_limit_negation(text, free_word):
    _, neg, _ = marks(text)
    assert free_word not in neg


def test_exclusion_reaches_back_to_the_clause_named():
    m, _, exc = marks("Clause 14 (Audit) shall not apply.")
    assert "excluded" in m and "audit" in exc


@pytest.mark.parametrize(
    "text",
    [
        "A joint exit strategy will be developed later.",
        "KPIs to be agreed.",
        "Owners will be allocated at the next meeting.",
        "The exit plan will be addressed in due course.",
        "We intend to establish a joint risk register.",
    ],
)
def test_deferral(text):
    assert "deferred" in marks(text)[0]


@pytest.mark.parametrize(
    "text",
    ["The joint management team will meet monthly to agree priorities.", "The board reviews risks every quarter."],
)
def test_recurring_future_activity_is_not_deferral(text):
    assert "deferred" not in marks(text)[0]


def test_firm_future_obligation_in_a_contract_is_not_deferral():
    assert "deferred" not in marks("The Supplier shall establish a business continuity plan within six months.", "contract")[0]


@pytest.mark.parametrize("text", ["The parties may in future agree a bonus scheme.", "If the parties so agree, a gainshare may apply."])
def test_conditional(text):
    assert "conditional" in marks(text)[0]


@pytest.mark.parametrize(
    "text",
    ["Risk owner: TBC", "The rate is £[insert amount] per week.", "Approved on XX/XX/20XX.", "Lorem ipsum dolor sit amet."],
)
def test_placeholders(text):
    assert "placeholder" in marks(text)[0]


def test_redaction_is_not_a_placeholder():
    m = marks("The day rate is [***] per day.")[0]
    assert "redacted" in m and "placeholder" not in m


def test_definitions_and_non_binding():
    assert "definition" in marks('"Liquidated Damages" means the sums set out in Schedule 4.')[0]
    assert "non-binding" in marks("This Charter is a statement of present intention only and is not legally binding.")[0]


def test_sections_and_contents():
    assert section_marks(("Recitals",)) == {"recital"}
    assert section_marks(("12 Glossary",)) == {"glossary"}
    assert looks_like_contents_entry("7.5 Joint risk management ........ 14")
    assert not looks_like_contents_entry("The joint risk register is reviewed monthly.")
    # page numbers in other scripts and trailing space count; a line that does not end in a
    # digit is not searched at all
    for line in ("Scope\t12", "Risks … 7 \n", "Objectives ..... \u0663", "Exit strategy\t9\u2003"):
        assert looks_like_contents_entry(line), line
    for line in ("Scope\t12.", "Chapter ........ two", "x" * 170 + "\t3", "Note ... \u00b2"):
        assert not looks_like_contents_entry(line), line


@pytest.mark.parametrize(
    "text",
    [
        "When the Framework ends, the board will commission a joint lessons report from both organisations.",
        "At the end of the joint venture the partners will produce a closing report.",
        "On exit the transition team will prepare a handover plan for the incoming supplier.",
    ],
)
def test_event_triggered_commitments_are_not_deferral(text):
    assert "deferred" not in marks(text)[0]


def test_settled_idiom_does_not_negate():
    _, neg, _ = marks("Issues that cannot be settled on site go to the sponsors within five days.")
    assert "sponsors" not in neg


@pytest.mark.parametrize(
    "text, conditional",
    [
        ("The parties may, at the first annual review, agree a mechanism for sharing savings.", True),
        ("Any Member may refer it to an independent expert, agreed between them.", False),
        ("The limits in clause 15.1 shall not apply to liability for gross negligence.", False),
    ],
)
def test_discretion_to_agree_later(text, conditional):
    assert ("conditional" in marks(text, "contract")[0]) is conditional


def test_carve_out_negates_nothing_but_whole_exclusion_excludes():
    _, neg, exc = marks("The limits in clause 15.1 shall not apply to liability for gross negligence.", "contract")
    assert not neg and not exc
    _, _, exc = marks("Section 14 (Liquidated Damages) shall not apply to this Agreement.", "contract")
    assert "liquidated" in exc


def test_normalise_collapses_every_unicode_space_and_straightens_quotes():
    import re
    import sys

    from rmplint.nlp import normalise

    spaces = [chr(c) for c in range(sys.maxunicode + 1) if re.fullmatch(r"\s", chr(c))]
    assert len(spaces) > 20  # \t \n ... NBSP, the en/em spaces, ideographic space
    for sp in spaces:
        assert normalise(f"{sp}joint{sp}{sp}risk\u00a0register{sp}") == "joint risk register", repr(sp)
    assert normalise("\u201cKPIs\u201d means the \u2018agreed\u2019 measures") == "\"KPIs\" means the 'agreed' measures"


def test_word_sequences_are_found_whole_wherever_their_anchor_is():
    from rmplint.nlp import _find_seqs, _Phrases

    phrases = _Phrases([("to", "be", "agreed"), ("agreed", "terms"), ("once", "agreed"), ("tbc",), ("not", "yet")])
    words = "the terms agreed , once agreed , are to be agreed and agreed terms are tbc , not yet".split()
    assert [" ".join(words[s:e]) for s, e in _find_seqs(words, phrases, set(words))] == [
        "once agreed", "to be agreed", "agreed terms", "tbc", "not yet"]
    # the anchor's neighbour is there, the rest of the sequence is not; a sequence cut by the edge
    assert _find_seqs("we hope to agreed".split(), phrases, {"agreed"}) == []
    assert _find_seqs("be agreed".split(), phrases, {"agreed"}) == []
