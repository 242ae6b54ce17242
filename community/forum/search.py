"""Search in the posts of the groups a person reads: one interface, two engines chosen by the database.

- SQLite: an FTS5 table ``posts_fts(body, title)`` holding the published posts (the title only on a topic's
  first post), kept in step by triggers on ``posts`` and ``topics``.
- PostgreSQL: full-text search with the ``simple`` configuration: a stored generated column
  ``posts.search_vector = to_tsvector('simple', body_source)`` with a partial GIN index (published posts), and a
  partial GIN expression index on ``to_tsvector('simple', topics.title)``. The column is not in the models
  (SQLite has no such type); only this module reads it.

Both are installed by :func:`install_search` (idempotent; it also indexes posts that already exist).
``create_all`` runs it through a metadata hook, so tests and fresh development databases have it. The migration
that adds search calls ``install_search(op.get_bind())`` at the end of ``upgrade()`` and
``uninstall_search(op.get_bind())`` at the start of ``downgrade()``; ``migrations/env.py`` and the schema
comparison in ``tests/test_migrations.py`` pass ``include_name=include_name``, so autogenerate does not propose
to drop these objects, which the models do not declare.

Member input never reaches either engine's query syntax: it is cut into words (letters, digits and combining
marks), and each word is quoted, so quotes, ``*``, ``NEAR``, ``-``, ``:`` or brackets are just text. Results are
only published posts of published topics in groups the person may read, whatever group ids a caller passes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import bindparam, event, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import joinedload, lazyload

from community.auth.models import User
from community.core.errors import DomainError
from community.extensions import db
from community.forum.models import Post, Topic
from community.forum.services import TITLE_MAX
from community.groups import services as groups
from community.groups.models import Group

QUERY_MAX = 200
TERMS_MAX = 10
PREFIX_MIN = 3  # shorter words match whole words only: "a*" would match half the database
RESULTS_PER_PAGE = 20
PAGES_MAX = 50  # ranked results are paged by offset; nobody reads 1,000 results, and deep offsets cost
SNIPPET_CHARS = 240

# --- the schema objects, exactly as a migration must create them ----------------------------------------------

# A topic's title is indexed with its first post (the lowest id in the topic), so a title finds that post.
# A topic's title is indexed with its first post (the lowest id in the topic), so a title finds that post.
SQLITE_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS posts_fts USING fts5(body, title, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS posts_fts_insert AFTER INSERT ON posts WHEN new.state = 'published' BEGIN "
    "INSERT INTO posts_fts(rowid, body, title) VALUES (new.id, new.body_source, "
    "coalesce((SELECT t.title FROM topics t WHERE t.id = new.topic_id AND NOT EXISTS "
    "(SELECT 1 FROM posts o WHERE o.topic_id = new.topic_id AND o.id < new.id)), '')); END",
    "CREATE TRIGGER IF NOT EXISTS posts_fts_update AFTER UPDATE OF body_source, state, topic_id ON posts BEGIN "
    "DELETE FROM posts_fts WHERE rowid = old.id; "
    "INSERT INTO posts_fts(rowid, body, title) SELECT new.id, new.body_source, "
    "coalesce((SELECT t.title FROM topics t WHERE t.id = new.topic_id AND NOT EXISTS "
    "(SELECT 1 FROM posts o WHERE o.topic_id = new.topic_id AND o.id < new.id)), '') "
    "WHERE new.state = 'published'; END",
    "CREATE TRIGGER IF NOT EXISTS posts_fts_delete AFTER DELETE ON posts BEGIN "
    "DELETE FROM posts_fts WHERE rowid = old.id; END",
    "CREATE TRIGGER IF NOT EXISTS topics_fts_title AFTER UPDATE OF title ON topics BEGIN "
    "UPDATE posts_fts SET title = new.title WHERE rowid = (SELECT min(id) FROM posts WHERE topic_id = new.id); END",
    # Posts written before search was installed (a migration on an existing database).
    "INSERT INTO posts_fts(rowid, body, title) SELECT p.id, p.body_source, "
    "CASE WHEN p.id = (SELECT min(o.id) FROM posts o WHERE o.topic_id = p.topic_id) THEN t.title ELSE '' END "
    "FROM posts p JOIN topics t ON t.id = p.topic_id "
    "WHERE p.state = 'published' AND p.id NOT IN (SELECT rowid FROM posts_fts)",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS topics_fts_title",
    "DROP TRIGGER IF EXISTS posts_fts_delete",
    "DROP TRIGGER IF EXISTS posts_fts_update",
    "DROP TRIGGER IF EXISTS posts_fts_insert",
    "DROP TABLE IF EXISTS posts_fts",
)
POSTGRESQL_DDL = (
    # Stored, so ranking a common word's thousands of matches does not re-parse every post's text.
    "ALTER TABLE posts ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', body_source)) STORED",
    "CREATE INDEX IF NOT EXISTS ix_posts_search ON posts USING gin (search_vector) WHERE state = 'published'",
    # Titles are short: an expression index is enough.
    "CREATE INDEX IF NOT EXISTS ix_topics_search ON topics USING gin (to_tsvector('simple', title)) "
    "WHERE state = 'published'",
)
POSTGRESQL_DROP = (
    "DROP INDEX IF EXISTS ix_topics_search",
    "DROP INDEX IF EXISTS ix_posts_search",
    "ALTER TABLE IF EXISTS posts DROP COLUMN IF EXISTS search_vector",
)
SEARCH_OBJECTS = ("posts_fts", "ix_posts_search", "ix_topics_search", "search_vector")


def install_search(connection: Connection) -> None:
    """Create the search table, triggers or indexes for this database (idempotent; indexes existing posts).
    Precondition: the ``posts`` and ``topics`` tables exist."""
    statements = {"sqlite": SQLITE_DDL, "postgresql": POSTGRESQL_DDL}.get(connection.dialect.name, ())
    for statement in statements:
        connection.exec_driver_sql(statement)


def uninstall_search(connection: Connection) -> None:
    """The reverse of :func:`install_search`, for a migration's downgrade (before the tables are dropped)."""
    statements = {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}.get(connection.dialect.name, ())
    for statement in statements:
        connection.exec_driver_sql(statement)


