"""Bulk data for ``bench/forum.py``: members, groups, memberships, topics, posts, reactions, a chat room.

Rows go in with PostgreSQL's COPY through psycopg (never the ORM one row at a time), so a million posts take
a few minutes on two cores. Post text comes from a pool of Markdown bodies rendered once by
``community.core.sanitize``, exactly as the app stores it. Columns this file does not name get their model's
default (or NULL), so columns that other features add to the models do not break the seed.

Layout (deterministic, ``random.Random(SEED)``):

* member 1 is ``bench`` (the member the benchmark signs in as); every other member is in two groups;
* group 1 is ``bench-group``: 30 topics active in the last two days (so its first page is full in both
  phases), one pinned, the newest being the benchmark topic with an opening post and 20 replies; the bench
  member has read half of them; the group's chat room has 30 messages;
* the other posts are spread over all groups in topics of 1 to 40 posts, active some time in the last year;
* one post in five has a reaction, every post of the benchmark topic has one to five.

Standalone (the database must exist and have the schema; ``bench/forum.py`` does all of it)::

    .venv/bin/python bench/seed.py postgresql+psycopg://postgres@127.0.0.1:5432/kring_bench --posts 10000
    .venv/bin/python bench/seed.py postgresql+psycopg://postgres@127.0.0.1:5432/kring_bench --grow-to 1000000
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import psycopg
import sqlalchemy as sa
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from community import models  # noqa: F401  (every table registered on the metadata)
from community.core.sanitize import render_markdown
from community.extensions import db

SEED = 20261125
BENCH_USERNAME = "bench"
BENCH_PASSWORD = "bench-password-for-a-throwaway-database"  # noqa: S105 (a throw-away benchmark database)
BENCH_GROUP_SLUG = "bench-group"
BENCH_GROUP_TOPICS = 30
BENCH_TOPIC_POSTS = 21  # the opening post and 20 replies
GROUPS_PER_MEMBER = 2
WARNINGS = ("self-harm", "medical detail", "loss")
REACTIONS = ("hug", "me_too", "thank_you", "strength")
NOW = datetime(2026, 11, 25, 12, 0, 0)

_WORD_LIST = (
    "today tired hospital night nurse appointment school friends worried hope tried again better slowly "
    "sleep medicine doctor waiting list talked finally helped small steps proud scared family weekend "
    "breathing tube feeding schedule therapy group thank you for sharing me too strength hug morning "
    "evening week month year brother sister mother father child teacher friend walk music drawing"
)
WORDS = _WORD_LIST.split()


def conninfo(url: str) -> str:
    """A SQLAlchemy URL (postgresql+psycopg://...) as a libpq connection string for psycopg."""
    return sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


# --- text ----------------------------------------------------------------------------------------------------


def _body(rng: random.Random) -> str:
    sentences = []
    for _ in range(rng.randint(1, 9)):
        words = rng.choices(WORDS, k=rng.randint(5, 16))
        sentences.append(" ".join(words).capitalize() + rng.choice(".!?"))
    text = " ".join(sentences)
    shape = rng.random()
    if shape < 0.15:
        text = f"> {rng.choice(WORDS)} {rng.choice(WORDS)}\n\n{text}"
    elif shape < 0.3:
        text += "\n\n" + "\n".join(f"- **{rng.choice(WORDS)}** {rng.choice(WORDS)}" for _ in range(3))
    elif shape < 0.4:
        text += "\n\nMore here: [a leaflet](https://example.org/leaflet)"
    return text


def text_pool(size: int = 64) -> list[tuple[str, str]]:
    """(Markdown source, sanitized HTML) pairs, rendered once."""
    rng = random.Random(SEED)
    return [(source, render_markdown(source)) for source in (_body(rng) for _ in range(size))]


# --- COPY with model defaults --------------------------------------------------------------------------------


def _default_for(column: sa.Column) -> tuple[bool, object]:
    """(give a value?, value) for a column the seed does not name."""
    if column.computed is not None or column.server_default is not None:
        return False, None
    if column.default is not None:
        arg = column.default.arg
        return True, arg(None) if callable(arg) else arg
    if column.nullable:
        return False, None
    raise RuntimeError(f"bench/seed.py does not know how to fill {column.table.name}.{column.name}: add it")


def copy_rows(cursor: psycopg.Cursor, table_name: str, names: list[str], rows: Iterable[tuple]) -> int:
    """COPY ``rows`` (values for ``names``) into a table, filling its other columns with their defaults."""
    table = db.metadata.tables[table_name]
    extra = [(column.name, value) for column in table.columns if column.name not in names
             for give, value in [_default_for(column)] if give]  # fmt: skip
    columns = names + [name for name, _ in extra]
    constants = tuple(value for _, value in extra)
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table_name), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    count = 0
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row + constants)
            count += 1
    return count


