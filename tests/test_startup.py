"""Start-up cost: the validated-pack cache is only a speed-up (same pack, same errors, never in the way)."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from rmplint import cache as startup_cache
from rmplint.errors import RuleError
from rmplint.rules import loader

RULE = """schema_version: 1
id: my.rule
kind: clause
clause: "4.1"
severity: high
requirement: {requirement}
evidence:
  thing:
    describe: a thing
    any:
      - sentence: {{all: [{concept}]}}
examples: {{pass: [], fail: []}}
"""
VOCAB = "schema_version: 1\nconcepts:\n  gadget:\n    phrases: [gadget ledger, widget book]\n    patterns: ['\\bgizmo\\b']\n"


@pytest.fixture()
def cache(tmp_path, monkeypatch) -> Path:
    """A private cache folder for the test (never the real ~/.cache)."""
    d = tmp_path / "cache"
    monkeypatch.setenv("RMPLINT_CACHE_DIR", str(d))
    monkeypatch.delenv("RMPLINT_NO_CACHE", raising=False)
    return d


def _pack_dir(tmp_path: Path, requirement: str = "A plan keeps a gadget ledger.", concept: str = "gadget") -> Path:
    d = tmp_path / "pack"
    d.mkdir(exist_ok=True)
    (d / "vocab.yaml").write_text(VOCAB, encoding="utf-8")
    (d / "rule.yaml").write_text(RULE.format(requirement=requirement, concept=concept), encoding="utf-8")
    return d


def _load(*dirs: Path, builtin: bool = False):
    """Load as a new process would: past the in-process memo, through the cache."""
    return loader._load.__wrapped__(tuple(str(d) for d in ([loader.builtin_pack_dir()] if builtin else []) + list(dirs)))


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("pack-*.json")) if cache.exists() else []


def test_cache_hit_gives_the_same_pack(cache, monkeypatch):
    first = _load(builtin=True)
    assert len(_entries(cache)) == 1
    # a hit must not parse, validate or check a regular expression again
    monkeypatch.setattr(loader, "_parse", lambda path: pytest.fail(f"parsed {path} despite the cache"))
    monkeypatch.setattr(loader, "_check_patterns", lambda *a, **k: pytest.fail("checked patterns despite the cache"))
    second = _load(builtin=True)
    assert second == first and repr(second) == repr(first)


def test_the_cached_pack_equals_an_uncached_load(cache, monkeypatch):
    _load(builtin=True)
    cached = _load(builtin=True)
    monkeypatch.setenv("RMPLINT_NO_CACHE", "1")
    assert repr(_load(builtin=True)) == repr(cached)


def test_a_changed_rule_file_invalidates_the_cache(cache, tmp_path):
    d = _pack_dir(tmp_path)
    assert _load(d).rules[0].requirement == "A plan keeps a gadget ledger."
    _pack_dir(tmp_path, requirement="A plan keeps a widget book.")
    assert _load(d).rules[0].requirement == "A plan keeps a widget book."
    assert len(_entries(cache)) == 2


def test_a_renamed_rule_file_invalidates_the_cache(cache, tmp_path):
    d = _pack_dir(tmp_path)
    first = _load(d)
    (d / "rule.yaml").rename(d / "renamed.yaml")
    assert _load(d).rules[0].file == str(d / "renamed.yaml") != first.rules[0].file


def test_a_moved_pack_reports_its_new_paths(cache, tmp_path):
    d = _pack_dir(tmp_path)
    _load(d)
    moved = d.rename(tmp_path / "moved")
    assert _load(moved).rules[0].file == str(moved / "rule.yaml")


@pytest.mark.parametrize("damage", [b"", b"garbage", b"0" * 64 + b"\n{}", "truncate", "flip"])
def test_a_damaged_cache_file_is_ignored(cache, tmp_path, damage):
    d = _pack_dir(tmp_path)
    good = _load(d)
    (entry,) = _entries(cache)
    raw = entry.read_bytes()
    if damage == "truncate":
        damage = raw[: len(raw) // 2]
    elif damage == "flip":
        damage = raw.replace(b"gadget ledger", b"gadget lodger")
    entry.write_bytes(damage)
    assert _load(d) == good


def test_a_cache_entry_for_other_files_is_ignored(cache, tmp_path):
    d = _pack_dir(tmp_path)
    _load(d)
    (entry,) = _entries(cache)
    other = tmp_path / "other"
    other.mkdir()
    (other / "vocab.yaml").write_text(VOCAB, encoding="utf-8")
    # the other pack's key pointing at this pack's data (as a hash collision would) is refused
    files = loader._yaml_files([other])
    stale = loader._cache_file(files)
    assert stale is not None
    stale.write_bytes(entry.read_bytes())
    assert loader._cached(stale, files) is None


def test_the_cache_keeps_the_most_recently_used_packs(cache, tmp_path, monkeypatch):
    import os

    monkeypatch.setattr(startup_cache, "KEEP", 2)
    a, b, c = (tmp_path / n for n in "abc")
    for d in (a, b, c):
        d.mkdir()
        (d / "vocab.yaml").write_text(VOCAB.replace("gadget", f"gadget-{d.name}"), encoding="utf-8")
    _load(a)
    (entry_a,) = _entries(cache)
    _load(b)
    for e in _entries(cache):
        os.utime(e, (1, 1) if e == entry_a else (2, 2))  # a written first ...
    _load(a)  # ... but used last
    _load(c)
    assert entry_a.exists() and len(_entries(cache)) == 2


def test_an_unwritable_cache_dir_is_ignored(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("RMPLINT_CACHE_DIR", str(blocker / "rmplint"))
    d = _pack_dir(tmp_path)
    assert _load(d).rules[0].id == "my.rule"
    assert _load(d).rules[0].id == "my.rule"


def test_no_cache_env_writes_nothing(cache, tmp_path, monkeypatch):
    monkeypatch.setenv("RMPLINT_NO_CACHE", "1")
    _load(_pack_dir(tmp_path))
    assert not cache.exists()


def test_default_cache_location_follows_xdg_then_home(tmp_path, monkeypatch):
    monkeypatch.delenv("RMPLINT_NO_CACHE", raising=False)
    monkeypatch.delenv("RMPLINT_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert startup_cache.cache_dir() == tmp_path / "xdg" / "rmplint"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert startup_cache.cache_dir() == tmp_path / "home" / ".cache" / "rmplint"
    monkeypatch.setenv("RMPLINT_NO_CACHE", "0")
    assert startup_cache.cache_dir() is not None
    monkeypatch.setenv("RMPLINT_NO_CACHE", "1")
    assert startup_cache.cache_dir() is None


def _error(dirs: list[Path], builtin: bool) -> tuple[str, str, str | None, str | None]:
    with pytest.raises(RuleError) as e:
        _load(*dirs, builtin=builtin)
    return e.value.one_line(), e.value.file, e.value.rule_id, e.value.where


@pytest.mark.parametrize(
    "name, text, builtin",
    [
        ("rule.yaml", "id: [unclosed\n", False),
        ("rule.yaml", RULE.format(requirement="x", concept="gadget").replace("severity: high", "severity: urgent"), False),
        ("rule.yaml", RULE.format(requirement="x", concept="no-such-concept"), True),
        ("rule.yaml", RULE.format(requirement="x", concept="gadget").replace('clause: "4.1"', 'clause: "42.1"'), False),
        ("rule.yaml", "- a list\n", False),
        ("vocab.yaml", VOCAB.replace("\\bgizmo\\b", "(a+)+$"), False),
        ("vocab.yaml", "schema_version: 1\nconcepts:\n  negator:\n    exact: [not, no]\n", False),
    ],
)
def test_a_bad_rule_file_gives_the_same_error_with_or_without_a_cache(cache, tmp_path, monkeypatch, name, text, builtin):
    d = _pack_dir(tmp_path)
    _load(d, builtin=builtin)  # a cache of the good pack exists
    (d / name).write_text(text, encoding="utf-8")
    with_cache = _error([d], builtin)
    assert _error([d], builtin) == with_cache  # and the bad pack was not cached
    monkeypatch.setenv("RMPLINT_NO_CACHE", "1")
    assert _error([d], builtin) == with_cache
    assert len(_entries(cache)) == 1


def test_the_first_bad_file_is_the_one_reported(cache, tmp_path):
    d = _pack_dir(tmp_path)
    (d / "a-vocab.yaml").write_text(VOCAB.replace("gadget", "gizmo").replace("\\bgizmo\\b", "(a+)+$"), encoding="utf-8")
    (d / "b-rule.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    msg, file, _, _ = _error([d], False)
    assert file.endswith("a-vocab.yaml") and "nested quantifiers" in msg


@pytest.mark.parametrize("data", [{"when": datetime.date(2024, 1, 31)}, {1: "a number as a key"}, {"x": float("nan")}])
def test_data_that_json_cannot_hold_as_it_is_is_not_cached(cache, data):
    # the schemas leave no room for these today; the cache must not depend on that
    startup_cache.write(cache / "pack-x.json", {"files": ["0/a.yaml"], "data": [data]})
    assert _entries(cache) == []


# --------------------------------------------------------------------------- phrase norms

TRICKY = ["risk register", "Parties' long-term plans", "Mr. Smith can't agree", "U.K. data", "", "  ", "e-mail (TBC)"]


def test_cached_phrase_keys_are_the_pipelines(cache, monkeypatch):
    from rmplint.nlp import get_nlp, phrase_keys

    nlp = get_nlp()
    want = {t: tuple(tok.norm for tok in nlp(t)) for t in TRICKY}
    assert phrase_keys(TRICKY + TRICKY[:2]) == want
    assert len(list(cache.glob("phrases-norm-*.json"))) == 1
    monkeypatch.setattr(nlp, "make_doc", lambda text: pytest.fail(f"tokenized {text!r} despite the cache"))
    assert phrase_keys(TRICKY) == want


def test_damaged_phrase_keys_are_recomputed(cache):
    from rmplint.nlp import get_nlp, phrase_keys

    want = {t: tuple(tok.norm for tok in get_nlp()(t)) for t in TRICKY}
    phrase_keys(TRICKY)
    (entry,) = cache.glob("phrases-norm-*.json")
    body = entry.read_bytes()
    for damage in (b"", body[:-9], body.replace(b"]]", b", 7]]")):
        entry.write_bytes(damage)
        assert phrase_keys(TRICKY) == want


def test_cached_literal_groups_are_the_parsed_ones_and_damage_is_a_miss(cache, monkeypatch):
    import re

    from rmplint.detect import prefilter

    patterns = [(r"(?:£|\$)\s?\d+ per (?:day|week)", re.I), (r"\bexit\b", re.I), (r"\d{4}", 0)]
    want = [prefilter.literal_groups(p, f, digits=True) for p, f in patterns]
    assert prefilter._cached_groups(patterns) == want
    (entry,) = cache.glob("literals-*.json")
    with monkeypatch.context() as m:
        m.setattr(prefilter, "literal_groups", lambda *a: pytest.fail("parsed despite the cache"))
        assert prefilter._cached_groups(patterns) == want
    body = entry.read_bytes()
    for damage in (b"", body[:-9], body.replace(b'"exit"', b'"exi"')):
        entry.write_bytes(damage)
        assert prefilter._cached_groups(patterns) == want
        assert entry.read_bytes() == body  # and written again


def test_a_matcher_built_from_the_cache_has_the_same_keys_and_hits(cache, monkeypatch, pack):
    from rmplint.detect.concepts import ConceptMatcher
    from rmplint.nlp import get_nlp

    def keys(m: ConceptMatcher):  # what a pickled PhraseMatcher carries: key -> its phrase keys
        return m._by_norm.__reduce__()[1][1], m._by_lower.__reduce__()[1][1]

    monkeypatch.setenv("RMPLINT_NO_CACHE", "1")
    plain = ConceptMatcher(pack)
    monkeypatch.delenv("RMPLINT_NO_CACHE")
    ConceptMatcher(pack)  # fills the cache
    cached = ConceptMatcher(pack)
    assert keys(cached) == keys(plain)
    # and the keys are those of the phrases' Docs through the whole pipeline
    from rmplint.nlp import phrase_keys

    phrases = sorted({p for c in pack.concepts.values() for p in c.phrases})
    nlp = get_nlp()
    through_pipeline = {p: tuple(t.norm for t in d) for p, d in zip(phrases, nlp.pipe(phrases))}
    assert phrase_keys(phrases) == through_pipeline
    doc = get_nlp()("The parties shall keep a joint risk register and review it at the relationship board.")
    assert cached.find(doc) == plain.find(doc) != []


def _matcher_state(m):
    """What decides a matcher's hits: its keys and phrases, its concepts per key, its patterns."""
    return m._by_norm.__reduce__()[1][1], m._by_lower.__reduce__()[1][1], m._concepts, m._regex, m._marks_from


