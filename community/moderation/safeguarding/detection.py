"""Crisis-language detection: per-language patterns over normalised, lemmatised words.

A text is normalised (``text.normalise``: case, accents, Arabic letter forms, leetspeak, repeated letters),
split into words, contractions and slang spelled out (each list's ``[replace]`` table), and every word is
looked up: its lemma when it is an inflection of a pattern word, and the pattern word it probably misspells
(``lexicon``). Patterns are ordered word slots with optional gaps (``patterns``), written in lemma form with
concepts for alternatives: ``@want ... @die`` finds "I just wanted to die", ``(ik|me|mezelf) ... @cut``
finds "ik heb mezelf weer gesneden". Guard patterns (idioms such as "ik ga dood van het lachen", "I would
never hurt myself") are matched first and their words are taken out, so a phrase inside an idiom does not
trigger; anything else in the text still can.

The lists are data (``phrases/<lang>.toml``), read once per process; ``phrases/README.md`` says how to keep
them. Performance: see ``bench/safeguarding.py``.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from community.moderation.safeguarding import helplines, lexicon
from community.moderation.safeguarding.patterns import (
    GAP,
    GAP_WORDS,
    Pattern,
    PatternIndex,
    Token,
    parse_pattern,
    rewrite,
    vocabulary,
)
from community.moderation.safeguarding.text import normalise, normalise_word

__all__ = ["CATEGORIES", "GAP", "GAP_WORDS", "PHRASES_DIR", "SEVERITIES", "assess", "normalise", "phrase_list"]

PHRASES_DIR = Path(__file__).resolve().parent / "phrases"
CATEGORIES = ("suicide", "self_harm", "abuse", "medical_emergency")
SEVERITIES = ("acute", "concern")  # acute: a plan, a method at hand, immediate danger; concern: needs a look soon


@dataclass(frozen=True)
class Phrase:
    id: str
    category: str
    severity: str
    patterns: tuple[Pattern, ...]
    examples: tuple[str, ...] = ()  # sentences that must trigger this phrase (checked by the tests)


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: cheap as a cache key
class PhraseList:
    language: str
    phrases: tuple[Phrase, ...]
    guards: tuple[Pattern, ...]
    replacements: tuple[tuple[str, tuple[str, ...]], ...] = ()
    guard_examples: tuple[str, ...] = ()  # sentences a guard must keep calm
    clitics: frozenset[str] = frozenset()  # letters that attach to the next word (Arabic "و", "ب")
    fuzzy: frozenset[str] = frozenset()  # pattern words whose misspellings are looked for (``fuzzy = [...]``)

    @functools.cached_property
    def replace(self) -> dict[str, tuple[str, ...]]:
        return dict(self.replacements)

    @functools.cached_property
    def vocabulary(self) -> frozenset[str]:
        return vocabulary([p for phrase in self.phrases for p in phrase.patterns] + list(self.guards))

    @functools.cached_property
    def guard_index(self) -> PatternIndex[None]:
        return PatternIndex([(None, pattern) for pattern in self.guards])

    @functools.cached_property
    def index(self) -> PatternIndex[Phrase]:
        return PatternIndex([(phrase, pattern) for phrase in self.phrases for pattern in phrase.patterns])


@dataclass(frozen=True)
class SafeguardingSignal:
    """What :func:`assess` found. Carries phrase ids, never the text: safe to log and to audit."""

    category: str
    severity: str
    phrase_ids: tuple[str, ...]
    language: str

    @property
    def is_acute(self) -> bool:
        return self.severity == "acute"

    @property
    def notice(self) -> str:
        """The calm helpline message for the writer (Markup with a link to /help; see ``helplines``)."""
        return helplines.helpline_message(self)


def _words(raw: object, what: str) -> list[str]:
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise ValueError(f"{what} must be a list of strings")
    return raw


def parse_phrase_file(language: str, text: str) -> PhraseList:
    """Read one ``<lang>.toml``; raises ValueError on a malformed entry (tests load every file)."""
    data = tomllib.loads(text)
    concepts = {name: _words(words, f"concept {name}") for name, words in data.get("concepts", {}).items()}
    replacements = {}
    for word, spelled_out in data.get("replace", {}).items():
        key, value = normalise_word(word), tuple(normalise(spelled_out).split())
        if not key or not value:
            raise ValueError(f"replacement {word!r} is empty")
        replacements[key] = value
    phrases, seen = [], set()
    for entry in data.get("phrase", []):
        phrase_id, category, severity = entry["id"], entry["category"], entry["severity"]
        if category not in CATEGORIES or severity not in SEVERITIES:
            raise ValueError(f"{phrase_id}: unknown category or severity")
        if phrase_id in seen or not phrase_id.startswith(f"{language}."):
            raise ValueError(f"{phrase_id}: ids are unique and start with the language code")
        seen.add(phrase_id)
        raw_patterns = _words(entry["patterns"], phrase_id)
        patterns = tuple(q for p in raw_patterns for q in parse_pattern(p, concepts, replacements))
        examples = tuple(_words(entry.get("examples", []), phrase_id))
        phrases.append(Phrase(phrase_id, category, severity, patterns, examples))
    guard_data = data.get("guards", {})
    raw_guards = _words(guard_data.get("patterns", []), "guards")
    guards = tuple(q for p in raw_guards for q in parse_pattern(p, concepts, replacements))
    guard_examples = tuple(_words(guard_data.get("examples", []), "guard examples"))
    clitics = frozenset(normalise_word(c) for c in _words(data.get("clitics", []), "clitics"))
    result = PhraseList(language, tuple(phrases), guards, tuple(replacements.items()), guard_examples, clitics)
    fuzzy = frozenset(normalise_word(w) for w in _words(data.get("fuzzy", []), "fuzzy"))
    if not fuzzy <= result.vocabulary:
        raise ValueError(f"fuzzy words that no pattern uses: {sorted(fuzzy - result.vocabulary)}")
    return dataclasses.replace(result, fuzzy=fuzzy)


@functools.cache
def phrase_list(language: str) -> PhraseList | None:
    path = PHRASES_DIR / f"{language}.toml"
    if not re.fullmatch(r"[a-z]{2,3}", language) or not path.is_file():
        return None
    return parse_phrase_file(language, path.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=65536)
def _token(phrases: PhraseList, surface: str) -> Token:
    """One word as the patterns of ``phrases`` see it (cached: chat reuses its words)."""
    forms = [surface]
    for _ in range(2):  # up to two clitics: "وب..." ("and with ...")
        last = forms[-1]
        if len(last) > 2 and last[0] in phrases.clitics:
            forms.append(last[1:])
    keys = frozenset().union(*(_keys(phrases.language, phrases.vocabulary, form, phrases.fuzzy) for form in forms))
    return Token(surface, keys, tuple(forms))


def _keys(language: str, vocabulary: frozenset[str], surface: str, fuzzy: frozenset[str]) -> frozenset[str]:
    """What one word stands for in ``language``: itself, the pattern words it inflects, and the words of
    ``fuzzy`` it probably misspells."""
    lemmas = lexicon.lemma_table(language, vocabulary).get(surface)
    if lemmas:
        return lemmas | {surface}
    if surface in _known_words():  # a word of another list ("overdosed") is not a misspelling of this one's
        return frozenset({surface})
    return lexicon.fuzzy_matches(surface, fuzzy) | {surface}


@functools.cache
def _known_words() -> frozenset[str]:
    """Every pattern word of every list, and every inflection of one."""
    known: set[str] = set()
    for path in PHRASES_DIR.glob("*.toml"):
        phrases = phrase_list(path.stem)
        if phrases is not None:
            known |= phrases.vocabulary | lexicon.lemma_table(path.stem, phrases.vocabulary).keys()
    return frozenset(known)


def warm_up() -> None:
    """Read every list and build its lemma table now (about 2 s of CPU, most of it Polish), so the first
    message a server process screens does not wait for it. ``wsgi.py`` calls this at start-up."""
    _known_words()


def tokens(text: str, phrases: PhraseList) -> list[Token | None]:
    """The text's words with their keys, the words of guard idioms taken out (None)."""
    words = rewrite(normalise(text).split(), phrases.replace)
    found: list[Token | None] = [_token(phrases, w) for w in words]
    for _, start, end in list(phrases.guard_index.matches(found)):
        found[start:end] = [None] * (end - start)  # an idiom's words cannot be part of a phrase
    return found


