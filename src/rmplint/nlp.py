"""The spaCy pipeline, built once per process: blank English, sentencizer, lookup lemmas.

No model is downloaded: lemmas come from spacy-lookups-data's English lookup table, applied to
the lower-cased token so that "Parties" and "parties" share the lemma "party". The normalised
lemma is also stored in `token.norm_`, which is what the PhraseMatcher matches on (attr NORM).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, AbstractSet, Any, Iterable, Sequence, cast

from rmplint import cache

if TYPE_CHECKING:  # pragma: no cover
    from types import ModuleType

    from spacy.language import Language

    from rmplint.detect.prefilter import Gate

# Words whose lookup lemma would hide the sense a plan uses them in.
# (Also corrects a few wrong entries in the lookup table, e.g. "developed" -> "develope".)
_KEEP = {
    "data": "data", "media": "media", "criteria": "criterion", "later": "later", "parties": "party",
    "developed": "develop", "developing": "develop", "enveloped": "envelop",
}

# doc.user_data key: every token's lower-cased text and its lemma, as two lists
WORDS = "rmplint_words"

# Hyphenated compounds stay apart ("long-term" -> long - term) so phrases match either spelling.
_MAX_LENGTH = 2_000_000


# spaCy releases whose package __init__ imports spacy.cli only to re-export `spacy.info`, and none
# of whose library modules imports spacy.cli (checked by hand against 3.8.18's sources).
_CLI_FREE_SPACY = ("3.8.",)
_CLI_LINE = "from .cli.info import info  # noqa: F401"


def _import_spacy() -> "ModuleType":
    """`import spacy`, without its command-line package where that is known to be safe.

    spacy.cli pulls in typer, requests, httpx and weasel: 0.2 s of every check, for code a pipeline
    never runs. While spaCy is imported, stand-ins take the places of spacy.cli and spacy.cli.info
    (whose `info` calls the real one); they are removed straight after, so that a later
    `import spacy.cli` gets the real package. Another spaCy, or any failure, gets the usual import.
    """
    import sys
    import types

    if "spacy" in sys.modules or not _cli_only_for_info():
        import spacy

        return spacy

    def info(*args: Any, **kwargs: Any) -> Any:
        from spacy.cli.info import info as real  # the stand-ins are gone by the time this runs

        return real(*args, **kwargs)

    cli, cli_info = types.ModuleType("spacy.cli"), types.ModuleType("spacy.cli.info")
    cli.__path__ = []
    cli_info.info = info  # type: ignore[attr-defined]
    stand_ins = {"spacy.cli": cli, "spacy.cli.info": cli_info}
    sys.modules.update(stand_ins)
    try:
        import spacy

        return spacy
    except Exception:  # noqa: BLE001 - some part of spaCy wanted its CLI after all
        pass
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]
    return _import_spacy_again()


def _cli_only_for_info() -> bool:
    """Is the installed spaCy one whose CLI import is known to be only for `spacy.info`?"""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("spacy")  # finds the package without importing it
    if spec is None or spec.origin is None:
        return False
    root = Path(spec.origin).parent
    try:
        version = re.search(r'^__version__ = "([^"]+)"', (root / "about.py").read_text("utf-8"), re.M)
        init = (root / "__init__.py").read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    cli_lines = [line.strip() for line in init.splitlines() if "cli" in line]
    return version is not None and version.group(1).startswith(_CLI_FREE_SPACY) and cli_lines == [_CLI_LINE]


def _import_spacy_again() -> "ModuleType":
    """The usual import after a failed one: the submodules that did load stay loaded, so tie them
    to the new package objects as the import system would have done."""
    import importlib
    import sys

    spacy = importlib.import_module("spacy")
    for name, module in list(sys.modules.items()):
        parent, _, child = name.rpartition(".")
        if name.startswith("spacy.") and module is not None and parent in sys.modules:
            if not hasattr(sys.modules[parent], child):
                setattr(sys.modules[parent], child, module)
    return spacy


@functools.lru_cache(maxsize=1)
def get_nlp() -> "Language":
    """The process-wide pipeline (built on first use, then shared)."""
    spacy = _import_spacy()
    from spacy.language import Language
    from spacy.util import load_language_data, registry

    # The table as the plain dict in spacy-lookups-data, as spacy.lookups.load_lookups reads it:
    # its Table would first hash all 41,000 keys (0.1 s) for the same answers.
    table = cast("dict[str, str]", load_language_data(registry.lookups.get("en")["lemma_lookup"]))
    lemma_of: dict[str, tuple[str, int]] = {}  # lower-cased word -> its lemma and the lemma's hash

    @Language.component("rmplint_lemmas")
    def rmplint_lemmas(doc):  # type: ignore[no-untyped-def]
        words, lemmas = [], []
        strings = doc.vocab.strings
        for tok in doc:
            low = tok.lower_
            entry = lemma_of.get(low)
            if entry is None:
                lem = _KEEP.get(low) or table.get(low, low).lower()
                entry = lemma_of[low] = (lem, strings.add(lem))
            tok.lemma = entry[1]
            tok.norm_ = entry[0]
            words.append(low)
            lemmas.append(entry[0])
        doc.user_data[WORDS] = (words, lemmas)  # read by analysis without walking the tokens again
        return doc

    nlp = spacy.blank("en")
    nlp.max_length = _MAX_LENGTH
    nlp.add_pipe("sentencizer", config={"punct_chars": [".", "!", "?"]})
    nlp.add_pipe("rmplint_lemmas")
    return nlp


_PHRASE_KEYS_FORMAT = "rmplint phrase keys 3"


def phrase_keys(texts: Iterable[str], attr: str = "NORM") -> dict[str, tuple[int, ...]]:
    """The NORM (or LOWER) of every token of each text as the pipeline sets it, as string-store
    hashes: the keys a PhraseMatcher on that attribute stores for the text's Doc. Tokenizing the
    pack's thousands of phrases is most of a matcher's build, so the keys are cached across
    processes (as numbers), keyed by the texts, the attribute, this module, spaCy,
    spacy-lookups-data and Python."""
    import sys
    from pathlib import Path

    import spacy
    import spacy_lookups_data

    if attr not in ("NORM", "LOWER"):
        raise ValueError(f"phrase keys on {attr}: only NORM and LOWER")
    nlp = get_nlp()
    unique = sorted(set(texts))

    def build() -> dict[str, Any]:
        if attr == "NORM":
            lemmatise = nlp.get_pipe("rmplint_lemmas")  # the lemma step is all a phrase needs
            return {"texts": unique, "keys": [[t.norm for t in lemmatise(nlp.make_doc(text))] for text in unique]}
        return {"texts": unique, "keys": [[t.lower for t in nlp.make_doc(text)] for text in unique]}

    def accept(got: Any) -> bool:
        keys = got.get("keys") if isinstance(got, dict) and got.get("texts") == unique else None
        return isinstance(keys, list) and len(keys) == len(unique) and cache.nested(keys, 2, int)

    versions = (_PHRASE_KEYS_FORMAT, attr, spacy.__version__, spacy_lookups_data.__version__, sys.version)
    stored = cache.memo(f"phrases-{attr.lower()}", lambda: (*versions, Path(__file__).read_bytes(), *unique),
                        build, accept)
    # the hashes themselves: a matcher compares hashes, and their strings are in spaCy's store
    # once a document holds them
    return {text: tuple(ks) for text, ks in zip(unique, stored["keys"])}


_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def normalise(text: str) -> str:
    """Collapse whitespace and straighten quotes, for quoting and comparing text. (str.split
    splits on exactly the characters the pattern \\s matches, four times faster than re.sub.)"""
    if not text.isascii():
        text = text.translate(_QUOTES)
    return " ".join(text.split())


# --------------------------------------------------------------------------- sentence marks

MARKS = (
    "negated",  # a negation governs part of the sentence ("no joint risk register has been set up")
    "excluded",  # something is disapplied ("clause 14 shall not apply")
    "deferred",  # left for later ("to be agreed", "will be developed in due course")
    "conditional",  # waits on a future agreement or discretion ("the parties may agree a bonus")
    "placeholder",  # template text left in ("TBC", "[insert amount]", "XX/XX/20XX")
    "redacted",  # a value blacked out ("[***]")
    "non-binding",  # declares itself not binding
    "definition",  # defines a term ('"KPIs" means ...')
    "recital",  # in recitals/background
    "glossary",  # in a glossary/definitions section
    "contents",  # a contents-list entry
    "heading",  # the text is a heading
)


@dataclass(frozen=True)
class MarkVocabulary:
    """Compiled cue lists from data/marks.yaml."""

    negators: frozenset[str]
    idioms: _Phrases
    breaks: frozenset[str]
    existence: frozenset[str]
    exclusions: _Phrases
    deferrals: _Phrases
    future: _Phrases
    creation: frozenset[str]
    events: _Phrases
    event_patterns: tuple[re.Pattern[str], ...]
    conditionals: _Phrases
    non_binding: _Phrases
    placeholder: tuple[re.Pattern[str], ...]
    redaction: tuple[re.Pattern[str], ...]
    definition: tuple[re.Pattern[str], ...]
    recital_headings: frozenset[str]
    glossary_headings: frozenset[str]
    contents_headings: frozenset[str]

    def prepare(self) -> None:
        """Build what is otherwise built on first use."""
        self.patterns_for("")
        self.cue_words  # noqa: B018 - cached properties: reading them builds them
        self.cue_lists  # noqa: B018

    @functools.cached_property
    def cue_words(self) -> frozenset[str]:
        """Every word mark_sentence looks for in a sentence's word set."""
        return frozenset(self.cue_lists)

    @functools.cached_property
    def cue_lists(self) -> dict[str, int]:
        """Each cue word and the lists it opens, as bits (_NEGATOR, _IDIOM, ...): a sentence's cue
        words tell at once which lists need searching, instead of each list testing them again."""
        out: dict[str, int] = {}
        for bit, words in ((_NEGATOR, self.negators), (_IDIOM, self.idioms.anchors), (_EXCLUSION, self.exclusions.anchors),
                           (_DEFERRAL, self.deferrals.anchors), (_FUTURE, self.future.anchors),
                           (_EVENT, self.events.anchors), (_CONDITIONAL, self.conditionals.anchors),
                           (_NON_BINDING, self.non_binding.anchors), (_PERIODIC_BIT, _PERIODIC), (_MAY, {"may"})):
            for w in words:
                out[w] = out.get(w, 0) | bit
        return out

    @functools.cached_property
    def _patterns(self) -> tuple["Gate", tuple[tuple[str, re.Pattern[str]], ...]]:
        from rmplint.detect.prefilter import Gate

        families = tuple((family, p) for family in _PATTERN_FAMILIES for p in getattr(self, family))
        return Gate([(p.pattern, p.flags) for _, p in families]), families

    def holds_placeholder(self, text: str) -> bool:
        """Whether a text holds template text left in ("TBC", "[insert amount]", "XX/XX/20XX")."""
        return any(p.search(text) for p in self.patterns_for(text).placeholder)

    def pattern_sources(self) -> list[tuple[str, int]]:
        """The mark patterns as (source, flags), in the order patterns_opened() counts them."""
        return [(p.pattern, p.flags) for _, p in self._patterns[1]]

    def patterns_for(self, text: str) -> "MarkPatterns":
        """The mark patterns that may match in `text` (a block: its sentences are parts of it)."""
        return self.patterns_opened(self._patterns[0].open(text.casefold()))

    def patterns_opened(self, opened: Sequence[int]) -> "MarkPatterns":
        """The mark patterns of these indexes (into pattern_sources()), grouped by family."""
        if not opened:
            return _NO_PATTERNS
        families = self._patterns[1]
        got: dict[str, list[re.Pattern[str]]] = {}
        for i in opened:
            family, p = families[i]
            got.setdefault(family, []).append(p)
        return MarkPatterns(**{f: tuple(ps) for f, ps in got.items()})


