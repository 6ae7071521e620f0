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
    stored = cache.memo("data", lambda: (_CACHE_FORMAT, name, body, yaml_fingerprint()),
                        lambda: {"data": safe_load(body.decode("utf-8"))},
                        lambda got: isinstance(got, dict) and "data" in got)
    return stored["data"]
