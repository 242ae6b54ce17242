"""Query plans and a profile for ``bench/forum.py``.

``explain_pages`` opens the benchmark's pages in-process (the real app, the real database, the signed-in
member's cookie), records every SQL statement each page runs with SQLAlchemy's ``before_cursor_execute``
event, and runs ``EXPLAIN (ANALYZE, BUFFERS)`` on each one with the same parameters. It reports the plans'
key lines and flags what breaks the rule "every page query uses an index and a bounded page": a sequential
scan of a table with more than ``SEQ_SCAN_ROWS`` rows, or any write during a GET.

``profile_page`` runs one page many times in-process under cProfile and prints where the time goes.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import re
from dataclasses import dataclass, field

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, text

from community.extensions import db

SEQ_SCAN_ROWS = 1000  # a sequential scan of a table smaller than this is cheaper than an index; bigger is a bug
WRITES = ("insert", "update", "delete", "merge")
KEY_LINE = re.compile(r"(->|^\S)|Index Cond|Execution Time|Rows Removed by Filter")


@dataclass
class StatementPlan:
    sql: str
    plan: list[str]
    problems: list[str] = field(default_factory=list)

    @property
    def key_lines(self) -> list[str]:
        return [line.rstrip() for line in self.plan if KEY_LINE.search(line) and "Planning" not in line]


@dataclass
class PagePlans:
    path: str
    statements: list[StatementPlan]

    @property
    def problems(self) -> list[str]:
        return [problem for statement in self.statements for problem in statement.problems]


def _capture(app: Flask, client: FlaskClient, path: str) -> list[tuple[str, object]]:
    first = client.get(path)
    assert first.status_code == 200, f"{path} answered {first.status_code} in-process"
    captured: list[tuple[str, object]] = []

    def remember(_conn, _cursor, statement, parameters, _context, _executemany) -> None:
        captured.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", remember)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    assert response.status_code == 200, path
    return captured


def _table_rows(connection, table: str) -> int:
    return int(
        connection.execute(text("SELECT reltuples FROM pg_class WHERE relname = :name"), {"name": table}).scalar() or 0
    )


def explain_pages(app: Flask, client: FlaskClient, paths: list[str]) -> list[PagePlans]:
    """EXPLAIN (ANALYZE, BUFFERS) every statement of every page in ``paths`` (GETs by the client's member)."""
    pages = []
    for path in paths:
        statements = []
        for statement, parameters in _capture(app, client, path):
            compact = " ".join(statement.split())
            if compact.lower().startswith(WRITES):
                statements.append(StatementPlan(compact, [], [f"{path}: a GET writes: {compact[:80]}"]))
                continue
            with app.app_context(), db.engine.connect() as connection:
                rows = connection.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters).all()
                plan = [row[0] for row in rows]
                problems = []
                for line in plan:
                    match = re.search(r"Seq Scan on (\w+)", line)
                    if match and (size := _table_rows(connection, match[1])) > SEQ_SCAN_ROWS:
                        problems.append(f"{path}: sequential scan of {match[1]} ({size:,} rows)")
            statements.append(StatementPlan(compact, plan, problems))
        pages.append(PagePlans(path, statements))
    return pages


def format_plans(pages: list[PagePlans], *, sql_width: int = 160) -> str:
    out = io.StringIO()
    for page in pages:
        out.write(f"\n### GET {page.path} ({len(page.statements)} statements)\n")
        for number, statement in enumerate(page.statements, 1):
            shown = statement.sql if len(statement.sql) <= sql_width else statement.sql[: sql_width - 3] + "..."
            out.write(f"\n{number}. {shown}\n")
            for line in statement.key_lines:
                out.write(f"       {line}\n")
            for problem in statement.problems:
                out.write(f"   !!! {problem}\n")
    return out.getvalue()


def profile_page(client: FlaskClient, path: str, *, requests: int = 300, top: int = 30) -> str:
    """cProfile over ``requests`` in-process GETs of ``path``: the functions with the most cumulative time."""
    for _ in range(20):
        client.get(path)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        client.get(path)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()
