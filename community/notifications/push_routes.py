"""HTTP adapters for Web Push: a browser turns notifications on or off for itself (JSON, from
``static/js/push.js``), and the member's list of devices under their account, each removable."""

from __future__ import annotations

from flask import Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.core.errors import DomainError
from community.extensions import db
from community.notifications import bp, devices


def _refused(error: DomainError) -> tuple[Response, int]:
    db.session.rollback()
    return jsonify(ok=False, error=str(error.message)), 400


@bp.route("/notifications/push/subscribe", methods=["POST"])
def push_subscribe() -> Response | tuple[Response, int]:
    """The browser's ``PushSubscription.toJSON()``; CSRF-protected like every POST (the X-CSRFToken header).
    No rate limit of its own: PUSH_MAX_DEVICES bounds what a member can store, and one address may be a whole
    school's network."""
    try:
        devices.subscribe(current_user, request.get_json(silent=True), request.headers.get("User-Agent", ""))
    except DomainError as error:
        return _refused(error)
    db.session.commit()
    return jsonify(ok=True, message=_("Notifications are on for this device."))


@bp.route("/notifications/push/unsubscribe", methods=["POST"])
def push_unsubscribe() -> Response | tuple[Response, int]:
    data = request.get_json(silent=True)
    try:
        devices.unsubscribe(current_user, data.get("endpoint") if isinstance(data, dict) else None)
    except DomainError as error:
        return _refused(error)
    db.session.commit()
    return jsonify(ok=True, message=_("Notifications are off for this device."))


@bp.route("/account/devices")
def devices_page() -> str:
    return render_template("notifications/devices.html", devices=devices.devices(current_user))


@bp.route("/account/devices/<int:device_id>/remove", methods=["POST"])
def device_remove(device_id: int) -> Response:
    devices.remove_device(current_user, device_id)  # not theirs, or gone already: a 404 page
    db.session.commit()
    flash(_("That device gets no more notifications from Kring."), "success")
    return redirect(url_for("notifications.devices_page"), 303)
