"""The layout's signed-in navigation: a registry of entries that each feature fills from its own wiring, drawn
as a kept fragment (core.fragments).

An entry names its label, endpoint, order, when it is the page being shown (``aria-current``), who sees it (a
predicate on the signed-in member) and, optionally, a badge (a count the feature reads). Predicates and badges
use what the request already loaded with the session (the member's memberships, ``core.page_preloads``), so
drawing the navigation costs no statement of its own on a page. Core knows no feature: an entry that is not
registered is not drawn.

What differs between members only in numbers and names (the counts, the display name, the CSRF token) is put
in per page; the rest (language, which link is the current page, which links show, whether each badge shows)
is the fragment's key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, Request, current_app, request
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from community.core import fragments


def everyone(_user: Any) -> bool:
    return True


@dataclass(frozen=True)
class Badge:
    """A count shown after the label, in a span scripts update live (hidden while it is 0)."""

    count_attribute: str  # the span's attribute, e.g. "data-notification-count"
    count: Callable[[Any], int | None]  # the member's count; None (unknown) shows as a hidden 0
    details_attribute: str | None = None  # an attribute on the link with details for scripts, as JSON
    details: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class NavEntry:
    name: str  # unique; also names the entry in the fragment's key
    label: Any  # a lazy translation (flask_babel.lazy_gettext), translated when drawn
    endpoint: str  # url_for without arguments
    order: int  # lowest first
    is_current: Callable[[Request], bool]  # the page being shown is this link's
    shows: Callable[[Any], bool] = everyone  # who sees it: the signed-in member -> bool
    badge: Badge | None = None


_entries: dict[str, NavEntry] = {}


def register(entry: NavEntry) -> None:
    """Add (or replace, by name) a navigation entry. Called from a feature's wiring at start-up."""
    _entries[entry.name] = entry


def entries() -> tuple[NavEntry, ...]:
    return tuple(sorted(_entries.values(), key=lambda entry: (entry.order, entry.name)))


# The usual "is this the current page" rules, for entries to use.
def on_endpoint(endpoint: str) -> Callable[[Request], bool]:
    return lambda req: req.endpoint == endpoint


def on_endpoint_prefix(prefix: str) -> Callable[[Request], bool]:
    return lambda req: (req.endpoint or "").startswith(prefix)


def on_blueprint(name: str) -> Callable[[Request], bool]:
    return lambda req: req.blueprint == name


def under_path(prefix: str) -> Callable[[Request], bool]:
    return lambda req: req.path.startswith(prefix)


def navigation() -> Markup:
    """The signed-in member's navigation (template global; base.html calls it for signed-in members only)."""
    user = current_user._get_current_object()
    shown = tuple(entry for entry in entries() if entry.shows(user))
    current = tuple(entry.name for entry in shown if entry.is_current(request))
    slots = {"display_name": user.display_name, "csrf": generate_csrf()}
    badged = []
    for entry in shown:
        if entry.badge is None:
            continue
        count = entry.badge.count(user)
        slots[f"count_{entry.name}"] = str(count or 0)
        if count:
            badged.append(entry.name)
        if entry.badge.details_attribute and entry.badge.details is not None:
            slots[f"details_{entry.name}"] = _tojson(entry.badge.details(user))
    key = (str(get_locale()), tuple(entry.name for entry in shown), current, tuple(badged))
    context: dict[str, Any] = {"entries": shown, "current": current, "badged": badged}
    return fragments.render_fragment(key, "_navigation.html", slots, **context)


def _tojson(value: Any) -> str:
    """What ``value|tojson`` prints, as a plain string (the fragment then escapes it: ``|forceescape``)."""
    policies = current_app.jinja_env.policies
    return str(htmlsafe_json_dumps(value, dumps=policies["json.dumps_function"], **policies["json.dumps_kwargs"]))


def init_app(app: Flask) -> None:
    app.add_template_global(navigation, "navigation")
