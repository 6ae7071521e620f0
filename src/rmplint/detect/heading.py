"""Heading detector: a section about the topic, judged by how much usable text it holds.

A heading alone is not evidence; a heading with a thin body is weak (partial at most).
"""

from __future__ import annotations

from rmplint.detect import DetectOptions, DetectorResult, Hit, Rejected
from rmplint.detect.index import DocumentIndex
from rmplint.rules.spec import HeadingSpec

_NOT_EVIDENCE = frozenset({"glossary", "contents", "recital"})


def detect(ix: DocumentIndex, spec: HeadingSpec, opts: DetectOptions) -> DetectorResult:
    adoc = ix.adoc
    hits, rejected = [], []
    want = set(spec.any)
    for sec in adoc.sections:
        if sec.marks & _NOT_EVIDENCE or not (sec.concepts & want):
            continue
        # a body sentence that denies the topic ("an exit strategy has not been developed") is no body
        usable = [
            adoc.sentences[i]
            for i in sec.sentences
            if adoc.sentences[i].usable and not ((adoc.sentences[i].negated | adoc.sentences[i].excluded) & want)
        ]
        if not usable:
            first = sec.sentences[0] if sec.sentences else None
            if first is not None:
                rejected.append(Rejected(first, "heading only"))
            continue
        weak = spec.weak or len(usable) < spec.min_sentences
        joint = "joint" in sec.concepts or any("joint" in s.concepts for s in usable)
        note = f"section has {len(usable)} usable sentence{'s' if len(usable) != 1 else ''}"
        # the quote is the body sentence; its location's heading path names the section
        hits.append(Hit(usable[0].text, usable[0].location, usable[0].index, joint, False, weak, note))
    return DetectorResult(tuple(hits), tuple(rejected))
