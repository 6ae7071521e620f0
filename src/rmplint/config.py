"""Configuration: one frozen Config built from a cascade of levels, each overriding the one before.

Built-in defaults, then the project file (`rmplint.toml`, or `[tool.rmplint]` in pyproject.toml,
found upward from the documents' folder or the working directory), then `--config FILE`, then the
command line. Every value remembers where it came from (`sources`) for `rmplint config show`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from rmplint.discover import Excludes, compile_patterns
from rmplint.errors import ConfigError
from rmplint.options import SEVERITIES, CheckOptions

PROFILES = ("auto", "rmp", "contract")
FAIL_ON = (*SEVERITIES, "none")
LEVELS = ("A", "B", "C", "D")  # maturity levels, A best
PROJECT_FILES = ("rmplint.toml", "pyproject.toml")  # in this order within one folder
DEFAULT_SOURCE = "default"


@dataclass(frozen=True)
class Config:
    profile: str = "auto"
    rules: tuple[str, ...] = ()  # extra rule folders
    disable: tuple[str, ...] = ()  # rule ids, clause numbers or term names switched off
    severity: Mapping[str, str] = field(default_factory=dict)  # overrides by rule id, clause or term
    extended_payment_days: int = 30
    prompt_payment_days: int = 14
    review_months: int = 12
    max_evidence: int = 25  # quotes kept per clause (0: all); the count of all is always reported
    fail_on: str = "none"
    fail_below: str | None = None
    waivers: str | None = None
    exclude: Excludes = Excludes()  # gitignore-style patterns for walking folders and globs
    as_of: str | None = None  # ISO date; None means today
    sources: Mapping[str, str] = field(default_factory=dict)

    def check_options(self) -> CheckOptions:
        return CheckOptions(
            profile=self.profile,
            settings={
                "extended_payment_days": self.extended_payment_days,
                "prompt_payment_days": self.prompt_payment_days,
                "review_months": self.review_months,
                "max_evidence": self.max_evidence,
            },
            severity=dict(self.severity),
            disabled=frozenset(self.disable),
            as_of=self.as_of or date.today().isoformat(),
        )

    def with_values(self, values: Mapping[str, Any], source: str) -> "Config":
        """A copy with the given (non-None) values set, recorded as coming from `source`.

        Scalars and lists replace the earlier value; the severity map is merged key by key.
        """
        known = {f.name for f in fields(self)} - {"sources"}
        set_ = {k: v for k, v in values.items() if v is not None and k in known}
        if "severity" in set_:
            set_["severity"] = {**self.severity, **set_["severity"]}
        if not set_:
            return self
        return replace(self, **set_, sources={**self.sources, **{k: source for k in set_}})

    def source(self, key: str) -> str:
        return self.sources.get(key, DEFAULT_SOURCE)

    def show(self) -> str:
        """The effective configuration as TOML, each value followed by where it came from."""
        lines = []
        for f in fields(self):
            if f.name == "sources":
                continue
            value = getattr(self, f.name)
            if f.name == "severity":
                inline = ", ".join(f"{_toml(k)} = {_toml(v)}" for k, v in sorted(value.items()))
                text = "{" + inline + "}"
            elif value is None:
                lines.append(f"# {f.name} is not set  # {self.source(f.name)}")
                continue
            else:
                text = _toml(value)
            lines.append(f"{f.name} = {text}  # {self.source(f.name)}")
        return "\n".join(lines) + "\n"


def _toml(value: Any) -> str:
    if isinstance(value, Excludes):
        return _toml(value.patterns)
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---------------------------------------------------------------------------- validation

def _choice(options: Iterable[str]) -> Callable[[Any], Any]:
    allowed = tuple(options)

    def check(v: Any) -> Any:
        if not isinstance(v, str) or v not in allowed:
            raise ValueError("must be one of " + ", ".join(allowed))
        return v

    return check


def _int_range(lo: int, hi: int) -> Callable[[Any], Any]:
    def check(v: Any) -> Any:
        if isinstance(v, bool) or not isinstance(v, int):
            raise ValueError("must be an integer")
        if not lo <= v <= hi:
            raise ValueError(f"must be between {lo} and {hi}")
        return v

    return check


def _strings(v: Any) -> Any:
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, list) or not all(isinstance(s, str) and s for s in v):
        raise ValueError("must be a list of strings")
    return tuple(v)


def _patterns(v: Any) -> Any:
    patterns = _strings(v)
    compile_patterns(patterns)  # ValueError names the invalid one
    return patterns


def _severity_map(v: Any) -> Any:
    if not isinstance(v, dict):
        raise ValueError("must be a table of rule id, clause or term = severity")
    for k, sev in v.items():
        if sev not in SEVERITIES:
            raise ValueError(f"{k!r} must be one of " + ", ".join(SEVERITIES))
    return dict(v)


def _path(v: Any) -> Any:
    if not isinstance(v, str) or not v:
        raise ValueError("must be a path (string)")
    return v


KEYS: dict[str, Callable[[Any], Any]] = {
    "profile": _choice(PROFILES),
    "rules": _strings,
    "disable": _strings,
    "severity": _severity_map,
    "extended_payment_days": _int_range(1, 365),
    "prompt_payment_days": _int_range(0, 365),
    "review_months": _int_range(1, 120),
    "max_evidence": _int_range(0, 1_000_000),
    "fail_on": _choice(FAIL_ON),
    "fail_below": _choice(LEVELS),
    "waivers": _path,
    "exclude": _patterns,
}
RELATIVE_TO_FILE = ("rules", "waivers")  # paths in a file are relative to that file


def validate(table: Mapping[str, Any], where: str, base: Path) -> dict[str, Any]:
    """Checked values of one config table; `where` names the file (and table) in errors."""
    out: dict[str, Any] = {}
    for key, raw in table.items():
        check = KEYS.get(key.replace("-", "_"))
        if check is None:
            raise ConfigError(f"{where}: unknown key {key!r} (known: {', '.join(KEYS)})")
        try:
            value = check(raw)
        except ValueError as e:
            raise ConfigError(f"{where}: key {key!r} {e}, got {raw!r}") from None
        name = key.replace("-", "_")
        if name in RELATIVE_TO_FILE:
            value = _relative(value, base)
        elif name == "exclude":
            # patterns, not paths: joined to the folder, `drafts/` would no longer match at any
            # depth; they are matched against paths relative to the file's folder instead
            value = Excludes(value, str(base))
        out[name] = value
    return out


def _relative(value: Any, base: Path) -> Any:
    if isinstance(value, tuple):
        return tuple(str(base / v) for v in value)
    return str(base / value)


# ---------------------------------------------------------------------------- files

def _read_toml(path: Path, raw: bytes | None = None) -> dict[str, Any]:
    """A TOML file's data (`raw`: its bytes, when the caller has read them already)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        return tomllib.loads((path.read_bytes() if raw is None else raw).decode("utf-8"))
    except OSError as e:
        raise ConfigError(f"{path}: cannot read ({e.strerror or e})") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: invalid TOML ({e})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a UTF-8 text file") from None