_PATTERN_FAMILIES = ("placeholder", "redaction", "definition", "event_patterns")


@dataclass(frozen=True)
class MarkPatterns:
    """The mark patterns worth running on a text: those whose literals it holds, in pack order."""

    placeholder: tuple[re.Pattern[str], ...] = ()
    redaction: tuple[re.Pattern[str], ...] = ()
    definition: tuple[re.Pattern[str], ...] = ()
    event_patterns: tuple[re.Pattern[str], ...] = ()


_NO_PATTERNS = MarkPatterns()


@functools.lru_cache(maxsize=1)
def mark_vocabulary() -> MarkVocabulary:
    from rmplint.yamlio import load_shipped

    raw = load_shipped("marks.yaml")
    words = _cue_words_of(sorted({p.lower() for key in _CUE_LISTS for p in raw[key]}))

    def seqs(key: str) -> _Phrases:
        return _Phrases(sorted({words[p.lower()] for p in raw[key]}, key=lambda s: (-len(s), s)))

    def lemmas(key: str) -> frozenset[str]:
        return frozenset(w.lower() for w in raw[key])

    def regexes(key: str) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p, re.I) for p in raw[key])

    return MarkVocabulary(
        negators=lemmas("negators"),
        idioms=seqs("negation_idioms"),
        breaks=lemmas("scope_breaks"),
        existence=lemmas("existence_verbs"),
        exclusions=seqs("exclusion_phrases"),
        deferrals=seqs("deferral_phrases"),
        future=seqs("future_markers"),
        creation=lemmas("creation_verbs"),
        events=seqs("event_triggers"),
        event_patterns=regexes("event_patterns"),
        conditionals=seqs("conditional_phrases"),
        non_binding=seqs("non_binding_phrases"),
        placeholder=tuple(re.compile(p, re.I if not p.startswith("\\bX") else 0) for p in raw["placeholder_patterns"]),
        redaction=regexes("redaction_patterns"),
        definition=tuple(re.compile(p) for p in raw["definition_patterns"]),
        recital_headings=lemmas("recital_headings"),
        glossary_headings=lemmas("glossary_headings"),
        contents_headings=lemmas("contents_headings"),
    )


