"""The document index gives the sentence detector and the checks exactly what a scan of every
sentence gave: the same hits and rejections, the same candidate sentences, the same quotes."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from rmplint.detect import DetectOptions, DetectorResult, Hit, Rejected
from rmplint.detect import sentence as sentence_detector
from rmplint.detect.analysis import BLOCKING, AnalysedDocument, analyse
from rmplint.detect.index import DocumentIndex
from rmplint.ingest import load
from rmplint.model import Location
from rmplint.rules.spec import SentenceSpec

CORPUS = ("corpora/rmp/ashdown-rail-alliance-rmp.docx", "corpora/rmp/brightwave-it-outsourcing-rmp.pdf",
          "corpora/contracts/fenland-water-alliance.docx", "corpora/contracts/kestrel-consultancy.txt")


@pytest.fixture(scope="module")
def analysed(checker, root):
    out = []
    for name in CORPUS:
        profile = "rmp" if "/rmp/" in name else "contract"
        out.append(analyse(load(root / name), checker.matcher, profile))
    return out


def _scan(adoc: AnalysedDocument, spec: SentenceSpec, opts: DetectOptions) -> DetectorResult:
    """The sentence detector as it was: every sentence tested on its own."""
    hits, rejected = [], []
    for s in adoc.sentences:
        if spec.kinds and s.kind not in spec.kinds:
            continue
        if spec.section and not (s.context & set(spec.section)):
            continue
        have = s.concepts | s.negated if opts.allow_negated else s.concepts
        if sentence_detector.matches(spec, have, s.context):
            if s.usable:
                hits.append(Hit(s.text, s.location, s.index, "joint" in s.concepts, "joint" in s.context, weak=spec.weak))
            else:
                why = next(m for m in sentence_detector._REJECT_ORDER if m in s.marks & BLOCKING)
                rejected.append(Rejected(s.index, why))
        elif (s.negated or s.excluded) and sentence_detector.matches(spec, have | s.negated | s.excluded, s.context):
            rejected.append(Rejected(s.index, "excluded" if (s.excluded - have) else "negated"))
    return DetectorResult(tuple(hits), tuple(rejected))


def test_sentence_detector_finds_what_a_scan_of_every_sentence_finds(analysed, pack):
    specs = {d for r in pack.rules for item in r.evidence for d in item.detectors if isinstance(d, SentenceSpec)}
    # specs the pack does not hold: only a section, only exclusions, nothing at all
    specs |= {SentenceSpec(section=("exit-strategy",)), SentenceSpec(none=("joint",), kinds=("paragraph",)), SentenceSpec()}
    for adoc in analysed:
        ix = DocumentIndex(adoc)
        for spec in sorted(specs, key=repr):
            for allow_negated in (False, True):
                opts = DetectOptions(allow_negated=allow_negated)
                assert sentence_detector.detect(ix, spec, opts) == _scan(adoc, spec, opts), (adoc.document.path, spec)


def test_sentences_a_pattern_may_match_include_every_sentence_it_matches(analysed):
    patterns = [re.compile(p, re.I) for p in (r"\breview(?:ed)? (?:on|in)\b", r"\bnot applicable\b|\bn/a\b", r"\bpa(?:y|id)\b")]
    for adoc in analysed:
        ix = DocumentIndex(adoc)
        for rx in patterns:
            maybe = set(ix.members(ix.may_match(rx)))
            matched = {s.index for s in adoc.sentences if rx.search(s.text)}
            assert matched <= maybe
            assert len(maybe) < len(adoc.sentences)  # the pre-test ruled sentences out


def test_a_letter_that_folds_oddly_turns_the_literal_pre_test_off(analysed):
    adoc = analysed[0]
    odd = replace(adoc.sentences[0], text="The plan is reviſed on 1 May 2025.")  # long s: re.I takes it for "s"
    ix = DocumentIndex(replace(adoc, sentences=(odd, *adoc.sentences[1:])))
    assert re.search("revised", odd.text, re.I)
    assert ix.containing(["revised"]) == ix.everything


def test_equal_quotes_share_a_number_and_sort_in_document_order(analysed):
    ix = DocumentIndex(analysed[0])
    at = Location(paragraph=4, heading_path=("Governance",))
    same = Hit("The board meets monthly.", Location(paragraph=4, heading_path=("Governance",)), None, False)
    numbers = ix.quote_numbers([Hit("The board meets monthly.", at, 3, True), same,
                                Hit("The board meets monthly.", replace(at, paragraph=2), None, False)])
    assert numbers[0] == numbers[1] != numbers[2]
    assert sorted(numbers, key=ix.quote_order.__getitem__) == [numbers[2], numbers[0], numbers[1]]
    assert ix.quote(numbers[0]).location == at


def test_a_sentence_or_hit_asked_for_twice_is_one_hit_and_one_quote(analysed):
    ix = DocumentIndex(analysed[0])
    hits = ix.sentence_hits([2, 0, 2], weak=False)
    assert hits[0] is hits[2] is ix.sentence_hits([2], weak=False)[0] and hits[1] is not hits[0]
    assert hits[0] is not ix.sentence_hits([2], weak=True)[0]  # the weak one is a hit of its own
    assert (hits[0].sentence, hits[0].text) == (2, analysed[0].sentences[2].text)
    numbers = ix.quote_numbers([hits[0], hits[1], hits[0], ix.sentence_hits([2], weak=True)[0]])
    assert numbers[0] == numbers[2] == numbers[3] != numbers[1]
    assert ix.quote_numbers(hits) == [numbers[0], numbers[1], numbers[0]]
    assert ix.quote(numbers[0]) is ix.quote(numbers[3])


def test_bits_and_members_round_trip(analysed):
    ix = DocumentIndex(analysed[0])
    for indexes in ([], [0], [3, 5, 7], list(range(0, len(analysed[0].sentences), 2))):
        assert ix.members(ix.bits_of(indexes)) == indexes
