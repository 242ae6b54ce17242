"""The layout's signed-in navigation, kept as a fragment (core.fragments).

``base.html`` asks each feature whether its link shows (moderation, insight, admin) and for the two unread
counts, then calls ``navigation(...)``. What differs between members only in numbers and names (the counts,
the display name, the CSRF token) is put in per page; the rest (language, which link is the current page,
which links show, whether each badge shows) is the fragment's key.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

from flask import Flask, current_app, request
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from community.core import fragments

Current = namedtuple("Current", "home notifications chat professionals search help account moderation insight admin")
Shown = namedtuple("Shown", "moderation insight admin")


def current_links() -> Current:
    """Which navigation link is the page being shown (``aria-current``): the rules base.html always used."""
    endpoint, blueprint = request.endpoint or "", request.blueprint
    return Current(
        home=endpoint == "groups.home",
        notifications=blueprint == "notifications",
        chat=blueprint == "chat",
        professionals=blueprint == "professionals",
        search=endpoint == "forum.search_page",
        help=endpoint == "safeguarding.help_page",
        account=request.path.startswith("/account/"),
        moderation=endpoint.startswith("moderation.queue"),
        insight=blueprint == "insight",
        admin=blueprint == "admin",
    )


def navigation(
    *, unread: int | None, chat_counts: dict[int, int], moderation: bool, insight: bool, admin: bool
) -> Markup:
    chat_total = sum(chat_counts.values())
    shown = Shown(bool(moderation), bool(insight), bool(admin))
    current = current_links()
    key = (str(get_locale()), current, shown, bool(unread), bool(chat_total))
    slots = {
        "unread": str(unread or 0),
        "chat_json": _tojson(chat_counts),
        "chat_total": str(chat_total),
        "display_name": current_user.display_name,
        "csrf": generate_csrf(),
    }
    context: dict[str, Any] = {"current": current, "show": shown, "has_unread": bool(unread),
                               "has_chat_unread": bool(chat_total)}  # fmt: skip
    return fragments.render_fragment(key, "_navigation.html", slots, **context)


def _tojson(value: Any) -> str:
    """What ``value|tojson`` prints, as a plain string (the fragment then escapes it: ``|forceescape``)."""
    policies = current_app.jinja_env.policies
    return str(htmlsafe_json_dumps(value, dumps=policies["json.dumps_function"], **policies["json.dumps_kwargs"]))


def init_app(app: Flask) -> None:
    app.add_template_global(navigation, "navigation")
