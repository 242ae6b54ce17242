"""How long a forum search takes over 10,000 posts, on SQLite (FTS5) and on PostgreSQL (full-text search).

Run by hand (not part of ``make test``):

    .venv/bin/python -m bench.search                       # SQLite only
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python -m bench.search

For PostgreSQL a throw-away database is created on that server and dropped afterwards. The data: 10 groups,
1,000 topics, 10,000 published posts of ~40 words from a 2,000-word vocabulary (a few words are common, most
are rare, as in real text), plus 5% held posts. The searcher is in 5 of the 10 groups. Each query is timed as
``search_posts`` (the whole service: membership check, the engine's ranked query, the page's posts loaded
with their topic, group and writer, the snippets), first page, 20 results; the table shows the median and the
95th percentile of 50 runs after 5 warm-up runs.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from community import create_app
from community.auth.models import User
from community.core.time import utcnow
from community.extensions import db
from community.forum import search
from community.forum.models import Post, Topic
from community.groups.models import Group, Membership
from config import TestingConfig

POSTS, TOPICS, GROUPS = 10_000, 1_000, 10
RUNS, WARM_UP = 50, 5
QUERIES = {
    "common word": "word1",
    "rare word": "word1999",
    "two words": "word3 word7",
    "prefix (3 letters)": "wor",
    "no match": "giraffe",
    "title word": "hospital",
}


def _text(rng: random.Random, words: int) -> str:
    # Zipf-like: word<n> with n small is common.
    return " ".join(f"word{min(int(rng.paretovariate(1.1)) - 1, 1999)}" for _ in range(words))


def seed() -> User:
    rng = random.Random(4)
    users = [User(username=f"bench{n}", username_key=f"bench{n}", display_name=f"Bench {n}") for n in range(20)]
    db.session.add_all(users)
    groups = [Group(name=f"Group {n}", slug=f"group-{n}") for n in range(GROUPS)]
    db.session.add_all(groups)
    db.session.flush()
    searcher = users[0]
    for group in groups[:5]:
        db.session.add(Membership(user_id=searcher.id, group_id=group.id))
    start = utcnow() - timedelta(days=365)
    topics = []
    for n in range(TOPICS):
        title = f"Topic {n} about {'hospital' if n % 50 == 0 else 'school'} {_text(rng, 3)}"
        topics.append(Topic(group_id=groups[n % GROUPS].id, author_id=users[n % 20].id, title=title[:160]))
    db.session.add_all(topics)
    db.session.flush()
    rows = []
    for n in range(POSTS):
        topic = topics[n % TOPICS]
        body = _text(rng, 40)
        rows.append(
            {
                "topic_id": topic.id,
                "group_id": topic.group_id,
                "author_id": users[n % 20].id,
                "body_source": body,
                "body_html": f"<p>{body}</p>",
                "content_warning": "",
                "is_coach_post": False,
                "state": "held" if n % 20 == 19 else "published",
                "state_reason": "",
                "created_at": start + timedelta(minutes=n),
            }
        )
    db.session.execute(sa.insert(Post), rows)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()  # statistics are transactional: uncommitted, the planner never sees them
    return searcher


def measure(url: str) -> list[tuple[str, float, float, int]]:
    config = TestingConfig()
    config.SQLALCHEMY_DATABASE_URI = url
    app = create_app(config)
    with app.app_context():
        db.create_all()  # installs the search table / indexes too
        searcher = seed()
        group_ids = [group.id for group in db.session.scalars(sa.select(Group))]
        results = []
        for label, query in QUERIES.items():
            timings = []
            for run in range(WARM_UP + RUNS):
                begin = time.perf_counter()
                page = search.search_posts(searcher, query, group_ids, 1)
                elapsed = time.perf_counter() - begin
                db.session.rollback()
                if run >= WARM_UP:
                    timings.append(elapsed * 1000)
            timings.sort()
            results.append(
                (label, statistics.median(timings), timings[int(len(timings) * 0.95) - 1], len(page.results))
            )
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    return results


def print_table(engine: str, results: list[tuple[str, float, float, int]]) -> None:
    print(f"\n{engine}: {POSTS:,} posts, searcher in 5 of {GROUPS} groups, first page of 20")
    print(f"{'query':<22}{'median ms':>11}{'p95 ms':>9}{'results':>9}")
    for label, median, p95, count in results:
        print(f"{label:<22}{median:>11.2f}{p95:>9.2f}{count:>9}")


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        print_table("SQLite FTS5", measure(f"sqlite:///{Path(directory) / 'bench.db'}"))
    server = os.environ.get("BENCH_DATABASE_URL")
    if not server:
        print("\n(set BENCH_DATABASE_URL to a PostgreSQL server to measure PostgreSQL too)", file=sys.stderr)
        return
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"kring_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        print_table(
            "PostgreSQL full-text", measure(sa.engine.make_url(server).set(database=name).render_as_string(False))
        )
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


if __name__ == "__main__":
    main()
