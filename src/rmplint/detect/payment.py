"""Payment-period detector: parse "within sixty (60) days of receipt of a valid invoice",
"Net 90", "the end of the month following" into days and compare with the configured thresholds.
"""

from __future__ import annotations

import re

from rmplint.detect import DetectOptions, DetectorResult, Hit
from rmplint.detect.index import DocumentIndex
from rmplint.rules.spec import PaymentSpec

DEFAULTS = {"extended_payment_days": 30, "prompt_payment_days": 14}

_UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "a": 1, "an": 1,
}
_NUMWORD = r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[- ](?:one|two|three|four|five|six|seven|eight|nine)|" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")"
_NUM = rf"(?P<n>\d{{1,3}}|{_NUMWORD})(?:\s*\(\s*(?P<paren>\d{{1,3}})\s*\))?"
_PERIOD = re.compile(
    rf"\b{_NUM}[\s-]*(?:\(\s*\d{{1,3}}\s*\)\s*)?(?P<unit>business days?|working days?|calendar days?|days?|weeks?|months?)\b",
    re.I,
)
_NET = re.compile(r"\bnet[\s-]?(?P<n>\d{1,3})\b", re.I)
_MONTH_FOLLOWING = re.compile(r"\b(?:end of|last day of)\s+(?:the\s+)?(?:calendar\s+)?month\s+(?:following|after|succeeding)\b", re.I)
_PAY_CUE = re.compile(r"\b(?:pay|pays|paid|payment|payments|payable|invoice|invoices|invoiced|remit|settle|settled|due and payable)\b", re.I)
_PERIOD_WORDS = ("day", "week", "month", "net")  # what _PERIOD, _MONTH_FOLLOWING and _NET need, lower-cased
# periods that are not payment terms even in a payment sentence
_NOT_TERM = re.compile(
    r"\b(?:interest|notice|dispute|disputed|retention|defects|warranty|terminat|fails? to pay|failure to pay|"
    r"pay less|payment notice|repa(?:y|id|yment))", re.I
)
# "within 60 days of a written notice": a cure period, not a payment term
_AFTER_NOT_TERM = re.compile(
    r"^\s*(?:of|after|following|from)\s+(?:a\s+|the\s+|any\s+)?(?:[\w-]+\s+){0,2}(?:notice|demand|valuation date|due date)",
    re.I,
)


def _value(word: str) -> int:
    word = word.lower()
    if word.isdigit():
        return int(word)
    if "-" in word or " " in word:
        tens, unit = re.split(r"[- ]", word)
        return _UNITS[tens] + _UNITS[unit]
    return _UNITS[word]


def payment_days(text: str, labelled: bool = False) -> list[int]:
    """Every payment period stated in the sentence, in calendar days (empty if none).

    labelled: the sentence is a table cell whose row or column label is about payment
    ("Payment terms | 60 days"), so it needs no payment word of its own."""
    folded = text.lower()
    # a period names its unit (day, week, month) or is "net N": a text without one states none,
    # and the period pattern, slow to fail, need not run
    if not any(word in folded for word in _PERIOD_WORDS):
        return []
    if not labelled and not _PAY_CUE.search(text):
        return []
    out = []
    following = 30 if _MONTH_FOLLOWING.search(text) else 0
    for m in _PERIOD.finditer(text):
        before = text[max(0, m.start() - 60) : m.start()]
        after = text[m.end() : m.end() + 60]
        if _NOT_TERM.search(before) or _AFTER_NOT_TERM.search(after):
            continue
        n = int(m.group("paren")) if m.group("paren") else _value(m.group("n"))
        unit = m.group("unit").lower()
        if unit.startswith("week"):
            n *= 7
        elif unit.startswith("month"):
            n *= 30
        elif unit.startswith(("business", "working")):
            n = (n * 7 + 4) // 5  # five working days make a calendar week
        out.append(n + following)
    out.extend(int(m.group("n")) for m in _NET.finditer(text))
    if following and not out:
        out.append(following)
    return out


def detect(ix: DocumentIndex, spec: PaymentSpec, opts: DetectOptions) -> DetectorResult:
    settings = {**DEFAULTS, **(opts.settings or {})}
    hits = []
    for i, days in ix.shared(_stated_days):
        s = ix.adoc.sentences[i]
        longest = max(days)
        if spec.over and longest > settings[spec.over]:
            hits.append(Hit(s.text, s.location, s.index, False, note=f"{longest} days (threshold {settings[spec.over]})"))
        elif spec.within and longest <= settings[spec.within]:
            hits.append(Hit(s.text, s.location, s.index, False, note=f"{longest} days"))
    return DetectorResult(tuple(hits))


def _stated_days(ix: DocumentIndex) -> list[tuple[int, list[int]]]:
    """(sentence index, payment periods) of each usable sentence that states one."""
    # a sentence with no payment word can state a period only as a table cell under a payment label
    scope = ix.may_match(_PAY_CUE) | (ix.any_bits("kind", ("table_cell",)) & ix.bits("context", "payment"))
    out = []
    for i in ix.members(scope & ix.usable):
        s = ix.adoc.sentences[i]
        if "redacted" in s.marks or "payment" in (s.negated | s.excluded):
            continue
        days = payment_days(s.text, labelled=s.kind == "table_cell" and "payment" in s.context)
        if days:
            out.append((i, days))
    return out
