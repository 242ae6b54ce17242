"""HTTP adapters: the member's notifications, marking them read, and opening one (from the centre or a push)."""

from __future__ import annotations

import logging

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.core.errors import NotFound
from community.extensions import db
from community.notifications import bp, navigation, services

log = logging.getLogger(__name__)


@bp.route("/notifications")
def inbox() -> str:
    before = request.args.get("before", type=int)
    items, has_more = services.list_notifications(current_user, before_id=before if before and before > 0 else None)
    unread = navigation.unread_for(current_user)
    return render_template("notifications/inbox.html", items=items, has_more=has_more, before=before, unread=unread)


def _target(item: services.NotificationView) -> str | None:
    """Where "Open" leads: the post first on its topic's page, or the target's registered link. The page there
    checks access again."""
    if item.available and item.target_type == "post" and item.post_id is not None:
        return url_for(
            "forum.topic_page", slug=item.group_slug, topic_id=item.topic_id, after=item.post_id - 1,
            _anchor=f"post-{item.post_id}",
        )  # fmt: skip
    return item.link if item.target_type != "post" else None


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
def mark_read(notification_id: int) -> Response:
    item = services.mark_read(current_user, notification_id)  # NotFound becomes a 404 page
    db.session.commit()
    target = _target(item) if request.form.get("open") else None
    if target:
        return redirect(target, 303)
    flash(_("Marked as read."), "success")
    return redirect(url_for("notifications.inbox"), 303)


@bp.route("/notifications/<int:notification_id>/open")
def open_notification(notification_id: int) -> Response:
    """Where a push leads (the service worker opens it): marked read, then its page; a notification that is
    gone, or someone else's, shows the centre."""
    try:
        item = services.mark_read(current_user, notification_id)
    except NotFound:
        return redirect(url_for("notifications.inbox"), 303)
    db.session.commit()
    return redirect(_target(item) or url_for("notifications.inbox"), 303)


@bp.route("/notifications/read-all", methods=["POST"])
def mark_all_read() -> Response:
    services.mark_all_read(current_user)
    db.session.commit()
    flash(_("All notifications are marked as read."), "success")
    return redirect(url_for("notifications.inbox"), 303)
