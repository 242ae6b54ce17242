"""Crisis-language detection measured on the evaluation corpus (``tests/moderation/data/``), and the pieces that
make it work: lemmas from simplemma's dictionaries, misspellings, slot patterns, guards and their examples."""

from __future__ import annotations

import pytest

from bench.safeguarding import LANGUAGES, evaluate, load_corpus
from community.moderation.safeguarding import lexicon
from community.moderation.safeguarding.detection import assess, normalise, parse_phrase_file, phrase_list, tokens
from tests.moderation.test_safeguarding_phrases import MUST_NOT_TRIGGER, MUST_TRIGGER

MIN_RECALL = 0.97
MAX_FALSE_ALARMS = 0.05


@pytest.mark.parametrize("language", LANGUAGES)
def test_crisis_messages_of_the_corpus_are_found_and_calm_ones_left_alone(language):
    score = evaluate(language)
    assert score.recall >= MIN_RECALL, f"{language} recall {score.recall:.3f}, missed: {score.misses}"
    assert score.false_alarm_rate <= MAX_FALSE_ALARMS, f"{language} false alarms: {score.false_alarms}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_corpus_holds_at_least_sixty_crisis_and_sixty_calm_sentences_per_language(language):
    crisis, calm = load_corpus("crisis", language), load_corpus("calm", language)
    assert len(crisis) >= 60 and len(calm) >= 60
    assert len(set(crisis)) == len(crisis) and len(set(calm)) == len(calm)
    assert not set(map(normalise, crisis)) & set(map(normalise, calm))


def test_no_corpus_sentence_is_one_of_the_patterns_own_examples():
    examples = {normalise(text) for _, text, *_ in MUST_TRIGGER + MUST_NOT_TRIGGER}
    for language in LANGUAGES:
        phrases = phrase_list(language)
        examples |= {normalise(e) for phrase in phrases.phrases for e in phrase.examples}
        examples |= {normalise(e) for e in phrases.guard_examples}
    corpus = {normalise(t) for lang in LANGUAGES for kind in ("crisis", "calm") for t in load_corpus(kind, lang)}
    assert not corpus & examples


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_phrase_has_examples_that_trigger_it_and_every_guard_example_stays_calm(language):
    phrases = phrase_list(language)
    for phrase in phrases.phrases:
        assert phrase.examples, f"{phrase.id} has no examples"
        for example in phrase.examples:
            signal = assess(example, [language])
            assert signal is not None and phrase.id in signal.phrase_ids, f"{phrase.id}: {example!r}"
    assert phrases.guard_examples
    for example in phrases.guard_examples:
        assert assess(example, LANGUAGES) is None, example


@pytest.mark.parametrize(
    ("language", "form", "lemma"),
    [("en", "dying", "die"), ("nl", "sneed", "snijden"), ("pl", "zabiję", "zabić"), ("pl", "chcialabym", "chcieć")],
)
def test_inflected_words_are_read_as_their_lemma_from_the_shipped_dictionaries(language, form, lemma):
    phrases = phrase_list(language)
    assert normalise(lemma) in lexicon.lemma_table(language, phrases.vocabulary)[normalise(form)]


def test_the_lemma_tables_keep_only_forms_of_pattern_words():
    for language in LANGUAGES:
        table = lexicon.lemma_table(language, phrase_list(language).vocabulary)
        assert 0 < len(table) < 50_000
        assert all(lemmas <= phrase_list(language).vocabulary for lemmas in table.values())


def test_misspellings_of_listed_words_are_found_and_other_words_are_never_guessed():
    assert "zelfmord" in lexicon.fuzzy_matches("zelfmort", phrase_list("nl").fuzzy)  # one letter off (normalised)
    assert lexicon.fuzzy_matches("skil", phrase_list("en").vocabulary) == frozenset()  # too short to guess
    assert assess("two moderators racing for one item", LANGUAGES) is None  # not "raping"
    assert not phrase_list("tr").fuzzy and not phrase_list("ar").fuzzy
    assert assess("i have been thinking about suicdie", ["en"]) is not None  # two letters swapped
    assert assess("ik heb mezelf weer gesneeden", ["nl"]) is not None


def test_words_in_between_inflection_and_contractions_do_not_hide_crisis_language():
    assert assess("I honestly just really wanted to die last night", ["en"]).category == "suicide"
    assert assess("I don't wanna be alive anymore", ["en"]).category == "suicide"
    assert assess("ik heb mezelf gisteren weer gesneden", ["nl"]).category == "self_harm"
    assert assess("nie chcę już żyć", ["pl"]).category == "suicide"
    assert assess("artık yaşamak istemiyorum", ["tr"]).category == "suicide"


def test_kill_yourself_said_to_someone_else_is_not_the_writer_in_crisis():
    assert assess("just go kill yourself", LANGUAGES) is None
    assert assess("i want to kill myself", ["en"]) is not None


def test_negation_inside_a_turkish_verb_is_respected():
    assert assess("yaşamak istemiyorum", ["tr"]) is not None  # I do not want to live
    assert assess("yaşamak istiyorum", LANGUAGES) is None  # I want to live


def test_a_guard_takes_out_only_the_idiom_and_the_rest_of_the_message_still_counts():
    assert assess("I was killing myself laughing", ["en"]) is None
    assert assess("I was killing myself laughing earlier but now I want to die", ["en"]) is not None
    assert assess("ik ga dood van het lachen, maar eigenlijk wil ik niet meer leven", ["nl"]) is not None


def test_arabic_words_with_joined_conjunctions_and_without_hamza_are_matched():
    signal = assess("الجرح عميق والدم ما بيوقف", ["ar"])
    assert signal is not None and signal.is_acute
    assert assess("اريد ان اموت", ["ar"]) == assess("أُرِيدُ أَنْ أَمُوتَ", ["ar"])


@pytest.mark.parametrize(
    "pattern",
    ["@nothing here", "word ...", "... word", "a ...9 b", "(x*) word", "(" + "|".join("abcdefghijklmnopq") + ") " * 3],
)
def test_a_malformed_pattern_is_refused(pattern):
    text = f'[[phrase]]\nid = "en.x"\ncategory = "suicide"\nseverity = "concern"\npatterns = ["{pattern}"]\n'
    with pytest.raises(ValueError):
        parse_phrase_file("en", text)


def test_a_fuzzy_word_that_no_pattern_uses_is_refused():
    phrase = '[[phrase]]\nid = "en.x"\ncategory = "suicide"\nseverity = "concern"\npatterns = ["a"]\n'
    with pytest.raises(ValueError):
        parse_phrase_file("en", 'fuzzy = ["elsewhere"]\n' + phrase)


def test_tokens_carry_the_words_they_stand_for_and_guarded_words_are_taken_out():
    words = tokens("ik lach me dood, toen sneed ik mezelf", phrase_list("nl"))
    assert words[0].surface == "ik" and words[1:4] == [None, None, None]
    assert normalise("snijden") in words[-3].keys  # "sneed"


SIGNAL_FAMILIES = (
    "suicide.final_arrangements", "suicide.at_edge", "suicide.crash", "suicide.cant_go_on",
    "suicide.giving_up_care", "suicide.burden", "suicide.no_wake", "suicide.means_locked_in",
    "self_harm.seen_injuries", "abuse.secrecy", "abuse.threat", "abuse.child_danger", "medical.collapse",
)  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_a_phrase_for_every_family_of_warning_signs(language):
    ids = {phrase.id for phrase in phrase_list(language).phrases}
    assert {f"{language}.{family}" for family in SIGNAL_FAMILIES} <= ids
