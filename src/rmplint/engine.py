"""The engine: runs every rule's detectors over an analysed document and decides the results.

All policy lives here: which evidence makes a clause met, partial or missing, what makes a term
present, and what a placeholder is. Detectors only gather evidence; reporters only format.
"""

from __future__ import annotations

import functools
import heapq
import os
import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Iterable, Sequence

from rmplint import checks, collector
from rmplint.catalogue import load_catalogue
from rmplint.detect import DetectOptions, Hit, Rejected, registry
from rmplint.detect.analysis import AnalysedDocument, Sentence, analyse
from rmplint.detect.concepts import ConceptMatcher
from rmplint.detect.index import DocumentIndex
from rmplint.detect.prefilter import Gate
from rmplint.detect.sentence import matches as sentence_matches
from rmplint.errors import DocumentError
from rmplint.findings import ClauseVerdict, DocumentResult, Evidence, Finding, location_key, severity_rank
from rmplint.model import Document
from rmplint.nlp import mark_vocabulary
from rmplint.options import CheckOptions
from rmplint.rules.spec import Rule, RulePack, SentenceSpec

PROFILES = ("rmp", "contract")


@dataclass(frozen=True)
class RuleOutcome:
    status: str  # met | partial | missing (clause rules); present/absent via status met/missing for terms
    reason: str
    hits: tuple[Hit, ...]
    rejected: tuple[Rejected, ...]


