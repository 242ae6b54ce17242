"""HTTP adapters for reading the forum: the topic page and the posts forum.js adds to it live.

Both show posts through ``forum.topic_view``: the shared part from the cache (per topic version), then the
reader's own bits on top. See ``docs/performance.md`` ("Forum") for why.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from community.auth.models import User
from community.forum import bp, policy, reading_state, services, topic_view, writing
from community.forum.models import Topic
from community.forum.write_routes import _id_arg, _topic_url
from community.groups.services import GroupAccess, open_group
from community.moderation.safeguarding import member_bp as safeguarding_bp
from community.moderation.safeguarding.raising import Page, concern_page, raise_limit
from community.moderation.safety import muted_author_ids


def group_page_topics(access: GroupAccess, args: Mapping[str, str]) -> dict[str, Any]:
    """The topics section of a group's page (``groups.page_sections``): a page of topics, keyset-paginated."""
    listing = services.list_topics(access, older=args.get("older"), newer=args.get("newer"))
    return {"topics": listing.topics, "listing": listing}


@bp.route("/g/<slug>/t/<int:topic_id>")
def topic_page(slug: str, topic_id: int) -> str:
    reader = current_user._get_current_object()  # the member, not the proxy: the page asks about them often
    after = _id_arg(request.args, "after")
    opened = services.open_topic_for_reading(reader, slug, topic_id, after=after)
    access, topic = opened.access, opened.topic
    context = topic_page_context(
        reader,
        access,
        topic,
        after=after,
        quote_id=_id_arg(request.args, "quote"),
        position=opened.position,
        own_reactions=opened.own_reactions,
    )
    return render_template("forum/topic.html", access=access, topic=topic, **context)


@bp.route("/g/<slug>/t/<int:topic_id>/posts")
def posts_fragment(slug: str, topic_id: int) -> str:
    """Published posts after ``?after=<id>`` as list items, rendered here, for forum.js to add to the page."""
    access = open_group(current_user, slug)
    topic = services.open_topic(access, topic_id)
    shared = topic_view.shared_posts(current_user, access, topic, after=_id_arg(request.args, "after"))
    overlay = topic_view.overlay_for(
        current_user, access, shared.pieces, generate_csrf(), muted=muted_author_ids(current_user)
    )
    return topic_view.compose(shared.pieces, overlay)


def topic_page_context(
    actor: User,
    access: GroupAccess,
    topic: Topic,
    *,
    after: int,
    quote_id: int,
    position: reading_state.ReadingPosition | None = None,
    own_reactions: dict[int, frozenset[str]] | None = None,
) -> dict[str, Any]:
    """Everything ``forum/topic.html`` shows besides the topic: the posts (shared part cached, the reader's
    held posts and own bits added), the reply form (with a quote when ``?quote=<post id>``), the reading
    position and its "first unread" link."""
    shared = topic_view.shared_posts(actor, access, topic, after=after)
    ids = shared.ids
    pieces = list(shared.pieces)
    until_id = ids[-1] if shared.has_more else None
    held = topic_view.held_posts_for(actor, access, topic, after_id=after, until_id=until_id)
    if held:
        kind = topic_view.reader_kind(actor, access, topic)
        pieces += topic_view.render_pieces(access, topic, held, after=after, kind=kind, held=True)
        pieces.sort(key=lambda piece: piece.id)
    token = generate_csrf()
    overlay = topic_view.overlay_for(actor, access, pieces, token, muted=muted_author_ids(actor), mine=own_reactions)
    may_reply = policy.can_reply(actor, access.group, access.membership, topic)
    may_post_as_coach = policy.can_post_as_coach(actor, access.group, access.membership)
    quote = writing.quote_for(access, topic, quote_id) if may_reply and quote_id else ""
    position = position or reading_state.reading_position(actor, topic)
    first_unread_url = None
    if position.last_read_post_id is not None and position.first_unread_id is not None:
        first_unread_url = (
            f"#post-{position.first_unread_id}"
            if position.first_unread_id in ids
            else _topic_url(
                access.group.slug, topic.id, after=position.first_unread_id - 1, post_id=position.first_unread_id
            )
        )
    return {
        "posts_html": topic_view.compose(pieces, overlay),
        "last_post_id": ids[-1] if ids else 0,
        "has_more": shared.has_more,
        "after": after,
        "may_reply": may_reply,
        "reply_form_html": topic_view.reply_form(access, topic, quote, may_post_as_coach, token) if may_reply else "",
        "first_unread_url": first_unread_url,
        "last_read_post_id": position.last_read_post_id or 0,
    }


@safeguarding_bp.route("/g/<slug>/posts/<int:post_id>/worried", methods=["GET", "POST"])
@raise_limit
def raise_post(slug: str, post_id: int) -> Page:
    """ "I'm worried about this person" on a post (the endpoint is ``safeguarding.raise_post``)."""
    access = open_group(current_user, slug)
    post = services.published_post(post_id, group_id=access.group.id)
    about = services.concern_about_post(post.id)
    cancel = url_for("forum.topic_page", slug=slug, topic_id=post.topic_id, _anchor=f"post-{post.id}")
    action = url_for("safeguarding.raise_post", slug=slug, post_id=post.id)
    return concern_page(about, cancel, {"access": access, "subject": about.subject, "action": action})