def match_language(text: str, phrases: PhraseList) -> list[Phrase]:
    """The phrases of one language found in ``text``."""
    found = {phrase.id for phrase, _, _ in phrases.index.matches(tokens(text, phrases))}
    return [phrase for phrase in phrases.phrases if phrase.id in found]


def assess(text: str, languages: Sequence[str]) -> SafeguardingSignal | None:
    """Look for crisis language in every language given (the writer's own language first).

    Returns the most serious finding: acute before concern, then the category order of ``CATEGORIES``, then
    the earlier language. ``phrase_ids`` lists every phrase that matched in that language, most serious first.
    """
    best: tuple[tuple[int, int, int], SafeguardingSignal] | None = None
    for order, language in enumerate(dict.fromkeys(languages)):
        phrases = phrase_list(language)
        if phrases is None or not text:
            continue
        found = match_language(text, phrases)
        if not found:
            continue
        found.sort(key=lambda p: (SEVERITIES.index(p.severity), CATEGORIES.index(p.category)))
        top = found[0]
        rank = (SEVERITIES.index(top.severity), CATEGORIES.index(top.category), order)
        if best is None or rank < best[0]:
            ids = tuple(p.id for p in found)
            best = (rank, SafeguardingSignal(top.category, top.severity, ids, language))
    return best[1] if best else None