_CUE_LISTS = ("negation_idioms", "exclusion_phrases", "deferral_phrases", "future_markers", "event_triggers",
              "conditional_phrases", "non_binding_phrases")
_CUE_FORMAT = "rmplint cue words 1"


def _cue_words_of(phrases: list[str]) -> dict[str, tuple[str, ...]]:
    """Each cue phrase as the lower-cased words the tokenizer makes of it, kept in the start-up
    cache (tokenizing the cue lists was a sixth of building a checker)."""
    import sys
    from pathlib import Path

    import spacy

    def build() -> dict[str, Any]:
        tok = get_nlp().tokenizer
        return {"texts": phrases, "words": [[t.lower_ for t in tok(p)] for p in phrases]}

    stored = cache.memo(
        "cues",
        lambda: (_CUE_FORMAT, spacy.__version__, sys.version, Path(__file__).read_bytes(), *phrases),
        build,
        lambda got: isinstance(got, dict) and got.get("texts") == phrases and isinstance(got.get("words"), list)
        and len(got["words"]) == len(phrases) and cache.nested(got["words"], 2, str),
    )
    return {p: tuple(w) for p, w in zip(phrases, stored["words"])}


_FUNCTION_WORDS = frozenset(
    "a an the is are was were be been being has have had do does did will shall may might can could would should "
    "must not no to of in on at for from by with as and or but if this that these those it its their our we they "
    "there yet so up out".split()
)


