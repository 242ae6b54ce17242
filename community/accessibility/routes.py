"""HTTP adapters: display preferences, the language picker and the accessibility statement (all public)."""

from __future__ import annotations

from email.utils import parseaddr

from flask import Response, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from community.accessibility import bp, installable, services
from community.accessibility.forms import LanguageForm, PreferencesForm, text_size_choices, theme_choices
from community.core import fragments
from community.core.forms import form_action, language_choices
from community.core.i18n import LANGUAGE_COOKIE
from community.core.security import public, safe_next


def _back(target: str | None) -> str:
    """Back to the page the panel or picker was used on (``core.security.safe_next``), else the preferences."""
    return safe_next(target, url_for("accessibility.preferences"))


def current_display() -> services.Display:
    """The preferences of whoever is looking: the account's, else the visitor's cookie. Once per request.

    The base layout needs them on every page. A member's come with the session lookup (``auth.sessions`` loads
    ``user.preferences`` in the same statement as the member), so this sends no statement of its own on a page;
    a visitor's are parsed from their cookie."""
    if "display" not in g:
        if current_user.is_authenticated:
            g.display = services.for_member(current_user)
        else:
            g.display = services.from_cookie(request.cookies.get(services.COOKIE_NAME))
    return g.display


@bp.app_context_processor
def display_context() -> dict:
    def language_form() -> LanguageForm:
        form = LanguageForm(prefix="lang")
        form.language.choices = language_choices()
        form.language.data = current_language()
        return form

    return {
        "current_display": current_display,
        "language_form": language_form,
        "display_panel": display_panel,
        "language_picker": language_picker,
        "display_text_sizes": text_size_choices,
        "display_themes": theme_choices,
        "theme_colour_tags": installable.theme_colour_tags,
    }


def _this_page() -> str:
    return request.full_path.rstrip("?")


def display_panel() -> Markup:
    """The header's display panel: the same for everyone with the same language and settings (core.fragments)."""
    display = current_display()
    signed_in = bool(current_user.is_authenticated)
    slots = {"panel_action": url_for("accessibility.preferences", next=_this_page()), "csrf": generate_csrf()}
    key = (current_language(), display.to_cookie(), signed_in)
    choices = {"display_text_sizes": text_size_choices, "display_themes": theme_choices}
    return fragments.render_fragment(
        key, "accessibility/_display_panel.html", slots, d=display, signed_in=signed_in, **choices
    )


def language_picker() -> Markup:
    """The footer's language picker: the same for everyone reading in the same language (core.fragments)."""
    language = current_language()
    slots = {"picker_action": url_for("accessibility.choose_language", next=_this_page()), "csrf": generate_csrf()}
    return fragments.render_fragment(
        (language,), "accessibility/_language_picker.html", slots, choices=language_choices(), current=language
    )


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else current_app.config["BABEL_DEFAULT_LOCALE"]


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _remember_for_visitor(response: Response, name: str, value: str) -> Response:
    response.set_cookie(
        name,
        value,
        max_age=services.COOKIE_MAX_AGE,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=False,  # preferences.js keeps it in step with localStorage; it holds no secret
    )
    return response


@bp.route("/preferences", methods=["GET", "POST"])
@public
def preferences() -> str | Response | tuple[Response, int]:
    form = PreferencesForm()
    status = 200
    if form.validate_on_submit():
        with form_action(form, "text_size", passes=()) as action:
            display = services.clean(request.form)
            if current_user.is_authenticated:
                services.save_for_member(current_user, display)
        if action.error and _wants_json():
            return jsonify(ok=False, error=action.error.message), 400
        if action.refused:
            status = 400
        else:
            response = (
                jsonify(ok=True, attributes=display.html_attributes())
                if _wants_json()
                else redirect(_back(request.args.get("next")))
            )
            if not _wants_json():
                flash(_("Your display settings are saved."), "success")
            if not current_user.is_authenticated:
                _remember_for_visitor(response, services.COOKIE_NAME, display.to_cookie())
            return response
    elif request.method == "POST":
        if _wants_json():
            return jsonify(ok=False, error=_("The page was open too long. Reload it and try again.")), 400
        status = 400
    else:
        display = current_display()
        form.text_size.data = str(display.text_size)
        form.theme.data = display.theme
        form.motion.data = display.motion
        form.dyslexia_font.data = display.dyslexia_font
        form.wide_line_spacing.data = display.wide_line_spacing
        form.easy_read.data = display.easy_read
    return render_template("accessibility/preferences.html", form=form), status


@bp.route("/language", methods=["POST"])
@public
def choose_language() -> Response:
    form = LanguageForm(prefix="lang")
    target = _back(request.args.get("next") or request.form.get("next"))
    if not form.validate_on_submit():
        flash(_("The page was open too long. Choose the language again."), "error")
        return redirect(target)
    with form_action(passes=()) as action:
        language = services.check_language(form.language.data or "")
        if current_user.is_authenticated:
            services.set_member_language(current_user, language)
    if action.refused:
        return redirect(target)
    response = redirect(target)
    return _remember_for_visitor(response, LANGUAGE_COOKIE, language)


@bp.route("/accessibility")
@public
def statement() -> str:
    contact = current_app.config["ACCESSIBILITY_CONTACT"] or parseaddr(current_app.config["MAIL_FROM"])[1]
    return render_template("accessibility/statement.html", contact=contact)
