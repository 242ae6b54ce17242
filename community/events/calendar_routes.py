"""The member's calendar feed: the page where they make, renew or revoke its secret address and choose what it
shows (``/account/calendar``), and the feed itself (``/calendar/<token>.ics``, public: a calendar app has no
session; the token is the key, and a page with one in its address is a ``@token_page``)."""

from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.core.security import public, token_page
from community.events import bp, calendar
from community.extensions import db


def _calendar_page(address: str | None = None) -> str:
    return render_template("events/calendar.html", feed=calendar.feed_of(current_user), address=address)


@bp.route("/account/calendar")
def calendar_page() -> str:
    return _calendar_page()


@bp.route("/account/calendar/address", methods=["POST"])
def calendar_address() -> str:
    """Make or renew the address, and show it this once (it is stored nowhere: only its hash is)."""
    token = calendar.make_address(current_user)
    db.session.commit()
    # BASE_URL, never the request's host: the address goes into calendar apps for months.
    return _calendar_page(current_app.config["BASE_URL"].rstrip("/") + url_for("events.calendar_feed", token=token))


@bp.route("/account/calendar/details", methods=["POST"])
def calendar_details() -> Response:
    feed = calendar.set_details(current_user, show=request.form.get("show_details") == "yes")
    db.session.commit()
    if feed is not None:
        flash(_("Your choice is saved. Calendar apps show it the next time they look."), "success")
    return redirect(url_for("events.calendar_page"), 303)


@bp.route("/account/calendar/revoke", methods=["POST"])
def calendar_revoke() -> Response:
    if calendar.revoke(current_user):
        flash(_("The address no longer works. Calendar apps using it will show no more events."), "success")
    db.session.commit()
    return redirect(url_for("events.calendar_page"), 303)


@bp.route("/calendar/<token>.ics")
@public
@token_page
def calendar_feed(token: str) -> Response:
    return Response(calendar.feed_for_token(token), content_type="text/calendar; charset=utf-8")
