"""Patterns as ordered sequences of word slots, and the matcher.

A pattern is written as words separated by spaces (see ``phrases/README.md``):

- ``word``: the word itself, any inflection of it (its lemma is ``word``), or a misspelling of it;
- ``word*`` / ``*word`` / ``*word*``: a word starting with / ending in / containing ``word`` (as typed);
- ``(a|b*|c d)``: any one of the alternatives, each one word or several (``(a|)``: ``a`` or nothing);
  ``@name``: the alternatives of the concept ``name`` (the same, without brackets);
- ``...``: up to three words in between; ``...N``: up to N (at most 8). Without a gap, slots are adjacent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from community.moderation.safeguarding.text import normalise, normalise_word

GAP = "..."
GAP_WORDS = 3
MAX_GAP = 8
_GAP = re.compile(r"\.\.\.(\d?)")
T = TypeVar("T")


@dataclass(frozen=True)
class Token:
    """One word of a text: as typed (normalised), and every word it stands for (itself, lemmas, misspellings)."""

    surface: str
    keys: frozenset[str]
    forms: tuple[str, ...] = ()  # the surface and the surface without clitics ("والدم" -> "الدم"), for wildcards


@dataclass(frozen=True)
class Slot:
    words: frozenset[str]
    prefixes: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    infixes: tuple[str, ...] = ()

    @property
    def wild(self) -> bool:
        return bool(self.prefixes or self.suffixes or self.infixes)

    def matches(self, token: Token) -> bool:
        if not self.words.isdisjoint(token.keys):
            return True
        if not (self.prefixes or self.suffixes or self.infixes):
            return False
        for form in token.forms or (token.surface,):
            if form.startswith(self.prefixes) or form.endswith(self.suffixes):
                return True
            for infix in self.infixes:
                if infix in form:
                    return True
        return False


Pattern = tuple[Slot | int, ...]  # an int is a gap: up to that many words


_PART = re.compile(r"\([^)]*\)|\S+")


def _alternatives(raw: str, concepts: Mapping[str, Sequence[str]]) -> list[str]:
    if raw.startswith("@"):
        if raw[1:] not in concepts:
            raise ValueError(f"unknown concept {raw!r}")
        return list(concepts[raw[1:]])
    if raw.startswith("(") and raw.endswith(")"):
        choices = raw[1:-1].split("|")
        return [c for choice in choices for c in (_alternatives(choice, concepts) if choice[:1] == "@" else [choice])]
    return [raw]


def _slot(alternatives: Sequence[str]) -> Slot:
    words, prefixes, suffixes, infixes = set(), [], [], []
    for alternative in alternatives:
        core = normalise_word(alternative.strip("*"))
        starts, ends = alternative.startswith("*"), alternative.endswith("*")
        if (starts or ends) and len(core) < 2:
            raise ValueError(f"wildcard {alternative!r} is too short")
        if starts and ends:
            infixes.append(core)
        elif ends:
            prefixes.append(core)
        elif starts:
            suffixes.append(core)
        else:
            words.add(core)
    return Slot(frozenset(words), tuple(prefixes), tuple(suffixes), tuple(infixes))


def _words(alternative: str, replacements: Mapping[str, tuple[str, ...]]) -> list[str]:
    """One alternative as matching-form words, wildcards kept ("zelfmoord*" -> ["zelfmord*"])."""
    out = []
    for word in alternative.split():
        core = normalise(word.strip("*")).split()
        if "*" in word:
            if len(core) != 1:
                raise ValueError(f"wildcard {word!r} is not one word")
            out.append(("*" if word.startswith("*") else "") + core[0] + ("*" if word.endswith("*") else ""))
        else:
            out.extend(rewrite(core, replacements))
    return out


def _options(part: str, concepts: Mapping[str, Sequence[str]], replacements) -> list[list[Slot]]:
    """The ways one part of a pattern can be matched: one slot of one-word choices, a run of slots per
    several-word choice, and nothing at all for an empty choice ("(own|)")."""
    singles, options = [], []
    for alternative in _alternatives(part, concepts):
        words = _words(alternative, replacements)
        if len(words) == 1:
            singles.append(words[0])
        elif words:
            options.append([_slot([w]) for w in words])
        elif part.startswith("("):
            options.append([])
        else:
            raise ValueError(f"{part!r} has an empty word")
    return ([[_slot(singles)]] if singles else []) + options


def parse_pattern(
    raw: str, concepts: Mapping[str, Sequence[str]], replacements: Mapping[str, tuple[str, ...]]
) -> list[Pattern]:
    """One pattern string -> the slot sequences it stands for; ValueError when malformed."""
    sequences: list[list[Slot | int]] = [[]]
    for part in _PART.findall(raw):
        gap = _GAP.fullmatch(part)
        if gap:
            size = int(gap.group(1) or GAP_WORDS)
            if not 1 <= size <= MAX_GAP:
                raise ValueError(f"pattern {raw!r}: gaps are 1 to {MAX_GAP} words")
            choices: list[list[Slot | int]] = [[size]]
        else:
            choices = list(_options(part, concepts, replacements))
        sequences = [sequence + choice for sequence in sequences for choice in choices]
        if len(sequences) > 256:
            raise ValueError(f"pattern {raw!r} stands for too many sequences: split it")
    patterns = []
    for sequence in sequences:
        merged: list[Slot | int] = []
        for item in sequence:  # an empty choice between two gaps leaves one gap of both sizes
            if isinstance(item, int) and merged and isinstance(merged[-1], int):
                merged[-1] = min(merged[-1] + item, MAX_GAP)
            else:
                merged.append(item)
        if not merged or isinstance(merged[0], int) or isinstance(merged[-1], int):
            raise ValueError(f"pattern {raw!r} is empty or starts/ends with a gap")
        patterns.append(tuple(merged))
    return patterns


def rewrite(words: Sequence[str], replacements: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Contractions and slang spelled out ("dont" -> "do not", "kms" -> "kill myself")."""
    out: list[str] = []
    for word in words:
        out.extend(replacements.get(word, (word,)))
    return out


