"""When can a member expect an answer? Pure functions over a professional's weekly hours: no database, no
Flask, no clock (the caller passes "now" in the site's time zone), so they are unit-tested directly.

Availability is a list of weekly windows ``(weekday, "HH:MM", "HH:MM")`` (0 = Monday), in local time. A
professional who is "away until" a date is back on the morning of the day after it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

WEEKDAYS = 7
HORIZON_DAYS = 7 * 9  # look at most nine weeks ahead (an "away until" far away answers "not known")


@dataclass(frozen=True)
class Window:
    weekday: int
    start: time
    end: time


@dataclass(frozen=True)
class Expectation:
    """``kind``: "now" (available at this moment), "later" (``at`` is the start of the next window), "paused"
    (not taking new requests), "unknown" (no hours given, or nothing within the horizon)."""

    kind: str
    at: datetime | None = None
    within_week: bool = False  # "now", or a window starting within the next seven days

    @property
    def this_week(self) -> bool:
        return self.within_week


def parse_time(value: str) -> time | None:
    """ "HH:MM" (24-hour clock) to a time; None for anything else."""
    value = (value or "").strip()
    if len(value) != 5 or value[2] != ":" or not (value[:2] + value[3:]).isdigit():
        return None
    hours, minutes = int(value[:2]), int(value[3:])
    if hours > 23 or minutes > 59:
        return None
    return time(hours, minutes)


def windows_from(stored: Iterable[Sequence]) -> list[Window]:
    """The stored JSON ``[[weekday, "HH:MM", "HH:MM"], ...]`` as windows; malformed entries are skipped."""
    result = []
    for entry in stored or ():
        if not isinstance(entry, list | tuple) or len(entry) != 3:
            continue
        weekday, start, end = entry
        first, last = parse_time(str(start)), parse_time(str(end))
        if isinstance(weekday, int) and 0 <= weekday < WEEKDAYS and first and last and first < last:
            result.append(Window(weekday, first, last))
    return sorted(result, key=lambda window: (window.weekday, window.start))


def _back_on(away_until: date | None, now: datetime) -> datetime:
    """The first moment the professional is there again."""
    if away_until is None or away_until < now.date():
        return now
    return datetime.combine(away_until + timedelta(days=1), time(0, 0))


def next_window(windows: Sequence[Window], away_until: date | None, now: datetime) -> tuple[datetime, bool] | None:
    """The start of the next moment within a window at or after ``now`` (respecting "away until"), and whether
    that moment is ``now`` itself. None when there are no windows within the horizon."""
    if not windows:
        return None
    start = _back_on(away_until, now)
    for offset in range(HORIZON_DAYS + 1):
        day = start.date() + timedelta(days=offset)
        for window in windows:
            if window.weekday != day.weekday():
                continue
            opens, closes = datetime.combine(day, window.start), datetime.combine(day, window.end)
            if closes <= start:
                continue
            moment = max(opens, start)
            return moment, moment == now
    return None


def expected_answer(
    stored_availability: Iterable[Sequence], away_until: date | None, paused: bool, now: datetime
) -> Expectation:
    """How soon an answer can be expected, for the profile and the request page."""
    if paused:
        return Expectation("paused")
    found = next_window(windows_from(stored_availability), away_until, now)
    if found is None:
        return Expectation("unknown")
    moment, is_now = found
    if is_now:
        return Expectation("now", moment, True)
    return Expectation("later", moment, moment - now < timedelta(days=7))


def available_now(stored_availability: Iterable[Sequence], away_until: date | None, now: datetime) -> bool:
    return expected_answer(stored_availability, away_until, False, now).kind == "now"


def available_this_week(stored_availability: Iterable[Sequence], away_until: date | None, now: datetime) -> bool:
    return expected_answer(stored_availability, away_until, False, now).this_week


def is_away(away_until: date | None, today: date) -> bool:
    return away_until is not None and away_until >= today