def test_the_matcher_plan_comes_from_the_cache_and_damage_is_a_miss(cache, monkeypatch, pack):
    from rmplint.detect import concepts
    from rmplint.nlp import get_nlp

    monkeypatch.setenv("RMPLINT_NO_CACHE", "1")
    plain = concepts.ConceptMatcher(pack)
    monkeypatch.delenv("RMPLINT_NO_CACHE")
    concepts.ConceptMatcher(pack)  # fills the cache
    (entry,) = cache.glob("matcher-*.json")
    with monkeypatch.context() as m:
        m.setattr(concepts, "_plan", lambda *a: pytest.fail("planned despite the cache"))
        cached = concepts.ConceptMatcher(pack)
    assert _matcher_state(cached) == _matcher_state(plain)
    doc = get_nlp()("Both parties review the joint risk register; the exit strategy is agreed by 2025.")
    assert cached.find(doc) == plain.find(doc) != []
    body = entry.read_bytes()
    good = startup_cache.read(entry)
    unknown_key = {**good, "norm": [["no such key", good["norm"][0][1]], *good["norm"][1:]]}
    text_hash = {**good, "lower": [[good["lower"][0][0], [["risk"]]], *good["lower"][1:]]}
    for damage in (b"", body[:-9], unknown_key, text_hash, {**good, "regex": None}, [good]):
        if isinstance(damage, bytes):
            entry.write_bytes(damage)
        else:  # well-formed JSON with a good checksum, but not a plan
            startup_cache.write(entry, damage)
            assert startup_cache.read(entry) == damage
        assert _matcher_state(concepts.ConceptMatcher(pack)) == _matcher_state(plain)
        assert entry.read_bytes() == body  # and written again


