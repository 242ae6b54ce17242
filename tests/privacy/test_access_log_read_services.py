"""The access log is written by the read services that decide staff may see the thing, never by the pages: an
admin opening an account (admin.queries.open_account), a moderator reading notes (moderation.notes.notes_on), staff
opening a safeguarding case (moderation.safeguarding.services.read_case). One line per page shown."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from community.admin import queries as admin_queries
from community.core.errors import NotFound
from community.core.time import utcnow
from community.extensions import db
from community.groups.access_log import AccessLogEntry
from community.groups.models import Group
from community.moderation import notes
from community.moderation.safeguarding import services as safeguarding
from community.moderation.safeguarding.models import SafeguardingCase
from tests.consent.helpers import build_world
from tests.factories import post_form

ADAPTER = re.compile(r"(^|/)(routes|events|cli|\w+_routes|\w+_events)\.py$")
WRITERS = ("record_access", "record_private_conversation_reading")


@pytest.fixture
def world(db_app):
    return build_world(db_app)


def _lines(world, what: str) -> list[tuple]:
    with world.app.app_context():
        query = select(AccessLogEntry).where(AccessLogEntry.what == what).order_by(AccessLogEntry.id)
        return [(e.staff_id, e.subject_id, e.role, e.detail) for e in db.session.scalars(query)]


def _group_id(world) -> int:
    with world.app.app_context():
        return db.session.scalar(select(Group.id).where(Group.slug == world.slug))


def _case(world) -> int:
    with world.app.app_context():
        case = SafeguardingCase(group_id=_group_id(world), subject_id=world.ids["mia"], source="staff",
                                severity="concern", due_at=utcnow() + timedelta(hours=4))  # fmt: skip
        db.session.add(case)
        db.session.commit()
        return case.id


def test_no_adapter_writes_the_access_log():
    root = Path(__file__).resolve().parents[2] / "community"
    writing = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if ADAPTER.search(path.as_posix()) and any(name in path.read_text() for name in WRITERS)
    ]
    assert writing == []


def test_an_admin_account_page_writes_one_line_per_reading(world):
    admin = world.client("admin1")
    for _ in range(2):
        assert admin.get(f"/admin/accounts/{world.ids['mia']}").status_code == 200
    line = (world.ids["admin1"], world.ids["mia"], "admin", "")
    assert _lines(world, "profile") == [line, line]


def test_open_account_decides_and_logs(world):
    with world.app.app_context():
        with pytest.raises(NotFound):
            admin_queries.open_account(world.user("mona"), world.ids["mia"])
        assert admin_queries.open_account(world.user("admin1"), world.ids["mia"]).id == world.ids["mia"]
        db.session.commit()
    assert _lines(world, "profile") == [(world.ids["admin1"], world.ids["mia"], "admin", "")]


def test_the_notes_page_writes_one_line_per_reading_also_when_a_note_is_refused(world):
    group_id = _group_id(world)
    url = f"/moderation/notes/{group_id}/{world.ids['mia']}"
    mona = world.client("mona")
    assert mona.get(url).status_code == 200
    # post_form reads the page for its token; the empty note is refused and the page shows the notes again,
    # which is a reading too.
    assert post_form(mona, url, {"body": ""}).status_code == 400
    line = (world.ids["mona"], world.ids["mia"], "moderator", f"group {group_id}")
    assert _lines(world, "moderator_notes") == [line, line, line]


def test_notes_on_decides_and_logs(world):
    group_id = _group_id(world)
    with world.app.app_context():
        with pytest.raises(NotFound):
            notes.notes_on(world.user("otto"), group_id, world.ids["mia"])
        notes.notes_on(world.user("mona"), group_id, world.ids["mia"])
        db.session.commit()
    assert _lines(world, "moderator_notes") == [(world.ids["mona"], world.ids["mia"], "moderator", f"group {group_id}")]


def test_the_case_page_writes_one_line_per_reading_and_working_it_writes_none(world):
    case_id = _case(world)
    mona = world.client("mona")
    for _ in range(2):
        assert mona.get(f"/moderation/safeguarding/{case_id}").status_code == 200
    line = (world.ids["mona"], world.ids["mia"], "moderator", f"case {case_id}")
    assert _lines(world, "safeguarding_case") == [line, line]
    with world.app.app_context():
        safeguarding.take_case(world.user("mona"), case_id)  # acting on the case is not a reading of the page
        db.session.commit()
    assert _lines(world, "safeguarding_case") == [line, line]


def test_read_case_decides_and_logs(world):
    case_id = _case(world)
    with world.app.app_context():
        with pytest.raises(NotFound):
            safeguarding.read_case(world.user("otto"), case_id)
        assert safeguarding.read_case(world.user("admin1"), case_id).case.id == case_id
        db.session.commit()
    assert _lines(world, "safeguarding_case") == [(world.ids["admin1"], world.ids["mia"], "admin", f"case {case_id}")]
