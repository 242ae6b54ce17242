"""Lemmas and misspellings of the words the patterns use.

**Lemmas** come from simplemma's dictionaries (shipped inside the package, read offline). A full dictionary is
large in memory (Polish: 3.7 million forms, ~400 MB as a Python dict), so it is never kept: the first time a
language is screened, its compressed dictionary is read once as a stream and only the forms whose lemma is a
word of that language's patterns are kept ("gesneden", "sneed", "snijd" -> "snijden"), a few thousand
entries. Cost, once per process and language: 0.3 s (en, ar), 0.6 s (nl), 0.8 s (tr), 2.2 s (pl) of CPU;
the process grows ~70 MB while the Polish stream is read and stays ~37 MB larger for all five.

**Misspellings**: a word that matched nothing is compared with the words of the list's ``fuzzy`` list of six
letters or more that start with the same letter and differ in length by at most two (optimal string alignment
distance, so a swapped pair of letters counts once): one edit allowed up to seven letters, two from eight.
Short words are never guessed ("skill" is not "kill").
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA
from simplemma.strategies.dictionaries import frontcode
from simplemma.strategies.dictionaries.dictionary_factory import _read_decompressed

from community.moderation.safeguarding.text import normalise_word, quick_fold

LEMMATISED = frozenset({"en", "nl", "pl", "tr", "ar"})  # the only simplemma dictionaries ever read
FUZZY_MIN_TARGET = 6
FUZZY_MIN_WORD = 5


def _dictionary_records(language: str) -> Iterable[tuple[bytes, bytes]]:
    """(form, lemma) pairs of simplemma's dictionary, streamed without building the dict.

    Uses simplemma's front-coded stream reader (pinned version in requirements.txt; a test reads every
    language, so an upgrade that changes the format fails there, not in production).
    """
    data = _read_decompressed(language)
    reverse, _count, position = frontcode._read_header(data)
    for _start, key, value in frontcode._iter_records(data, position):
        yield (key[::-1], value[::-1]) if reverse else (key, value)


@functools.cache
def lemma_table(language: str, vocabulary: frozenset[str]) -> dict[str, frozenset[str]]:
    """Normalised form -> the pattern words it is an inflection of (only forms of ``vocabulary`` words)."""
    if language not in LEMMATISED:
        return {}
    table: dict[str, set[str]] = {}
    keys: dict[bytes, str | None] = {}  # lemma -> its pattern word, or None: most lemmas repeat
    for form, lemma in _dictionary_records(language):
        key = keys.get(lemma, "")
        if key == "":
            folded = quick_fold(lemma.decode())
            key = keys[lemma] = normalise_word(folded) if folded in vocabulary else None
        if key is None or key not in vocabulary:
            continue
        form_key = normalise_word(form.decode())
        if form_key and form_key != key:
            table.setdefault(form_key, set()).add(key)
    return {form: frozenset(lemmas) for form, lemmas in table.items()}


def _max_edits(length: int) -> int:
    return 1 if length <= 7 else 2


@functools.cache
def _fuzzy_targets(vocabulary: frozenset[str]) -> dict[str, tuple[str, ...]]:
    by_letter: dict[str, list[str]] = {}
    for word in sorted(vocabulary):
        if len(word) >= FUZZY_MIN_TARGET and word.isalpha():
            by_letter.setdefault(word[0], []).append(word)
    return {letter: tuple(words) for letter, words in by_letter.items()}


def fuzzy_matches(word: str, vocabulary: frozenset[str]) -> frozenset[str]:
    """Pattern words ``word`` is probably a misspelling of (empty for short words and exact words)."""
    if len(word) < FUZZY_MIN_WORD or word in vocabulary:
        return frozenset()
    candidates = [t for t in _fuzzy_targets(vocabulary).get(word[0], ()) if abs(len(t) - len(word)) <= 2]
    if not candidates:
        return frozenset()
    limit = _max_edits(min(len(word), max(len(t) for t in candidates)))
    found = process.extract(word, candidates, scorer=OSA.distance, score_cutoff=limit, limit=None)
    return frozenset(t for t, distance, _ in found if distance <= _max_edits(min(len(word), len(t))))
