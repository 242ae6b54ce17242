"""HTTP adapters: the member's home (their groups) and a group's page."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from community.chat import reading as chat_reading
from community.chat import services as chat
from community.forum import services as forum
from community.groups import bp, services


@bp.route("/")
def home() -> str:
    return render_template("groups/home.html", groups=services.memberships_of(current_user))


@bp.route("/g/<slug>")
def group_page(slug: str) -> str:
    access = services.open_group(current_user, slug)
    listing = forum.list_topics(access, older=request.args.get("older"), newer=request.args.get("newer"))
    return render_template(
        "groups/group.html",
        access=access,
        topics=listing.topics,
        listing=listing,
        members=services.member_list(access.group, limit=50),
        recent_messages=chat_reading.history(chat.find_group_room(access.group.id), limit=5),
    )
