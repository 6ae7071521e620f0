"""Sentence detector: concepts that occur together in one usable sentence (and its section)."""

from __future__ import annotations

from rmplint.detect import DetectOptions, DetectorResult, Rejected
from rmplint.detect.analysis import BLOCKING
from rmplint.detect.index import Bits, DocumentIndex
from rmplint.rules.spec import SentenceSpec

_REJECT_ORDER = ("placeholder", "deferred", "conditional", "non-binding", "contents", "glossary", "definition", "recital", "heading", "label")


def detect(ix: DocumentIndex, spec: SentenceSpec, opts: DetectOptions) -> DetectorResult:
    sentences = ix.adoc.sentences
    scope = ix.everything
    if spec.kinds:
        scope &= ix.any_bits("kind", spec.kinds)
    if spec.section:
        scope &= ix.any_bits("context", spec.section)
    found = scope & _matching(ix, spec, "held" if opts.allow_negated else "concepts")
    # a sentence that matches only once its negated or disapplied concepts count is rejected evidence
    denied = scope & _matching(ix, spec, "mentioned") & ~found
    hits = ix.sentence_hits(ix.members(found & ix.usable), spec.weak)
    rejected = []
    negated = set(ix.members(denied))
    for i in ix.members((found & ~ix.usable) | denied):
        s = sentences[i]
        if i in negated:
            have = s.concepts | s.negated if opts.allow_negated else s.concepts
            rejected.append(Rejected(i, "excluded" if (s.excluded - have) else "negated"))
        else:
            rejected.append(Rejected(i, next(m for m in _REJECT_ORDER if m in s.marks & BLOCKING)))
    return DetectorResult(tuple(hits), tuple(rejected))


def _matching(ix: DocumentIndex, spec: SentenceSpec, held: str) -> Bits:
    """The sentences that satisfy a spec (as `matches` decides one sentence), counting the concepts
    of the index field `held` as the sentence's."""
    out = ix.everything
    for c in spec.all:
        out &= ix.bits(held, c)
    if spec.any:
        out &= ix.any_bits(held, spec.any)
    for c in spec.either:
        out &= ix.bits(held, c) | ix.bits("context", c)
    for c in spec.none:
        out &= ~ix.bits(held, c)
    return out


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
