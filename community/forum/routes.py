"""HTTP adapters for reading the forum."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from community.forum import bp, services
from community.forum.write_routes import topic_page_context
from community.groups.services import open_group


@bp.route("/g/<slug>/t/<int:topic_id>")
def topic_page(slug: str, topic_id: int) -> str:
    access = open_group(current_user, slug)
    topic = services.open_topic(access, topic_id)
    posts, has_more = services.topic_posts(topic, after_id=request.args.get("after", 0, type=int) or 0)
    return render_template(
        "forum/topic.html",
        access=access,
        topic=topic,
        posts=posts,
        has_more=has_more,
        **topic_page_context(access, topic, posts, has_more),  # held posts, reply form, reading position
    )