class Checker:
    """Checks documents against one rule pack. Build once; the matcher is compiled once."""

    def __init__(self, pack: RulePack, options: CheckOptions | None = None) -> None:
        self.pack = pack
        self.options = options or CheckOptions()
        self.matcher = ConceptMatcher(pack)
        self.catalogue = load_catalogue()
        self._detectors = registry()
        self._rules = tuple(r for r in pack.rules if not self._disabled(r))
        # the sentence-mark vocabulary and its pattern pre-test, built here rather than by the
        # first check: forked workers then inherit them built, as they inherit the matcher
        mark_vocabulary().prepare()
        if self.options.profile == "auto":
            _profile_cues()

    # ------------------------------------------------------------------ entry points

    def check_path(self, path: str | Path, profile: str | None = None) -> DocumentResult:
        """Read and check one file; a document that cannot be read, or that meets an engine bug,
        gives a result with `error` set. `profile` overrides the configured one (eval uses it)."""
        from rmplint.ingest import load

        try:
            doc = load(path, self.options.limits)
        except DocumentError as e:
            return DocumentResult(path=str(path), profile=profile, error=e.reason, error_kind=e.kind)
        return self.check_loaded(path, doc, profile)

    def check_loaded(self, path: str | Path, doc: Document, profile: str | None = None) -> DocumentResult:
        """Check a document already read from `path`, as check_path does once it has read it."""
        try:
            return self.check_document(doc, profile)
        except Exception as e:  # noqa: BLE001 - a bug met on one document must not stop a batch
            if os.environ.get("RMPLINT_DEBUG"):
                raise
            return DocumentResult(
                path=str(path), profile=None, format=doc.format, error_kind="internal",
                error=f"internal error while checking ({type(e).__name__}: {' '.join(str(e).split())[:200]}); "
                      "please report it (RMPLINT_DEBUG=1 shows the traceback)",
            )

    def check_document(self, doc: Document, profile: str | None = None) -> DocumentResult:
        with collector.paused():  # see rmplint.collector
            return self._check_document(doc, profile)

    def _check_document(self, doc: Document, profile: str | None) -> DocumentResult:
        profile = profile or self.options.profile
        reason = None
        if profile == "auto":
            profile, reason = detect_profile(doc)
        adoc = analyse(doc, self.matcher, profile)
        ix = DocumentIndex(adoc)  # dropped with this check, so a batch does not keep it
        as_of = date.fromisoformat(self.options.as_of) if self.options.as_of else date.today()
        findings = checks.hygiene(
            ix, as_of, int(self.options.settings.get("review_months", 12)), dict(self.options.severity),
            self.options.disabled, self._term_of if profile == "contract" else None,
        )
        clauses: list[ClauseVerdict] = []
        exit_summary = None
        if profile == "rmp":
            clauses = self._verdicts(ix)
            exit_summary = checks.exit_completeness(ix)
            note = checks.exit_note(exit_summary)
            clauses = [replace(c, reason=c.reason + note) if c.clause == "10.1" and c.status != "not-checked" else c
                       for c in clauses]
        else:
            findings.extend(self._terms(ix))
        findings.sort(key=lambda f: (location_key(f.location), f.rule, f.text))
        summary = _summary(profile, clauses, findings, self.catalogue)
        if profile == "rmp":
            summary["maturity"] = checks.maturity(clauses, self.catalogue.stages)
            summary["exit"] = exit_summary
        return DocumentResult(
            path=doc.path,
            profile=profile,
            profile_reason=reason,
            format=doc.format,
            clauses=tuple(clauses),
            findings=tuple(findings),
            warnings=doc.warnings,
            summary=summary,
        )

    def evaluate(self, rule: Rule, adoc: AnalysedDocument, index: DocumentIndex | None = None) -> RuleOutcome:
        """Run one rule's detectors and decide its status; `index` is the document's lookups when
        other rules share them."""
        ix = DocumentIndex(adoc) if index is None else index
        dopts = DetectOptions(allow_negated=rule.negation == "allow", settings=self.options.settings)
        hits: dict[str, list[Hit]] = {}
        rejected: list[Rejected] = []
        for item in rule.evidence:
            got: list[Hit] = []
            for det in item.detectors:
                res = self._detectors[type(det)](ix, det, dopts)
                got.extend(res.hits)
                rejected.extend(res.rejected)
            if rule.kind == "term" and rule.joint:
                got = [h for h in got if h.joint]
            hits[item.key] = got
        return _decide(rule, hits, rejected, adoc)

    # ------------------------------------------------------------------ RMP clauses

    def _verdicts(self, ix: DocumentIndex) -> list[ClauseVerdict]:
        by_clause = {r.clause: r for r in self._rules if r.kind == "clause"}
        not_applicable = _not_applicable(ix)
        keep = int(self.options.settings.get("max_evidence", 0))  # 0: every quote (the API default)
        out = []
        for c in self.catalogue.checkable:
            rule = by_clause.get(c.clause)
            if c.clause in not_applicable:
                s = not_applicable[c.clause]
                out.append(
                    ClauseVerdict(c.clause, c.title, c.stage, "not-applicable", "info",
                                  "the document declares this clause not applicable",
                                  rule.id if rule else None, (Evidence(s.text, s.location),))
                )
                continue
            if rule is None:
                out.append(ClauseVerdict(c.clause, c.title, c.stage, "not-checked", "info", "no rule for this clause yet"))
                continue
            res = self.evaluate(rule, ix.adoc, ix)
            evidence, total = _evidence(res.hits, ix, keep)
            out.append(
                ClauseVerdict(
                    clause=c.clause,
                    title=c.title,
                    stage=c.stage,
                    status=res.status,
                    severity=self._severity(rule),
                    reason=res.reason,
                    rule=rule.id,
                    evidence=evidence,
                    evidence_total=total,
                )
            )
        return out

    # ------------------------------------------------------------------ contract terms

    def _terms(self, ix: DocumentIndex) -> Iterable[Finding]:
        excluded = excluded_clauses(ix.adoc)
        for rule in self._rules:
            if rule.kind != "term":
                continue
            res = self.evaluate(rule, ix.adoc, ix)
            if res.status != "met":
                continue
            seen = set()
            for h in res.hits:
                key = (h.text, h.location)
                if key in seen or _in_excluded(h.location.clause_ref, excluded):
                    continue
                seen.add(key)
                yield Finding(
                    rule=rule.id,
                    category=rule.category or "collaborative",
                    severity=self._severity(rule),
                    message=_term_message(rule, h),
                    text=h.text,
                    location=h.location,
                    clause=rule.clause,
                    term=rule.term,
                    alternative=rule.alternative,
                )

    def _term_of(self, s: Sentence) -> str | None:
        for rule in self._rules:
            if rule.kind != "term":
                continue
            for item in rule.evidence:
                for det in item.detectors:
                    if isinstance(det, SentenceSpec) and sentence_matches(det, s.concepts, s.context):
                        return rule.term
        return None

    # ------------------------------------------------------------------ helpers

    def _disabled(self, rule: Rule) -> bool:
        d = self.options.disabled
        return rule.id in d or (rule.clause in d and rule.kind == "clause") or (rule.term in d)

    def _severity(self, rule: Rule) -> str:
        o = self.options.severity
        for key in (rule.id, rule.term, rule.clause):
            if key and key in o:
                return o[key]
        return rule.severity


