"""The audit log for moderation: searchable by actor, action, target and date range, exportable as CSV by
admins, and `flask audit verify` catches a changed and a removed entry."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import text

from community.core.audit import AuditEntry
from community.core.time import utcnow
from community.extensions import db
from tests.moderation.test_queue_world import World, build_world


@pytest.fixture
def world(db_app) -> World:
    world = build_world(db_app)
    _topic, post_id = world.topic("mia")
    world.act("mona", world.item_id("post", post_id), "refuse", reason="Names of others")
    _topic, post_id = world.topic("noah")
    world.act("max", world.item_id("post", post_id), "approve")
    return world


def _ids(html: str, world: World) -> set[str]:
    """The moderation actions in the table's rows (the filter's list of actions names them all)."""
    return {action for action in ("moderation.refuse", "moderation.approve") if f"<code>{action}</code>" in html}


def test_admins_search_the_log_by_actor_action_target_and_dates(world):
    admin = world.client("root")
    assert _ids(admin.get("/admin/audit").get_data(as_text=True), world) == {"moderation.refuse", "moderation.approve"}
    assert _ids(admin.get("/admin/audit?actor=MONA").get_data(as_text=True), world) == {"moderation.refuse"}
    assert _ids(admin.get("/admin/audit?action=moderation.approve").get_data(as_text=True), world) == {
        "moderation.approve"
    }
    [refused] = world.audit("moderation.refuse")
    found = admin.get(f"/admin/audit?target_type=post&target_id={refused.target_id}").get_data(as_text=True)
    assert _ids(found, world) == {"moderation.refuse"}
    today, tomorrow = utcnow().date(), (utcnow() + timedelta(days=1)).date()
    assert _ids(admin.get(f"/admin/audit?since={today}&until={today}").get_data(as_text=True), world) == {
        "moderation.refuse", "moderation.approve",
    }  # fmt: skip
    assert _ids(admin.get(f"/admin/audit?since={tomorrow}").get_data(as_text=True), world) == set()
    # A date that is not a date is shown as an error and filters nothing.
    bad = admin.get("/admin/audit?since=yesterday").get_data(as_text=True)
    assert "<code>moderation.refuse</code>" in bad and "field--error" in bad
    # Moderators and members have no audit log.
    assert world.client("mona").get("/admin/audit").status_code == 404


def test_admins_export_the_search_as_csv(world):
    response = world.client("root").get("/admin/audit.csv?actor=mona")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["action"] for row in rows] == ["moderation.refuse"]
    assert rows[0]["reason"] == "Names of others" and rows[0]["actor"] == "Mona"
    assert world.client("mona").get("/admin/audit.csv").status_code == 404


def _verify(world: World):
    return world.app.test_cli_runner().invoke(args=["audit", "verify"])


def test_verify_passes_on_an_intact_log_and_catches_a_changed_entry(world):
    result = _verify(world)
    assert result.exit_code == 0, result.output
    [refused] = world.audit("moderation.refuse")
    with world.app.app_context():
        # Straight in the database (the ORM refuses to change an entry): someone softens the reason.
        db.session.execute(text("UPDATE audit_entries SET reason = 'nothing' WHERE id = :id"), {"id": refused.id})
        db.session.commit()
    result = _verify(world)
    assert result.exit_code != 0
    assert str(refused.id) in result.output


def test_verify_catches_a_removed_entry(world):
    [refused] = world.audit("moderation.refuse")
    with world.app.app_context():
        following = db.session.scalar(
            db.select(AuditEntry.id).where(AuditEntry.id > refused.id).order_by(AuditEntry.id).limit(1)
        )
        db.session.execute(text("DELETE FROM audit_entries WHERE id = :id"), {"id": refused.id})
        db.session.commit()
    result = _verify(world)
    assert result.exit_code != 0
    assert str(following) in result.output


def test_the_orm_refuses_to_change_or_delete_an_entry(world):
    [refused] = world.audit("moderation.refuse")
    with world.app.app_context():
        entry = db.session.get(AuditEntry, refused.id)
        entry.reason = "changed"
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.flush()
        db.session.rollback()
