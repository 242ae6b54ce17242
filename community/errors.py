"""Error pages: refusals from services become friendly pages; nothing shows a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from community.core.errors import DomainError
from community.extensions import db

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError) -> tuple[str, int]:
        db.session.rollback()
        return render_template("errors/error.html", title=_("Not possible"), message=error.message), error.status_code

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        messages = {
            400: _("Something in the request was not right. Go back and try again."),
            403: _("You do not have access to this."),
            404: _("We could not find that page."),
            405: _("That action is not possible here."),
            413: _("What you sent is too large."),
            429: _("Too many attempts. Please wait a minute and try again."),
        }
        code = error.code or 500
        message = messages.get(code, _("Something went wrong. Please try again."))
        return render_template("errors/error.html", title=str(code), message=message), code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> tuple[str, int]:
        db.session.rollback()
        # Type only: the message or traceback locals could carry member text.
        log.error("unhandled %s", type(error).__name__, exc_info=app.debug)
        return render_template(
            "errors/error.html", title="500", message=_("Something went wrong on our side. Please try again.")
        ), 500
