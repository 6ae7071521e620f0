"""Document checks beyond single clauses: exit completeness, plan hygiene and stage maturity.

Exit completeness looks in a plan's exit sections for the key exit items (Table 13) and the
exit triggers (Table 4). Hygiene finds what an auditor sends back at once: placeholders left in,
a DRAFT marking, no sign-off by the senior executive responsible, no version history, a review
date long past. Maturity places each stage on the Annex A scale (D to A) from its clause verdicts.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable

from rmplint.detect.analysis import AnalysedDocument, Sentence
from rmplint.detect.index import DocumentIndex
from rmplint.findings import ClauseVerdict, Finding

_EXIT_SCOPE = frozenset({"exit-strategy", "exit-trigger"})


@dataclass(frozen=True)
class CheckData:
    exit_items: dict[str, str]
    exit_triggers: dict[str, str]
    draft: tuple[re.Pattern[str], ...]
    senior_roles: re.Pattern[str]
    maturity: tuple[tuple[str, float, str], ...]


@functools.lru_cache(maxsize=1)
def check_data() -> CheckData:
    from rmplint.yamlio import load_shipped

    raw = load_shipped("checks.yaml")
    roles = sorted(raw["senior_roles"], key=len, reverse=True)
    return CheckData(
        exit_items=dict(raw["exit_items"]),
        exit_triggers=dict(raw["exit_triggers"]),
        draft=tuple(re.compile(p) for p in raw["draft_patterns"]),
        senior_roles=re.compile(r"\b(?:" + "|".join(re.escape(r) for r in roles) + r")\b", re.I),
        maturity=tuple((m["level"], float(m["min_score"]), m["meaning"]) for m in raw["maturity"]),
    )


# ---------------------------------------------------------------------- exit completeness


def exit_completeness(ix: DocumentIndex) -> dict[str, Any]:
    """Which key exit items and triggers the plan's exit sections cover."""
    data = check_data()
    scope = (ix.any_bits("context", _EXIT_SCOPE) | ix.any_bits("concepts", _EXIT_SCOPE)) & ix.usable

    def covered(table: dict[str, str]) -> dict[str, bool]:
        return {name: bool(ix.bits("concepts", concept) & scope) for name, concept in table.items()}

    items = covered(data.exit_items)
    triggers = covered(data.exit_triggers)
    return {
        "items": items,
        "triggers": triggers,
        "missing_items": [k for k, v in items.items() if not v],
        "missing_triggers": [k for k, v in triggers.items() if not v],
        "sentences": scope.bit_count(),
    }


def exit_note(exit: dict[str, Any]) -> str:
    if not exit["sentences"]:
        return ""
    items, triggers = exit["items"], exit["triggers"]
    note = f" Key exit items covered: {sum(items.values())} of {len(items)}"
    if exit["missing_items"]:
        note += " (missing: " + "; ".join(exit["missing_items"]) + ")"
    note += f". Exit triggers named: {sum(triggers.values())} of {len(triggers)}"
    if exit["missing_triggers"]:
        note += " (missing: " + "; ".join(exit["missing_triggers"]) + ")"
    return note + "."


# ---------------------------------------------------------------------- hygiene


