"""The spaCy pipeline, built once per process: blank English, sentencizer, lookup lemmas.

No model is downloaded: lemmas come from spacy-lookups-data's English lookup table, applied to
the lower-cased token so that "Parties" and "parties" share the lemma "party". The normalised
lemma is also stored in `token.norm_`, which is what the PhraseMatcher matches on (attr NORM).
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

# Words whose lookup lemma would hide the sense a plan uses them in.
_KEEP = {"data": "data", "media": "media", "criteria": "criterion", "later": "later", "parties": "party"}

# Hyphenated compounds stay apart ("long-term" -> long - term) so phrases match either spelling.
_MAX_LENGTH = 2_000_000


@functools.lru_cache(maxsize=1)
def get_nlp() -> "Language":
    """The process-wide pipeline (built on first use, then shared)."""
    import spacy
    from spacy.language import Language
    from spacy.lookups import load_lookups

    table = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
    lemma_of = {}

    @Language.component("rmplint_lemmas")
    def rmplint_lemmas(doc):  # type: ignore[no-untyped-def]
        for tok in doc:
            low = tok.lower_
            lem = lemma_of.get(low)
            if lem is None:
                lem = _KEEP.get(low) or table.get(low, low).lower()
                lemma_of[low] = lem
            tok.lemma_ = lem
            tok.norm_ = lem
        return doc

    nlp = spacy.blank("en")
    nlp.max_length = _MAX_LENGTH
    nlp.add_pipe("sentencizer", config={"punct_chars": [".", "!", "?"]})
    nlp.add_pipe("rmplint_lemmas")
    return nlp


_WS = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Collapse whitespace and straighten quotes, for quoting and comparing text."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return _WS.sub(" ", text).strip()
