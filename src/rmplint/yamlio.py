"""YAML reading with libyaml's safe loader when PyYAML has it: the same data as yaml.safe_load,
several times faster (the rule pack, the catalogue and the shipped data tables)."""

from __future__ import annotations

from typing import Any

_CACHE_FORMAT = "rmplint shipped data 1"


def safe_load(text: str) -> Any:
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - a safe loader


def yaml_fingerprint() -> bytes:
    """What identifies the installed PyYAML, without importing it (which costs 10 ms): its
    __init__.py, which holds its version."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("yaml")
    try:
        return Path(spec.origin).read_bytes() if spec and spec.origin else b"no yaml"
    except OSError:
        return b"unreadable yaml"


def load_shipped(name: str) -> Any:
    """A YAML data file shipped in rmplint.data (the catalogue, marks, checks), parsed; kept in
    the start-up cache as JSON, keyed by its bytes, so that most runs import no YAML parser."""
    import importlib.resources

    from rmplint import cache

    body = importlib.resources.files("rmplint.data").joinpath(name).read_bytes()
    root = cache.cache_dir()
    file = root / f"data-{cache.key(_CACHE_FORMAT, name, body, yaml_fingerprint())}.json" if root else None
    stored = cache.read(file) if file else None
    if isinstance(stored, dict) and "data" in stored:
        return stored["data"]
    data = safe_load(body.decode("utf-8"))
    if file:
        cache.write(file, {"data": data})
    return data