class _Phrases(tuple):  # type: ignore[type-arg]
    """Word sequences, each indexed by its least common word ("confirmed" in "to be confirmed"),
    so that a sentence is searched once per list, and only where such a word occurs (indexed by
    first words, "is" and "to" sent most sentences through every list)."""

    # word -> (sequence, its place there, a word next to it: its offset from the anchor and text)
    by_anchor: dict[str, tuple[tuple[tuple[str, ...], int, int, str], ...]]
    anchors: frozenset[str]

    def __new__(cls, seqs: Iterable[tuple[str, ...]]) -> "_Phrases":
        self = super().__new__(cls, seqs)
        index: dict[str, list[tuple[tuple[str, ...], int, int, str]]] = {}
        for seq in self:
            at = max(range(len(seq)), key=lambda j: (seq[j] not in _FUNCTION_WORDS, len(seq[j]), -j))
            # a neighbour of the anchor, tested before the whole sequence ("agreed" is everywhere,
            # "be agreed" rarely); a one-word sequence is its own neighbour
            step = -1 if at > 0 else 1 if len(seq) > 1 else 0
            index.setdefault(seq[at], []).append((seq, at, step, seq[at + step]))
        self.by_anchor = {w: tuple(v) for w, v in index.items()}
        self.anchors = frozenset(index)
        return self


def _find_seqs(words: list[str], phrases: _Phrases, present: AbstractSet[str]) -> list[tuple[int, int]]:
    """All (start, end) token spans where one of the word sequences occurs, by start and longest
    first (`present`: the words, or at least those the sequences are indexed by)."""
    anchors = phrases.anchors & present
    if not anchors:
        return []  # most sentences hold no cue at all: one C-level check instead of a loop
    found = []
    n = len(words)
    for w in anchors:
        candidates = phrases.by_anchor[w]
        p = -1
        for _ in range(words.count(w)):  # the word's places, found by list methods rather than a loop
            p = words.index(w, p + 1)
            for seq, at, step, beside in candidates:
                i, k = p - at, len(seq)
                if i >= 0 and i + k <= n and (k == 1 or (words[p + step] == beside and tuple(words[i : i + k]) == seq)):
                    found.append((i, i + k))
    if len(found) > 1:
        found.sort(key=lambda span: (span[0], -span[1]))
    return found


