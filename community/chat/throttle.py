"""Per-person limits in chat: the send rate, slow mode, and how often "is typing" is passed on.

The counters live in the Flask-Limiter storage (``limits`` moving windows), not in a table: with REDIS_URL set
that is Redis, so every server process counts the same messages; without it, process memory (the embedded
single-process setup). Nothing is written to the database, counters expire by themselves.

The send rate follows ``RATELIMIT_ENABLED``: switched off (benchmarks), no send-rate limit applies. Slow mode
and the typing throttle are room rules, not abuse limits, so they always apply (in process memory when the
limiter is off).
"""

from __future__ import annotations

import math
import time

from flask import current_app
from limits import RateLimitItem, RateLimitItemPerSecond, parse
from limits.storage import Storage
from limits.strategies import MovingWindowRateLimiter

from community.core.counters import counter_storage
from community.extensions import limiter

KEY_PREFIX = "kring-chat"
TYPING_EVERY_SECONDS = 3


def _storage() -> Storage:
    return counter_storage("chat_throttle")


def _window() -> MovingWindowRateLimiter:
    return MovingWindowRateLimiter(_storage())


def _seconds_until(reset_time: float) -> int:
    return max(math.ceil(reset_time - time.time()), 1)


def send_rate() -> RateLimitItem:
    return parse(current_app.config["CHAT_SEND_RATE"])


def hit_send_rate(user_id: int) -> int:
    """Count one send. 0 when allowed, otherwise the seconds until the person may send again."""
    if not limiter.enabled:
        return 0
    item, window = send_rate(), _window()
    if window.hit(item, KEY_PREFIX, "send", str(user_id)):
        return 0
    return _seconds_until(window.get_window_stats(item, KEY_PREFIX, "send", str(user_id)).reset_time)


def slow_mode_wait(user_id: int, conversation_id: int, seconds: int) -> int:
    """0 when the person may write in this slowed-down room now, otherwise the seconds left. Counts nothing."""
    if seconds <= 0:
        return 0
    item, window = RateLimitItemPerSecond(1, seconds), _window()
    ids = (KEY_PREFIX, "slow", str(conversation_id), str(user_id))
    if window.test(item, *ids):
        return 0
    return _seconds_until(window.get_window_stats(item, *ids).reset_time)


def mark_slow_mode(user_id: int, conversation_id: int, seconds: int) -> None:
    """A message was stored: the person's next one in this room waits ``seconds``."""
    if seconds > 0:
        _window().hit(RateLimitItemPerSecond(1, seconds), KEY_PREFIX, "slow", str(conversation_id), str(user_id))


def may_announce_typing(user_id: int, conversation_id: int) -> bool:
    """At most one "is typing" per person and room every few seconds; the rest are dropped quietly."""
    item = RateLimitItemPerSecond(1, TYPING_EVERY_SECONDS)
    return _window().hit(item, KEY_PREFIX, "typing", str(conversation_id), str(user_id))
