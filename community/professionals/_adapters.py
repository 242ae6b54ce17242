"""Small pieces shared by this feature's HTTP adapters."""

from __future__ import annotations

from flask import flash
from flask_wtf import FlaskForm

from community.core.errors import DomainError
from community.extensions import db


def refused(form: FlaskForm, error: DomainError, default_field: str | None = None) -> None:
    """Roll back and put the message on its field (or on the page when no field matches)."""
    db.session.rollback()
    name = error.field or default_field
    field = getattr(form, name, None) if name else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")


def int_or_none(value: object) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) <= 10 else None


def local_moment(value) -> str:
    """A local (already in the site's zone) moment, for "next available": never shifted again."""
    from flask_babel import format_datetime

    return format_datetime(value, "EEEE d MMMM, HH:mm", rebase=False) if value else ""
