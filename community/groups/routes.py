"""HTTP adapters: the member's home (their groups) and a group's page."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from community.chat import services as chat
from community.forum import services as forum
from community.groups import bp, services


@bp.route("/")
def home() -> str:
    return render_template("groups/home.html", groups=services.memberships_of(current_user))


@bp.route("/g/<slug>")
def group_page(slug: str) -> str:
    access = services.open_group(current_user, slug)
    page = request.args.get("page", 1, type=int) or 1
    topics, has_more = forum.list_topics(access, page=page)
    return render_template(
        "groups/group.html",
        access=access,
        topics=topics,
        page=page,
        has_more=has_more,
        members=services.member_list(access.group, limit=50),
        recent_messages=chat.history(chat.find_group_room(access.group.id), limit=5),
    )
