"""Sentence detector: concepts that occur together in one usable sentence (and its section)."""

from __future__ import annotations

from rmplint.detect import DetectOptions, DetectorResult, Hit, Rejected
from rmplint.detect.analysis import BLOCKING, AnalysedDocument
from rmplint.rules.spec import SentenceSpec

_REJECT_ORDER = ("placeholder", "deferred", "conditional", "non-binding", "contents", "glossary", "definition", "recital", "heading", "label")


def detect(adoc: AnalysedDocument, spec: SentenceSpec, opts: DetectOptions) -> DetectorResult:
    hits, rejected = [], []
    for s in adoc.candidates(spec.all, spec.any):
        if spec.kinds and s.kind not in spec.kinds:
            continue
        if spec.section and not (s.context & set(spec.section)):
            continue
        have = s.concepts | s.negated if opts.allow_negated else s.concepts
        if matches(spec, have, s.context):
            if s.usable:
                joint = "joint" in s.concepts
                hits.append(Hit(s.text, s.location, s.index, joint, "joint" in s.context, weak=spec.weak))
            else:
                why = next(m for m in _REJECT_ORDER if m in s.marks & BLOCKING)
                rejected.append(Rejected(s.index, why))
        elif (s.negated or s.excluded) and matches(spec, have | s.negated | s.excluded, s.context):
            rejected.append(Rejected(s.index, "excluded" if (s.excluded - have) else "negated"))
    return DetectorResult(tuple(hits), tuple(rejected))


def matches(spec: SentenceSpec, have: frozenset[str] | set[str], ctx: frozenset[str]) -> bool:
    """Whether concepts `have` (in the sentence) and `ctx` (its section) satisfy a sentence spec;
    the engine also uses it to name the term a placeholder sentence concerns."""
    if spec.all and not all(c in have for c in spec.all):
        return False
    if spec.any and not any(c in have for c in spec.any):
        return False
    if spec.either and not all(c in have or c in ctx for c in spec.either):
        return False
    if spec.none and any(c in have for c in spec.none):
        return False
    return True