def hygiene(ix: DocumentIndex, as_of: date, review_months: int, severity: dict[str, str],
            disabled: frozenset[str], term_of=None) -> list[Finding]:  # type: ignore[no-untyped-def]
    adoc = ix.adoc
    out: list[Finding] = []

    def add(rule: str, default: str, message: str, s: Sentence | None = None, text: str = "", loc=None):  # type: ignore[no-untyped-def]
        if rule in disabled:
            return
        from rmplint.model import Location

        location = s.location if s is not None else (loc or Location())
        out.append(Finding(rule, "hygiene", severity.get(rule, default), message, s.text if s else text, location))

    for s in adoc.sentences:
        if "placeholder" in s.marks and "contents" not in s.marks:
            what = ", ".join(dict.fromkeys(p.strip() for p in s.placeholders)) or "placeholder"
            term = term_of(s) if term_of else None
            msg = f"Placeholder left in the document: {what}"
            if term:
                msg += f" (it concerns {term}, which is not counted as present)"
            if "hygiene.placeholder" not in disabled:
                out.append(Finding("hygiene.placeholder", "hygiene", severity.get("hygiene.placeholder", "medium"),
                                   msg, s.text, s.location, term=term))
    draft = _draft_marking(adoc)
    if draft:
        text, loc = draft
        add("hygiene.draft", "medium", "The document is marked as a draft", text=text, loc=loc)
    if adoc.profile != "rmp":
        return out
    approved, unsigned = _approval(ix)
    if not approved:
        if unsigned is not None:
            add("hygiene.sign-off", "high",
                f"The approval block (table {unsigned.index}) is not signed: no approval of the plan by the senior "
                "executive responsible", text="Table " + str(unsigned.index) + ": " + " | ".join(unsigned.header),
                loc=unsigned.location)
        else:
            add("hygiene.sign-off", "high",
                "No approval or sign-off of the plan by the senior executive responsible was found")
    if not _version_history(ix):
        add("hygiene.version-history", "low", "No version history or document control record was found")
    last, nxt = _review_dates(ix, as_of)
    if last is not None:
        d, s = last
        months = (as_of.year - d.year) * 12 + (as_of.month - d.month) - (1 if as_of.day < d.day else 0)
        if months >= review_months:
            add("hygiene.review-date", "medium",
                f"Last reviewed or issued on {d.isoformat()}, {months} months before the check date "
                f"{as_of.isoformat()} (limit {review_months} months)", s)
    if nxt is not None and nxt[0] < as_of and (last is None or last[0] < nxt[0]):
        add("hygiene.review-date", "medium",
            f"The next review was due on {nxt[0].isoformat()}, before the check date {as_of.isoformat()}", nxt[1])
    return out


_FRONT_MATTER = 25  # blocks at the start of a document where a status marking sits


def _draft_marking(adoc: AnalysedDocument) -> tuple[str, Any] | None:
    """A DRAFT marking in the page headers/footers or the front matter (title, document control
    table), not a history row that mentions an earlier draft."""
    pats = check_data().draft
    history = _history_tables(adoc)
    front = [b for b in adoc.document.blocks[:_FRONT_MATTER] if b.location.table not in history]
    for b in (*adoc.document.furniture, *front):
        for p in pats:
            if p.search(b.text):
                return b.text, b.location
    return None


def _approval(ix: DocumentIndex):  # type: ignore[no-untyped-def]
    adoc = ix.adoc
    roles = check_data().senior_roles
    for i in ix.members(ix.bits("concepts", "approve") & ix.usable):
        s = adoc.sentences[i]
        about_plan = "rmp" in s.concepts or "rmp" in s.context or "version-control" in s.context
        if about_plan and roles.search(s.text):
            return True, None
    unsigned = None
    for t in adoc.tables:
        if any("approve" in hc or "lemma:signature" in hc for hc in t.header_concepts) or any(
            _SIGN_HEAD.search(h) for h in t.header
        ):
            sign_cols = [i for i, h in enumerate(t.header) if _SIGN_HEAD.search(h)]
            if sign_cols and any(t.filled[i] for i in sign_cols if i < len(t.filled)):
                return True, None
            unsigned = unsigned or t
    return False, unsigned


def _version_history(ix: DocumentIndex) -> bool:
    return bool(ix.bits("concepts", "version-control") & ix.usable) or bool(_history_tables(ix.adoc))


_SIGN_HEAD = re.compile(r"(?i)\b(sign|signature|signed|approv)")
_DATE_HEAD = re.compile(r"(?i)\bdate\b")


def _history_tables(adoc: AnalysedDocument) -> dict[int, tuple[int, ...]]:
    """Version-history tables (a version/revision/issue column and a date column): table index ->
    its 1-based date columns."""
    out: dict[int, tuple[int, ...]] = {}
    for t in adoc.tables:
        if any(_VERSION_HEAD.search(h) for h in t.header):
            dates = tuple(i + 1 for i, h in enumerate(t.header) if _DATE_HEAD.search(h))
            if dates:
                out[t.index] = dates
    return out


_MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_MON = r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_DATE_RES = (
    re.compile(r"\b(?P<y>20\d\d)-(?P<m>\d\d)-(?P<d>\d\d)\b"),
    re.compile(r"\b(?P<d>\d{1,2})[/.](?P<m>\d{1,2})[/.](?P<y>20\d\d)\b"),
    re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MON}\.?,?\s+(?P<y>20\d\d)\b", re.I),
    re.compile(rf"\b{_MON}\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>20\d\d)\b", re.I),
    re.compile(rf"\b{_MON}\.?\s+(?P<y>20\d\d)\b", re.I),
)


