"""The topic page's posts: a shared part rendered once and cached, and a small overlay per reader.

Rendering 20 posts (dates, reactions with their forms, links, translated phrases) is most of a topic page's
cost, and it is the same for every reader of the same kind. So :func:`shared_posts` renders a page of posts
once per (topic, topic version, page, language, reader kind) and keeps the result in ``forum.page_cache``; the
version comes from the topic row the page loads anyway, so a change made by any process shows at once.

What differs per reader is added by :func:`compose`, without rendering anything again: the reader's CSRF token,
which reactions are the reader's own (``aria-pressed`` and the form's ``on`` field), "Edit" on the posts the
reader may edit, posts by people the reader muted (collapsed behind a ``<details>``), and posts whose content
warning the reader chose to keep collapsed. ``forum/_post.html`` marks these places with HTML comments
(``<!--k:...-->``); member text cannot contain them (the sanitizer drops comments and escapes ``<``).

Held posts, which only their writer and the moderators see, are never cached: they are rendered per request
with the same template and go through the same :func:`compose`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from community.auth.models import User
from community.forum import (
    editing,
    extra_routes,
    policy,
    reactions,
    services,
    warning_preferences,
    write_routes,
    writing,
)
from community.forum.models import Post, Topic
from community.forum.page_cache import page_cache
from community.groups.services import GroupAccess

POST_END, CSRF = "<!--k:post-->", "<!--k:csrf-->"
BODY, BODY_END, INNER, INNER_END = "<!--k:body-->", "<!--k:/body-->", "<!--k:inner-->", "<!--k:/inner-->"
FOOTER, EDIT, EDIT_END = "<!--k:footer-->", "<!--k:edit-->", "<!--k:/edit-->"
REPORT, REPORT_END = "<!--k:report-->", "<!--k:/report-->"


@dataclass(frozen=True)
class PostPiece:
    """One rendered post, cut where the overlay goes. The first fields are what the policy and overlay read."""

    id: int
    author_id: int | None
    group_id: int
    state: str
    content_warning: str
    author_name: str  # plain text: compose() escapes it once, with the sentence it goes into
    head: str  # <li> and the header
    warning_open: str  # the content warning's <details><summary> ("" without a warning)
    inner: str  # the text and images
    warning_close: str
    reactions: tuple[str, ...]  # the reactions, cut at each CSRF token
    footer: str  # the footer up to "Edit"
    edit: str  # the "Edit" link
    tail: str  # the rest of the footer (CSRF markers in it), up to the "Report" link
    report: str  # "Report" (not on one's own posts; moderators get "Moderate" in the tail instead)
    tail_end: str


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


def _cut(html: str, post: Post) -> PostPiece:
    head, _sep, rest = html.partition(BODY)
    body, _sep, rest = rest.partition(BODY_END)
    warning_open, _sep, body = body.partition(INNER)
    inner, _sep, warning_close = body.partition(INNER_END)
    reactions_html, _sep, rest = rest.partition(FOOTER)
    footer, _sep, rest = rest.partition(EDIT)
    edit, _sep, rest = rest.partition(EDIT_END)
    tail, _sep, rest = rest.partition(REPORT)
    report, _sep, tail_end = rest.partition(REPORT_END)
    return PostPiece(
        post.id,
        post.author_id,
        post.group_id,
        post.state,
        post.content_warning,
        str(post.author.display_name if post.author else _("former member")),
        head,
        warning_open,
        inner,
        warning_close,
        tuple(reactions_html.split(CSRF)),
        footer,
        edit,
        tail,
        report,
        tail_end,
    )


def render_pieces(
    access: GroupAccess, topic: Topic, posts: list[Post], *, after: int, kind: tuple[bool, ...], held: bool = False
) -> list[PostPiece]:
    """Render posts with ``forum/_post.html`` for a reader of this kind (one template call for the list).
    ``held``: the reader's held posts, rendered apart (the topic's own controls never go on one of them)."""
    if not posts:
        return []
    may_quote, may_react, may_pin, may_see_revisions, _moderates = kind
    published = [post.id for post in posts if post.state == "published"]
    html = render_template(
        "forum/_posts_fragment.html",
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
        reaction_words=extra_routes.reaction_words(),
    )
    parts = html.split(POST_END)
    return [_cut(part, post) for part, post in zip(parts, posts, strict=False)]


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


def _mark_mine(reactions_html: str, kinds: frozenset[str]) -> str:
    for kind in kinds:
        reactions_html = reactions_html.replace(
            f'name="kind" value="{kind}"><input type="hidden" name="on" value="1" data-reaction-on>',
            f'name="kind" value="{kind}"><input type="hidden" name="on" value="0" data-reaction-on>',
            1,
        ).replace(f'aria-pressed="false" data-kind="{kind}"', f'aria-pressed="true" data-kind="{kind}"', 1)
    return reactions_html


def compose(pieces: Iterable[PostPiece], overlay: Overlay) -> Markup:
    """The posts as one reader sees them. Adds nothing that is not already escaped or sanitised."""
    token = str(escape(overlay.token))
    mine = overlay.mine or {}
    out: list[str] = []
    for piece in pieces:
        reactions_html = token.join(piece.reactions)
        if piece.id in mine:
            reactions_html = _mark_mine(reactions_html, mine[piece.id])
        content = piece.warning_open + piece.inner + piece.warning_close
        if piece.content_warning and piece.content_warning in overlay.collapsed_warnings:
            # The reader keeps this kind of warning collapsed: text, images and reactions all stay inside.
            summary = _(
                "Content warning: %(warning)s (you keep these collapsed). Show the post",
                warning=write_routes.content_warning_phrase(piece.content_warning),
            )
            content = (
                f'<details class="content-warning content-warning--kept" data-keep-collapsed>'
                f"<summary>{escape(summary)}</summary>{piece.inner}{reactions_html}</details>"
            )
            reactions_html = ""
        if piece.author_id is not None and piece.author_id in overlay.muted_author_ids:
            summary = _("A post by %(name)s, whom you muted. Show the post", name=piece.author_name)
            content = (
                f'<details class="post-muted" data-keep-collapsed><summary>{escape(summary)}</summary>'
                f"{content}{reactions_html}</details>"
            )
            reactions_html = ""
        out.append(piece.head + content + reactions_html + piece.footer)
        if piece.id in overlay.editable_ids:
            out.append(piece.edit)
        out.append(piece.tail.replace(CSRF, token))
        if piece.author_id is None or piece.author_id != overlay.reader_id:
            out.append(piece.report)
        out.append(piece.tail_end)
    return Markup("".join(out))  # noqa: S704 (pieces rendered by Jinja with autoescape; the token is escaped)
