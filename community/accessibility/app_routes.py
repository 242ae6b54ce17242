"""HTTP adapters for the installable app: the manifest, the service worker and the offline page (all public:
a browser fetches the manifest without cookies, and a visitor's browser installs the worker too).

None of them holds member data: the manifest is the same for everyone reading in one language and theme, the
worker is the same for everyone, and the offline page shows no name, group or message (docs/accessibility.md,
"Installable app").
"""

from __future__ import annotations

import json

from flask import Response, current_app, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _

from community.accessibility import bp, installable
from community.accessibility.models import THEMES
from community.accessibility.routes import current_language
from community.core.i18n import RTL_LANGUAGES
from community.core.security import public


def _asked_language() -> str:
    """``?lang=``, when it is one of Kring's languages; else the visitor's (their browser's, as these requests
    come without cookies)."""
    language = request.args.get("lang", "")
    return language if language in current_app.config["LANGUAGES"] else current_language()


@bp.route("/manifest.webmanifest")
@public
def manifest() -> Response:
    """``?lang=`` and ``?theme=`` are the page's language and theme (base.html links them); a missing or unknown
    value gives the visitor's language and the default theme."""
    language = _asked_language()
    theme = request.args.get("theme", "")
    if theme not in THEMES:
        theme = "system"
    with force_locale(language):
        description = _("Kring is a closed, moderated place. What you share here stays here.")
    direction = "rtl" if language in RTL_LANGUAGES else "ltr"
    body = json.dumps(installable.manifest(language, direction, theme, description), ensure_ascii=False)
    response = Response(body, mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/sw.js")
@public
def service_worker() -> Response:
    """The worker, served from the site's root so that its scope is the whole site; its shell list and version
    are filled in here (``installable.shell``)."""
    watch = bool(current_app.debug or current_app.config.get("TEMPLATES_AUTO_RELOAD"))
    response = Response(installable.shell(watch=watch).worker_script, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"  # a signed-in browser's request gets no-store (core.security)
    return response


@bp.route(installable.OFFLINE_PATH)
@public
def offline() -> Response:
    """What the app shows when a page cannot be reached. The worker keeps it, so it never shows the member: the
    worker fetches it without cookies, in the language of ``?lang=`` (the page's, told by static/js/pwa.js) or
    the browser's; ``Content-Language`` says which, so the worker knows when to fetch it again."""
    language = _asked_language()
    with force_locale(language):
        response = Response(render_template("accessibility/offline.html"))
    response.headers["Content-Language"] = language
    return response