def include_name(name: str | None, type_: str, parent_names: dict[str, Any]) -> bool:
    """For Alembic's ``include_name``: leave the search objects (and FTS5's own ``posts_fts_*`` tables) alone."""
    if name is None:
        return True
    if type_ == "column":
        return not (name == "search_vector" and parent_names.get("table_name") == "posts")
    return not (name in SEARCH_OBJECTS or (type_ == "table" and name.startswith("posts_fts_")))


@event.listens_for(db.metadata, "after_create")
def _install_after_create_all(target: Any, connection: Connection, **kw: Any) -> None:
    install_search(connection)


@event.listens_for(db.metadata, "before_drop")
def _uninstall_before_drop_all(target: Any, connection: Connection, **kw: Any) -> None:
    uninstall_search(connection)


# --- the interface ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchResult:
    post_id: int
    topic_id: int
    topic_title: Markup  # escaped, with the matched words in <mark>
    group_slug: str
    group_name: str
    author_name: str | None  # None: a former member
    created_at: datetime
    snippet: Markup  # built here from escaped text; the matched words in <mark>

    @property
    def after(self) -> int | None:
        """The topic page (``?after=``) that starts with this post."""
        return self.post_id - 1 or None


@dataclass(frozen=True)
class SearchPage:
    query: str
    terms: tuple[str, ...]
    results: list[SearchResult]
    page: int
    has_more: bool


@dataclass(frozen=True)
class SearchView:
    """What the search page shows: the groups to choose from, the chosen one, and results once asked."""

    groups: list[Group]
    group: Group | None
    results: SearchPage | None = None


def query_terms(query: str | None) -> tuple[str, ...]:
    """The words to look for, lower-cased; DomainError when there is nothing to look for or too much."""
    query = (query or "").strip()
    if not query:
        raise DomainError(_("Type one or more words to search for."), field="q")
    if len(query) > QUERY_MAX:
        raise DomainError(
            _("A search can be at most %(max)d characters. Please use fewer words.", max=QUERY_MAX), field="q"
        )
    terms: list[str] = []
    for word in _words(query.casefold()):
        if word not in terms:
            terms.append(word)
    if not terms:
        raise DomainError(_("Search for words or numbers: punctuation alone finds nothing."), field="q")
    return tuple(terms[:TERMS_MAX])


