"""Digests: one per member and period, safe under two runs at the same moment (threads, on a SQLite file and on
PostgreSQL), carrying counts only; the CLI commands; pruning after 90 days."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from community.extensions import db
from community.notifications import outbox, services
from community.notifications.models import DigestRun, EmailOutbox, Notification
from tests.conftest import _fresh_schema, build_app
from tests.notifications.conftest import body_of
from tests.notifications.world import NOOR_EMAIL, SECRET_WORDS, build_world


@pytest.fixture(params=["sqlite-file", "postgresql"])
def threaded_app(request, tmp_path):
    """An app whose threads each get their own database connection (in-memory SQLite shares one)."""
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
    else:
        url = f"sqlite:///{tmp_path / 'digests.db'}"
    yield from _fresh_schema(build_app(url))


def _waiting(world, count: int) -> None:
    with world.app.app_context():
        world.prefer("noor", "mention", email="daily")
        for index in range(count):
            world.topic("sam", f"Topic {index}", f"@Noor {SECRET_WORDS}")


def test_two_digest_runs_at_the_same_moment_send_one_digest(threaded_app, smtp):
    world = build_world(threaded_app)
    smtp.configure(threaded_app)
    _waiting(world, 3)
    now = datetime.utcnow()
    barrier, reports, errors = threading.Barrier(2), [], []

    def run() -> None:
        try:
            with threaded_app.app_context():
                barrier.wait(timeout=10)
                reports.append(outbox.send_digests("daily", now=now))
                db.session.remove()
        except Exception as error:  # noqa: BLE001 (reported by the assertion below)
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sum(report.sent for report in reports) == 1
    with threaded_app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(DigestRun)) == 1
        assert outbox.send_digests("daily", now=now).sent == 0  # a third, later run: still one
        assert outbox.send_due(now=now).sent == 1
    [message] = smtp.inbox.to(NOOR_EMAIL)
    text = body_of(message)
    assert "You were mentioned 3 times." in text and SECRET_WORDS not in text and "Parents" not in text
    assert message["Subject"] == "Your daily summary from Kring"


def test_the_next_period_sends_only_what_is_new_and_weekly_is_separate(db_app, smtp):
    world = build_world(db_app)
    smtp.configure(db_app)
    _waiting(world, 2)
    now = datetime.utcnow()
    with db_app.app_context():
        assert outbox.send_digests("daily", now=now).sent == 1
        assert outbox.send_digests("weekly", now=now).sent == 0  # Noor chose daily
        assert outbox.send_digests("daily", now=now + timedelta(days=1)).sent == 0  # nothing new
        world.topic("sam", "Tomorrow", "@Noor hi")
        Notification.query.filter(Notification.emailed_at.is_(None)).update({"created_at": now + timedelta(days=1)})
        db.session.commit()
        assert outbox.send_digests("daily", now=now + timedelta(days=1, hours=1)).sent == 1
        outbox.send_due(now=now + timedelta(days=2))
    bodies = [body_of(message) for message in smtp.inbox.to(NOOR_EMAIL)]
    assert len(bodies) == 2 and "mentioned 2 times" in bodies[0] and "Someone mentioned you." in bodies[1]


def test_the_cli_commands_send_digests_and_mail_and_refuse_an_unknown_period(db_app, smtp):
    world = build_world(db_app)
    smtp.configure(db_app)
    _waiting(world, 1)
    runner = db_app.test_cli_runner()
    result = runner.invoke(args=["notifications", "send-digests", "--period", "daily"])
    assert result.exit_code == 0 and "Queued 1 daily digests" in result.output
    result = runner.invoke(args=["notifications", "send-digests", "--period", "daily"])
    assert "Queued 0 daily digests; 0 were already done" in result.output or "Queued 0" in result.output
    result = runner.invoke(args=["notifications", "send-mail"])
    assert result.exit_code == 0 and "Sent 1," in result.output
    result = runner.invoke(args=["notifications", "send-digests", "--period", "hourly"])
    assert result.exit_code != 0 and "hourly" in result.output
    assert len(smtp.inbox.to(NOOR_EMAIL)) == 1


def test_prune_removes_what_is_older_than_90_days_and_keeps_the_rest(db_app):
    world = build_world(db_app)
    _waiting(world, 2)
    with db_app.app_context():
        old, new = db.session.scalars(select(Notification).order_by(Notification.id)).all()
        old.created_at = datetime.utcnow() - timedelta(days=91)
        db.session.add(EmailOutbox(user_id=world.ids["noor"], kind="digest", subject="s", body="b", status="sent",
                                   created_at=datetime.utcnow() - timedelta(days=91)))  # fmt: skip
        db.session.commit()
        new_id = new.id
    result = db_app.test_cli_runner().invoke(args=["notifications", "prune"])
    assert result.exit_code == 0 and "Removed 1 notifications, 1 finished emails" in result.output
    with db_app.app_context():
        assert db.session.scalars(select(Notification.id)).all() == [new_id]
        assert services.prune() == {"notifications": 0, "emails": 0, "digest_runs": 0, "pushes": 0}  # again: nothing
