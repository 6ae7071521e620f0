"""The regular-expression pre-test never hides a match: checked on shapes and on the real pack."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rmplint.detect.prefilter import DIGIT, Gate, literal_groups

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("pattern", "needles"),
    [
        # the strongest group: one of these every match contains
        (r"\b(?:client|Customer|(?:sub)?contractor)\s+shall", ("client", "contractor", "customer")),
        (r"(?<!fire\s)\bexit(?:ing|s)?\b", ("exit",)),
        (r"(?<=not apply )to\b", ("not apply ",)),  # the look-behind's text is there too
        (r"\bR\s*=\s*responsible\b", ("responsible",)),  # the longest literal, not the first
        (r"(?:£|\$|€)\s?\d", ("$", "£", "€")),
        (r"(?:pay(?:ment)?s?\s)?within \d+ days", ("within ",)),
        (r"\d[\d,]*\s?(?:pounds|dollars)\b", ("dollars", "pounds")),
        (r"[Ss]ole\b", ("ole",)),
        (r"\d+(?:\.\d+)?", (DIGIT,)),  # a digit, and nothing else to test
        (r"(?:a|\d)\d", (DIGIT,)),
        (r"[A-Z]{2,5}", None),  # classes only
        (r"(?:abc)?", None),  # may match the empty text
        (r"(", None),  # invalid
    ],
)
def test_strongest_group(pattern, needles):
    groups = literal_groups(pattern, digits=True)
    assert (groups[0] if groups else None) == needles


@pytest.mark.parametrize(
    ("pattern", "groups"),
    [
        # every group a match needs, strongest first; weak groups (letters, "the") are left out
        (r"(?:£|\$|€)\s?\d+\s(?:per|for each)\s(?:day|week)", (("for each", "per"), ("day", "week"), ("$", "£", "€"))),
        # the parser takes the common start out of an alternation: part(?:ies|ners)
        (r"\b(?:either|both|the\s+two)\s+(?:parties|partners)", (("part",), ("ies", "ners"))),
        (r"\bnot\b(?=\s(?:resolved|agreed)\b)", (("agreed", "resolved"), ("not",))),
        # "the" is weaker than the words around it, however few the words of its group
        (r"\b(?:end|closure)\s+of\s+(?:the|this|our)\s+(?:relationship|agreement)\b",
         (("agreement", "relationship"), ("closure", "end"))),
        (r"\bX{1,2}/X{1,2}/(?:20)?X{2}\b", (("xx",), ("/",))),  # a repeated letter: its least run
        (r"\?{3,}", (("???",),)),
        (r"\\d", (("\\d",),)),  # a backslash and a d: a literal, not a digit
    ],
)
def test_literal_groups(pattern, groups):
    assert literal_groups(pattern, digits=True) == groups
    assert literal_groups(pattern) == tuple(g for g in groups if DIGIT not in g)  # literals only


def test_a_digit_beats_weak_literals():
    # a unit letter is in nearly every text, a digit in a third of them: the digit is the test,
    # and the letters only when literals are all there is
    assert literal_groups(r"\b\d+\s?(?:m|bn|k)\b", digits=True) == ((DIGIT,),)
    assert literal_groups(r"\b\d+\s?(?:m|bn|k)\b") == (("bn", "k", "m"),)


def test_gate_opens_a_pattern_only_when_each_group_is_there():
    gate = Gate([(r"(?:£|\$)\s?\d+ per (?:day|week)", re.I), (r"\bexit\b", re.I), (r"\d{4}", 0)])
    assert gate.open("£5 per day and the exit".casefold()) == [0, 1, 2]
    assert gate.open("5 per day".casefold()) == [2]  # no currency sign: pattern 0 cannot match
    assert gate.open("£5 per month".casefold()) == [2]
    assert gate.open("EXIT".casefold()) == [1]  # no digit: pattern 2 cannot match


def test_case_folding_and_digits():
    gate = Gate([(r"\bLIQUIDATED damages", re.I), (r"\b\d+\s?(?:m|bn)\b", re.I), (r"[A-Z]{3}", 0)])
    assert gate.open("Clause nine: Liquidated Damages".casefold()) == [0, 2]
    assert gate.open("Clause 9: damages of £5m".casefold()) == [1, 2]
    assert gate.open("£٥m (an Arabic-Indic five)".casefold()) == [1, 2]  # \d is any Unicode digit
    assert gate.open("no amount".casefold()) == [2]  # always runs: nothing to test
    assert Gate([(r"\\d", 0)]).open("C:\\docs\\d".casefold()) == [0]  # a literal "\\d", no digit
    # re.I matches "liquidated" in these, though their case-folded text does not hold it
    for odd in ("lıquıdated damages", "LİQUİDATED DAMAGES", "ſ"):
        assert re.search(r"\bLIQUIDATED damages", odd.replace("ſ", "liquidated damageſ"), re.I)
        assert 0 in gate.open(odd.replace("ſ", "liquidated damageſ").casefold())


def _pack_patterns() -> list[str]:
    from rmplint.rules.loader import load_pack

    return sorted({p for c in load_pack().concepts.values() for p in c.patterns})


def _corpus_texts() -> list[str]:
    from rmplint.ingest import load

    paths = sorted(p for p in (ROOT / "corpora").rglob("*") if p.suffix in (".docx", ".pdf", ".txt"))
    return [b.text for p in paths for b in load(p).blocks]


def test_the_gate_never_closes_on_a_match():
    """Every pattern of the pack and of the sentence marks, over every corpus block."""
    from rmplint.nlp import mark_vocabulary

    mv = mark_vocabulary()
    marks = [p for family in (mv.placeholder, mv.redaction, mv.definition, mv.event_patterns) for p in family]
    compiled = [re.compile(p, re.I) for p in _pack_patterns()] + marks
    gate = Gate([(rx.pattern, rx.flags) for rx in compiled])
    closed = 0
    for text in _corpus_texts():
        open_ = set(gate.open(text.casefold()))
        for i, rx in enumerate(compiled):
            if rx.search(text):
                assert i in open_, (rx.pattern, text[:200])
            closed += i not in open_
    assert closed > 0
    gated = sum(1 for rx in compiled if literal_groups(rx.pattern, rx.flags, digits=True))
    assert gated >= 9 * len(compiled) // 10  # the pre-test applies to nearly every pattern


def test_a_phrase_shared_by_concepts_counts_for_each_and_their_parents():
    """Each distinct phrase is matched once and stands for every concept that lists it."""
    from rmplint.detect.concepts import ConceptMatcher
    from rmplint.nlp import get_nlp
    from rmplint.rules.spec import Concept, RulePack

    pack = RulePack(
        concepts={
            "review": Concept("review", phrases=("review", "joint review")),
            "meeting": Concept("meeting", phrases=("joint review", "board meeting"), exact=("JRB",)),
            "governance": Concept("governance", includes=("meeting",)),
            "money": Concept("money", patterns=(r"£\s?\d+",)),
        },
        rules=(),
    )
    m = ConceptMatcher(pack)
    doc = get_nlp()("The joint reviews, the jrb and the board meeting cost £5.")
    hits = m.find(doc)
    spans = {doc[s:e].text: m.concepts_of(g) for g, s, e in hits}
    assert spans == {
        "reviews": {"review"},
        "joint reviews": {"review", "meeting", "governance"},
        "jrb": {"meeting", "governance"},
        "board meeting": {"meeting", "governance"},
        "£5": {"money"},
    }
    assert len(hits) == len(spans)  # one hit per phrase, however many concepts share it
    assert m.names(hits) == {"review", "meeting", "governance", "money"}


# --------------------------------------------------------------------------- case-sensitive twins

def _spans(rx: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in rx.finditer(text)]


def test_every_twin_of_the_pack_finds_what_its_pattern_finds_in_the_corpus():
    """The pack's and the sentence marks' case-insensitive patterns against their twins, over
    every corpus block (and a few with curly quotes, dashes and accented capitals)."""
    from rmplint.detect.prefilter import lowercase_twin, twin_text
    from rmplint.nlp import mark_vocabulary

    mv = mark_vocabulary()
    marks = [p for family in (mv.placeholder, mv.redaction, mv.definition, mv.event_patterns) for p in family]
    compiled = [re.compile(p, re.I) for p in _pack_patterns()] + [p for p in marks if p.flags & re.I]
    texts = [*_corpus_texts(), "The Parties’ “EXIT” plan — agreed by RISK; BOTH Parties’ boards", "ÉTÉ Exit É-exit 12M 3 BN"]
    lowered = [(t, twin_text(t)) for t in texts]
    assert sum(low is not None for _, low in lowered) >= len(texts) - 1
    twinned = 0
    for rx in compiled:
        twin = lowercase_twin(rx.pattern, rx.flags)
        if twin is None:
            continue
        twinned += 1
        for text, low in lowered:
            if low is not None:
                assert _spans(twin, low) == _spans(rx, text), (rx.pattern, text[:200])
    assert twinned >= 8 * len(compiled) // 10


SHAPES = [
    r"\bby (?:\w+ ){0,3}(?:spend|value)\b",  # \b and literals: the \b goes behind them
    r"\b(?:exit|wind-?down|off-?boarding)\b",
    r"(?<!fire\s)\bexit(?:ing|s)?\b(?!\s+(?:criteria|doors?))",
    r"[A-Z][a-z]+ (?:Ltd|PLC)\b",
    r"[^A-Z\s]{2}\d",  # negated class: its members lower-cased too
    r"\b(\w)\w*\s+\1\w*",  # a back-reference compares case-insensitively
    r"(?P<q>['‘])?\bterm\b(?(q)['’])",
    r"^\W*(?:to\s+)?(?:agree|define)\b",
    r"\bX{1,2}/X{2}\b",
    r"[–—-]\s?Part\b",
]


@pytest.mark.parametrize("pattern", SHAPES)
@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(words=st.lists(st.sampled_from(["by", "BY", "Spend", "value", "exit", "EXITS", "fire", "Wind-Down",
                                       "offboarding", "Acme", "LTD", "plc", "to", "Agree", "term", "TERM",
                                       "xx", "X", "Part", "1", "42", "é", "É", "’", "‘", "–", "—", "-", " ",
                                       "  ", "/", "'", "criteria", "Doors", "ab", "AB"]), max_size=14))
def test_a_twin_finds_what_its_pattern_finds(pattern, words):
    from rmplint.detect.prefilter import lowercase_twin, twin_text

    text = " ".join(words)
    twin = lowercase_twin(pattern)
    assert twin is not None
    assert _spans(twin, twin_text(text)) == _spans(re.compile(pattern, re.I), text)


@pytest.mark.parametrize("pattern", [
    r"(?-i:[A-Z])\w+",  # case rules of its own
    r"x(?i:y)",
    r"\bcafé\b",  # a cased letter beyond ASCII
    r"[À-ÿ]",
])
def test_no_twin_where_case_is_not_simple(pattern):
    from rmplint.detect.prefilter import lowercase_twin

    assert lowercase_twin(pattern) is None
    assert lowercase_twin(r"\bexit\b", 0) is None  # a case-sensitive pattern has no twin


@pytest.mark.parametrize("text", ["fuſion", "dıgital", "İstanbul", "\u212aelvin"])
def test_text_with_odd_case_characters_is_searched_with_the_pattern_itself(text):
    from rmplint.detect.prefilter import twin_text

    assert twin_text(text) is None
    assert twin_text("Party’s “Exit” – É") == "party’s “exit” – é"


def test_the_matcher_finds_a_pattern_with_its_twin_or_without():
    """A block lower-casing cannot stand for (it holds a dotless ı) is searched with the pattern
    itself; both ways find the same words at the same tokens."""
    from rmplint.detect.concepts import ConceptMatcher
    from rmplint.nlp import get_nlp
    from rmplint.rules.spec import Concept, RulePack

    pack = RulePack(rules=(), concepts={"exit": Concept("exit", patterns=(r"\bEXIT (?:plan|strategy)\b",)),
                                        "shared": Concept("shared", patterns=(r"(?-i:[A-Z]{2,}) register",))})
    matcher = ConceptMatcher(pack)
    nlp = get_nlp()
    for text in ("Agree the exit Plan and the RISK register.", "Agree the exit Plan and the RISK register, ı."):
        doc = nlp(text)
        got = sorted((sorted(matcher.concepts_of(g)), doc[a:b].text) for g, a, b in matcher.find(doc, text))
        assert got == [(["exit"], "exit Plan"), (["shared"], "RISK register")], text
    assert matcher._twins.count(None) == 1 and len(matcher._twinless) == 1  # the scoped-case pattern has no twin


def test_every_character_case_insensitive_matching_ties_to_an_ascii_letter_is_refused_or_ascii():
    # what lets twin_text stand for a text: no character beyond ASCII matches an ASCII letter
    # under re.I, or lower-cases to one, except those it refuses
    from rmplint.detect.prefilter import _CASE_ODD

    letter = re.compile("[a-z]", re.I)
    tied = {chr(cp) for cp in range(128, 0x110000) if not 0xD800 <= cp <= 0xDFFF
            and (letter.fullmatch(chr(cp)) or any(c.isascii() for c in chr(cp).lower()))}
    assert tied <= _CASE_ODD