def reset_sequences(cursor: psycopg.Cursor, tables: Iterable[str]) -> None:
    """After COPY with explicit ids, let the app's own inserts continue after the highest id."""
    for name in tables:
        cursor.execute(
            sql.SQL("SELECT setval(pg_get_serial_sequence({}, 'id'), COALESCE((SELECT max(id) FROM {}), 1))").format(
                sql.Literal(name), sql.Identifier(name)
            )
        )


# --- the world -----------------------------------------------------------------------------------------------


@dataclass
class Ids:
    topic: int = 0
    post: int = 0
    reaction: int = 0

    def next_topic(self) -> int:
        self.topic += 1
        return self.topic

    def next_post(self) -> int:
        self.post += 1
        return self.post


@dataclass
class TopicPlan:
    group_id: int
    posts: int
    last_activity: datetime
    pinned: bool = False


class Writer:
    """Turns topic plans into topic, post and reaction rows, with consistent ids, counts and times."""

    def __init__(self, members_of: dict[int, list[int]], moderator_of: dict[int, int], ids: Ids) -> None:
        self.members_of, self.moderator_of, self.ids = members_of, moderator_of, ids
        self.rng = random.Random(SEED + ids.post)
        self.pool = text_pool()

    def topic(self, plan: TopicPlan, reaction_share: float) -> tuple[tuple, list[tuple], list[tuple]]:
        """(topic row, post rows, reaction rows) for one topic; posts 37 minutes apart, ending at its activity."""
        rng, members = self.rng, self.members_of[plan.group_id]
        topic_id = self.ids.next_topic()
        first = plan.last_activity - timedelta(minutes=37 * (plan.posts - 1))
        posts, reactions = [], []
        for number in range(plan.posts):
            post_id = self.ids.next_post()
            author = members[0] if plan.pinned and number == 0 else rng.choice(members)
            source, html = self.pool[rng.randrange(len(self.pool))]
            warning = rng.choice(WARNINGS) if rng.random() < 0.05 else ""
            coach = author == self.moderator_of[plan.group_id]
            created = first + timedelta(minutes=37 * number)
            posts.append((post_id, topic_id, plan.group_id, author, source, html, warning, coach, "published", "",
                          created))  # fmt: skip
            reacting = rng.randint(1, 5) if reaction_share >= 1 else int(rng.random() < reaction_share)
            for user_id in rng.sample(members, min(reacting, len(members))):
                self.ids.reaction += 1
                reactions.append((self.ids.reaction, user_id, rng.choice(REACTIONS), post_id, created))
        title = " ".join(rng.choices(WORDS, k=rng.randint(3, 8))).capitalize()
        topic = (topic_id, plan.group_id, posts[0][3], title, "published", plan.pinned, plan.posts - 1, first,
                 plan.last_activity)  # fmt: skip
        return topic, posts, reactions


POST_COLUMNS = [
    "id", "topic_id", "group_id", "author_id", "body_source", "body_html", "content_warning", "is_coach_post",
    "state", "state_reason", "created_at",
]  # fmt: skip
TOPIC_COLUMNS = [
    "id", "group_id", "author_id", "title", "state", "pinned", "reply_count", "created_at", "last_activity_at"
]  # fmt: skip
REACTION_COLUMNS = ["id", "user_id", "kind", "post_id", "created_at"]
BATCH_POSTS = 50_000


def write_topics(
    cursor: psycopg.Cursor, writer: Writer, plans: Iterable[TopicPlan], *, reaction_share: float = 0.2
) -> int:
    """COPY the topics of ``plans`` with their posts and reactions, in batches of about 50,000 posts."""
    topics: list[tuple] = []
    posts: list[tuple] = []
    reactions: list[tuple] = []
    total = 0

    def flush() -> None:
        copy_rows(cursor, "topics", TOPIC_COLUMNS, topics)
        copy_rows(cursor, "posts", POST_COLUMNS, posts)
        copy_rows(cursor, "reactions", REACTION_COLUMNS, reactions)
        topics.clear(), posts.clear(), reactions.clear()

    for plan in plans:
        topic, topic_posts, topic_reactions = writer.topic(plan, reaction_share)
        topics.append(topic)
        posts.extend(topic_posts)
        reactions.extend(topic_reactions)
        total += len(topic_posts)
        if len(posts) >= BATCH_POSTS:
            flush()
    flush()
    return total