def match_at(tokens: Sequence[Token | None], start: int, pattern: Pattern, index: int = 0) -> int | None:
    """The index after the match of ``pattern[index:]`` starting at ``tokens[start]``, or None.

    ``None`` tokens (taken by a guard) neither match nor can be skipped by a gap.
    """
    position = start
    while index < len(pattern):
        item = pattern[index]
        if isinstance(item, int):
            for skip in range(item + 1):
                if position + skip > len(tokens) or (skip and tokens[position + skip - 1] is None):
                    break
                end = match_at(tokens, position + skip, pattern, index + 1)
                if end is not None:
                    return end
            return None
        token = tokens[position] if position < len(tokens) else None
        if token is None or not item.matches(token):
            return None
        position += 1
        index += 1
    return position


class PatternIndex(Generic[T]):
    """Patterns filed under the exact words of their first slot (wildcard starts apart), so a text is read
    once instead of once per pattern."""

    def __init__(self, entries: Sequence[tuple[T, Pattern]]) -> None:
        self.by_word: dict[str, list[tuple[T, Pattern]]] = {}
        self.wild: list[tuple[T, Pattern]] = []
        for value, pattern in entries:
            first = pattern[0]
            if not isinstance(first, Slot):
                raise ValueError("a pattern starts with a word")
            for word in first.words:
                self.by_word.setdefault(word, []).append((value, pattern))
            if first.wild:
                self.wild.append((value, pattern))
        self._candidates: dict[str, tuple[tuple[T, Pattern], ...]] = {}

    def candidates(self, token: Token) -> tuple[tuple[T, Pattern], ...]:
        """The patterns whose first slot ``token`` matches (remembered per word: chat reuses its words)."""
        found = self._candidates.get(token.surface)
        if found is None:
            exact = [entry for key in token.keys for entry in self.by_word.get(key, ())]
            wild = [entry for entry in self.wild if entry[1][0].matches(token)]  # type: ignore[union-attr]
            found = tuple(exact + wild)
            if len(self._candidates) >= 65536:
                self._candidates.clear()
            self._candidates[token.surface] = found
        return found

    def matches(self, tokens: Sequence[Token | None]) -> Iterator[tuple[T, int, int]]:
        """Every (value, start, end) of a pattern found in ``tokens``."""
        for start, token in enumerate(tokens):
            if token is None:
                continue
            for value, pattern in self.candidates(token):
                end = match_at(tokens, start, pattern)
                if end is not None:
                    yield value, start, end


def vocabulary(patterns: Sequence[Pattern]) -> frozenset[str]:
    """Every exact word the patterns use: what lemmas and misspellings are looked up for."""
    return frozenset(word for pattern in patterns for item in pattern if isinstance(item, Slot) for word in item.words)