def test_the_matcher_plan_follows_the_pack(cache, tmp_path):
    from rmplint.detect.concepts import ConceptMatcher
    from rmplint.nlp import get_nlp

    d = _pack_dir(tmp_path)
    doc = get_nlp()("We keep a gadget ledger and a gizmo.")
    first = ConceptMatcher(_load(d))
    assert {n for g, _, _ in first.find(doc) for n in first.concepts_of(g)} == {"gadget"}
    (d / "vocab.yaml").write_text(VOCAB.replace("gadget ledger", "gizmo log"), encoding="utf-8")
    second = ConceptMatcher(_load(d))
    assert len(list(cache.glob("matcher-*.json"))) == 2
    # "gadget ledger" is no longer a phrase: only the pattern's "gizmo" is found
    assert [(s, e) for _, s, e in second.find(doc)] == [(7, 8)]


def test_memo_builds_without_storing_when_its_key_cannot_be_read(cache):
    def unreadable():
        raise OSError("gone")

    assert startup_cache.memo("x", unreadable, lambda: {"built": 1}, lambda got: True) == {"built": 1}
    assert not cache.exists() or _entries(cache) == []
    # and with a readable key: built once, then read back while it passes `accept`
    calls = []
    build = lambda: calls.append(1) or [1, 2]  # noqa: E731
    assert startup_cache.memo("x", lambda: ("k",), build, lambda got: got == [1, 2]) == [1, 2]
    assert startup_cache.memo("x", lambda: ("k",), build, lambda got: got == [1, 2]) == [1, 2]
    assert calls == [1]
    assert startup_cache.memo("x", lambda: ("k",), build, lambda got: False) == [1, 2] and calls == [1, 1]