def _words(value: str) -> list[str]:
    """Runs of letters, digits and combining marks (the accents of Arabic, Hindi, ...); everything else,
    including every character with a meaning in FTS5 or tsquery syntax, separates words."""
    words, current = [], []
    for char in value:
        if char.isalnum() or unicodedata.category(char).startswith("M"):
            current.append(char)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


def search(user: User, query: str | None, *, group_slug: str | None = None, page: int = 1) -> SearchView:
    """The search page: the actor's groups, and results for ``query`` when one was given (None: just the
    form). A ``group_slug`` the actor does not read is NotFound, as everywhere."""
    choices = search_choices(user)
    chosen = groups.open_group(user, group_slug).group if group_slug else None
    if query is None:
        return SearchView(choices, chosen)
    group_ids = [chosen.id] if chosen else [group.id for group in choices]
    return SearchView(choices, chosen, search_posts(user, query, group_ids, page))


def search_choices(user: User) -> list[Group]:
    """The groups the actor may search in, by name."""
    return [access.group for access in groups.memberships_of(user)]


def search_posts(user: User, query: str | None, group_ids: Sequence[int], page: int = 1) -> SearchPage:
    """Published posts matching every word of ``query`` (in the text, or in the title for a topic's first
    post), best first, one page of ``RESULTS_PER_PAGE``. Only groups in ``group_ids`` that the actor may read
    are searched: the ids are checked against the actor's memberships here, whoever calls."""
    terms = query_terms(query)
    page = min(max(page, 1), PAGES_MAX)
    readable = {access.group.id for access in groups.memberships_of(user)}
    ids = sorted(readable.intersection(group_ids))
    if not ids:
        return SearchPage(query or "", terms, [], page, False)
    engine = _ENGINES.get(db.session.get_bind().dialect.name, _sqlite_hits)
    hits = engine(terms, ids, offset=(page - 1) * RESULTS_PER_PAGE, limit=RESULTS_PER_PAGE + 1)
    has_more = len(hits) > RESULTS_PER_PAGE and page < PAGES_MAX
    return SearchPage(query or "", terms, _results(hits[:RESULTS_PER_PAGE], terms), page, has_more)


# --- the two engines: each returns post ids, best first -------------------------------------------------------


def _sqlite_hits(terms: Sequence[str], group_ids: list[int], *, offset: int, limit: int) -> list[int]:
    words = " ".join(f'"{term}"*' if len(term) >= PREFIX_MIN else f'"{term}"' for term in terms)
    # Every word in the text, or every word in the title: the same meaning as the PostgreSQL engine.
    match = f"(body : ({words})) OR (title : ({words}))"
    statement = text(
        "SELECT p.id FROM posts_fts "
        "JOIN posts p ON p.id = posts_fts.rowid JOIN topics t ON t.id = p.topic_id "
        "WHERE posts_fts MATCH :match AND p.group_id IN :group_ids "
        "AND p.state = 'published' AND t.state = 'published' "
        "ORDER BY bm25(posts_fts, 1.0, 2.0), p.id DESC LIMIT :limit OFFSET :offset"  # 2.0: a title weighs double
    ).bindparams(bindparam("group_ids", expanding=True))
    params = {"match": match, "group_ids": group_ids, "limit": limit, "offset": offset}
    return list(db.session.scalars(statement, params))


