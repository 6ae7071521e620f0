"""Configuration: one frozen Config built from defaults and command-line values.

Every value remembers where it came from (`sources`), so that `rmplint config show` can say why
a setting has the value it has. Later levels override earlier ones: built-in defaults, then
(issue: config cascade) project files, `--config FILE`, and finally the command line.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Any, Mapping

from rmplint.engine import CheckOptions


@dataclass(frozen=True)
class Config:
    profile: str = "auto"
    rules: tuple[str, ...] = ()  # extra rule folders
    disable: tuple[str, ...] = ()  # rule ids, clause numbers or term names switched off
    severity: Mapping[str, str] = field(default_factory=dict)  # overrides by rule id, clause or term
    extended_payment_days: int = 30
    prompt_payment_days: int = 14
    review_months: int = 12
    fail_on: str = "none"
    fail_below: str | None = None
    waivers: str | None = None
    as_of: str | None = None  # ISO date; None means today
    sources: Mapping[str, str] = field(default_factory=dict)

    def check_options(self) -> CheckOptions:
        return CheckOptions(
            profile=self.profile,
            settings={
                "extended_payment_days": self.extended_payment_days,
                "prompt_payment_days": self.prompt_payment_days,
                "review_months": self.review_months,
            },
            severity=dict(self.severity),
            disabled=frozenset(self.disable),
            as_of=self.as_of or date.today().isoformat(),
        )

    def with_values(self, values: Mapping[str, Any], source: str) -> "Config":
        """A copy with the given (non-None) values set, recorded as coming from `source`."""
        known = {f.name for f in fields(self)} - {"sources"}
        set_ = {k: v for k, v in values.items() if v is not None and k in known}
        if not set_:
            return self
        return replace(self, **set_, sources={**self.sources, **{k: source for k in set_}})


def load_config(cli_values: Mapping[str, Any]) -> Config:
    """Defaults, overridden by the command line."""
    return Config().with_values(cli_values, "command line")
