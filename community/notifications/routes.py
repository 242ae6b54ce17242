"""HTTP adapters: the member's notifications, marking them read, and the unread count in the navigation."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from community.core import page_preloads
from community.extensions import db
from community.notifications import bp, services

log = logging.getLogger(__name__)


@bp.app_context_processor
def notification_count() -> dict[str, Callable[[], int | None]]:
    """``unread_notifications()`` for the navigation: read with the session lookup on pages, else one indexed
    count, at most once per request (kept with the preloads: a change in this request forgets it)."""

    def unread_notifications() -> int | None:
        if not current_user.is_authenticated:
            return None
        preloaded = page_preloads.get(current_user, services.UNREAD_PRELOAD)
        if preloaded is not page_preloads.MISSING:
            return preloaded
        try:
            count = services.unread_count(current_user.id)
        except SQLAlchemyError as error:  # the navigation must never turn a page (or an error page) into a 500
            log.warning("unread count unavailable: %s", type(error).__name__)
            db.session.rollback()  # PostgreSQL refuses every later query of an aborted transaction
            count = None
        page_preloads.keep(current_user, services.UNREAD_PRELOAD, count)
        return count

    return {"unread_notifications": unread_notifications}


@bp.route("/notifications")
def inbox() -> str:
    before = request.args.get("before", type=int)
    items, has_more = services.list_notifications(current_user, before_id=before if before and before > 0 else None)
    return render_template("notifications/inbox.html", items=items, has_more=has_more, before=before)


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