def _postgresql_hits(terms: Sequence[str], group_ids: list[int], *, offset: int, limit: int) -> list[int]:
    # Each word quoted as a tsquery operand (words hold no quote or operator characters; quoting is a second
    # guard), prefix-matched when long enough, all required.
    tsquery = " & ".join(f"'{term}':*" if len(term) >= PREFIX_MIN else f"'{term}'" for term in terms)
    # Two index scans (text; title of a published topic's first post), added up per post, then ranked.
    statement = text(
        "SELECT h.post_id FROM ("
        " SELECT p.id AS post_id, ts_rank(p.search_vector, to_tsquery('simple', :tsquery)) AS score"
        " FROM posts p WHERE p.search_vector @@ to_tsquery('simple', :tsquery)"
        " AND p.state = 'published' AND p.group_id IN :group_ids"
        " UNION ALL"
        " SELECT (SELECT min(o.id) FROM posts o WHERE o.topic_id = t.id) AS post_id,"
        " 2.0 * ts_rank(to_tsvector('simple', t.title), to_tsquery('simple', :tsquery)) AS score"
        " FROM topics t WHERE to_tsvector('simple', t.title) @@ to_tsquery('simple', :tsquery)"
        " AND t.state = 'published' AND t.group_id IN :group_ids"
        ") h JOIN posts p ON p.id = h.post_id JOIN topics t ON t.id = p.topic_id"
        " WHERE p.state = 'published' AND t.state = 'published'"
        " GROUP BY h.post_id ORDER BY sum(h.score) DESC, h.post_id DESC LIMIT :limit OFFSET :offset"
    ).bindparams(bindparam("group_ids", expanding=True))
    params = {"tsquery": tsquery, "group_ids": group_ids, "limit": limit, "offset": offset}
    return list(db.session.scalars(statement, params))


_ENGINES = {"sqlite": _sqlite_hits, "postgresql": _postgresql_hits}


def _results(post_ids: list[int], terms: Sequence[str]) -> list[SearchResult]:
    """One query for the page's posts with their topic, group and writer, in the engine's order."""
    if not post_ids:
        return []
    posts = db.session.scalars(
        select(Post)
        .options(joinedload(Post.topic).joinedload(Topic.group), joinedload(Post.author), lazyload(Post.attachments))
        .where(Post.id.in_(post_ids))
    ).all()
    by_id = {post.id: post for post in posts}
    highlight = _highlighter(terms)
    return [
        SearchResult(
            post_id=post.id,
            topic_id=post.topic_id,
            topic_title=snippet(post.topic.title, highlight, width=TITLE_MAX, markdown=False),
            group_slug=post.topic.group.slug,
            group_name=post.topic.group.name,
            author_name=post.author.display_name if post.author else None,
            created_at=post.created_at,
            snippet=snippet(post.body_source, highlight),
        )
        for post in (by_id.get(post_id) for post_id in post_ids)
        if post is not None
    ]


# --- snippets ------------------------------------------------------------------------------------------------

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
# Markdown's quote and heading markers at the start of a line, and emphasis or code marks anywhere.
_MARKUP = re.compile(r"(?m)^[ \t]*(?:>[ \t]?)+|^[ \t]*#{1,6}[ \t]+|[*_`~]+")


def _highlighter(terms: Sequence[str]) -> re.Pattern[str]:
    parts = [re.escape(term) + (r"\w*" if len(term) >= PREFIX_MIN else r"(?!\w)") for term in terms]
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + ")", re.IGNORECASE)


def snippet(source: str, highlight: re.Pattern[str], width: int = SNIPPET_CHARS, *, markdown: bool = True) -> Markup:
    """A short piece of the post's text around the first match, as safe HTML: the member's text is escaped
    piece by piece and only our own ``<mark>`` tags are added. Built from the Markdown source, never from the
    stored HTML."""
    plain = " ".join((_MARKUP.sub(" ", _LINK.sub(r"\1", source)) if markdown else source).split())
    first = highlight.search(plain)
    start = 0
    if first and first.start() > width // 3:
        start = plain.rfind(" ", 0, first.start() - width // 3) + 1
    end = min(len(plain), start + width)
    if end < len(plain):
        end = plain.rfind(" ", start, end) if plain.rfind(" ", start, end) > start else end
    window = plain[start:end]
    pieces: list[str] = ["… " if start else ""]
    position = 0
    for match in highlight.finditer(window):
        pieces += [str(escape(window[position : match.start()])), "<mark>", str(escape(match.group())), "</mark>"]
        position = match.end()
    pieces += [str(escape(window[position:])), " …" if end < len(plain) else ""]
    return Markup("".join(pieces))  # noqa: S704  (every piece of member text above went through escape())
