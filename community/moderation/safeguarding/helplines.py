"""The instance's helplines and the calm message a writer in crisis sees.

The helplines are the active rows of the ``helplines`` table, which admins keep on the help desk (admin →
Helplines; ``helpline_admin``), read through the per-process cache (``core.config_cache``). While the table
is empty, the configured defaults apply (``SAFEGUARDING_HELPLINES``, or the TOML file
``SAFEGUARDING_HELPLINES_FILE``)."""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from community.core.config_cache import cached, register
from community.extensions import db
from community.moderation.safeguarding.helpline_models import HelplineEntry

log = logging.getLogger(__name__)
CACHE_NAMESPACE = "helplines"
register(CACHE_NAMESPACE, HelplineEntry)  # an admin's change reaches every page at its commit

# The default entries' words, marked for translation (config.py holds them in English, as data).
_KNOWN_TEXT = {
    "24/7": _l("Day and night, every day"),
    "Every day, 11:00 to 21:00": _l("Every day, 11:00 to 21:00"),
    "Emergency services: when someone is in danger right now.": _l(
        "Emergency services: when someone is in danger right now."
    ),
    "When you think about suicide, or worry about someone who does. Free and anonymous.": _l(
        "When you think about suicide, or worry about someone who does. Free and anonymous."
    ),
    "For children and young people, about anything. Free and anonymous.": _l(
        "For children and young people, about anything. Free and anonymous."
    ),
    "Advice and reports about domestic violence and child abuse. Free.": _l(
        "Advice and reports about domestic violence and child abuse. Free."
    ),
}


@dataclass(frozen=True)
class Helpline:
    name: str
    phones: tuple[str, ...]
    url: str
    chat: str
    hours: str
    when: str  # "acute" (emergency number) or "support"
    description: str
    languages: tuple[str, ...]
    country: str
    topics: tuple[str, ...]
    sms: str = ""  # a number to text

    @property
    def is_acute(self) -> bool:
        return self.when == "acute"


def _text(value: Any) -> str:
    value = str(value or "")
    known = _KNOWN_TEXT.get(value)
    return str(known) if known is not None else value


def _helpline(entry: dict[str, Any]) -> Helpline:
    phones = entry.get("phones") or ([entry["phone"]] if entry.get("phone") else [])
    return Helpline(
        name=str(entry["name"]),
        phones=tuple(str(p) for p in phones),
        url=str(entry.get("url") or ""),
        chat=str(entry.get("chat") or ""),
        hours=_text(entry.get("hours")),
        when="acute" if entry.get("when") == "acute" else "support",
        description=_text(entry.get("description")),
        languages=tuple(entry.get("languages") or ()),
        country=str(entry.get("country") or ""),
        topics=tuple(entry.get("topics") or ()),
    )


def _entries() -> list[dict[str, Any]]:
    path = current_app.config.get("SAFEGUARDING_HELPLINES_FILE") or ""
    if path:
        return tomllib.loads(Path(path).read_text(encoding="utf-8")).get("helpline", [])
    entries = current_app.config["SAFEGUARDING_HELPLINES"]
    if any(not isinstance(entry, dict) for entry in entries):
        raise RuntimeError("SAFEGUARDING_HELPLINES must be a list of tables: use SAFEGUARDING_HELPLINES_FILE")
    return entries


def _from_row(row: HelplineEntry) -> Helpline:
    return Helpline(
        name=row.name,
        phones=(row.phone,) if row.phone else (),
        url=row.url,
        chat="",
        hours=row.hours,
        when="acute" if row.acute else "support",
        description=row.description,
        languages=(row.language,) if row.language else (),
        country="",
        topics=tuple(row.topics.split()),
        sms=row.sms,
    )