# --- phases --------------------------------------------------------------------------------------------------


def _password_hash() -> str:
    """The bench member's password, hashed with the production argon2 settings (every member shares it)."""
    from argon2 import PasswordHasher

    from config import Config

    hasher = PasswordHasher(
        time_cost=Config.ARGON2_TIME_COST, memory_cost=Config.ARGON2_MEMORY_COST, parallelism=Config.ARGON2_PARALLELISM
    )
    return hasher.hash(BENCH_PASSWORD)


def _filler_plans(rng: random.Random, groups: int, posts: int) -> Iterator[TopicPlan]:
    """Topics of 1 to 40 posts in random groups, last active 2 to 365 days ago, ``posts`` posts in all."""
    while posts > 0:
        size = min(rng.randint(1, 40), posts)
        posts -= size
        age = timedelta(days=2, seconds=rng.randrange(363 * 24 * 3600))
        yield TopicPlan(rng.randrange(groups) + 1, size, NOW - age)


def seed_base(url: str, *, groups: int = 100, members: int = 5000, posts: int = 10_000) -> dict[str, int]:
    """A fresh community of ``groups`` groups, ``members`` members and ``posts`` posts (see the module doc).

    Precondition: the database has the schema and no rows. Returns the ids the benchmark needs.
    """
    rng = random.Random(SEED)
    password_hash = _password_hash()
    members_of: dict[int, list[int]] = {group: [] for group in range(1, groups + 1)}
    memberships = []
    for user_id in range(2, members + 1):
        first = (user_id - 2) % groups + 1
        second = rng.choice([group for group in range(1, groups + 1) if group != first])
        for group in (first, second)[:GROUPS_PER_MEMBER]:
            members_of[group].append(user_id)
    members_of[1].append(1)  # the bench member, an ordinary member of the bench group
    moderator_of = {group: people[0] for group, people in members_of.items()}
    for group, people in members_of.items():
        for user_id in people:
            role = "moderator" if moderator_of[group] == user_id else "member"
            memberships.append((len(memberships) + 1, user_id, group, role, "active", NOW - timedelta(days=400)))

    def user_row(user_id: int) -> tuple:
        name = BENCH_USERNAME if user_id == 1 else f"member{user_id}"
        display = "Bench reader" if user_id == 1 else f"{rng.choice(WORDS).capitalize()} {user_id}"
        return (user_id, name, name, display, password_hash, False, "active", NOW - timedelta(days=400))

    with psycopg.connect(conninfo(url)) as connection, connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        copy_rows(cursor, "users", ["id", "username", "username_key", "display_name", "password_hash", "is_admin",
                                    "state", "created_at"], (user_row(u) for u in range(1, members + 1)))  # fmt: skip
        group_rows = [
            (group, "Bench group" if group == 1 else f"Group {group}", BENCH_GROUP_SLUG if group == 1
             else f"group-{group}", "A group for the benchmark.", "parents", "active", NOW - timedelta(days=400))
            for group in range(1, groups + 1)
        ]  # fmt: skip
        copy_rows(cursor, "groups", ["id", "name", "slug", "description", "kind", "state", "created_at"], group_rows)
        copy_rows(cursor, "memberships", ["id", "user_id", "group_id", "role", "state", "joined_at"], memberships)

        ids = Ids()
        writer = Writer(members_of, moderator_of, ids)
        bench_plans = [
            TopicPlan(1, rng.randint(1, 40), NOW - timedelta(minutes=90 * (BENCH_GROUP_TOPICS - number)),
                      pinned=number == 0)
            for number in range(BENCH_GROUP_TOPICS - 1)
        ]  # fmt: skip
        written = write_topics(cursor, writer, bench_plans)
        written += write_topics(cursor, writer, [TopicPlan(1, BENCH_TOPIC_POSTS, NOW)], reaction_share=1.0)
        bench_topic_id = ids.topic
        written += write_topics(cursor, writer, _filler_plans(rng, groups, posts - written))
        _bench_member_extras(cursor, bench_topic_id, members_of[1])
        reset_sequences(cursor, ["users", "groups", "memberships", "topics", "posts", "reactions"])
    return {"bench_topic_id": bench_topic_id, "posts": written, "topics": ids.topic}


