"""How well crisis-language detection does on the evaluation corpus, and what it costs per message.

Run by hand (``tests/moderation/test_detection_corpus.py`` holds the bar in the test suite):

    .venv/bin/python bench/safeguarding.py            # the table
    .venv/bin/python bench/safeguarding.py --misses   # also list every missed crisis and every false alarm

The corpus is ``tests/moderation/data/crisis_<lang>.txt`` and ``calm_<lang>.txt`` (one sentence a line, ``#``
comments); ``heldout_``, ``blind_`` and ``blind2_`` files (``<prefix>crisis_<lang>.txt``, ``<prefix>calm_<lang>.txt``)
are scored apart, each prefix in its own table, when they exist. ``blind2_`` was written by a tester who saw
neither the patterns nor the other sets and has never been tuned on: it is the honest estimate of how the
patterns generalise. ``heldout_`` was written after the patterns were frozen, but the families of round 6 were
chosen from its misses (docs/moderation.md), so it is no longer unseen. Each
sentence is screened the way the pipeline screens a message: against all five languages, the sentence's own
language first. Recall: the share of crisis sentences found (in any category); false alarms: the share of calm
sentences that raised a signal.

Timing: the one-time cost of loading the phrase lists and building the lemma tables (once per process), then
the per-message cost of ``assess`` over all five languages, cold (each sentence seen for the first time, no
word cached) and warm (the same sentences again: everyday chat reuses words, and word look-ups are cached).
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from community.moderation.safeguarding import detection  # noqa: E402

LANGUAGES = ("en", "nl", "pl", "tr", "ar")
CORPUS_DIR = ROOT / "tests" / "moderation" / "data"
# Sets scored apart from the corpus, each only when its files exist: written without seeing the patterns.
PREFIXES = (
    ("heldout_", "held-out (families chosen from its misses: no longer unseen)"),
    ("blind_", "blind (written without seeing the patterns)"),
    ("blind2_", "blind2 (a second blind set)"),
)


def load_corpus(kind: str, language: str) -> list[str]:
    """The sentences of ``<kind>_<language>.txt`` (kind: ``crisis``, ``calm``, ``heldout_crisis``,
    ``heldout_calm``)."""
    lines = (CORPUS_DIR / f"{kind}_{language}.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def screen(text: str, language: str) -> detection.SafeguardingSignal | None:
    """As the pipeline does: every instance language, the writer's own first."""
    return detection.assess(text, [language, *LANGUAGES])


@dataclass
class Score:
    language: str
    crisis: int
    found: int
    calm: int
    alarms: int
    misses: list[str]
    false_alarms: list[tuple[str, tuple[str, ...]]]

    @property
    def recall(self) -> float:
        return self.found / self.crisis

    @property
    def false_alarm_rate(self) -> float:
        return self.alarms / self.calm


def evaluate(language: str, prefix: str = "") -> Score:
    """Score one language on the corpus (``prefix="heldout_"``: on the held-out sentences)."""
    crisis, calm = load_corpus(f"{prefix}crisis", language), load_corpus(f"{prefix}calm", language)
    misses = [text for text in crisis if screen(text, language) is None]
    alarms = []
    for text in calm:
        signal = screen(text, language)
        if signal is not None:
            alarms.append((text, signal.phrase_ids))
    return Score(language, len(crisis), len(crisis) - len(misses), len(calm), len(alarms), misses, alarms)


def _timed(sentences: list[tuple[str, str]]) -> list[float]:
    times = []
    for text, language in sentences:
        start = time.process_time_ns()  # CPU time: other processes on the machine do not count
        screen(text, language)
        times.append((time.process_time_ns() - start) / 1e6)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--misses", action="store_true", help="list missed crisis sentences and false alarms")
    args = parser.parse_args()

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.process_time()
    detection.warm_up()  # what wsgi.py does at start-up, with gc.freeze()
    detection.assess("warm up the imports", LANGUAGES)
    gc.collect()
    gc.freeze()
    load_seconds = time.process_time() - start
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    sentences = [(t, lang) for lang in LANGUAGES for kind in ("crisis", "calm") for t in load_corpus(kind, lang)]
    cold, warm = _timed(sentences), _timed(sentences)
    scores = [evaluate(language) for language in LANGUAGES]
    tables = [("corpus (the bar)", scores)]
    for prefix, title in PREFIXES:
        present = [lang for lang in LANGUAGES if (CORPUS_DIR / f"{prefix}crisis_{lang}.txt").is_file()]
        if present:
            tables.append((title, [evaluate(language, prefix) for language in present]))

    for title, table in tables:
        print(title)
        print(f"{'lang':<5} {'crisis':>6} {'found':>6} {'recall':>7} {'calm':>5} {'alarms':>6} {'false alarms':>12}")
        for s in table:
            print(
                f"{s.language:<5} {s.crisis:>6} {s.found:>6} {s.recall:>7.3f} {s.calm:>5} {s.alarms:>6} "
                f"{s.false_alarm_rate:>12.3f}"
            )
        print()
    print(
        f"loading 5 phrase lists + lemma tables: {load_seconds:.2f} s CPU once per process, peak RSS "
        f"{rss_before:.0f} -> {rss_after:.0f} MB"
    )
    for name, times in (("cold", cold), ("warm", warm)):
        times = sorted(times)
        print(
            f"assess() over 5 languages, {name}, CPU time: median {statistics.median(times):.3f} ms, "
            f"p95 {times[int(len(times) * 0.95)]:.3f} ms, max {times[-1]:.3f} ms ({len(times)} messages)"
        )
    if args.misses:
        for title, table in tables:
            for s in table:
                tag = title.split(" ")[0]
                for text in s.misses:
                    print(f"MISS  {tag} {s.language}: {text}")
                for text, ids in s.false_alarms:
                    print(f"ALARM {tag} {s.language}: {text}  {ids}")


if __name__ == "__main__":
    main()