def _stored() -> tuple[Helpline, ...]:
    """The active rows, in the admins' order: plain frozen values, so the cache may share them.

    Someone in crisis must see a helpline even when the table cannot be read (new code before its migration,
    a database hiccup): then the configured defaults are shown, and the operator finds a warning in the log.
    The savepoint keeps the caller's transaction usable after such an error."""
    query = select(HelplineEntry).where(HelplineEntry.active.is_(True))
    try:
        with db.session.begin_nested():
            rows = db.session.scalars(query.order_by(HelplineEntry.position, HelplineEntry.id)).all()
    except SQLAlchemyError:
        log.warning("could not read the helplines table; showing the configured helplines", exc_info=False)
        return ()
    return tuple(_from_row(row) for row in rows)


def helplines(language: str | None = None) -> list[Helpline]:
    """Emergency numbers first, then the others; lines for another language only are left out."""
    lines = list(cached(CACHE_NAMESPACE, "active", _stored)) or [_helpline(entry) for entry in _entries()]
    if language:
        lines = [line for line in lines if not line.languages or language in line.languages]
    return sorted(lines, key=lambda line: not line.is_acute)


def _phones(line: Helpline) -> str:
    return _(" or ").join(line.phones)


def notice_text(*, category: str = "", severity: str = "concern", language: str | None = None) -> str:
    """The helpline message as plain text: the first support line for the category (113 for suicide and
    self-harm, Veilig Thuis for abuse), and the emergency number. For the chat's ack and for tests."""
    lines = helplines(language)
    acute = [line for line in lines if line.is_acute]
    support = [line for line in lines if not line.is_acute]
    support = [line for line in support if category in line.topics] or support
    parts = [
        _(
            "Thank you for sharing this. It sounds like things are really hard right now, and you do not have to "
            "carry this alone. A moderator will read your words soon."
        )
    ]
    danger = (
        [_("If you or someone else is in danger right now, call %(phones)s.", phones=_phones(acute[0]))]
        if acute
        else []
    )
    if severity == "acute":
        parts += danger
    for line in support[:2]:
        where = _phones(line)
        if line.chat:
            where = _("%(phones)s, or chat at %(chat)s", phones=where, chat=line.chat)
        parts.append(_("You can talk to %(name)s: %(where)s.", name=line.name, where=where))
    if severity != "acute":
        parts += danger
    return " ".join(parts)


def support_text(language: str | None = None) -> str:
    """For someone who raised a worry about another person: where they can get support themselves."""
    lines = helplines(language)
    acute = [line for line in lines if line.is_acute]
    support = [line for line in lines if not line.is_acute]
    parts = []
    if support:
        names = ", ".join(f"{line.name} ({_phones(line)})" for line in support[:3])
        parts.append(_("Worrying about someone is heavy. You can talk about it too: %(lines)s.", lines=names))
    if acute:
        parts.append(_("If someone is in danger right now, call %(phones)s.", phones=_phones(acute[0])))
    return " ".join(parts)


def helpline_notice(*, category: str = "", severity: str = "concern", language: str | None = None) -> Markup:
    """:func:`notice_text` with a link to /help, as Markup (its parts escaped) so the forum's flash shows the
    link. Keep it a Markup: ``str()`` of it would show the tags as text."""
    return Markup('{text} <a href="{url}">{link}</a>').format(
        text=notice_text(category=category, severity=severity, language=language),
        url=url_for("safeguarding.help_page") if has_request_context() else "/help",
        link=_("All places to get help"),
    )


def helpline_message(signal: Any = None) -> Markup:
    """The writer's notice for a signal (or a general one): what ``screen()`` puts in ``Screening.notices``."""
    if signal is None:
        return helpline_notice()
    return helpline_notice(category=signal.category, severity=signal.severity)


def notices_ack(notices: tuple[str, ...]) -> dict[str, Any]:
    """For a socket acknowledgement: the notices as plain text (the chat shows them with textContent), plus the
    link to every helpline."""
    return {
        "notices": [n.striptags() if isinstance(n, Markup) else str(n) for n in notices],
        "help": {"url": url_for("safeguarding.help_page"), "label": _("All places to get help")},
    }
