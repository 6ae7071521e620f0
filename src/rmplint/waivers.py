"""Waivers: accepted deviations read from a YAML file and applied to results after checking.

A waived result still appears in every report, with its waiver; the gates do not count it. An
expired waiver is attached too, marked expired, and no longer waives.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path, PurePath
from typing import Any, Iterable, Sequence

from rmplint.errors import ConfigError
from rmplint.findings import ClauseVerdict, DocumentResult, Finding, Waiver

TARGETS = ("clause", "rule", "term")
REQUIRED = ("justification", "approver", "expires")
KEYS = (*TARGETS, "document", *REQUIRED)


@dataclass(frozen=True)
class WaiverEntry:
    """One entry of the waivers file: what it waives, where, why, who, until when."""

    target: str  # clause | rule | term
    value: str
    document: str  # glob over document paths; "*" for every document
    justification: str
    approver: str
    expires: date
    source: str  # "file, entry N"

    def describe(self) -> str:
        where = "" if self.document == "*" else f" in {self.document}"
        return f"{self.source}: {self.target} {self.value}{where} (expires {self.expires.isoformat()}, approved by {self.approver})"

    def expired(self, as_of: date) -> bool:
        return self.expires < as_of

    def waiver(self, as_of: date) -> Waiver:
        return Waiver(self.justification, self.approver, self.expires.isoformat(), self.source, self.expired(as_of))

    def matches(self, path: str, result: ClauseVerdict | Finding) -> bool:
        if not _glob(path, self.document):
            return False
        if self.target == "rule":
            return result.rule == self.value
        if self.target == "clause":
            return result.clause == self.value
        term = getattr(result, "term", None)
        return term is not None and term.casefold() == self.value.casefold()


def _glob(path: str, pattern: str) -> bool:
    if pattern == "*":
        return True
    pure = PurePath(path)
    return pure.match(pattern) or fnmatch.fnmatch(pure.as_posix(), pattern)


# ---------------------------------------------------------------------------- reading

def load(path: str | Path) -> tuple[WaiverEntry, ...]:
    """Read and check a waivers file; any bad entry is a ConfigError naming file and entry."""
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(f"{path}: cannot read waivers file ({e.strerror or e})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: waivers file is not UTF-8 text") from None
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: invalid YAML ({' '.join(str(e).split())})") from None
    if isinstance(data, dict) and set(data) == {"waivers"}:
        data = data["waivers"]
    if data is None:
        return ()
    if not isinstance(data, list):
        raise ConfigError(f"{path}: expected a list of waivers (or a 'waivers:' key holding one)")
    return tuple(_entry(raw, f"{path}, entry {n}") for n, raw in enumerate(data, start=1))


def _entry(raw: Any, source: str) -> WaiverEntry:
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: must be a mapping with one of {', '.join(TARGETS)}")
    unknown = sorted(set(raw) - set(KEYS))
    if unknown:
        raise ConfigError(f"{source}: unknown key {unknown[0]!r} (known: {', '.join(KEYS)})")
    targets = [t for t in TARGETS if raw.get(t) not in (None, "")]
    if len(targets) != 1:
        raise ConfigError(f"{source}: needs exactly one of {', '.join(TARGETS)}")
    if not isinstance(raw[targets[0]], str):  # unquoted 3.10 reads as the number 3.1
        raise ConfigError(f"{source}: {targets[0]} must be quoted text (\"3.10\"), got {raw[targets[0]]!r}")
    missing = [k for k in REQUIRED if raw.get(k) in (None, "")]
    if missing:
        raise ConfigError(f"{source} ({targets[0]} {raw[targets[0]]}): missing {', '.join(missing)}")
    for key in ("justification", "approver", "document"):
        if key in raw and not isinstance(raw[key], str):
            raise ConfigError(f"{source}: {key} must be text")
    return WaiverEntry(
        target=targets[0],
        value=raw[targets[0]],
        document=raw.get("document") or "*",
        justification=raw["justification"].strip(),
        approver=raw["approver"].strip(),
        expires=_date(raw["expires"], source),
        source=source,
    )


def _date(value: Any, source: str) -> date:
    if isinstance(value, date):  # YAML reads an unquoted 2026-12-31 as a date already
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{source}: expires must be an ISO date (YYYY-MM-DD), got {value!r}") from None


# ---------------------------------------------------------------------------- applying

def waivable(result: ClauseVerdict | Finding) -> bool:
    """Results a gate can count: missing/partial clauses, adversarial and hygiene findings."""
    if isinstance(result, ClauseVerdict):
        return result.status in ("missing", "partial")
    return result.category != "collaborative"


def apply(
    results: Sequence[DocumentResult], entries: Sequence[WaiverEntry], as_of: date
) -> tuple[list[DocumentResult], set[int]]:
    """Results with matching waivers attached, and the indexes of the entries that matched."""
    used: set[int] = set()

    def attach(path: str, result: Any) -> Any:
        matching = [i for i, e in enumerate(entries) if waivable(result) and e.matches(path, result)]
        if not matching:
            return result
        used.update(matching)
        # A live waiver wins over an expired one; among equals the first in the file.
        best = min(matching, key=lambda i: (entries[i].expired(as_of), i))
        return replace(result, waiver=entries[best].waiver(as_of))

    out = []
    for r in results:
        if r.error:
            out.append(r)
            continue
        out.append(
            replace(
                r,
                clauses=tuple(attach(r.path, c) for c in r.clauses),
                findings=tuple(attach(r.path, f) for f in r.findings),
            )
        )
    return out, used


def expired(entries: Iterable[WaiverEntry], as_of: date) -> list[WaiverEntry]:
    return [e for e in entries if e.expired(as_of)]