def _decide(rule: Rule, hits: dict[str, list[Hit]], rejected: list[Rejected], adoc: AnalysedDocument) -> RuleOutcome:
    items = {i.key: i for i in rule.evidence}
    full = {k for k, hs in hits.items() if any(not h.weak for h in hs)}
    weak = {k for k, hs in hits.items() if hs and k not in full}
    all_hits = tuple(h for k in items for h in hits[k])
    found_txt = [f"{items[k].describe} ({_where(hits[k])})" for k in items if k in full]
    weak_txt = [f"{items[k].describe} ({_where(hits[k])}; {hits[k][0].note or 'weak evidence'})" for k in items if k in weak]
    missing_txt = [items[k].describe for k in items if k not in full and k not in weak]
    if all(k in full for k in rule.met):
        met_hits = [h for k in rule.met for h in hits[k]]
        if rule.kind == "clause" and rule.joint and not any(h.joint or h.joint_context for h in met_hits):
            return RuleOutcome(
                "partial",
                "found " + "; ".join(found_txt) + ", but only in one party's voice: no joint arrangement is stated",
                all_hits,
                tuple(rejected),
            )
        return RuleOutcome("met", "found " + "; ".join(found_txt), all_hits, tuple(rejected))
    notes = _rejected_note(rejected, adoc)
    if any(k in full or k in weak for k in rule.partial):
        parts = []
        if found_txt:
            parts.append("found " + "; ".join(found_txt))
        if weak_txt:
            parts.append("only weak evidence of " + "; ".join(weak_txt))
        if missing_txt:
            parts.append("not found: " + "; ".join(missing_txt))
        return RuleOutcome("partial", ". ".join(parts) + notes, all_hits, tuple(rejected))
    reason = "no evidence of " + "; ".join(items[k].describe for k in rule.met) + notes
    return RuleOutcome("missing", reason, (), tuple(rejected))


def _where(hits: list[Hit]) -> str:
    h = hits[0]
    loc = h.location
    if loc.table is not None and h.sentence is None:
        where = f"table {loc.table}"
    else:
        where = loc.describe().split(", §")[0]
    more = len(hits) - 1
    return where + (f", +{more} more" if more > 0 else "")


def _rejected_note(rejected: list[Rejected], adoc: AnalysedDocument) -> str:
    if not rejected:
        return ""
    counts: dict[str, int] = {}
    first: dict[str, Rejected] = {}
    for r in rejected:
        counts[r.why] = counts.get(r.why, 0) + 1
        first.setdefault(r.why, r)
    bits = []
    for why in sorted(counts):
        s = adoc.sentences[first[why].sentence]
        bits.append(f"{counts[why]} {why} ({s.location.describe().split(', §')[0]})")
    return "; not counted: " + ", ".join(bits)


def _evidence(hits: Sequence[Hit], ix: DocumentIndex, keep: int) -> tuple[tuple[Evidence, ...], int]:
    """The first `keep` (0: all) distinct quotes of the hits in document order (equal places: in
    the order found), and how many there are."""
    numbers = dict.fromkeys(ix.quote_numbers(hits))
    order = ix.quote_order.__getitem__
    # nsmallest gives what sorted(...)[:keep] gives, equal keys included; it is quicker only when
    # the quotes far outnumber those kept (sorting is C, nsmallest's loop is Python)
    if keep and len(numbers) > 20 * keep:
        quotes = heapq.nsmallest(keep, numbers, key=order)
    else:
        quotes = sorted(numbers, key=order)[: keep or None]
    return tuple(map(ix.quote, quotes)), len(numbers)


def _term_message(rule: Rule, h: Hit) -> str:
    extra = f" [{h.note}]" if h.note else ""
    if rule.category == "adversarial":
        return (
            f"Potentially adversarial term: {rule.term}{extra}. {rule.why} "
            f"Collaborative alternative: {rule.alternative}."
        )
    return f"Collaborative term: {rule.term}{extra}. {rule.requirement}"


# "Clause 14 (Audit) shall not apply", "Section 9 is intentionally left blank": a clause of this
# document that the document itself disapplies as a whole. "Clause 15.1 shall not apply to
# gross negligence" is a carve-out, not a disapplication; "clause 26 of the Main Contract" is
# another document's clause.
_EXCLUDED_REF = re.compile(
    r"\b(?:clause|section|article|paragraph|condition)\s+(\d{1,3}(?:\.\d{1,3})*)\s*(?:\([^)]{0,60}\)\s*)?"
    r"(?:of this (?:agreement|contract|sub-?contract|deed)\s+)?"
    r"(?:shall|will|does|do|is to)\s+not\s+apply(?:\s+to\s+this\s+(?:agreement|contract|sub-?contract|deed))?\s*(?:[.;]|$)"
    r"|\b(?:clause|section|article|paragraph)\s+(\d{1,3}(?:\.\d{1,3})*)\s*(?:\([^)]{0,60}\)\s*)?"
    r"(?:is|has been)\s+(?:intentionally\s+)?(?:left\s+blank|deleted|not used|omitted)",
    re.I,
)


