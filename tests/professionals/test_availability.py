"""How soon an answer can be expected: a pure function over weekly hours, "away until" and pausing."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from community.professionals import availability as a

# Wednesday 12 March 2025 (weekday 2)
WED_10 = datetime(2025, 3, 12, 10, 0)
WED_18 = datetime(2025, 3, 12, 18, 0)
OFFICE = [[0, "09:00", "17:00"], [2, "09:00", "12:00"], [4, "13:00", "15:30"]]


def test_inside_a_window_is_now():
    e = a.expected_answer(OFFICE, None, False, WED_10)
    assert (e.kind, e.at, e.this_week) == ("now", WED_10, True)


def test_after_the_window_the_next_one_is_later_this_week():
    e = a.expected_answer(OFFICE, None, False, WED_18)
    assert e.kind == "later"
    assert e.at == datetime(2025, 3, 14, 13, 0)  # Friday 13:00
    assert e.this_week


def test_the_end_of_a_window_is_not_inside_it():
    e = a.expected_answer(OFFICE, None, False, datetime(2025, 3, 12, 12, 0))
    assert e.kind == "later" and e.at == datetime(2025, 3, 14, 13, 0)


def test_wraps_into_next_week():
    saturday = datetime(2025, 3, 15, 9, 0)
    e = a.expected_answer(OFFICE, None, False, saturday)
    assert e.at == datetime(2025, 3, 17, 9, 0)  # Monday


def test_away_until_is_respected_and_back_the_day_after():
    e = a.expected_answer(OFFICE, date(2025, 3, 16), False, WED_10)  # away until Sunday
    assert e.kind == "later" and e.at == datetime(2025, 3, 17, 9, 0)
    assert e.this_week  # Monday 17th is within seven days of Wednesday 12th


def test_away_for_weeks_is_not_this_week():
    e = a.expected_answer(OFFICE, date(2025, 4, 20), False, WED_10)
    assert e.kind == "later" and e.at == datetime(2025, 4, 21, 9, 0)
    assert not e.this_week


def test_away_until_yesterday_is_no_longer_away():
    e = a.expected_answer(OFFICE, date(2025, 3, 11), False, WED_10)
    assert e.kind == "now"
    assert not a.is_away(date(2025, 3, 11), WED_10.date())
    assert a.is_away(date(2025, 3, 12), WED_10.date())


def test_paused_wins_over_hours():
    assert a.expected_answer(OFFICE, None, True, WED_10).kind == "paused"


def test_no_hours_is_unknown():
    assert a.expected_answer([], None, False, WED_10).kind == "unknown"


def test_away_for_months_answers_with_the_first_window_after_return():
    e = a.expected_answer(OFFICE, date(2026, 1, 1), False, WED_10)
    assert (e.kind, e.at, e.this_week) == ("later", datetime(2026, 1, 2, 13, 0), False)  # Friday 2 January


@pytest.mark.parametrize(
    "stored",
    [
        [[7, "09:00", "10:00"]],
        [[1, "10:00", "09:00"]],
        [[1, "9am", "10:00"]],
        [["1", "09:00", "10:00"]],
        [[1, "09:00"]],
    ],
)
def test_malformed_windows_are_ignored(stored):
    assert a.windows_from(stored) == []


@pytest.mark.parametrize(("text", "ok"), [("09:00", True), ("23:59", True), ("24:00", False), ("9:00", False),
                                          ("09:60", False), ("", False), ("ab:cd", False)])  # fmt: skip
def test_parse_time(text, ok):
    assert (a.parse_time(text) is not None) is ok


def test_available_now_and_this_week_helpers():
    assert a.available_now(OFFICE, None, WED_10)
    assert not a.available_now(OFFICE, None, WED_18)
    assert a.available_this_week(OFFICE, None, WED_18)