def read_file(path: Path, data: dict[str, Any] | None = None) -> tuple[dict[str, Any], str] | None:
    """(checked values, source label) of a config file, or None for a pyproject.toml without
    `[tool.rmplint]`. rmplint.toml and --config files hold the keys at the top level. `data`: the
    file's TOML, when the caller has parsed it already."""
    data = _read_toml(path) if data is None else data
    if path.name == "pyproject.toml":
        table = _tools(path, data).get("rmplint")
        if table is None:
            return None
        where = f"{path} [tool.rmplint]"
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: must be a table")
    else:
        table, where = data, str(path)
    return validate(table, where, path.parent.resolve()), where


def find_project_file(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """The nearest rmplint.toml, or pyproject.toml with [tool.rmplint], from `start` upward, with
    its TOML (parsed once: telling whether a pyproject.toml has the table takes parsing it)."""
    for folder in [start, *start.parents]:
        for name in PROJECT_FILES:
            candidate = folder / name
            if not candidate.is_file():
                continue
            data = _with_tool_table(candidate) if name == "pyproject.toml" else _read_toml(candidate)
            if data is not None:
                return candidate, data
    return None


def _with_tool_table(path: Path) -> dict[str, Any] | None:
    """A pyproject.toml's TOML if it has [tool.rmplint], else None. One that never names rmplint
    (nor holds an escape that could spell it in a quoted key) is passed over unparsed, even when
    it is not valid TOML: it is another tool's file (and the TOML parser's import is a few ms of
    every start)."""
    try:
        raw: bytes | None = path.read_bytes()
    except OSError:
        raw = None  # _read_toml says why it cannot be read
    if raw is not None and b"rmplint" not in raw and b"\\u" not in raw.lower():
        return None
    data = _read_toml(path, raw)
    return data if "rmplint" in _tools(path, data) else None


def _tools(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    """A pyproject.toml's [tool] table (empty when it has none)."""
    tools = data.get("tool", {})
    if not isinstance(tools, dict):
        raise ConfigError(f"{path}: tool must be a table")
    return tools


def search_starts(paths: Iterable[str], cwd: Path) -> list[Path]:
    """Where to look for the project file: the documents' folder first when every document lies
    in one folder (a single folder argument, or files side by side), then the working directory."""
    folders = {(Path(p) if Path(p).is_dir() else Path(p).parent).resolve() for p in paths}
    starts = [folders.pop()] if len(folders) == 1 else []
    if cwd.resolve() not in starts:
        starts.append(cwd.resolve())
    return starts


def load_config(
    cli_values: Mapping[str, Any],
    config_file: str | None = None,
    paths: Iterable[str] = (),
    cwd: Path | None = None,
) -> Config:
    """Defaults, then the project file, then `--config FILE`, then the command line."""
    cfg = Config()
    for start in search_starts(paths, cwd or Path.cwd()):
        found = find_project_file(start)
        if found is not None:
            read = read_file(*found)
            if read is not None:
                cfg = cfg.with_values(*read)
            break
    if config_file:
        path = Path(config_file)
        if not path.is_file():
            raise ConfigError(f"{config_file}: config file not found")
        read = read_file(path)
        if read is None:
            raise ConfigError(f"{config_file}: no [tool.rmplint] table")
        cfg = cfg.with_values(read[0], f"--config {read[1]}")
    return cfg.with_values(cli_values, "command line")


def maturity_shortfalls(result: Any, floor: str | None) -> list[tuple[str, str]]:
    """(stage, level) of every stage of an RMP result whose maturity level is below `floor`
    (A is the highest level, D the lowest); stages without a level are not judged."""
    if not floor or result.error:
        return []
    maturity = result.summary.get("maturity") or {}
    return [
        (stage, m["level"])
        for stage, m in maturity.items()
        if isinstance(m, dict) and m.get("level") in LEVELS and LEVELS.index(m["level"]) > LEVELS.index(floor)
    ]