def excluded_clauses(adoc: AnalysedDocument) -> frozenset[str]:
    out: set[str] = set()
    for s in adoc.sentences:
        if "excluded" in s.marks and "contents" not in s.marks:
            out.update(m.group(1) or m.group(2) for m in _EXCLUDED_REF.finditer(s.text))
    return frozenset(out)


def _in_excluded(ref: str | None, excluded: frozenset[str]) -> bool:
    if not ref or not excluded:
        return False
    number = ref.split(", paragraph ")[-1].split("(")[0]
    return any(number == e or number.startswith(e + ".") for e in excluded)


_NA = re.compile(
    r"\b(?:clause|section|requirement|§)?\s*(\d{1,2}(?:\.\d{1,2}){1,3})\b[^.;]{0,80}?\b(?:is|are|has been|considered|deemed)?\s*"
    r"(?:not applicable|n/a|out of scope|excluded from (?:the )?scope)",
    re.I,
)


def _not_applicable(ix: DocumentIndex) -> dict[str, Sentence]:
    cat = load_catalogue()
    out: dict[str, Sentence] = {}
    for i in ix.members(ix.may_match(_NA)):
        s = ix.adoc.sentences[i]
        if "heading" in s.marks or "contents" in s.marks:
            continue
        for m in _NA.finditer(s.text):
            c = cat.clause(m.group(1))
            if c is not None and not c.group:
                out.setdefault(c.clause, s)
    return out


# ---------------------------------------------------------------------- profile detection

# (name, pattern, weight, occurrences needed): a document's own name for itself weighs most.
_CONTRACT_CUES = (
    ("'this agreement/contract'", r"\bthis (?:agreement|contract|sub-?contract|deed|framework agreement|msa)\b", 10, 3),
    ("in witness whereof", r"\bin witness whereof\b", 5, 1),
    ("definitions and interpretation", r"\bdefinitions and interpretation\b", 3, 1),
    ("governing law", r"\bgoverning law\b", 2, 1),
    ("entire agreement", r"\bentire agreement\b", 2, 1),
    ("counterparts", r"\bcounterparts\b", 1, 1),
    ("the parties agree", r"\b(?:the parties (?:hereby )?agree|it is (?:hereby )?agreed)\b", 2, 1),
)
_RMP_CUES = (
    ("'relationship management plan'/'this plan'", r"\brelationship management plan\b|\bRMPs?\b|\bthis plan\b", 10, 2),
    ("BS 11000 / ISO 44001", r"\bBS\s?11000\b|\bISO\s?44001\b", 5, 1),
    ("senior executive responsible", r"\bsenior executive responsible\b|\bSERs?\b", 3, 1),
    ("exit strategy", r"\bexit strateg(?:y|ies)\b", 2, 1),
    ("joint management team", r"\bjoint management team\b", 2, 1),
    ("collaborative working", r"\bcollaborative (?:working|relationships?|business relationships?)\b", 2, 1),
    ("executive sponsor", r"\b(?:executive|alliance|exec) sponsors?\b", 2, 1),
    ("lessons learned", r"\blessons[ -](?:learned|learnt)\b", 1, 1),
)
_CASE_SENSITIVE = ("RMP", "SER")


def _opening(doc: Document, chars: int) -> str:
    """doc.text[:chars], without joining the rest of a long document."""
    parts, n = [], 0
    for b in doc.blocks:
        if n >= chars:
            break
        parts.append(b.text)
        n += len(b.text) + 1
    return "\n".join(parts)[:chars]


_SHALL = r"\bshall\b"


@functools.lru_cache(maxsize=1)
def _profile_cues() -> tuple[Gate, list[re.Pattern[str]], list[tuple[str, ...] | None]]:
    """The contract and RMP cues compiled (then "shall"), the literal pre-test that skips those a
    text cannot hold (each cue was a pass over 200,000 characters: 50 ms of every check in auto
    profile), and for each cue no match of which can cross a line break, the literals every match
    holds one of: such a cue is counted only on the lines holding one (_count)."""
    from rmplint.detect.prefilter import literal_groups, may_match_newline

    cues = [(rx, 0 if any(k in rx for k in _CASE_SENSITIVE) else re.I) for _, rx, _, _ in (*_CONTRACT_CUES, *_RMP_CUES)]
    compiled = [re.compile(rx, flags) for rx, flags in [*cues, (_SHALL, re.I)]]
    lines = []
    for rx in compiled:
        groups = literal_groups(rx.pattern, rx.flags)
        lines.append(groups[0] if groups and not may_match_newline(rx.pattern, rx.flags) else None)
    return Gate(cues), compiled, lines