def test_cue_phrases_come_from_the_cache_as_the_tokenizer_splits_them(cache, monkeypatch):
    from rmplint import nlp

    phrases = ["not yet", "can't agree", "to be confirmed (tbc)", "long-term"]
    want = {p: tuple(t.lower_ for t in nlp.get_nlp().tokenizer(p)) for p in phrases}
    assert nlp._cue_words_of(phrases) == want
    (entry,) = cache.glob("cues-*.json")
    with monkeypatch.context() as m:
        m.setattr(nlp, "get_nlp", lambda: pytest.fail("tokenized despite the cache"))
        assert nlp._cue_words_of(phrases) == want
    body = entry.read_bytes()
    for damage in (b"", body[:-9], body.replace(b'"yet"', b'"yes"')):
        entry.write_bytes(damage)
        assert nlp._cue_words_of(phrases) == want


# --------------------------------------------------------------------------- shipped data files

@pytest.mark.parametrize("name", ["catalogue.yaml", "marks.yaml", "checks.yaml"])
def test_shipped_data_comes_from_the_cache_as_parsed_and_damage_is_a_miss(cache, monkeypatch, name):
    import importlib.resources

    from rmplint import yamlio

    want = yamlio.safe_load(importlib.resources.files("rmplint.data").joinpath(name).read_text("utf-8"))
    assert yamlio.load_shipped(name) == want
    (entry,) = cache.glob("data-*.json")
    with monkeypatch.context() as m:
        m.setattr(yamlio, "safe_load", lambda text: pytest.fail("parsed despite the cache"))
        assert yamlio.load_shipped(name) == want
    body = entry.read_bytes()
    for damage in (b"", body[:-9], body.replace(b'"', b"'", 1)):
        entry.write_bytes(damage)
        assert yamlio.load_shipped(name) == want
        assert entry.read_bytes() == body  # and written again


