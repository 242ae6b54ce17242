"""Language choice: the member's own, else the visitor's picker (a cookie), else the browser's best match,
else the default. Also the html lang/dir of every page, and the ``bdi`` filter for member text in a sentence."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import get_locale, get_translations
from flask_login import current_user
from markupsafe import Markup

from community.extensions import babel

log = logging.getLogger(__name__)

RTL_LANGUAGES = {"ar", "fa", "he", "ur"}
TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"
LANGUAGE_COOKIE = "kring_language"  # set by the language picker (accessibility.choose_language)


def select_locale() -> str | None:
    if not has_request_context():
        return None  # CLI and background work: the default language (mails choose their own)
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages)


def compile_catalogues(directory: Path = TRANSLATIONS) -> list[str]:
    """Build each language's .mo from its .po when the .mo is missing or older (a fresh clone, an edited .po).

    `make run` and `make test` compile too; this covers `flask run`, gunicorn and pytest started directly.
    A read-only install keeps whatever .mo files it has. Returns the languages compiled."""
    compiled = []
    for po_path in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        try:
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file)
            partial = mo_path.with_suffix(f".mo.{os.getpid()}")  # then renamed: a reader never sees half a file
            with partial.open("wb") as mo_file:
                write_mo(mo_file, catalog, use_fuzzy=False)
            os.replace(partial, mo_path)
        except OSError as error:
            log.warning("could not compile %s: %s", po_path.parent.parent.name, type(error).__name__)
            continue
        compiled.append(po_path.parent.parent.name)
    return compiled


def _request_translations() -> Any:
    """This request's catalogue, kept on ``g`` while the locale stays the same object.

    Templates call ``_()`` some forty times per page, and Flask-Babel finds the catalogue anew on each call
    (four lookups through Flask's context-locals); this is one. ``force_locale`` (mails in the recipient's
    language) puts another locale object in place, so the catalogue is looked up again under it and after it.
    """
    context = g.get("_flask_babel")
    locale = getattr(context, "babel_locale", None)
    cached = g.get("kring_translations")
    if cached is not None and locale is not None and cached[0] is locale:
        return cached[1]
    translations = get_translations()
    g.kring_translations = (getattr(g.get("_flask_babel"), "babel_locale", None), translations)
    return translations


def bdi(text: Any) -> Markup:
    """Member text put into a translated sentence, isolated from the sentence's direction: an English topic title
    in an Arabic sentence would otherwise take its punctuation to the wrong side ("?Night care: how ...").
    ``{{ _("by %(name)s", name=author|bdi) }}``; an element holding only member text gets ``dir="auto"``."""
    return Markup("<bdi>%s</bdi>") % text


def init_app(app: Flask) -> None:
    compile_catalogues()
    babel.init_app(app, locale_selector=select_locale, default_translation_directories=str(TRANSLATIONS))
    app.jinja_env.install_gettext_callables(  # as Flask-Babel installs them, with the catalogue found once
        gettext=lambda s: _request_translations().ugettext(s),
        ngettext=lambda s, p, n: _request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: _request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _request_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.add_template_filter(bdi, "bdi")

    @app.context_processor
    def _language_context() -> dict:
        locale = get_locale()
        language = locale.language if locale else app.config["BABEL_DEFAULT_LOCALE"]
        return {"html_lang": language, "html_dir": "rtl" if language in RTL_LANGUAGES else "ltr"}
