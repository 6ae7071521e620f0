"""The one family of errors a user can cause: bad documents, bad rules, bad configuration.

Each carries enough to print one line naming the file and the reason; the CLI turns them into
exit code 2 and never shows a traceback.
"""

from __future__ import annotations


class RmplintError(Exception):
    """Base class: anything the user can fix (input, rules, config)."""

    def one_line(self) -> str:
        return " ".join(str(self).split())


class DocumentError(RmplintError):
    """A document that cannot be read. `kind` is a stable machine-readable class of failure."""

    def __init__(self, path: str, reason: str, kind: str = "unreadable") -> None:
        self.path = str(path)
        self.reason = reason
        self.kind = kind
        super().__init__(f"{self.path}: {reason}")


class RuleError(RmplintError):
    """A rule file that is invalid: names the file, the rule id and the path inside the file."""

    def __init__(self, file: str, message: str, rule_id: str | None = None, where: str | None = None):
        self.file = str(file)
        self.rule_id = rule_id
        self.where = where
        parts = [self.file]
        if rule_id:
            parts.append(f"rule {rule_id}")
        if where:
            parts.append(f"at {where}")
        super().__init__(": ".join([", ".join(parts), message]))


class ConfigError(RmplintError):
    """Invalid configuration: names the file and the key."""