def _bench_member_extras(cursor: psycopg.Cursor, bench_topic_id: int, people: list[int]) -> None:
    """The bench group's chat room (30 messages) and the bench member's reading positions (half the topics)."""
    tables = db.metadata.tables
    if "conversations" in tables and "messages" in tables:
        copy_rows(cursor, "conversations", ["id", "kind", "group_id", "last_seq", "created_at"],
                  [(1, "group", 1, 30, NOW - timedelta(days=400))])  # fmt: skip
        source, html = text_pool(1)[0]
        messages = [
            (seq, 1, people[seq % len(people)], f"bench-{seq}", seq, source, html, "published", NOW - timedelta(
                minutes=30 - seq))
            for seq in range(1, 31)
        ]  # fmt: skip
        copy_rows(cursor, "messages", ["id", "conversation_id", "author_id", "client_id", "seq", "body_source",
                                       "body_html", "state", "created_at"], messages)  # fmt: skip
        reset_sequences(cursor, ["conversations", "messages"])
    if "topic_reads" in tables:
        cursor.execute(
            "SELECT t.id, max(p.id) FROM topics t JOIN posts p ON p.topic_id = t.id"
            " WHERE t.group_id = 1 AND t.id %% 2 = 0 AND t.id <> %s GROUP BY t.id",
            (bench_topic_id,),
        )
        reads = [(1, topic_id, last_post_id, NOW) for topic_id, last_post_id in cursor.fetchall()]
        copy_rows(cursor, "topic_reads", ["user_id", "topic_id", "last_read_post_id", "updated_at"], reads)


def grow(url: str, *, to_posts: int) -> int:
    """Add topics of filler posts over all groups until there are ``to_posts`` posts; returns how many.

    The posts table's secondary indexes are dropped for the load and built again after it (much faster than
    keeping them up to date row by row), exactly as they were defined.
    """
    with psycopg.connect(conninfo(url)) as connection, connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute("SELECT count(*), coalesce(max(id), 0) FROM posts")
        existing, last_post = cursor.fetchone()
        if existing >= to_posts:
            return 0
        cursor.execute("SELECT coalesce(max(id), 0) FROM topics")
        last_topic = cursor.fetchone()[0]
        cursor.execute("SELECT coalesce(max(id), 0) FROM reactions")
        last_reaction = cursor.fetchone()[0]
        cursor.execute("SELECT group_id, user_id, role FROM memberships ORDER BY group_id, id")
        members_of: dict[int, list[int]] = {}
        moderator_of: dict[int, int] = {}
        for group, user_id, role in cursor.fetchall():
            members_of.setdefault(group, []).append(user_id)
            if role == "moderator":
                moderator_of[group] = user_id
        writer = Writer(members_of, moderator_of, Ids(last_topic, last_post, last_reaction))
        rng = random.Random(SEED + to_posts)
        with secondary_indexes_dropped(cursor, ["posts", "topics", "reactions"]):
            written = write_topics(cursor, writer, _filler_plans(rng, len(members_of), to_posts - existing))
        reset_sequences(cursor, ["topics", "posts", "reactions"])
    return written


@contextmanager
def secondary_indexes_dropped(cursor: psycopg.Cursor, tables: list[str]) -> Iterator[None]:
    """Drop the plain (non-unique, non-primary) indexes of some tables, and build them again afterwards."""
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
        " JOIN pg_class c ON c.oid = i.indrelid"
        " WHERE c.relname = ANY(%s) AND NOT i.indisprimary AND NOT i.indisunique",
        (tables,),
    )
    definitions = cursor.fetchall()
    for name, _definition in definitions:
        cursor.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    yield
    for _name, definition in definitions:
        cursor.execute(definition)


def vacuum_analyze(url: str) -> None:
    """What autovacuum would do after a big load: fresh statistics and a visibility map (index-only scans)."""
    with psycopg.connect(conninfo(url), autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE)")


def timed(label: str, action: Callable[[], object]) -> object:
    started = time.monotonic()
    result = action()
    print(f"{label}: {time.monotonic() - started:.1f} s", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database_url", help="postgresql+psycopg://... of a database that has the schema")
    parser.add_argument("--posts", type=int, help="seed a fresh community with this many posts")
    parser.add_argument("--grow-to", type=int, help="add posts until there are this many")
    args = parser.parse_args()
    if args.posts:
        print(timed("seed", lambda: seed_base(args.database_url, posts=args.posts)))
    if args.grow_to:
        print(timed("grow", lambda: grow(args.database_url, to_posts=args.grow_to)))
    timed("vacuum analyze", lambda: vacuum_analyze(args.database_url))


if __name__ == "__main__":
    main()
