"""The regular-expression pre-test never hides a match: checked on shapes and on the real pack."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rmplint.detect.prefilter import leading_literals, may_match

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("pattern", "needles"),
    [
        (r"\b(?:client|Customer|(?:sub)?contractor)\s+shall", ("client", "contractor", "customer")),
        (r"(?<!fire\s)\bexit(?:ing|s)?\b", ("exit",)),
        (r"(?<=not apply )to\b", ("not apply ",)),  # the look-behind's text is there too
        (r"\bR\s*=\s*responsible\b", ("responsible",)),  # the longest literal, not the first
        (r"(?:£|\$|€)\s?\d", ("$", "£", "€")),
        (r"(?:pay(?:ment)?s?\s)?within \d+ days", ("within ",)),
        (r"\d[\d,]*\s?(?:pounds|dollars)\b", ("dollars", "pounds")),
        (r"[Ss]ole\b", ("ole",)),
        (r"\d+(?:\.\d+)?", None),  # classes only
        (r"[A-Z]{2,5}-?\d", None),  # the hyphen is optional
        (r"(?:a|\d)\d", None),  # one alternative is a class
        (r"(?:abc)?", None),  # may match the empty text
        (r"(", None),  # invalid
    ],
)
def test_leading_literals(pattern, needles):
    assert leading_literals(pattern) == needles


def test_case_folding():
    needles = leading_literals(r"\bLIQUIDATED damages")
    assert needles == ("liquidated damages",)
    assert may_match(needles, "Clause 9: Liquidated Damages".casefold())
    assert not may_match(needles, "Clause 9: damages".casefold())
    assert may_match(None, "anything")


def _pack_patterns() -> list[str]:
    from rmplint.rules.loader import load_pack

    return sorted({p for c in load_pack().concepts.values() for p in c.patterns})


def _corpus_texts() -> list[str]:
    from rmplint.ingest import load

    paths = sorted(p for p in (ROOT / "corpora").rglob("*") if p.suffix in (".docx", ".pdf", ".txt"))
    return [b.text for p in paths for b in load(p).blocks]


def test_no_pack_pattern_match_is_filtered_out():
    texts = _corpus_texts()
    folded = [t.casefold() for t in texts]
    patterns = _pack_patterns()
    gated = 0
    for pattern in patterns:
        needles = leading_literals(pattern)
        gated += needles is not None
        rx = re.compile(pattern, re.I)
        for text, fold in zip(texts, folded):
            if rx.search(text):
                assert may_match(needles, fold), (pattern, text[:200])
    assert gated >= 3 * len(patterns) // 4  # the pre-test applies to most of the pack
