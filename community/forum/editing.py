"""Changing a post: the edit (kept as a revision for moderators, screened again, "edited" once answered) and
the revision history moderators read. New topics, replies and quotes are in ``forum.writing``."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from community.auth.models import User
from community.core import audit
from community.core.errors import Forbidden, NotFound
from community.core.sanitize import render_markdown
from community.core.time import utcnow
from community.extensions import db
from community.forum import mentions, policy
from community.forum.models import Post, PostRevision, Topic
from community.forum.writing import (
    DB_INT_MAX,
    WriteResult,
    check_can_post,
    clean_body,
    clean_title,
    clean_warning,
    page_start_for,
    screen_text,
)
from community.groups.services import GroupAccess
from community.moderation import services as moderation

REVISIONS_PER_PAGE = 20


@dataclass(frozen=True)
class EditView:
    post: Post
    topic: Topic
    is_opening_post: bool  # the first post of a topic: its title can be edited with it


def open_post_for_edit(actor: User, access: GroupAccess, post_id: int) -> EditView:
    """The post, if the actor may change it: 404 when it is not in the group (or gone), 403 when it is not
    theirs to change."""
    post = db.session.get(Post, post_id) if 0 < post_id <= DB_INT_MAX else None
    if post is None or post.group_id != access.group.id or post.state not in policy.EDITABLE_STATES:
        raise NotFound(_("We could not find that post. It may have been removed."))
    if post.state == "held" and not policy.can_see_held(actor, access.group, access.membership, post.author_id):
        raise NotFound(_("We could not find that post. It may have been removed."))
    topic = db.session.get(Topic, post.topic_id)
    if topic is None or not policy.can_read_topic(actor, access.group, access.membership, topic):
        raise NotFound(_("We could not find that post. It may have been removed."))
    check_can_post(actor, access)
    if not policy.can_edit_post(actor, access.group, access.membership, post):
        raise Forbidden(_("You can change only your own posts."))
    opening_id = db.session.scalar(select(Post.id).where(Post.topic_id == topic.id).order_by(Post.id).limit(1))
    return EditView(post, topic, is_opening_post=opening_id == post.id)


def edit_post(
    actor: User,
    access: GroupAccess,
    post_id: int,
    *,
    body: str,
    content_warning: str = "",
    title: str | None = None,
    confirm_personal_details: bool | None = None,
) -> WriteResult:
    """Change a post's text (and, for a topic's first post, its title). The previous text is kept as a
    ``PostRevision`` for moderators; the new text is screened (kind "edit") and rendered again.

    A post that was answered, or changed by someone else than its writer, is marked "edited". An edit never
    takes a post out of the moderators' hands: a held post stays held, and a published post whose new text is
    held waits for a moderator again. A moderator changing someone else's post is audited.
    """
    view = open_post_for_edit(actor, access, post_id)
    post, topic = view.post, view.topic
    text, warning = clean_body(body), clean_warning(content_warning)
    new_title = clean_title(title) if view.is_opening_post and title is not None else topic.title
    title_changed = new_title != topic.title
    if text == post.body_source and warning == post.content_warning and not title_changed:
        return WriteResult(post, topic, post.state, page_after=_page_of(post), changed=False)
    edited_text = f"{new_title}\n{text}" if title_changed else text
    screening = screen_text(actor, access, edited_text, "edit", ("topic", topic.id), confirm_personal_details)

    now = utcnow()
    db.session.add(PostRevision(post_id=post.id, editor_id=actor.id, body_source=post.body_source, created_at=now))
    post.body_source, post.body_html, post.content_warning = text, render_markdown(text), warning
    topic.title = new_title
    answered = db.session.scalar(
        select(Post.id).where(Post.topic_id == topic.id, Post.state == "published", Post.id > post.id).limit(1)
    )
    by_someone_else = post.author_id != actor.id
    if answered is not None or by_someone_else:
        post.edited_at = now
    if screening.verdict == moderation.HOLD and post.state == "published":
        post.state, post.state_reason = "held", screening.reason
        if not view.is_opening_post:
            topic.reply_count = max(topic.reply_count - 1, 0)
        db.session.flush()
        moderation.enqueue_held(
            access.group, target_type="post", target_id=post.id, screening=screening, writer=post.author
        )
    mentions.apply_mentions(access.group, post)  # people newly mentioned are told; nobody is told twice
    if by_someone_else:
        audit.record(
            "post.edited",
            actor_id=actor.id,
            target_type="post",
            target_id=post.id,
            group_id=access.group.id,
            details={"topic_id": topic.id, "author_id": post.author_id, "title_changed": title_changed},
        )
    db.session.flush()
    return WriteResult(post, topic, post.state, screening.notices, page_after=_page_of(post))


def _page_of(post: Post) -> int:
    return page_start_for(post) if post.state == "published" else 0


@dataclass(frozen=True)
class RevisionPage:
    post: Post
    revisions: list[PostRevision]
    editors: dict[int, User]  # who made each change, by id (a former member is missing)
    has_more: bool


def post_revisions(actor: User, access: GroupAccess, post_id: int, *, before_id: int = 0) -> RevisionPage:
    """Earlier versions of a post, newest first, for the group's moderators. Two queries, one page."""
    if not policy.can_see_revisions(actor, access.group, access.membership):
        raise NotFound(_("We could not find that page."))
    post = db.session.get(Post, post_id) if 0 < post_id <= DB_INT_MAX else None
    if post is None or post.group_id != access.group.id:
        raise NotFound(_("We could not find that post. It may have been removed."))
    query = select(PostRevision).where(PostRevision.post_id == post.id)
    if 0 < before_id <= DB_INT_MAX:
        query = query.where(PostRevision.id < before_id)
    rows = list(db.session.scalars(query.order_by(PostRevision.id.desc()).limit(REVISIONS_PER_PAGE + 1)))
    revisions = rows[:REVISIONS_PER_PAGE]
    editor_ids = {revision.editor_id for revision in revisions if revision.editor_id is not None}
    editors = (
        {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(editor_ids)))}
        if editor_ids
        else {}
    )
    return RevisionPage(post, revisions, editors, has_more=len(rows) > REVISIONS_PER_PAGE)


def revised_post_ids(post_ids: list[int]) -> set[int]:
    """Which of these posts have earlier versions: one query for a whole page (moderators' "history" links)."""
    if not post_ids:
        return set()
    return set(db.session.scalars(select(PostRevision.post_id).where(PostRevision.post_id.in_(post_ids)).distinct()))
