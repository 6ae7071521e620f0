"""Which files a check reads: folders are walked, globs expanded, gitignore-style excludes applied.

Anything named literally on the command line (a file, a folder, a glob's leading folders) is
never excluded; excludes and `.rmplintignore` files only filter what walking and globbing find.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Iterable

from rmplint.errors import ConfigError

EXTENSIONS = (".docx", ".pdf", ".txt", ".md", ".markdown")
IGNORE_FILE = ".rmplintignore"  # gitignore syntax, for the folder it is in and below
GLOB_CHARS = ("*", "?", "[")


@dataclass(frozen=True)
class Excludes:
    """Gitignore-style patterns and the folder they are relative to ("": the working directory)."""

    patterns: tuple[str, ...] = ()
    base: str = ""


@dataclass(frozen=True)
class Found:
    documents: tuple[str, ...]  # in argument order; each folder's or glob's documents sorted
    unmatched: tuple[str, ...]  # glob arguments that gave no document


@dataclass(frozen=True)
class _Rule:
    """One set of patterns as it applies inside one walk: a path relative to the walked folder
    loses its first `skip` characters and gains `prefix` before it is matched."""

    spec: Any  # pathspec.GitIgnoreSpec
    prefix: str = ""
    skip: int = 0

    def verdict(self, rel: str) -> bool | None:
        """True: excluded, False: re-included by a `!` pattern, None: no pattern matches."""
        include: bool | None = self.spec.check_file(self.prefix + rel[self.skip:]).include
        return include


def is_glob(path: str) -> bool:
    return any(c in path for c in GLOB_CHARS)


def compile_patterns(patterns: Iterable[str]) -> Any:
    """A pathspec.GitIgnoreSpec of gitignore lines; ValueError names the first invalid one."""
    import re

    from pathspec import GitIgnoreSpec

    lines = list(patterns)
    try:
        return GitIgnoreSpec.from_lines(lines)
    except (ValueError, re.error):
        for line in lines:
            try:
                GitIgnoreSpec.from_lines([line])
            except (ValueError, re.error):
                raise ValueError(f"has an invalid pattern {line!r}") from None
        raise


def find_documents(paths: Iterable[str], excludes: Excludes = Excludes()) -> Found:
    """The documents named by `paths`: a folder gives the supported documents below it, a glob
    that is not an existing path gives what it matches, anything else is taken as a file (so that
    a missing or unreadable one gets an error result, never silently dropped)."""
    spec = compile_patterns(excludes.patterns) if excludes.patterns else None
    documents: list[str] = []
    unmatched: list[str] = []
    for p in paths:
        if os.path.isdir(p):
            documents.extend(_walk(p, _setting_rules(spec, excludes.base, p)))
        elif is_glob(p) and not os.path.lexists(p):
            found = _expand(p, spec, excludes.base)
            if not found:
                unmatched.append(p)
            documents.extend(found)
        else:
            documents.append(p)
    return Found(tuple(documents), tuple(unmatched))


def _expand(pattern: str, spec: Any, base: str) -> list[str]:
    """Walk the glob's leading folder and keep what the rest of the pattern matches."""
    parts = PurePath(pattern).parts
    fixed = next(i for i, part in enumerate(parts) if is_glob(part))
    top = str(PurePath(*parts[:fixed])) if fixed else ""
    if not os.path.isdir(top or os.curdir):
        return []
    glob = _Glob(_collapse(parts[fixed:]), pattern.endswith(("/", os.sep)))
    found = _walk(top or os.curdir, _setting_rules(spec, base, top or os.curdir), glob)
    if top:
        return found
    here = os.curdir + os.sep  # os.walk(".") names files "./x.md"; the user wrote "*.md", so show "x.md"
    return [f[len(here):] if f.startswith(here) else f for f in found]


