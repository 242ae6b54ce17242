"""Writing in the forum: new topics, replies, edits (with revisions) and quotes.

Every piece of text is checked here (empty, too long, not text), screened by the moderation pipeline, and
rendered once by ``core.sanitize``. Nothing is added to the session before all checks have passed, so a refusal
stores nothing; the adapter commits once. Held posts are stored and queued for moderators, and shown only to
their writer and the group's moderators.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload

from community.auth.models import User
from community.core.errors import DomainError, NotFound
from community.core.realtime import group_room, queue_event
from community.core.sanitize import render_markdown
from community.core.time import utcnow
from community.extensions import db
from community.forum import mentions, places, policy
from community.forum import notices as forum_notifications
from community.forum.models import Post, Topic
from community.forum.services import BODY_MAX, POSTS_PER_PAGE, TITLE_MAX
from community.groups.services import GroupAccess
from community.moderation import conflict
from community.moderation import services as moderation

TITLE_MIN = 3
# The fixed set a writer chooses from; stored as these words (the demo and older posts use them too).
CONTENT_WARNINGS = ("self-harm", "suicide", "medical detail", "loss", "abuse", "other")
QUOTE_MAX = 2_000  # a quote is a pointer to what was said, not a copy of a long post
HELD_SHOWN_MAX = 20
# C0 controls other than tab, newline and carriage return; DEL; U+FFFD (what invalid UTF-8 decodes to) and the
# two non-characters. Text with these came from a file or a broken encoding, not from someone typing.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd\ufffe\uffff]")
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~])")
DB_INT_MAX = 2**31 - 1


@dataclass(frozen=True)
class WriteResult:
    """What happened to a new post or an edit, for the adapter to tell the writer."""

    post: Post
    topic: Topic
    state: str  # "published" or "held" (a refusal is a DomainError)
    notices: tuple[str, ...] = field(default=())  # from the screening: helplines, warnings
    page_after: int = 0  # the topic page (``?after=``) on which the post is shown
    changed: bool = True  # False: an edit that changed nothing


# --- checking input ------------------------------------------------------------------------------------------


def _check_text(text: str, field_name: str) -> None:
    if _NOT_TEXT.search(text):
        raise DomainError(
            _("This contains characters that are not text (it may be a file). Please type or paste plain text."),
            field=field_name,
        )


def clean_title(title: str | None) -> str:
    title = " ".join((title or "").split())
    _check_text(title, "title")
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise DomainError(
            _("Give the topic a title of %(min)d to %(max)d characters.", min=TITLE_MIN, max=TITLE_MAX), field="title"
        )
    return title


def clean_body(body: str | None) -> str:
    text = (body or "").replace("\r\n", "\n").replace("\r", "\n")
    _check_text(text, "body")
    text = text.strip()
    if not text:
        raise DomainError(_("Write something before you send it."), field="body")
    if len(text) > BODY_MAX:
        raise DomainError(
            _(
                "A post can be at most %(max)s characters; this one has %(count)s. Please shorten it.",
                max=f"{BODY_MAX:,}",
                count=f"{len(text):,}",
            ),
            field="body",
        )
    return text


def clean_warning(content_warning: str | None) -> str:
    warning = (content_warning or "").strip()
    if warning and warning not in CONTENT_WARNINGS:
        raise DomainError(_("Choose a content warning from the list, or none."), field="content_warning")
    return warning


def check_can_post(actor: User, access: GroupAccess) -> None:
    if access.group.state != "active":
        raise DomainError(_("This group is archived: you can read it, but nobody can write in it any more."))
    if not policy.can_post(actor, access.group, access.membership):
        raise DomainError(_("You cannot write in this group at the moment."))


def _as_coach(actor: User, access: GroupAccess, requested: bool) -> bool:
    return bool(requested) and policy.can_post_as_coach(actor, access.group, access.membership)


def screen_text(
    actor: User,
    access: GroupAccess,
    text: str,
    kind: str,
    place: tuple[str, int] | None = None,
    confirm: bool | None = None,
) -> moderation.Screening:
    """Refusals become a DomainError. ``confirm``: None for callers that cannot ask the writer about personal
    details (no warning); False raises a ``PersonalDetailsWarning`` when the text seems to contain some."""
    screening = moderation.screen(
        actor, access.group, access.membership, text, kind=kind, place=place, personal_details_confirmed=confirm
    )
    if screening.verdict == moderation.REFUSE:
        raise DomainError(screening.reason, field="body")
    return screening


# --- new topics and replies ----------------------------------------------------------------------------------


def create_topic(
    actor: User,
    access: GroupAccess,
    *,
    title: str,
    body: str,
    content_warning: str = "",
    as_coach: bool = False,
    confirm_personal_details: bool | None = None,
) -> WriteResult:
    """Open a topic with its first post. Precondition: ``access`` is the actor's (from ``open_group``)."""
    check_can_post(actor, access)
    title, text, warning = clean_title(title), clean_body(body), clean_warning(content_warning)
    screening = screen_text(actor, access, f"{title}\n{text}", "topic", confirm=confirm_personal_details)
    now = utcnow()
    topic = Topic(
        group_id=access.group.id,
        author_id=actor.id,
        title=title,
        state=screening.state,
        created_at=now,
        last_activity_at=now,
    )
    db.session.add(topic)
    db.session.flush()
    post = _add_post(actor, access, topic, text, warning, _as_coach(actor, access, as_coach), screening)
    if screening.verdict == moderation.PUBLISH:
        forum_notifications.topic_published(topic, post)  # who asked for new topics here (a held one: on approval)
    return WriteResult(post, topic, screening.state, screening.notices, page_after=0)