def parse_dates(text: str) -> list[date]:
    """Dates written as 2025-08-14, 14/08/2025, 14 Aug 2025, August 14, 2025 or August 2025."""
    out: list[date] = []
    if "20" not in text:  # every form has a year 20xx
        return out
    taken: list[tuple[int, int]] = []
    for rx in _DATE_RES:
        for m in rx.finditer(text):
            if any(a <= m.start() < b for a, b in taken):
                continue
            g = m.groupdict()
            try:
                key = (g.get("mon") or "").lower()
                month = int(g["m"]) if g.get("m") else (_MONTHS.get(key) or _MONTHS[key[:3]])
                day = int(g["d"]) if g.get("d") else 1
                out.append(date(int(g["y"]), month, day))
                taken.append((m.start(), m.end()))
            except (ValueError, KeyError):
                continue
    return out


_NEXT = re.compile(r"(?i)\b(?:next review|review due|due for review|next scheduled review|to be reviewed by|review by)\b")
_LAST = re.compile(
    r"(?i)\b(?:last review(?:ed)?|reviewed (?:on|in)|review date|date of (?:last )?review|last updated|updated (?:on|in)|"
    r"issued (?:on|in)|issue date|date of issue|version date|revised (?:on|in)|approved (?:on|in)|"
    r"approved by\b[^.;]{0,60}\bon)\b"
)
_VERSION_HEAD = re.compile(r"(?i)\b(?:version|revision|issue|rev\.?)\b")


def _review_dates(ix: DocumentIndex, as_of: date):  # type: ignore[no-untyped-def]
    """The latest date the plan says it was reviewed/issued, and its next review date."""
    adoc = ix.adoc
    last = nxt = None

    def see(d: date, s: Sentence, is_next: bool) -> None:
        nonlocal last, nxt
        if is_next:
            if nxt is None or d > nxt[0]:
                nxt = (d, s)
        elif d <= as_of and (last is None or d > last[0]):
            last = (d, s)

    version_date_cols = {(t, c) for t, cols in _history_tables(adoc).items() for c in cols}
    # only these sentences can pass the test below
    maybe = ix.may_match(_LAST) | ix.may_match(_NEXT) | (
        ix.bits("concepts", "rmp") & (ix.bits("concepts", "review") | ix.bits("concepts", "approve")))
    if version_date_cols:
        maybe |= ix.bits_of(s.index for s in adoc.sentences if (s.location.table, s.location.col) in version_date_cols)
    for i in ix.members(maybe):
        s = adoc.sentences[i]
        if "placeholder" in s.marks:
            continue
        loc = s.location
        in_version_table = (loc.table, loc.col) in version_date_cols and (loc.row or 1) > 1
        about_plan = "rmp" in s.concepts and bool(s.concepts & {"review", "approve"})
        if in_version_table or about_plan or _LAST.search(s.text) or _NEXT.search(s.text):
            for d in parse_dates(s.text):
                see(d, s, bool(_NEXT.search(s.text)) and not in_version_table)
    return last, nxt


# ---------------------------------------------------------------------- maturity


def maturity(clauses: Iterable[ClauseVerdict], stages: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """An indicative Annex A level per stage, with the reasoning."""
    data = check_data()
    clauses = list(clauses)
    out: dict[str, dict[str, Any]] = {}
    for st in stages:
        rows = [c for c in clauses if c.stage == st.id]
        checked = [c for c in rows if c.status in ("met", "partial", "missing")]
        unchecked = sum(1 for c in rows if c.status == "not-checked")
        if not checked:
            out[st.id] = {"level": None, "score": None, "reason": "no clause of this stage is checked yet"}
            continue
        met = sum(1 for c in checked if c.status == "met")
        partial = sum(1 for c in checked if c.status == "partial")
        missing = len(checked) - met - partial
        score = round((met + 0.5 * partial) / len(checked), 3)
        level, meaning = next((lv, mn) for lv, floor, mn in data.maturity if score >= floor)
        reason = (f"{met} met, {partial} partial, {missing} missing of {len(checked)} checked clauses: "
                  f"score {score:.2f} → {level} ({meaning})")
        if unchecked:
            reason += f"; {unchecked} clause(s) not checked"
        out[st.id] = {"level": level, "score": score, "reason": reason}
    return out