def _collapse(parts: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    for part in parts:
        if not (part == "**" and out and out[-1] == "**"):
            out.append(part)
    return tuple(out)


def _setting_rules(spec: Any, base: str, top: str) -> tuple[_Rule, ...]:
    """The `exclude` setting as it applies to a walk of `top`: relative to its base folder when
    `top` lies inside it, else (a shared --config file, documents elsewhere) relative to `top`.
    A `top` that the patterns exclude was named on purpose, so it is walked, relative to itself."""
    if spec is None:
        return ()
    real_base, real_top = os.path.realpath(base or os.curdir), os.path.realpath(top)
    if real_top != real_base and os.path.commonpath([real_base, real_top]) == real_base:
        prefix = os.path.relpath(real_top, real_base).replace(os.sep, "/") + "/"
        if not spec.check_file(prefix).include:
            return (_Rule(spec, prefix),)
    return (_Rule(spec),)


@dataclass(frozen=True)
class _Glob:
    parts: tuple[str, ...]  # components below the leading folder; "**" is any number of folders
    dirs_only: bool  # the pattern ended with "/"

    def names_extension(self) -> bool:
        """`contracts/*.doc` asks for those files by their extension, supported or not."""
        _, dot, ext = self.parts[-1].rpartition(".")
        return bool(dot and ext) and not is_glob(ext)

    def matches(self, parts: tuple[str, ...]) -> bool:
        return _matches(parts, self.parts)

    def may_match_below(self, parts: tuple[str, ...]) -> bool:
        return _leads_to(parts, self.parts)


def _matches(parts: tuple[str, ...], pattern: tuple[str, ...]) -> bool:
    if not pattern:
        return not parts
    if pattern[0] == "**":
        return any(_matches(parts[i:], pattern[1:]) for i in range(len(parts) + 1))
    return bool(parts) and fnmatch.fnmatch(parts[0], pattern[0]) and _matches(parts[1:], pattern[1:])


def _leads_to(parts: tuple[str, ...], pattern: tuple[str, ...]) -> bool:
    """Whether something below the folder `parts` can match `pattern` (else it is not walked)."""
    if not parts:
        return bool(pattern)
    if not pattern:
        return False
    if pattern[0] == "**":
        return True
    return fnmatch.fnmatch(parts[0], pattern[0]) and _leads_to(parts[1:], pattern[1:])


def _excluded(rules: tuple[_Rule, ...], rel: str) -> bool:
    # the most specific rule that has an opinion wins: deeper .rmplintignore files over shallower
    # ones, any .rmplintignore over the `exclude` setting (as a folder's .gitignore over a global one)
    for rule in reversed(rules):
        verdict = rule.verdict(rel)
        if verdict is not None:
            return verdict
    return False


def _ignore_file(folder: str, rel: str) -> _Rule:
    path = os.path.join(folder, IGNORE_FILE)
    if not os.path.isfile(path):  # a FIFO or a folder of that name would hang or fail the read
        raise ConfigError(f"{path}: not a regular file")
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except OSError as e:
        raise ConfigError(f"{path}: cannot read ({e.strerror or e})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a UTF-8 text file") from None
    try:
        return _Rule(compile_patterns(lines), skip=len(rel))
    except ValueError as e:
        raise ConfigError(f"{path}: {e}") from None


def _walk(top: str, rules: tuple[_Rule, ...], glob: _Glob | None = None) -> list[str]:
    """Supported documents below `top` (sorted; hidden names, Office lock files and symlinked
    folders skipped; excluded folders not entered). With a glob, only what it matches: a file
    it matches, or anything in a folder it matches."""
    found: list[str] = []
    # per folder still to visit: its path relative to top ("" or "a/b/"), the rules in force, and
    # whether it is wholly selected (a folder argument, or a folder the glob matched)
    pending = {top: ("", rules, glob is None)}
    # A folder that cannot be listed is checked (and reported) like a file, never skipped.
    for root, dirs, files in os.walk(top, followlinks=False, onerror=lambda e: found.append(e.filename)):
        rel, in_force, whole = pending.pop(root)
        if IGNORE_FILE in files:
            in_force = (*in_force, _ignore_file(root, rel))
        kept = []
        for d in sorted(dirs):
            sub = rel + d + "/"
            if d.startswith(".") or _excluded(in_force, sub):
                continue
            parts = tuple(sub[:-1].split("/"))
            sub_whole = whole or (glob is not None and glob.matches(parts))
            if sub_whole or (glob is not None and glob.may_match_below(parts)):
                kept.append(d)
                pending[os.path.join(root, d)] = (sub, in_force, sub_whole)
        dirs[:] = kept
        for f in files:
            if f.startswith((".", "~$")) or not _wanted(f, rel, whole, glob) or _excluded(in_force, rel + f):
                continue
            found.append(os.path.join(root, f))
    return sorted(found)


def _wanted(name: str, rel: str, whole: bool, glob: _Glob | None) -> bool:
    supported = name.lower().endswith(EXTENSIONS)
    if whole or glob is None:
        return supported
    if glob.dirs_only or not glob.matches(tuple((rel + name).split("/"))):
        return False
    return supported or glob.names_extension()