def reply(
    actor: User,
    access: GroupAccess,
    topic_id: int,
    *,
    body: str,
    content_warning: str = "",
    as_coach: bool = False,
    confirm_personal_details: bool | None = None,
) -> WriteResult:
    """Answer a published topic of the actor's group. Others reading the topic hear of it after the commit."""
    topic = _published_topic(access, topic_id)
    check_can_post(actor, access)
    text, warning = clean_body(body), clean_warning(content_warning)
    places.check_topic_slow_mode(actor, access.membership, topic.id)
    screening = screen_text(actor, access, text, "reply", ("topic", topic.id), confirm_personal_details)
    post = _add_post(actor, access, topic, text, warning, _as_coach(actor, access, as_coach), screening)
    if screening.verdict == moderation.PUBLISH:
        topic.reply_count += 1
        topic.last_activity_at = post.created_at
        # Ids only: each reader fetches the post through the page, which checks what they may see.
        queue_event("forum:post", {"topic_id": topic.id, "post_id": post.id}, room=group_room(access.group.id))
        forum_notifications.post_published(post)  # the topic's author and earlier writers hear of the reply
        conflict.after_write(access.group, ("topic", topic.id))  # a heated thread alerts its moderators
    return WriteResult(post, topic, screening.state, screening.notices, page_after=page_start_for(post))


def _add_post(
    actor: User,
    access: GroupAccess,
    topic: Topic,
    text: str,
    warning: str,
    as_coach: bool,
    screening: moderation.Screening,
) -> Post:
    post = Post(
        topic_id=topic.id,
        group_id=access.group.id,
        author_id=actor.id,
        body_source=text,
        body_html=render_markdown(text),
        content_warning=warning,
        is_coach_post=as_coach,
        state=screening.state,
        state_reason=screening.reason,
        created_at=utcnow(),
    )
    db.session.add(post)
    db.session.flush()
    if screening.verdict == moderation.HOLD:
        moderation.enqueue_held(access.group, target_type="post", target_id=post.id, screening=screening, writer=actor)
    # Link "@Name" of group members and, when published, tell them (a held post: when a moderator approves).
    mentions.apply_mentions(access.group, post)
    return post


def _published_topic(access: GroupAccess, topic_id: int) -> Topic:
    topic = db.session.get(Topic, topic_id) if 0 < topic_id <= DB_INT_MAX else None
    if topic is None or topic.group_id != access.group.id or topic.state != "published":
        raise NotFound(_("We could not find that topic. It may have been removed."))
    return topic


def page_start_for(post: Post) -> int:
    """The ``after`` id of a topic page that ends with ``post`` (or the first page): the post and what came
    just before it, so a reader lands on it with some context. Bounded: at most one page of ids is read."""
    earlier = db.session.scalars(
        select(Post.id)
        .where(Post.topic_id == post.topic_id, Post.state == "published", Post.id < post.id)
        .order_by(Post.id.desc())
        .limit(POSTS_PER_PAGE)
    ).all()
    if len(earlier) < POSTS_PER_PAGE:
        return 0  # the first page reaches it
    return earlier[-1]  # the page shows the POSTS_PER_PAGE - 1 posts after this id, then ``post``


# --- quoting and what only some people see -------------------------------------------------------------------


def _escape_markdown(text: str) -> str:
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)


def quote_for(access: GroupAccess, topic: Topic, post_id: int) -> str:
    """Markdown that quotes a published post of this topic, with its writer's name; "" when there is none."""
    if not 0 < post_id <= DB_INT_MAX:
        return ""
    post = db.session.scalar(
        select(Post)
        .options(joinedload(Post.author))
        .where(Post.id == post_id, Post.topic_id == topic.id, Post.state == "published")
    )
    if post is None or topic.group_id != access.group.id:
        return ""
    source = post.body_source if len(post.body_source) <= QUOTE_MAX else post.body_source[:QUOTE_MAX].rstrip() + " …"
    name = post.author.display_name if post.author else _("former member")
    quoted = "\n".join(f"> {line}" if line.strip() else ">" for line in source.split("\n"))
    return f"{_('%(name)s wrote:', name=_escape_markdown(name))}\n{quoted}\n\n"


def held_posts_for(
    actor: User, access: GroupAccess, topic: Topic, *, after_id: int = 0, until_id: int | None = None
) -> list[Post]:
    """Posts of this topic waiting for a moderator that the actor may see (their own; all for moderators),
    between two ids of the page being shown. Bounded."""
    if access.membership is None or topic.group_id != access.group.id:
        return []
    query = (
        select(Post)
        .options(joinedload(Post.author))
        .where(Post.topic_id == topic.id, Post.state == "held", Post.id > after_id)
    )
    if until_id is not None:
        query = query.where(Post.id < until_id)
    if not policy.can_see_all_held(actor, access.group, access.membership):
        query = query.where(Post.author_id == actor.id)
    return list(db.session.scalars(query.order_by(Post.id).limit(HELD_SHOWN_MAX)))


def topic_has_held_posts(topic: Topic) -> bool:
    return db.session.scalar(select(exists().where(Post.topic_id == topic.id, Post.state == "held"))) or False


def held_topics_for(actor: User, access: GroupAccess, *, limit: int = 10) -> list[Topic]:
    """The actor's own new topics that wait for a moderator, newest first, for the group page."""
    return list(
        db.session.scalars(
            select(Topic)
            .where(Topic.group_id == access.group.id, Topic.state == "held", Topic.author_id == actor.id)
            .order_by(Topic.id.desc())
            .limit(limit)
        )
    )