def test_a_check_with_warm_caches_imports_no_yaml_parser(tmp_path, cache):
    from helpers import make_docx

    plan = make_docx(tmp_path / "plan.docx", [("h1", "Governance"), ("p", "Both parties review the risk register.")])
    code = f"""
        import sys
        from rmplint.cli import main
        try:
            main(["check", "--format", "json", "--jobs", "1", {str(plan)!r}])
        except SystemExit:
            pass
        print("yaml" in sys.modules, file=sys.stderr)
    """
    env = {**os.environ, "RMPLINT_CACHE_DIR": str(cache)}
    runs = [subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                           timeout=120, env=env) for _ in range(2)]
    assert [r.stderr.strip().splitlines()[-1] for r in runs] == ["True", "False"]  # the first run fills the caches
    assert runs[0].stdout == runs[1].stdout and '"findings"' in runs[1].stdout


# --------------------------------------------------------------------------- importing spaCy

def _run(*parts: str) -> str:
    code = "\n".join(textwrap.dedent(part) for part in parts)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


# what a pipeline is compared on, and whether spaCy's command-line stack was imported
PROBE = """
    import sys
    from rmplint.nlp import get_nlp
    nlp = get_nlp()
    doc = nlp("The Parties developed long-term risk registers. Mr. Smith can't agree!")
    cli = sorted(m for m in ("typer", "requests", "weasel", "httpx") if m in sys.modules)
    print([(t.text, t.norm_, t.is_sent_start) for t in doc], cli)
"""


def test_spacy_is_imported_without_its_cli_and_the_cli_still_works():
    out = _run(PROBE, """
    import spacy, spacy.cli, spacy.tokens
    assert callable(spacy.cli.app) and spacy.tokens.Doc and "spacy_version" in spacy.info(silent=True)
    """)
    assert out.endswith(" []")


def test_an_unknown_spacy_gets_the_usual_import_and_the_same_pipeline():
    usual = _run("import rmplint.nlp as n; n._CLI_FREE_SPACY = ('0.',)", PROBE)
    assert not usual.endswith(" []")  # the CLI came in
    assert _run(PROBE).rsplit("]", 2)[0] == usual.rsplit("]", 2)[0]


