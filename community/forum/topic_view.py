"""The topic page's posts: a shared part rendered once and cached, and a small overlay per reader.

Rendering 20 posts (dates, reactions with their forms, links, translated phrases) is most of a topic page's
cost, and it is the same for every reader of the same kind. So :func:`shared_posts` renders a page of posts
once per (topic, topic version, page, language, reader kind) and keeps the result in ``forum.page_cache``; the
version comes from the topic row the page loads anyway, so a change made by any process shows at once.

The posts are kept the one way Kring keeps HTML, as ``core.fragments`` cuts (one per post), and what differs
per reader is put in their holes by :func:`compose`, without rendering anything again: the reader's CSRF token,
which reactions are the reader's own (``aria-pressed`` and the form's ``on`` field), "Edit" on the posts the
reader may edit and no "Report" on their own, posts by people the reader muted (collapsed behind a
``<details>``), and posts whose content warning the reader chose to keep collapsed. ``forum/_post.html`` and
the templates it includes name these holes.

Held posts, which only their writer and the moderators see, are never cached: they are cut per request from
the same template and go through the same :func:`compose`. The empty reply form is kept the same way
(:func:`reply_form`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from community.auth.models import User
from community.core import fragments
from community.forum import (
    editing,
    policy,
    reactions,
    services,
    warning_preferences,
    write_routes,
    writing,
)
from community.forum.forms import ReplyForm
from community.forum.models import Post, Topic
from community.forum.page_cache import page_cache
from community.groups.services import GroupAccess

# Template globals the post templates call, checked to read nothing per request.
POST_GLOBALS = ("content_warning_phrase",)
REPLY_FORM_GLOBALS = ("draft_key", "forum_hint", "document_hint")
KEPT_COLLAPSED = Markup(
    '<details class="content-warning content-warning--kept" data-keep-collapsed><summary>%s</summary>'
)
MUTED = Markup('<details class="post-muted" data-keep-collapsed><summary>%s</summary>')
DETAILS_END = Markup("</details>")
NOTHING, OFF, PRESSED = Markup(""), Markup("0"), Markup("true")


@dataclass(frozen=True)
class PostPiece:
    """One rendered post (a ``core.fragments`` cut) and what the policy and the overlay read about it."""

    id: int
    author_id: int | None
    group_id: int
    state: str
    content_warning: str
    author_name: str  # plain text: compose() escapes it once, with the sentence it goes into
    html: fragments.Cut


@dataclass(frozen=True)
class SharedPosts:
    pieces: tuple[PostPiece, ...]
    has_more: bool

    @property
    def ids(self) -> list[int]:
        return [piece.id for piece in self.pieces]


@dataclass(frozen=True)
class Overlay:
    """What one reader sees differently on the same shared posts."""

    token: str
    reader_id: int | None = None
    editable_ids: frozenset[int] = frozenset()
    mine: dict[int, frozenset[str]] | None = None  # post id -> the reader's reaction kinds
    muted_author_ids: frozenset[int] = frozenset()
    collapsed_warnings: frozenset[str] = frozenset()


def reader_kind(actor: User, access: GroupAccess, topic: Topic) -> tuple[bool, ...]:
    """The permissions that change the shared part (decided once per page, from values already loaded)."""
    group, membership = access.group, access.membership
    return (
        policy.can_reply(actor, group, membership, topic),
        policy.can_post(actor, group, membership),
        policy.can_pin(actor, group, membership, topic),
        policy.can_see_revisions(actor, group, membership),
        # forum/_post_moderation.html shows "Moderate" (moderation) instead of "Report" on the same condition
        bool(membership is not None and access.is_moderator and membership.state == "active"),
    )


def _piece(html: fragments.Cut, post: Post) -> PostPiece:
    author_name = str(post.author.display_name if post.author else _("former member"))
    return PostPiece(post.id, post.author_id, post.group_id, post.state, post.content_warning, author_name, html)


def render_pieces(
    access: GroupAccess,
    topic: Topic,
    posts: list[Post],
    *,
    after: int,
    kind: tuple[bool, ...],
    held: bool = False,
    held_cases: Mapping[int, Any] | None = None,
) -> list[PostPiece]:
    """Render posts with ``forum/_post.html`` for a reader of this kind (one template call for the list).
    ``held``: the reader's held posts, rendered apart (the topic's own controls never go on one of them), with
    ``held_cases``: the open safeguarding cases about the reader's own held posts, by post id (those show the
    helplines)."""
    if not posts:
        return []
    may_quote, may_react, may_pin, may_see_revisions, _moderates = kind
    published = [post.id for post in posts if post.state == "published"]
    html = fragments.cut(
        "forum/_posts_fragment.html",
        ("csrf",),
        allow=POST_GLOBALS,
        access=access,
        topic=topic,
        after=after,
        shown_posts=posts,
        may_quote=may_quote,
        revised_ids=editing.revised_post_ids([post.id for post in posts]) if may_see_revisions else set(),
        reactions=reactions.reaction_summary(published, None),  # counts and names; the reader's own: compose()
        may_react=may_react,
        may_pin=may_pin,
        opening_post_id=posts[0].id if after <= 0 and not held else None,
        reaction_after=after if 0 < after < 2**31 else 0,
        reaction_words=reactions.reaction_words(),
        held_cases=held_cases or {},
    )
    return [_piece(part, post) for part, post in zip(html.split("post"), posts, strict=False)]


def shared_posts(actor: User, access: GroupAccess, topic: Topic, *, after: int) -> SharedPosts:
    """A page of the topic's published posts, rendered for the actor's kind of reader: from the cache when the
    topic has not changed since, else read (one query with authors, one for images, one for reactions)."""
    kind = reader_kind(actor, access, topic)
    key = ("posts", topic.id, topic.created_at, topic.version, access.group.slug, after, str(get_locale()), kind)
    cache = page_cache()
    found = cache.get(key)
    if found is None:
        posts, has_more = services.topic_posts(topic, after_id=after)
        found = SharedPosts(tuple(render_pieces(access, topic, posts, after=after, kind=kind)), has_more)
        cache.put(key, found)
    return found


def held_posts_for(
    actor: User, access: GroupAccess, topic: Topic, *, after_id: int, until_id: int | None
) -> list[Post]:
    """The held posts this reader may see on the page (``writing.held_posts_for``). Whether the topic has any
    held post at all is kept per topic version (holding, approving or removing a post bumps it), so the
    usual topic, with none, costs no statement here."""
    key = ("has-held", topic.id, topic.created_at, topic.version)
    cache = page_cache()
    has_held = cache.get(key)
    if has_held is None:
        has_held = writing.topic_has_held_posts(topic)
        cache.put(key, has_held)
    if not has_held:
        return []
    return writing.held_posts_for(actor, access, topic, after_id=after_id, until_id=until_id)


def overlay_for(
    actor: User,
    access: GroupAccess,
    pieces: Iterable[PostPiece],
    token: str,
    *,
    muted: Iterable[int] = (),
    mine: dict[int, frozenset[str]] | None = None,
) -> Overlay:
    """The reader's own bits for these posts: one query for their reactions (unless ``mine`` brings them,
    read with the topic), the rest from loaded values."""
    pieces = list(pieces)
    group, membership = access.group, access.membership
    if mine is None:
        mine = reactions.own_reactions([p.id for p in pieces if p.state == "published"], actor.id)
    return Overlay(
        token=token,
        reader_id=actor.id,
        editable_ids=frozenset(policy.editable_post_ids(actor, group, membership, pieces)),
        mine=mine,
        muted_author_ids=frozenset(muted),
        collapsed_warnings=collapsed_warnings_of(actor),
    )


def collapsed_warnings_of(actor: User) -> frozenset[str]:
    """The content warnings the reader chose to keep collapsed (their preferences; empty when none)."""
    return warning_preferences.collapsed_warnings(actor)


def compose(pieces: Iterable[PostPiece], overlay: Overlay) -> Markup:
    """The posts as one reader sees them: each post's cut filled with the reader's values (escaped there)."""
    mine = overlay.mine or {}
    token = escape(overlay.token)  # escaped once: Markup values go into the holes as they are
    out: list[str] = []
    for piece in pieces:
        values: dict[object, Markup] = {"csrf": token}
        if piece.id not in overlay.editable_ids:
            values["edit"] = NOTHING
        if piece.author_id is not None and piece.author_id == overlay.reader_id:
            values["report"] = NOTHING
        for kind in mine.get(piece.id, ()):
            values["on", kind] = OFF  # the form now takes the reaction back
            values["pressed", kind] = PRESSED
        if piece.content_warning and piece.content_warning in overlay.collapsed_warnings:
            # The reader keeps this kind of warning collapsed: text, images and reactions all stay inside.
            summary = _(
                "Content warning: %(warning)s (you keep these collapsed). Show the post",
                warning=write_routes.content_warning_phrase(piece.content_warning),
            )
            values["warning"] = values["/warning"] = NOTHING
            values["kept"], values["/kept"] = KEPT_COLLAPSED % summary, DETAILS_END
        if piece.author_id is not None and piece.author_id in overlay.muted_author_ids:
            summary = _("A post by %(name)s, whom you muted. Show the post", name=piece.author_name)
            values["muted"], values["/muted"] = MUTED % summary, DETAILS_END
        out.append(piece.html.fill(values))
    return Markup("".join(out))  # noqa: S704 (each part filled by core.fragments: Jinja's output, escaped values)


def reply_form(access: GroupAccess, topic: Topic, quote: str, may_post_as_coach: bool, token: str) -> Markup:
    """The reply form. Empty, it is the same for every reader of a kind but its CSRF token: kept per topic,
    language and kind. With a quote it is cut for this request only."""

    def render() -> fragments.Cut:
        form = ReplyForm(formdata=None, data={"body": quote})
        return fragments.cut(
            "forum/_reply_form.html",
            ("csrf",),
            allow=REPLY_FORM_GLOBALS,
            access=access,
            topic=topic,
            reply_form=form,
            may_post_as_coach=may_post_as_coach,
        )

    if quote or not fragments.keeping():
        return render().fill({"csrf": token})
    key = ("reply-form", access.group.slug, topic.id, str(get_locale()), may_post_as_coach)
    cache = page_cache()
    kept = cache.get(key)
    if kept is None:
        kept = render()
        cache.put(key, kept)
    return kept.fill({"csrf": token})
