"""HTTP adapter for supportive reactions on posts: reactions.js asks for JSON, a plain form post (no JavaScript)
gets the topic page again at the post.

The route opens the group (404 for a group the member is not in), calls one service and commits once.
"""

from __future__ import annotations

from flask import Response, jsonify, redirect, request, url_for
from flask_login import current_user

from community.core.errors import DomainError
from community.core.security import member_key
from community.extensions import db, limiter
from community.forum import bp, reactions
from community.groups.services import open_group

Page = str | Response | tuple[Response, int]


def _wants_json() -> bool:
    """reactions.js asks for JSON; a plain form post (no JavaScript) asks for a page."""
    return request.accept_mimetypes.best == "application/json"


def _id_field(name: str) -> int:
    value = request.form.get(name, 0, type=int) or 0
    return value if 0 < value < 2**31 else 0


@bp.route("/g/<slug>/posts/<int:post_id>/react", methods=["POST"])
@limiter.limit("120 per minute", key_func=member_key, methods=["POST"])
def react(slug: str, post_id: int) -> Page:
    """Form fields: ``kind`` (hug, me_too, thank_you, strength) and ``on`` (1 to add, 0 to take back)."""
    access = open_group(current_user, slug)
    try:
        result = reactions.set_reaction(
            current_user, access, post_id, request.form.get("kind", ""), on=reactions.parse_on(request.form.get("on"))
        )
    except DomainError as error:
        db.session.rollback()
        if _wants_json():
            return jsonify({"ok": False, "error": str(error.message)}), error.status_code
        raise
    db.session.commit()
    if _wants_json():
        return jsonify(
            {"ok": True, "post_id": result.post_id, "kind": result.kind, "on": result.on, "count": result.count}
        )
    after = _id_field("after")
    return redirect(
        url_for(
            "forum.topic_page", slug=slug, topic_id=result.topic_id, after=after or None, _anchor=f"post-{post_id}"
        ),
        303,
    )