# the cue lists a sentence's words may open (MarkVocabulary.cue_lists)
_NEGATOR, _IDIOM, _EXCLUSION, _DEFERRAL, _FUTURE, _EVENT, _CONDITIONAL, _NON_BINDING, _PERIODIC_BIT, _MAY = (
    1 << i for i in range(10))
_PERIODIC = frozenset(
    "annually monthly quarterly weekly daily fortnightly yearly regularly routinely periodically each every "
    "continually continuously ongoing throughout".split()
)
_SCOPE_WINDOW = 12
_CONDITION_WORDS = frozenset({"if", "where", "unless", "until", "when", "whenever", "should", "once"})
_CARVE_OUT = frozenset({"to", "in", "where", "if", "for", "unless", "insofar", "so", "with", "during", "while"})
_BE = frozenset({"is", "are", "was", "were", "has", "have", "had"})
# ", and the register is reviewed": a comma before one of these starts a new clause
_CLAUSE_JOINERS = frozenset({"and", "but", "or", "so", "which", "while", "whilst", "whereas", "yet"})


@dataclass(frozen=True)
class SentenceMarks:
    """Marks of one sentence, and which of its tokens a negation or exclusion governs."""

    marks: frozenset[str]
    negated_tokens: frozenset[int]  # token offsets (within the sentence) under a negation
    excluded_tokens: frozenset[int]  # token offsets under an exclusion ("... shall not apply")
    placeholders: tuple[str, ...] = ()


_UNMARKED = SentenceMarks(frozenset(), frozenset(), frozenset())


def mark_sentence(
    words: list[str], norms: list[str], text: str, profile: str, patterns: MarkPatterns | None = None
) -> SentenceMarks:
    """Compute the marks of a sentence from its lower-cased tokens, their lemmas and its text.
    `patterns`: the mark patterns that may match in the block the sentence comes from (found
    once per block); by default, those that may match in the sentence."""
    mv = mark_vocabulary()
    if patterns is None:
        patterns = mv.patterns_for(text)
    n = len(words)
    # the sentence's words that some cue list looks for: most sentences have few or none, and each
    # list then tests that small set instead of every word
    present = mv.cue_words.intersection(words)
    if not present and patterns is _NO_PATTERNS:
        return _UNMARKED  # no cue word and no mark pattern: a third of all sentences
    cues = 0  # the lists this sentence's words open
    cue_lists = mv.cue_lists
    for w in present:
        cues |= cue_lists[w]
    marks: set[str] = set()
    idiom: set[int] = set()
    for s, e in _find_seqs(words, mv.idioms, present) if cues & _IDIOM else ():
        idiom.update(range(s, e))

    def clause_start(i: int) -> int:
        j = i
        while j > 0 and words[j - 1] not in mv.breaks and words[j - 1] != ",":
            j -= 1
        # a comma only ends the clause when the negation is far from it
        k = i
        while k > 0 and words[k - 1] not in mv.breaks:
            k -= 1
        return k if i - k <= _SCOPE_WINDOW else j

    negated: set[int] = set()
    for i, w in enumerate(words if cues & _NEGATOR else ()):
        if w not in mv.negators or i in idiom:
            continue
        marks.add("negated")
        # forward: to the end of the clause, at most a window of tokens
        # inside a condition ("if the dispute is not resolved within 30 days, either party may
        # refer it"), the negation ends with the condition at the comma
        conditional = any(words[k] in _CONDITION_WORDS for k in range(clause_start(i), i))
        j = i + 1
        while j < n and j <= i + _SCOPE_WINDOW and words[j] not in mv.breaks and not (
            words[j] == "," and (conditional or (j + 1 < n and words[j + 1] in _CLAUSE_JOINERS))
        ):
            negated.add(j)
            j += 1
        # backward when the negation denies existence ("... has not yet been established") or
        # denies a passive predicate of the subject ("customer requirements have not been captured")
        for k in range(i + 1, min(n, i + 5)):
            passive = words[k - 1] in {"been", "be", "being"} or (i > 0 and words[i - 1] in _BE)
            if norms[k] in mv.existence or (passive and words[k].isalpha() and words[k].endswith(("ed", "en", "wn"))):
                negated.update(range(clause_start(i), i))
                break
            if words[k] not in {"yet", "been", "be", "being", "formally", "currently", "so", "far", "as", "to", "really", "fully"}:
                break
    excluded: set[int] = set()
    for s, e in _find_seqs(words, mv.exclusions, present) if cues & _EXCLUSION else ():
        whole = e + 2 < n + 1 and words[e : e + 2] == ["to", "this"]  # "... shall not apply to this Agreement"
        if e < n and words[e] in _CARVE_OUT and not whole:
            # "the cap shall not apply to gross negligence": an exception carved out, not a denial
            negated.difference_update(range(clause_start(s), n))
            continue
        if "n/a" in words[s:e] and e - s == 1 and n > 3 and s not in (n - 1, n - 2):
            continue  # "n/a" only excludes when it is the verdict at the end of a line
        marks.add("excluded")
        excluded.update(range(clause_start(s), e))
    if cues & _DEFERRAL and _find_seqs(words, mv.deferrals, present):
        marks.add("deferred")
    elif (
        cues & _FUTURE
        and profile != "contract"
        and not cues & _PERIODIC_BIT
        and not (cues & _EVENT and _find_seqs(words, mv.events, present))
        and not any(p.search(text) for p in patterns.event_patterns)
    ):
        for s, e in _find_seqs(words, mv.future, present):
            if any(norms[k] in mv.creation for k in range(e, min(n, e + 4))):
                marks.add("deferred")
                break
    if (cues & _CONDITIONAL and _find_seqs(words, mv.conditionals, present)) or (
            cues & _MAY and _may_later_agree(words, norms)):
        marks.add("conditional")
    if cues & _NON_BINDING and _find_seqs(words, mv.non_binding, present):
        marks.add("non-binding")
    holders = tuple(m.group(0) for p in patterns.placeholder for m in p.finditer(text)) if patterns.placeholder else ()
    if holders:
        marks.add("placeholder")
    if patterns.redaction and any(p.search(text) for p in patterns.redaction):
        marks.add("redacted")
    if patterns.definition and any(p.search(text) for p in patterns.definition):
        marks.add("definition")
    if not (marks or negated or excluded):
        return _UNMARKED  # most sentences: one shared value
    return SentenceMarks(frozenset(marks), frozenset(negated), frozenset(excluded), holders)


