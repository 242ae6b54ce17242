"""Display preferences: read, validate and store them, for members (on the account) and visitors (a cookie).

A preference is one of a few named values. "system" means "follow the operating system" (the CSS reads
prefers-color-scheme, prefers-contrast and prefers-reduced-motion), so it is the default everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _

from community.accessibility.models import TEXT_SIZES, THEMES, MemberPreferences, preferences_row
from community.auth.models import User
from community.core.errors import DomainError
from community.extensions import db

MOTIONS = ("system", "reduce", "full")
COOKIE_NAME = "kring_display"
COOKIE_MAX_AGE = 365 * 24 * 3600
COOKIE_FIELDS = ("text_size", "theme", "dyslexia_font", "wide_line_spacing", "motion", "easy_read")


@dataclass(frozen=True)
class Display:
    """What the page needs to render a member's or visitor's preferences (the data-* attributes of <html>)."""

    text_size: int = 100
    theme: str = "system"
    dyslexia_font: bool = False
    wide_line_spacing: bool = False
    motion: str = "system"
    easy_read: bool = False

    def html_attributes(self) -> dict[str, str]:
        return {
            "data-text-size": str(self.text_size),
            "data-theme": self.theme,
            "data-font": "dyslexia" if self.dyslexia_font else "default",
            "data-spacing": "wide" if self.wide_line_spacing else "normal",
            "data-motion": self.motion,
            "data-easy-read": "on" if self.easy_read else "off",
        }

    def to_cookie(self) -> str:
        """A short cookie value: size.theme.font.spacing.motion.easy ("125.dark.1.0.system.0"), the same format
        js/preferences.js writes."""
        flags = ["1" if flag else "0" for flag in (self.dyslexia_font, self.wide_line_spacing)]
        return ".".join([str(self.text_size), self.theme, *flags, self.motion, "1" if self.easy_read else "0"])


DEFAULT = Display()


def _flag(value: object) -> bool:
    return value is True or str(value).lower() in {"1", "true", "on", "yes"}


def clean(values: Mapping[str, object]) -> Display:
    """Plain values (a form, a JSON body, a cookie) as a Display; anything not in the lists is refused."""
    try:
        text_size = int(str(values.get("text_size", DEFAULT.text_size)))
    except ValueError:
        text_size = -1
    if text_size not in TEXT_SIZES:
        raise DomainError(_("Choose one of the text sizes in the list."), field="text_size")
    theme = str(values.get("theme", DEFAULT.theme))
    if theme not in THEMES:
        raise DomainError(_("Choose one of the colour themes in the list."), field="theme")
    motion = str(values.get("motion", DEFAULT.motion))
    if motion not in MOTIONS:
        raise DomainError(_("Choose one of the movement options in the list."), field="motion")
    return Display(
        text_size=text_size,
        theme=theme,
        dyslexia_font=_flag(values.get("dyslexia_font", False)),
        wide_line_spacing=_flag(values.get("wide_line_spacing", False)),
        motion=motion,
        easy_read=_flag(values.get("easy_read", False)),
    )


def from_cookie(raw: str | None) -> Display:
    """A visitor's preferences from their cookie; a damaged or old cookie quietly means the defaults."""
    parts = (raw or "").split(".")
    if len(parts) != len(COOKIE_FIELDS):
        return DEFAULT
    try:
        return clean(dict(zip(COOKIE_FIELDS, parts, strict=True)))
    except DomainError:
        return DEFAULT


def _motion_of(row: MemberPreferences) -> str:
    if row.reduced_motion is None:
        return "system"
    return "reduce" if row.reduced_motion else "full"


def for_member(user: User) -> Display:
    row = preferences_row(user)
    if row is None:
        return DEFAULT
    return Display(
        text_size=row.text_size if row.text_size in TEXT_SIZES else DEFAULT.text_size,
        theme=row.theme if row.theme in THEMES else DEFAULT.theme,
        dyslexia_font=bool(row.dyslexia_font),
        wide_line_spacing=bool(row.wide_line_spacing),
        motion=_motion_of(row),
        easy_read=bool(row.easy_read),
    )


def save_for_member(actor: User, display: Display) -> Display:
    """Store the actor's own preferences (the other columns of the row, such as hide_presence, stay as they
    are). The caller commits."""
    row = db.session.get(MemberPreferences, actor.id)
    if row is None:
        row = MemberPreferences(user_id=actor.id, hide_presence=False)
        db.session.add(row)
    row.text_size = display.text_size
    row.theme = display.theme
    row.dyslexia_font = display.dyslexia_font
    row.wide_line_spacing = display.wide_line_spacing
    row.reduced_motion = None if display.motion == "system" else display.motion == "reduce"
    row.easy_read = display.easy_read
    db.session.flush()
    return display


def check_language(language: str) -> str:
    if language not in current_app.config["LANGUAGES"]:
        raise DomainError(_("Choose one of the languages in the list."), field="language")
    return language


def set_member_language(actor: User, language: str) -> None:
    """The actor's own language for pages and mails. The caller commits."""
    actor.language = check_language(language)
    db.session.flush()
