"""Small helpers shared by every feature's forms."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from babel import Locale
from flask import current_app
from wtforms.fields.choices import SelectChoice


def select_choices(pairs: Iterable[tuple[str, object]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices (plain tuples are deprecated in WTForms 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]


def language_choices() -> list[SelectChoice]:
    """The configured languages, each named in itself ("Nederlands", "Türkçe", "العربية"), so a person finds
    their own whatever language the page is in."""
    return select_choices(_language_names(tuple(current_app.config["LANGUAGES"])))


@functools.lru_cache(maxsize=8)
def _language_names(codes: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Per process: Babel's locale data is read anew on every Locale.parse, and every page's footer asks."""
    pairs = []
    for code in codes:
        try:
            name = Locale.parse(code).get_display_name(code) or code
        except (ValueError, LookupError):  # an unknown code in the settings: show the code rather than fail
            name = code
        pairs.append((code, name[:1].upper() + name[1:]))
    return tuple(pairs)
