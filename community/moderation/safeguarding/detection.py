"""Crisis-language detection: maintained phrase lists per language, matched by phrase after normalisation.

Text and phrases go through the same :func:`normalise` (case-fold, NFKC, accents stripped, a few letters that
do not decompose mapped, leetspeak digits inside words read as letters, repeated letters squeezed), then
are split into words. A phrase matches a run of whole words, never part of an unrelated word ("skill myself"
does not contain "kill myself"). ``...`` in a phrase stands for up to three words in between. Guard phrases
(idioms such as "ik ga dood van het lachen") are matched first and their words are taken out, so a phrase
inside an idiom does not trigger.

The lists are data (``phrases/<lang>.toml``), read once per process; ``phrases/README.md`` says how to keep them.
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PHRASES_DIR = Path(__file__).resolve().parent / "phrases"
CATEGORIES = ("suicide", "self_harm", "abuse", "medical_emergency")
SEVERITIES = ("acute", "concern")  # acute: a plan, a method at hand, immediate danger; concern: needs a look soon
GAP = "..."
GAP_WORDS = 3

_LETTER_MAP = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe"})
_ARABIC_MAP = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي", "ـ": ""})
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b"})
_SYMBOL_IN_WORD = re.compile(r"(?<=\w)[@$!|]+(?=\w)|(?<=\w)[@$]+|[@$]+(?=\w)")
_SYMBOLS = {"@": "a", "$": "s", "!": "i", "|": "l"}
_WORD = re.compile(r"\w+")
_REPEATS = re.compile(r"([^\W\d_])\1+")  # letters only: "113" stays "113"


def normalise(text: str) -> str:
    """Lower-case, accent-free, squeezed text with spaces between words (the form phrases are matched in)."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_ARABIC_MAP)
    text = _SYMBOL_IN_WORD.sub(lambda m: "".join(_SYMBOLS[c] for c in m.group()), text)
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_LETTER_MAP)
    words = []
    for word in _WORD.findall(text):
        if not word.isdigit() and any(ch.isdigit() for ch in word):
            word = word.translate(_LEET)  # "k1ll" -> "kill", but "113" stays a number
        words.append(word.replace("_", ""))
    return _REPEATS.sub(r"\1", " ".join(w for w in words if w))


@dataclass(frozen=True)
class Phrase:
    id: str
    category: str
    severity: str
    patterns: tuple[tuple[str, ...], ...]  # each pattern: normalised words, GAP for "up to three words"


@dataclass(frozen=True)
class PhraseList:
    language: str
    phrases: tuple[Phrase, ...]
    guards: tuple[tuple[str, ...], ...]


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
        from community.moderation.safeguarding.helplines import helpline_message

        return helpline_message(self)


def _pattern(raw: str) -> tuple[str, ...]:
    if raw.strip().startswith(GAP) or raw.strip().endswith(GAP):
        raise ValueError(f"phrase pattern {raw!r} starts or ends with a gap")
    words: list[str] = []
    for part in raw.split(GAP):
        if words:
            words.append(GAP)
        words.extend(normalise(part).split())
    if not words or words[0] == GAP or words[-1] == GAP:
        raise ValueError(f"phrase pattern {raw!r} is empty or starts/ends with a gap")
    return tuple(words)


def parse_phrase_file(language: str, text: str) -> PhraseList:
    """Read one ``<lang>.toml``; raises ValueError on a malformed entry (tests load every file)."""
    data = tomllib.loads(text)
    phrases, seen = [], set()
    for entry in data.get("phrase", []):
        phrase_id, category, severity = entry["id"], entry["category"], entry["severity"]
        if category not in CATEGORIES or severity not in SEVERITIES:
            raise ValueError(f"{phrase_id}: unknown category or severity")
        if phrase_id in seen or not phrase_id.startswith(f"{language}."):
            raise ValueError(f"{phrase_id}: ids are unique and start with the language code")
        seen.add(phrase_id)
        phrases.append(Phrase(phrase_id, category, severity, tuple(_pattern(p) for p in entry["patterns"])))
    guards = tuple(_pattern(p) for p in data.get("guards", {}).get("patterns", []))
    return PhraseList(language, tuple(phrases), guards)


@functools.cache
def phrase_list(language: str) -> PhraseList | None:
    path = PHRASES_DIR / f"{language}.toml"
    if not re.fullmatch(r"[a-z]{2,3}", language) or not path.is_file():
        return None
    return parse_phrase_file(language, path.read_text(encoding="utf-8"))


def _match_at(words: Sequence[str | None], start: int, pattern: tuple[str, ...]) -> int | None:
    """The index after the match of ``pattern`` starting at ``words[start]``, or None."""
    position = start
    index = 0
    while index < len(pattern):
        token = pattern[index]
        if token == GAP:
            following = pattern[index + 1 :]
            for skip in range(GAP_WORDS + 1):
                if position + skip > len(words):
                    break
                if any(w is None for w in words[position : position + skip]):
                    break
                end = _match_at(words, position + skip, following)
                if end is not None:
                    return end
            return None
        if position >= len(words) or words[position] != token:
            return None
        position += 1
        index += 1
    return position


def _find(words: Sequence[str | None], pattern: tuple[str, ...]) -> list[tuple[int, int]]:
    spans = []
    for start in range(len(words)):
        if words[start] == pattern[0]:
            end = _match_at(words, start, pattern)
            if end is not None:
                spans.append((start, end))
    return spans


@functools.lru_cache(maxsize=32)
def _by_first_word(phrases: PhraseList) -> dict[str, tuple[tuple[Phrase, tuple[str, ...]], ...]]:
    """Every pattern filed under its first word, so a text is read once instead of once per pattern."""
    index: dict[str, list[tuple[Phrase, tuple[str, ...]]]] = {}
    for phrase in phrases.phrases:
        for pattern in phrase.patterns:
            index.setdefault(pattern[0], []).append((phrase, pattern))
    return {word: tuple(entries) for word, entries in index.items()}


def match_language(text: str, phrases: PhraseList) -> list[Phrase]:
    """The phrases of one language found in ``text`` (already normalised or not: it is normalised here)."""
    words: list[str | None] = list(normalise(text).split())
    for guard in phrases.guards:
        for start, end in _find(words, guard):
            words[start:end] = [None] * (end - start)  # an idiom's words cannot be part of a phrase
    index = _by_first_word(phrases)
    found: set[str] = set()
    for start, word in enumerate(words):
        for phrase, pattern in index.get(word, ()) if word is not None else ():
            if phrase.id not in found and _match_at(words, start, pattern) is not None:
                found.add(phrase.id)
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
