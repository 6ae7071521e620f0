"""Detectors: pure functions from an analysed document and one detector spec to evidence hits.

The registry maps each spec type of the closed set (sentence, table, heading, pattern,
payment) to its function. Detectors only gather evidence; the engine decides verdicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

from rmplint.model import Location


@dataclass(slots=True)
class Hit:
    """One piece of evidence a detector found. A plain slotted record, never changed once made
    (dataclasses.replace makes a changed copy): a frozen dataclass sets each field through
    object.__setattr__, and a check makes 12,000 hits per 500 pages."""

    text: str
    location: Location
    sentence: int | None  # sentence index, None for table/heading level hits
    joint: bool  # written in a joint voice (both/all parties) in the sentence itself
    joint_context: bool = False  # joint only through its heading or table header
    weak: bool = False  # counts towards partial only (thin section, weak detector)
    note: str | None = None


@dataclass(frozen=True)
class Rejected:
    """A passage that looked like evidence but cannot count, and why (for the verdict's reason)."""

    sentence: int
    why: str  # negated | excluded | deferred | conditional | placeholder | glossary | contents | heading | ...


@dataclass(frozen=True)
class DetectorResult:
    hits: tuple[Hit, ...] = ()
    rejected: tuple[Rejected, ...] = ()


@dataclass(frozen=True)
class DetectOptions:
    allow_negated: bool = False
    settings: Mapping[str, int] | None = None  # thresholds such as extended_payment_days


def registry() -> Mapping[type, Callable[..., DetectorResult]]:
    from rmplint.detect import heading, payment, pattern, sentence, table
    from rmplint.rules import spec

    return {
        spec.SentenceSpec: sentence.detect,
        spec.TableSpec: table.detect,
        spec.HeadingSpec: heading.detect,
        spec.PatternSpec: pattern.detect,
        spec.PaymentSpec: payment.detect,
    }
