"""Pattern detector: a regular expression over usable sentences (patterns vetted at load time)."""

from __future__ import annotations

import functools
import re

from rmplint.detect import DetectOptions, DetectorResult, Hit
from rmplint.detect.index import DocumentIndex
from rmplint.rules.spec import PatternSpec


@functools.lru_cache(maxsize=512)
def _compile(rx: str) -> re.Pattern[str]:
    return re.compile(rx, re.I)


def detect(ix: DocumentIndex, spec: PatternSpec, opts: DetectOptions) -> DetectorResult:
    rx = _compile(spec.regex)
    scope = ix.may_match(rx) & ix.usable
    if spec.section:
        scope &= ix.any_bits("context", spec.section)
    hits = []
    for i in ix.members(scope):
        s = ix.adoc.sentences[i]
        if rx.search(s.text[:5000]):
            hits.append(Hit(s.text, s.location, s.index, "joint" in s.concepts, "joint" in s.context, spec.weak))
    return DetectorResult(tuple(hits))