def test_a_failed_import_without_the_cli_falls_back_to_the_usual_one():
    # a spaCy module that wants its CLI while spaCy is imported, as a future release might
    out = _run("""
    import sys

    class WantsCli:
        def find_spec(self, name, path=None, target=None):
            if name == "spacy.vocab" and "spacy.cli" in sys.modules and not hasattr(sys.modules["spacy.cli"], "app"):
                from spacy.cli import app  # the stand-in has none: ImportError
            return None

    sys.meta_path.insert(0, WantsCli())
    """, PROBE, """
    import spacy.vocab, spacy.tokens, spacy.matcher
    assert spacy.vocab.Vocab and spacy.tokens.Doc and spacy.matcher.PhraseMatcher
    """)
    assert not out.endswith(" []")  # the second, usual import brought the CLI
    assert out.rsplit("]", 2)[0] == _run(PROBE).rsplit("]", 2)[0]


# --------------------------------------------------------------------------- the collector at start-up

@pytest.mark.parametrize("enabled", [True, False])
def test_building_the_checker_leaves_the_collector_as_it_was_with_the_checker_frozen(enabled):
    out = _run(f"""
        import gc
        from rmplint.cli import build_checker
        if not {enabled}:
            gc.disable()
        seen = []
        gc.callbacks.append(lambda phase, info: seen.append(phase))
        checker = build_checker(())
        print(gc.isenabled(), seen == [], gc.get_freeze_count() > 50_000, type(checker).__name__)
    """)
    assert out == f"{enabled} True True Checker"  # no collection while spaCy and the matchers were built


@pytest.mark.parametrize("frozen_first", [True, False])
def test_a_worker_pool_leaves_the_frozen_objects_as_it_found_them(frozen_first, tmp_path):
    """After the command line froze its checker, the pool knows it without gc counting the frozen
    objects one by one; a library caller's unfrozen objects are unfrozen again afterwards."""
    plan = tmp_path / "plan.txt"
    plan.write_text("The partners review this plan every year.\n", encoding="utf-8")
    out = _run(f"""
        import gc
        from rmplint import collector
        from rmplint.runner import CheckSpec, run_batch
        if {frozen_first}:
            collector.freeze()
        count, asked = gc.get_freeze_count, []
        gc.get_freeze_count = lambda: asked.append(1) or count()
        results = run_batch([{str(plan)!r}], CheckSpec(), jobs=2, timeout=60)
        print(results[0].error is None, count() > 0, asked == [])
    """)
    assert out == f"True {frozen_first} {frozen_first}"


def test_nested_tells_the_shape_of_stored_lists():
    assert startup_cache.nested([[1, 2], []], 2, int) and startup_cache.nested([], 3, str)
    assert startup_cache.nested([[["a"], []], []], 3, str)
    assert not startup_cache.nested([[1, True]], 2, int)  # a bool is not an int
    assert not startup_cache.nested([[1], 2], 2, int)  # a value where a list belongs
    assert not startup_cache.nested([["a"]], 2, int) and not startup_cache.nested("ab", 1, str)


def test_the_read_ahead_is_forked_before_the_runner_and_the_result_classes_are_imported(tmp_path):
    """`rmplint check` on two processes forks its read-ahead as soon as it knows the documents and
    the limits: every module imported before the fork is time the other core spends waiting."""
    docs = []
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text("The partners review this plan every year.\n", encoding="utf-8")
        docs.append(str(tmp_path / name))
    seen = tmp_path / "modules.json"
    _run(f"""
        import json, os, sys
        real_fork = os.fork
        def fork():
            if not os.path.exists({str(seen)!r}):
                with open({str(seen)!r}, "w") as fh:
                    json.dump(sorted(sys.modules), fh)
            return real_fork()
        os.fork = fork
        from rmplint.cli import main
        main(["check", "--jobs", "2", "--format", "json", "-o", {str(tmp_path / "r.json")!r}, *{docs!r}],
             standalone_mode=False)
    """)
    before = set(json.loads(seen.read_text()))
    assert {"rmplint.cli", "rmplint.config", "rmplint.readahead"} <= before
    assert not before & {"rmplint.runner", "rmplint.findings", "rmplint.model", "rmplint.engine", "spacy",
                         "multiprocessing", "tempfile", "ctypes", "hashlib"}
    report = json.loads((tmp_path / "r.json").read_text())
    assert [d["error"] for d in report["documents"]] == [None, None] and report["documents"][0]["clauses"]
