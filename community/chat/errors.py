"""Chat refusals. Each carries the ``code`` a socket acknowledgement reports (docs/realtime.md, "Errors").

They are ``DomainError``s, so HTTP routes treat them like any other refusal (a page with the message).
"""

from __future__ import annotations

from community.core.errors import DomainError, Forbidden, NotFound

INVALID, NOT_FOUND, FORBIDDEN = "invalid", "not_found", "forbidden"
MUTED, SLOW_MODE, RATE_LIMITED, TOO_LARGE = "muted", "slow_mode", "rate_limited", "too_large"
SERVER_ERROR = "server_error"


class Invalid(DomainError):
    code = INVALID


class TooLarge(DomainError):
    code = TOO_LARGE
    status_code = 413


class Muted(Forbidden):
    code = MUTED


class Waiting(DomainError):
    """Refused for now; ``seconds_left`` says when trying again will work."""

    status_code = 429

    def __init__(self, message: str, *, seconds_left: int) -> None:
        super().__init__(message)
        self.seconds_left = max(int(seconds_left), 1)


class SlowMode(Waiting):
    code = SLOW_MODE


class RateLimited(Waiting):
    code = RATE_LIMITED


def code_of(error: DomainError) -> str:
    """The acknowledgement code of any domain error (core errors included)."""
    code = getattr(error, "code", None)
    if code:
        return code
    if isinstance(error, NotFound):
        return NOT_FOUND
    if isinstance(error, Forbidden):
        return FORBIDDEN
    return INVALID
