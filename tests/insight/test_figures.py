"""Every dashboard figure on a seeded group with known answers, on SQLite and PostgreSQL; suppression of small
numbers; empty periods; the CSV export."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.insight.seed import END, START, build_seed

EXPECTED = {
    "active_members": "7",  # m1-m5 and mod wrote posts, m6 wrote in the chat
    "new_topics": "5",
    "replies": "5",
    "chat_messages": "2",
    "answered_24h": "40 %",  # t1 and t5 of five topics
    "professional_answer": "3 hours",
    "queue_waiting": "2",  # the report of the 17th and the item held on the 10th, resolved on the 20th
    "queue_oldest_hours": "216 hours",  # from the 10th to the end of the 18th
    "held": "3",
    "refused": "1",
    "reports": "2",
    "safeguarding_cases": "5",
    "safeguarding_response": "2 hours",
    "invitations_sent": "6",
    "invitations_accepted": "5",
    "new_members_4_weeks": "6",  # m1-m6 (the moderator is not counted)
    "retention": "33.3 %",  # m1 and m2 wrote after their first 4 weeks
}


def figures_on(page: str) -> dict[str, str]:
    rows = re.findall(r'<tr data-figure="(\w+)"><th scope="row">[^<]*</th><td>([^<]*)</td></tr>', page)
    return dict(rows)


@pytest.fixture
def seed(db_app, monkeypatch):
    return build_seed(db_app, monkeypatch)


def test_every_figure_has_its_known_value(seed):
    page = seed.http("boss").get(f"/insight/{seed.slug}?start={START}&end={END}").get_data(as_text=True)
    assert figures_on(page) == EXPECTED
    # The charts: two weeks, drawn as SVG with a title and description, and the same numbers in the table.
    assert page.count('role="img"') == 3
    assert "New topics per week</title>" in page and "Per week, starting on: 2026-01-05: 4, 2026-01-12: 1." in page
    week_rows = re.findall(
        r'<tr><th scope="row">(2026-01-\d\d)</th><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td></tr>', page
    )
    assert week_rows == [("2026-01-05", "4", "4", "2"), ("2026-01-12", "1", "1", "0")]


def test_figures_about_fewer_than_5_people_are_suppressed(seed):
    page = seed.http("boss").get(f"/insight/{seed.small_slug}?start={START}&end={END}").get_data(as_text=True)
    shown = figures_on(page)
    assert shown["active_members"] == "fewer than 5"  # three people wrote
    assert shown["answered_24h"] == "fewer than 5"  # three topics: a share would point at people
    assert shown["new_topics"] == "3"  # a count of things, not of people
    assert shown["safeguarding_cases"] == "0"  # nobody: nothing to single out


def test_an_empty_period_shows_zeros_and_no_data_not_an_error(seed):
    response = seed.http("boss").get(f"/insight/{seed.slug}?start=2025-03-01&end=2025-03-31")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "No data for this period" in page
    shown = figures_on(page)
    assert (
        shown["new_topics"] == "0" and shown["answered_24h"] == "no data" and shown["professional_answer"] == "no data"
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=2026-01-18&end=2026-01-05", "The end date is before the start date"),
        ("start=1900-01-01&end=2026-01-05", "Please choose dates between 2000-01-01 and today"),
        ("start=2026-01-01&end=2099-01-01", "Please choose dates between 2000-01-01 and today"),
        ("start=2020-01-01&end=2026-01-05", "at most 366 days"),
        ("start=yesterday&end=2026-01-05", "Please give dates as year-month-day"),
    ],
)
def test_reversed_absurd_or_unreadable_ranges_are_refused_clearly(seed, query, message):
    response = seed.http("ingrid").get(f"/insight/{seed.slug}?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page and 'aria-invalid="true"' in page
    assert seed.http("ingrid").get(f"/insight/{seed.slug}/export.csv?{query}").status_code == 400


def test_the_csv_export_has_the_same_figures_and_suppresses_the_same_way(seed):
    response = seed.http("boss").get(f"/insight/{seed.slug}/export.csv?start={START}&end={END}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    shown = {row["figure"]: row["shown"] for row in rows if not row["figure"].startswith("weekly_")}
    assert shown == EXPECTED
    values = {row["figure"]: row["value"] for row in rows}
    assert values["answered_24h"] == "40" and values["weekly_topics"] in ("4", "1")
    small = seed.http("boss").get(f"/insight/{seed.small_slug}/export.csv?start={START}&end={END}")
    small_rows = {row["figure"]: row for row in csv.DictReader(io.StringIO(small.get_data(as_text=True)))}
    assert small_rows["active_members"]["value"] == "" and small_rows["active_members"]["shown"] == "fewer than 5"


def test_who_may_see_the_figures(seed):
    assert seed.http("boss").get(f"/insight/{seed.slug}").status_code == 200  # admins: every group
    assert seed.http("ingrid").get(f"/insight/{seed.slug}").status_code == 200  # a moderator: their group
    assert seed.http("oscar").get(f"/insight/{seed.slug}").status_code == 404  # not another group
    assert seed.http("member1").get(f"/insight/{seed.slug}").status_code == 404  # members: never
    overview = seed.http("oscar").get("/insight").get_data(as_text=True)
    assert "Other" in overview and "Pilot" not in overview
    nav = seed.http("member1").get("/").get_data(as_text=True)
    assert 'href="/insight"' not in nav
    assert 'href="/insight"' in seed.http("ingrid").get("/").get_data(as_text=True)


def test_without_the_professionals_and_safeguarding_tables_the_fallbacks_are_used(seed, monkeypatch):
    from community.insight import figures
    from tests.insight.seed import at

    monkeypatch.setattr(figures, "_table", lambda name: None)
    with seed.app.app_context():
        group_id = seed_group_id(seed)
        # The first moderator reply: 4 h after topic 1, 6 h after topic 5.
        answer = figures.professional_answer_time(group_id, at(5), at(19))
        assert (answer.hours, answer.count) == (5.0, 2)
        cases = figures.safeguarding(group_id, at(5), at(19))
        assert (cases.hours, cases.count) == (None, 0)
    shown = figures_on(seed.http("boss").get(f"/insight/{seed.slug}?start={START}&end={END}").get_data(as_text=True))
    assert shown["professional_answer"] == "fewer than 5" and shown["safeguarding_cases"] == "0"


def seed_group_id(seed) -> int:
    from sqlalchemy import select

    from community.extensions import db
    from community.groups.models import Group

    return db.session.scalar(select(Group.id).where(Group.slug == seed.slug))
