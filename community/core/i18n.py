"""Language choice: the member's own, else the browser's best match, else the default."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user

from community.extensions import babel

RTL_LANGUAGES = {"ar", "fa", "he", "ur"}


def select_locale() -> str | None:
    if not has_request_context():
        return None  # CLI and background work: the default language (mails choose their own)
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    return request.accept_languages.best_match(languages)


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def _language_context() -> dict:
        locale = get_locale()
        language = locale.language if locale else app.config["BABEL_DEFAULT_LOCALE"]
        return {"html_lang": language, "html_dir": "rtl" if language in RTL_LANGUAGES else "ltr"}
