"""How a check is run (profile, settings, severities, switched-off rules, limits, check date).

Kept apart from the engine, which imports spaCy's helpers and every detector, so that the command
line can read its configuration and start reading documents before it loads the engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from rmplint.ingest.common import Limits

SEVERITIES = ("info", "low", "medium", "high", "critical")  # lowest first


@dataclass(frozen=True)
class CheckOptions:
    profile: str = "auto"  # auto | rmp | contract
    settings: Mapping[str, int] = field(default_factory=dict)  # extended_payment_days, ...
    severity: Mapping[str, str] = field(default_factory=dict)  # overrides by rule id, clause or term
    disabled: frozenset[str] = frozenset()  # rule ids, clauses or terms switched off
    limits: Limits = field(default_factory=Limits)
    as_of: str | None = None  # ISO check date for review staleness; None: today
