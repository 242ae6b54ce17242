"""Refusals are values, not crashes: services raise these, adapters turn them into a page or an ack."""

from __future__ import annotations


class DomainError(Exception):
    """A rule said no. ``message`` is written for the person and says what they can do about it."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """Also used for things that exist but the actor may not know about (a group they are not in)."""

    status_code = 404


class Forbidden(DomainError):
    """The actor can see the thing but may not do this to it."""

    status_code = 403
