"""HTTP adapters: the member's notifications and marking them read."""

from __future__ import annotations

import logging

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.extensions import db
from community.notifications import bp, navigation, services

log = logging.getLogger(__name__)


@bp.route("/notifications")
def inbox() -> str:
    before = request.args.get("before", type=int)
    items, has_more = services.list_notifications(current_user, before_id=before if before and before > 0 else None)
    unread = navigation.unread_for(current_user)
    return render_template("notifications/inbox.html", items=items, has_more=has_more, before=before, unread=unread)


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
def mark_read(notification_id: int) -> Response:
    item = services.mark_read(current_user, notification_id)  # NotFound becomes a 404 page
    db.session.commit()
    if request.form.get("open") and item.available and item.target_type == "post":
        # "Open" marks it read and shows the post first on its page; the topic page checks access again.
        target = url_for(
            "forum.topic_page", slug=item.group_slug, topic_id=item.topic_id, after=item.post_id - 1,
            _anchor=f"post-{item.post_id}",
        )  # fmt: skip
        return redirect(target, 303)
    if request.form.get("open") and item.link:
        return redirect(item.link, 303)
    flash(_("Marked as read."), "success")
    return redirect(url_for("notifications.inbox"), 303)


@bp.route("/notifications/read-all", methods=["POST"])
def mark_all_read() -> Response:
    services.mark_all_read(current_user)
    db.session.commit()
    flash(_("All notifications are marked as read."), "success")
    return redirect(url_for("notifications.inbox"), 303)