def _count(rx: re.Pattern[str], text: str, lower: str | None, literals: tuple[str, ...] | None) -> int:
    """len(rx.findall(text)). A pattern that cannot match a line break is only run on the lines
    holding one of `literals` (found in `lower`, the text lower-cased, when that keeps every
    character's place): a pass over 200,000 characters took 2.7 ms per cue, as a leading \\b
    keeps Python's regex engine from skipping ahead to a literal."""
    if literals is None or lower is None:
        return len(rx.findall(text))
    n, done = 0, set()
    for literal in literals:
        at = lower.find(literal)
        while at != -1:
            start = lower.rfind("\n", 0, at) + 1
            end = lower.find("\n", at)
            end = len(lower) if end == -1 else end
            if start not in done:  # the line's matches are those of the text inside it
                done.add(start)
                n += len(rx.findall(text, start, end))
            at = lower.find(literal, end)
    return n


def detect_profile(doc: Document) -> tuple[str, str]:
    """Decide whether a document is an RMP or a contract from what it says, with the reason."""
    text = _opening(doc, 200_000)
    gate, compiled, lines = _profile_cues()
    may_match = set(gate.open(text.casefold()))  # a cue none of whose words is there counts 0
    lower = text.lower() if text.isascii() else None  # each character in its place

    def score(first: int, cues: tuple[tuple[str, str, int, int], ...]) -> tuple[int, list[str]]:
        total, seen = 0, []
        for i, (name, _, weight, needed) in enumerate(cues, first):
            n = _count(compiled[i], text, lower, lines[i]) if i in may_match else 0
            if n >= needed:
                total += weight
                seen.append(f"{name} x{n}")
        return total, seen

    c, cseen = score(0, _CONTRACT_CUES)
    r, rseen = score(len(_CONTRACT_CUES), _RMP_CUES)
    shall = _count(compiled[-1], text, lower, lines[-1])
    words = max(1, len(text.split()))
    if shall * 1000 / words > 8:
        c += 5
        cseen.append(f"'shall' x{shall}")
    if c > r:
        return "contract", "contract cues: " + ", ".join(cseen)
    return "rmp", ("RMP cues: " + ", ".join(rseen)) if rseen else "no contract cues found"


# ---------------------------------------------------------------------- summaries


def _summary(profile: str, clauses: list[ClauseVerdict], findings: list[Finding], cat) -> dict:  # type: ignore[no-untyped-def]
    out: dict = {}
    if profile == "rmp":
        for status in ("met", "partial", "missing", "not-applicable", "not-checked"):
            out[status] = sum(1 for c in clauses if c.status == status)
        stages: dict[str, dict[str, int]] = {}
        for st in cat.stages:
            stages[st.id] = {s: 0 for s in ("met", "partial", "missing", "not-applicable", "not-checked")}
        for c in clauses:
            stages[c.stage][c.status] += 1
        out["stages"] = stages
    else:
        present = sorted({f.term for f in findings if f.category in ("adversarial", "collaborative") and f.term})
        adv = [t for t in present if cat.term_category(t) == "adversarial"]
        col = [t for t in present if cat.term_category(t) == "collaborative"]
        out["adversarial_terms"] = adv
        out["collaborative_terms"] = col
        out["balance"] = {"adversarial": len(adv), "collaborative": len(col)}
        out["missing_counterparts"] = sorted(
            {f"{cat.alternatives[t]} (for {t})" for t in adv if cat.alternatives.get(t) not in col}
        )
    out["findings"] = {k: sum(1 for f in findings if f.category == k) for k in ("adversarial", "collaborative", "hygiene")}
    return out


def gate_failures(result: DocumentResult, fail_on: str | None) -> int:
    """How many unwaived results at or above the severity gate (non-met clauses, adversarial/hygiene findings)."""
    if not fail_on or fail_on == "none":
        return 0
    floor = severity_rank(fail_on)
    n = sum(
        1
        for c in result.clauses
        if c.status in ("missing", "partial") and not c.waived and severity_rank(c.severity) >= floor
    )
    n += sum(
        1
        for f in result.findings
        if f.category != "collaborative" and not f.waived and severity_rank(f.severity) >= floor
    )
    return n
