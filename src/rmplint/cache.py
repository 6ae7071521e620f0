"""Start-up caches: work a process would redo on every run (the parsed rule pack, phrase lemmas),
kept as checksummed JSON files. Only ever a speed-up: a missing, damaged or unwritable file is a miss."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import threading
from pathlib import Path
from typing import Any, Callable, Sequence

import orjson

KEEP = 8  # files of one kind kept: the built-in pack alone and with a few user folders


def cache_dir() -> Path | None:
    """$RMPLINT_CACHE_DIR, else $XDG_CACHE_HOME/rmplint or ~/.cache/rmplint; None when
    RMPLINT_NO_CACHE is set to anything but 0."""
    if os.environ.get("RMPLINT_NO_CACHE", "") not in ("", "0"):
        return None
    if os.environ.get("RMPLINT_CACHE_DIR"):
        return Path(os.environ["RMPLINT_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "rmplint"


def key(*parts: str | bytes) -> str:
    """A hex digest of the parts, each framed by its length so that no two lists give one key."""
    chunks: list[bytes] = []
    for part in parts:  # thousands of phrases: hashed as one string, not two updates each
        data = part.encode() if isinstance(part, str) else part
        chunks += (b"%d\0" % len(data), data)
    return hashlib.sha256(b"".join(chunks)).hexdigest()


def read(path: Path) -> Any:
    """The stored data, or None if the file is missing or fails its checksum."""
    try:
        digest, _, body = path.read_bytes().partition(b"\n")
        if hashlib.sha256(body).hexdigest().encode() != digest:
            return None
        data = orjson.loads(body)  # a third of json's time on the pack's 400 kB
    except (OSError, ValueError):  # (orjson.JSONDecodeError is a ValueError)
        return None
    try:
        os.utime(path)  # recently used: the last file that pruning drops
    except OSError:
        pass
    return data


def write(path: Path, data: Any) -> None:
    """Store data that JSON holds exactly (anything else is not stored), atomically, and drop all
    but the KEEP most recently used files of the same kind."""
    try:
        body = json.dumps(data, ensure_ascii=False, allow_nan=False).encode()
        if orjson.loads(body) != data:  # what read() would give
            return  # something JSON cannot give back as it was (a date, a number as a key)
    except (TypeError, ValueError):
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
        os.replace(tmp, path)  # readers see the old file or the new one, never half of one
        kind = path.name.split("-", 1)[0]
        old = sorted(path.parent.glob(f"{kind}-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for p in old[KEEP:]:
            p.unlink()
    except OSError:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass


def memo(kind: str, parts: Callable[[], Sequence[str | bytes]], build: Callable[[], Any],
         accept: Callable[[Any], bool]) -> Any:
    """What `build` gives (JSON data), kept in a file of this kind keyed by `parts()`: read back
    when the stored data passes `accept`, else built and stored. Without a cache folder, or when
    `parts()` cannot read what it needs (OSError), it is simply built."""
    root = cache_dir()
    file = None
    if root is not None:
        try:
            file = root / f"{kind}-{key(*parts())}.json"
        except OSError:
            pass
    stored = read(file) if file else None
    if stored is not None and accept(stored):
        return stored
    data = build()
    if file:
        write(file, data)
    return data


def nested(value: Any, depth: int, leaf: type) -> bool:
    """Whether `value` is lists nested `depth` deep holding only values of type `leaf` (exactly:
    no bool for int), the shape a memo's `accept` checks. Level by level at C level: a stored
    entry holds tens of thousands of values."""
    level = [value]
    for _ in range(depth):
        if not set(map(type, level)) <= {list}:
            return False
        level = list(itertools.chain.from_iterable(level))
    return set(map(type, level)) <= {leaf}
