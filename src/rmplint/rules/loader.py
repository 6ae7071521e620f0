"""Load rule packs: YAML files validated against the shipped JSON Schemas, turned into typed rules.

A pack is a folder tree. Files with a top-level `concepts` key are vocabulary (merged across
files, so a user's folder can add words to a built-in concept); every other .yaml file is one
rule. Any problem is a RuleError naming the file, the rule id and the path inside the file.
A pack that loaded cleanly is remembered (parsed and validated) in a cache file, so that the next
process skips YAML parsing and schema validation.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import os
import re
from pathlib import Path
from typing import Any, Iterable

from rmplint import cache
from rmplint.catalogue import load_catalogue
from rmplint.errors import RuleError
from rmplint.rules.regex_safety import catastrophic
from rmplint.rules.spec import (
    Concept,
    Detector,
    EvidenceItem,
    HeadingSpec,
    PatternSpec,
    PaymentSpec,
    Rule,
    RulePack,
    SentenceSpec,
    TableSpec,
)

# Nested unbounded quantifiers such as (a+)+ or (\w*)* can backtrack for ever on hostile text;
# a bounded repeat of a group, (\w+ ){0,3}, cannot.
_REDOS = re.compile(r"\((?:[^()\\]|\\.)*[+*](?:[^()\\]|\\.)*\)(?:[+*]|\{\d*,\})")


def builtin_pack_dir() -> Path:
    """The shipped BS 11000 pack; RMPLINT_BUILTIN_PACK replaces it (e.g. a pinned copy of the pack)."""
    override = os.environ.get("RMPLINT_BUILTIN_PACK")
    if override:
        return Path(override)
    return Path(str(importlib.resources.files("rmplint.pack").joinpath("bs11000")))


@functools.lru_cache(maxsize=2)
def _schema(name: str) -> Any:
    from jsonschema import Draft202012Validator

    raw = json.loads(importlib.resources.files("rmplint.rules").joinpath(f"schema/{name}.schema.json").read_text())
    return Draft202012Validator(raw)


def _read_yaml(path: Path) -> Any:
    import yaml

    from rmplint.yamlio import safe_load

    try:
        return safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else None
        raise RuleError(str(path), f"invalid YAML: {getattr(e, 'problem', None) or e}", where=where) from None
    except (OSError, UnicodeDecodeError) as e:
        raise RuleError(str(path), f"cannot read: {e}") from None


def _validate(path: Path, data: Any, schema: str) -> None:
    errors = sorted(_schema(schema).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        e = errors[0]
        rid = data.get("id") if isinstance(data, dict) else None
        where = "/" + "/".join(str(p) for p in e.absolute_path)
        message = e.message
        if isinstance(e.instance, bool) and e.validator == "type":
            message += " (YAML reads a bare yes/no/on/off/true/false as a boolean: quote the word)"
        raise RuleError(str(path), message, rule_id=rid, where=where)


def _parse(path: Path) -> dict[str, Any] | None:
    """One pack file read and validated against its schema (None for an empty file)."""
    data = _read_yaml(path)
    if data is None:
        return None
    if not isinstance(data, dict):
        raise RuleError(str(path), "a rule file must hold a mapping")
    _validate(path, data, "vocabulary" if "concepts" in data else "rule")
    return data


def _yaml_files(dirs: Iterable[Path]) -> list[tuple[str, Path]]:
    """Every pack file with the name the cache knows it by (folder number / relative path)."""
    out: list[tuple[str, Path]] = []
    for i, d in enumerate(dirs):
        d = Path(d)
        if not d.exists():
            raise RuleError(str(d), "rule directory does not exist")
        if d.is_file():
            out.append((f"{i}/{d.name}", d))
        else:
            out.extend((f"{i}/{p.relative_to(d).as_posix()}", p) for p in sorted(d.rglob("*.yaml")) if p.is_file())
    return out


def load_pack(extra_dirs: Iterable[Path] = (), builtin: bool = True) -> RulePack:
    """Load the built-in pack plus any extra rule folders (later folders may add vocabulary)."""
    dirs = ([builtin_pack_dir()] if builtin else []) + [Path(d) for d in extra_dirs]
    return _load(tuple(str(d) for d in dirs))


@functools.lru_cache(maxsize=8)
def _load(dirs: tuple[str, ...]) -> RulePack:
    files = _yaml_files(Path(d) for d in dirs)
    cache_file = _cache_file(files)
    parsed = _cached(cache_file, files) if cache_file else None
    check = parsed is None  # a cached pack passed every check once, with this very code
    vocab_raw: dict[str, dict[str, Any]] = {}  # concept -> key -> its values without repeats, in order (a dict)
    rule_docs: list[tuple[Path, dict[str, Any]]] = []
    all_data: list[dict[str, Any] | None] = []
    # parse, validate and merge file by file, so that the first bad file is the one reported
    for i, (_, path) in enumerate(files):
        data = parsed[i] if parsed is not None else _parse(path)
        all_data.append(data)
        if data is None:
            continue
        if "concepts" in data:
            for name, spec in data["concepts"].items():
                merged = vocab_raw.setdefault(name, {})
                for key, vals in (spec or {}).items():
                    if key == "describe":
                        merged.setdefault("describe", vals)
                    else:
                        merged.setdefault(key, {}).update(dict.fromkeys(vals))
                if check:
                    _check_patterns(path, f"concept {name}", spec.get("patterns", []) if spec else [])
                    for key in ("phrases", "exact"):
                        for phrase in (spec or {}).get(key, []):
                            try:
                                alternatives(phrase)
                            except ValueError as e:
                                raise RuleError(str(path), f"concept {name}: {key} {phrase!r}: {e}") from None
        else:
            rule_docs.append((path, data))
    concepts = {
        n: Concept(
            name=n,
            phrases=expand_phrases(v.get("phrases", ())),
            exact=expand_phrases(v.get("exact", ())),
            patterns=tuple(v.get("patterns", ())),
            includes=tuple(v.get("includes", ())),
            describe=str(v.get("describe", "")),
        )
        for n, v in sorted(vocab_raw.items())
    }
    for c in concepts.values():
        for inc in c.includes:
            if inc not in concepts:
                raise RuleError("vocabulary", f"concept {c.name} includes unknown concept {inc!r}")
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path, data in rule_docs:
        rule = _build_rule(path, data, concepts, check)
        if rule.id in seen:
            raise RuleError(str(path), f"duplicate rule id (also in {seen[rule.id]})", rule_id=rule.id)
        seen[rule.id] = str(path)
        rules.append(rule)
    rules.sort(key=lambda r: r.id)
    if cache_file and parsed is None:
        cache.write(cache_file, {"files": [name for name, _ in files], "data": all_data})
    return RulePack(rules=tuple(rules), concepts=concepts, sources=dirs)


# --------------------------------------------------------------------------- the pack cache

_CACHE_FORMAT = "rmplint pack cache 2"


def _cache_file(files: list[tuple[str, Path]]) -> Path | None:
    """Where this set of pack files is cached: keyed by their names and bytes, and by all that
    decides whether they pass (the schemas, PyYAML, this loader, the regex checks, Python)."""
    root = cache.cache_dir()
    if root is None:
        return None
    import sys

    import rmplint
    from rmplint import yamlio
    from rmplint.rules import regex_safety

    schemas = importlib.resources.files("rmplint.rules").joinpath("schema")
    try:
        parts: list[str | bytes] = [
            _CACHE_FORMAT, rmplint.__version__, sys.version, yamlio.yaml_fingerprint(),
            Path(__file__).read_bytes(), Path(regex_safety.__file__).read_bytes(), Path(yamlio.__file__).read_bytes(),
            *(schemas.joinpath(f"{n}.schema.json").read_bytes() for n in ("rule", "vocabulary")),
        ]
        for name, path in files:
            parts += [name, path.read_bytes()]
    except OSError:
        return None  # the normal load reports an unreadable file
    return root / f"pack-{cache.key(*parts)}.json"


def _cached(file: Path, files: list[tuple[str, Path]]) -> list[dict[str, Any] | None] | None:
    """The stored data of every file, if the cache holds this very list of files."""
    stored = cache.read(file)
    try:
        data = stored["data"]
        if stored["files"] == [name for name, _ in files] and len(data) == len(files):
            return data if all(d is None or isinstance(d, dict) for d in data) else None
    except (KeyError, TypeError):
        pass
    return None


# ---------------------------------------------------------------- phrase alternatives

MAX_ALTERNATIVES = 1000
_CHOICE = re.compile(r"\{([^{}]*)\}")


def alternatives(phrase: str) -> list[str]:
    """Every phrase a vocabulary entry stands for: `{a|b}` picks one of its words, `{a|}` makes
    a word optional. "{from|of} {each|both} {of the|} {party|partners}" is 16 phrases, each
    matched as a phrase of its own. Spaces are collapsed; the order is as written."""
    if "{" not in phrase and "}" not in phrase:
        return [phrase]
    parts = _CHOICE.split(phrase)  # literal, choice, literal, choice, ..., literal
    if any("{" in lit or "}" in lit for lit in parts[::2]):
        raise ValueError("braces must come in pairs, one level deep: {a|b}")
    out = [""]
    for i, part in enumerate(parts):
        options = part.split("|") if i % 2 else [part]
        out = [o + x for o in out for x in options]
        if len(out) > MAX_ALTERNATIVES:
            raise ValueError(f"stands for more than {MAX_ALTERNATIVES} phrases: split it")
    phrases = list(dict.fromkeys(" ".join(o.split()) for o in out))
    if "" in phrases:
        raise ValueError("one of its alternatives is empty")
    return phrases


def expand_phrases(phrases: Iterable[str]) -> tuple[str, ...]:
    """The phrases of a concept with every {a|b} choice spelled out, without repeats."""
    return tuple(dict.fromkeys(p for phrase in phrases for p in alternatives(phrase)))


def _check_patterns(path: Path, owner: str, patterns: Iterable[str], rule_id: str | None = None) -> None:
    for p in patterns:
        if _REDOS.search(p):
            raise RuleError(str(path), f"{owner}: regular expression {p!r} has nested quantifiers (catastrophic backtracking)", rule_id=rule_id)
        try:
            re.compile(p)
        except re.error as e:
            raise RuleError(str(path), f"{owner}: invalid regular expression {p!r}: {e}", rule_id=rule_id) from None
        why = catastrophic(p)
        if why:
            raise RuleError(str(path), f"{owner}: regular expression {p!r} has {why} (catastrophic backtracking)", rule_id=rule_id)


def _build_rule(path: Path, d: dict[str, Any], concepts: dict[str, Concept], check_patterns: bool = True) -> Rule:
    rid = d["id"]
    cat = load_catalogue()

    def fail(msg: str, where: str | None = None) -> RuleError:
        return RuleError(str(path), msg, rule_id=rid, where=where)

    for cid in [d.get("clause"), *d.get("also_clauses", [])]:
        if cid is None:
            continue
        c = cat.clause(cid)
        if c is None:
            raise fail(f"unknown clause {cid!r} (not in the BS 11000 catalogue)", "/clause")
        if c.group and d["kind"] == "clause":
            raise fail(f"clause {cid} is a heading (group) and takes no verdict", "/clause")
    if d["kind"] == "term":
        cat_of = cat.term_category(d["term"])
        if cat_of is None:
            raise fail(f"unknown Table 10 term {d['term']!r}", "/term")
        if cat_of != d["category"]:
            raise fail(f"term {d['term']!r} is {cat_of}, not {d['category']}", "/category")

    def names(vals: Iterable[str], where: str) -> tuple[str, ...]:
        out = []
        for v in vals:
            if not v.startswith("lemma:") and v not in concepts:
                raise fail(f"unknown concept {v!r} (define it in a vocabulary file)", where)
            out.append(v)
        return tuple(out)

    items = []
    for key, item in d["evidence"].items():
        dets: list[Detector] = []
        for i, det in enumerate(item["any"]):
            where = f"/evidence/{key}/any/{i}"
            ((kind, spec),) = det.items()
            if kind == "sentence":
                dets.append(
                    SentenceSpec(
                        all=names(spec.get("all", []), where),
                        any=names(spec.get("any", []), where),
                        none=names(spec.get("none", []), where),
                        section=names(spec.get("section", []), where),
                        either=names(spec.get("either", []), where),
                        kinds=tuple(spec.get("in", [])),
                        weak=bool(spec.get("weak", False)),
                    )
                )
                if not (spec.get("all") or spec.get("any") or spec.get("either")):
                    raise fail("a sentence detector needs `all`, `any` or `either`", where)
            elif kind == "table":
                dets.append(
                    TableSpec(
                        columns=tuple(names(g, where) for g in spec["columns"]),
                        section=names(spec.get("section", []), where),
                        min_rows=int(spec.get("min_rows", 2)),
                    )
                )
            elif kind == "heading":
                dets.append(HeadingSpec(any=names(spec["any"], where), min_sentences=int(spec.get("min_sentences", 2)), weak=bool(spec.get("weak", False))))
            elif kind == "pattern":
                if check_patterns:
                    _check_patterns(path, f"evidence {key}", [spec["regex"]], rid)
                dets.append(PatternSpec(regex=spec["regex"], section=names(spec.get("section", []), where), weak=bool(spec.get("weak", False))))
            elif kind == "payment":
                dets.append(PaymentSpec(over=spec.get("over"), within=spec.get("within")))
        items.append(EvidenceItem(key=key, describe=item["describe"], detectors=tuple(dets)))
    keys = [i.key for i in items]
    met = tuple(d.get("met", keys))
    partial = tuple(d.get("partial", keys))
    for k in (*met, *partial):
        if k not in keys:
            raise fail(f"met/partial names unknown evidence key {k!r}", "/met")
    ex = d["examples"]
    return Rule(
        id=rid,
        kind=d["kind"],
        severity=d["severity"],
        requirement=" ".join(d["requirement"].split()),
        evidence=tuple(items),
        met=met,
        partial=partial,
        file=str(path),
        clause=d.get("clause"),
        also_clauses=tuple(d.get("also_clauses", [])),
        term=d.get("term"),
        category=d.get("category"),
        why=d.get("why"),
        alternative=d.get("alternative"),
        joint=bool(d.get("joint", False)),
        negation=d.get("negation", "block"),
        examples_pass=tuple(ex.get("pass", [])),
        examples_fail=tuple(ex.get("fail", [])),
    )
