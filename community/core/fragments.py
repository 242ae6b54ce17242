"""Parts of the page layout that are the same for everybody with the same language and display settings
(the display panel, the language picker), rendered once per process and kept.

A fragment is rendered the first time with a marker in place of each per-request value (the CSRF token, the
address of the current page), cut at the markers, and kept. Later requests join the pieces with their own
values, escaped exactly as Jinja escapes them. The key must name everything else the fragment shows (its
template, the language, the settings it displays). Nothing is kept while templates reload themselves
(development), so an edited template shows at once.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from typing import Any

from flask import Flask, current_app, render_template
from flask_babel import get_locale
from markupsafe import Markup, escape

ENTRIES = 1024  # the navigation alone has ~2,000 variants at most (languages x current link x links shown x badges)
_EXTENSION = "kring_fragments"


class _Store:
    def __init__(self, entries: int) -> None:
        self.entries = entries
        self.items: OrderedDict[Hashable, tuple[tuple[str, ...], tuple[str, ...]]] = OrderedDict()
        self.lock = threading.Lock()


def _store() -> _Store:
    store = current_app.extensions.get(_EXTENSION)
    if store is None:
        store = current_app.extensions[_EXTENSION] = _Store(ENTRIES)
    return store


def render_fragment(key: Hashable, template: str, slots: Mapping[str, str], **context: Any) -> Markup:
    """``template`` rendered with ``context`` and the per-request ``slots`` (names the template prints; also
    reachable as ``fragment_slots[name]``, for names the template builds)."""
    if current_app.jinja_env.auto_reload:
        return Markup(render_template(template, **context, **slots, fragment_slots=slots))  # noqa: S704 (rendered by Jinja, escaped)
    store = _store()
    full_key = (template, key, tuple(sorted(slots)))
    with store.lock:
        kept = store.items.get(full_key)
        if kept is not None:
            store.items.move_to_end(full_key)
    if kept is None:
        kept = _cut(template, slots, context)
        with store.lock:
            store.items[full_key] = kept
            while len(store.items) > store.entries:
                store.items.popitem(last=False)
    parts, order = kept
    pieces = [parts[0]]
    for name, part in zip(order, parts[1:], strict=True):
        pieces.append(str(escape(slots[name])))
        pieces.append(part)
    return Markup("".join(pieces))  # noqa: S704 (Jinja's output, with escaped values put back)


def _cut(template: str, slots: Mapping[str, str], context: dict[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    markers = {name: f"kringslot{secrets.token_hex(8)}" for name in slots}
    html = render_template(template, **context, **markers, fragment_slots=markers)
    if not markers:
        return (html,), ()
    names = {marker: name for name, marker in markers.items()}
    pattern = re.compile("|".join(re.escape(marker) for marker in names))
    return tuple(pattern.split(html)), tuple(names[found] for found in pattern.findall(html))


def kept(template: str, **slots: str) -> Markup:
    """Template global: ``template`` depends on nothing but the language (and the given ``slots``)."""
    return render_fragment((str(get_locale()),), template, slots)


def init_app(app: Flask) -> None:
    app.add_template_global(kept, "kept")
