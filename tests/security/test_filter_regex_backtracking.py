"""Moderators' regular-expression filters run on RE2: a pattern that backtracks for minutes in Python's ``re``
(``[c-z]*[c-z]*[c-z]*!`` grows as n^4) cannot stall the server, and the patterns keep the meaning they had
(case-insensitive, ``\\w`` and ``\\d`` for every script)."""

from __future__ import annotations

import time

import pytest

from community.core.errors import DomainError
from community.extensions import db
from community.moderation import filters
from community.moderation.filter_models import KeywordFilter
from tests.factories import make_user, sign_in

PATHOLOGICAL = "[c-z]*[c-z]*[c-z]*!"


def test_the_pathological_pattern_is_accepted_and_a_long_text_does_not_stall_the_server(app):
    with app.app_context():
        pattern = filters.check_pattern(PATHOLOGICAL, "regex")
        long_text = "c" * app.config["MODERATION_REGEX_TEXT_MAX"]
        started = time.perf_counter()
        assert filters.rule_matches(pattern, "regex", long_text) is False
        assert filters.rule_matches(pattern, "regex", long_text[:-1] + "!") is True
        assert filters.rule_matches(pattern, "regex", "wow!") is True
        assert filters.rule_matches(pattern, "regex", "ab") is False
        assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize("pattern", ["(a+)+$", "(a|aa)*b", r"(\w+\s?)*x"])
def test_nested_repetitions_run_in_linear_time_on_hostile_texts(app, pattern):
    with app.app_context():
        filters.check_pattern(pattern, "regex")
        started = time.perf_counter()
        for text in ("a" * 20_000 + "!", "ab" * 10_000, "word " * 4_000 + "!"):
            filters.rule_matches(pattern, "regex", text)
        assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("LOSER", "you loser", True),  # case ignored
        ("ÉTÉ", "l'été dernier", True),  # also outside ASCII
        (r"\w+yor", "gidiyor", True),
        (r"^\w{3}$", "şey", True),  # \w is a letter of any script, as in Python's re
        (r"^\w{3}$", "a-b", False),
        (r"\d{4}", "٢٠٢٤", True),  # Arabic-Indic digits are digits
        (r"kill\s+yourself", "kill\u00a0 yourself", True),  # a no-break space is space
        (r"end\Z", "the end", True),
        (r"\u00e9t\u00e9", "été", True),
        (r"[\w.-]+@[\w-]+\.nl", "mail noor.bakker@school.nl", True),
    ],
)
def test_regex_filters_keep_their_meaning_under_re2(app, pattern, text, expected):
    with app.app_context():
        assert filters.rule_matches(filters.check_pattern(pattern, "regex"), "regex", text) is expected


def test_a_stored_regex_re2_cannot_compile_matches_nothing_and_does_not_break_screening(app, caplog):
    with app.app_context():
        db.session.add(KeywordFilter(pattern="(?<!not )loser", match="regex", action="refuse"))
        db.session.add(KeywordFilter(pattern="loser", match="word", action="hold"))
        db.session.commit()
        found = filters.matches("what a loser", filters.rules_for(None))
        assert [hit.action for hit in found] == ["hold"]
        assert "loser" not in caplog.text, "the log names no pattern"
        make_user("boss", admin=True)
    client = app.test_client()
    sign_in(client, "boss")
    page = client.get("/moderation/filters").get_data(as_text=True)
    assert page.count("cannot run any more") == 1, "the filters page asks for it to be changed"


def test_patterns_beyond_re2s_bounds_are_refused_and_a_trial_sample_is_bounded(app):
    with app.app_context():
        admin = make_user("boss", admin=True)
        with pytest.raises(DomainError) as long_sample:
            filters.test_sample(admin, None, None, "c" * (filters.SAMPLE_MAX + 1), pattern=PATHOLOGICAL, match="regex")
        assert long_sample.value.field == "sample"
        result = filters.test_sample(admin, None, None, "c" * filters.SAMPLE_MAX, pattern=PATHOLOGICAL, match="regex")
        assert result.draft_matches is False
        with pytest.raises(DomainError) as refused:
            filters.check_pattern("a{1000}{1000}", "regex")
        assert "cannot be used" in refused.value.message
        with pytest.raises(DomainError) as too_slow:
            filters.check_pattern(r"\w{1000}", "regex")
        assert "cannot be used" in too_slow.value.message, "a pattern too large for RE2's memory bound"