_LATER_AGREEMENT = frozenset({"agree", "consider", "decide", "discuss", "explore", "negotiate"})


def _may_later_agree(words: list[str], norms: list[str]) -> bool:
    """ "The parties may, at the first annual review, agree a mechanism": discretion to agree later,
    with words in between that a fixed phrase list would miss."""
    n = len(words)
    for i, w in enumerate(words):
        if w != "may":
            continue
        for k in range(i + 1, min(n, i + 10)):
            if norms[k] in _LATER_AGREEMENT:
                # the agreeing is what "may" governs: next to it, or after an aside set off by commas
                if k <= i + 2 or (words[i + 1] == "," and "," in words[i + 2 : k]):
                    return True
                break
    return False


@functools.lru_cache(maxsize=4096)
def section_marks(heading_path: tuple[str, ...]) -> frozenset[str]:
    """Marks a block inherits from the section it sits in (recitals, glossary, contents)."""
    mv = mark_vocabulary()
    out = set()
    for h in heading_path:
        # "7 Glossary", "Appendix C: Glossary", "Schedule 1 – Definitions" all name a glossary
        key = _SECTION_PREFIX.sub("", h.lower())
        key = " ".join(re.sub(r"[^a-z ]", " ", key).split())
        if key in mv.recital_headings:
            out.add("recital")
        elif key in mv.glossary_headings:
            out.add("glossary")
        elif key in mv.contents_headings:
            out.add("contents")
    return frozenset(out)


_SECTION_PREFIX = re.compile(r"^\s*(?:(?:appendix|annex|schedule|part|section|exhibit|attachment)\b\s*[a-z0-9]{0,3}\b)?[\W\d_]*")
_TOC_LINE = re.compile(r"(?:\.{3,}|…+|\t)\s*\d{1,4}\s*$")


def looks_like_contents_entry(text: str) -> bool:
    """A contents line: a short title followed by dot leaders or a tab and a page number.
    (Only a line that ends in a digit is searched: str.isdigit accepts every digit \\d does.)"""
    if len(text) >= 160:
        return False
    end = text.rstrip()[-1:]
    return end.isdigit() and bool(_TOC_LINE.search(text))
