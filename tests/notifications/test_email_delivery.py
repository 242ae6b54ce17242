"""Email through the outbox: SMTP down then up (each email delivered once), a refused address (flagged for the
admin, not retried), quiet hours, coalescing, and group names only for groups an admin marked not sensitive."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from community.auth.models import User
from community.core.audit import AuditEntry
from community.extensions import db
from community.notifications import outbox, preferences
from community.notifications.models import EmailOutbox, MailProblem
from tests.factories import csrf_token
from tests.notifications.conftest import body_of
from tests.notifications.world import NOOR_EMAIL, build_world


def _mentions(world, count: int) -> None:
    with world.app.app_context():
        for index in range(count):
            world.topic("sam", f"Topic {index}", "Hi @Noor")


def test_smtp_down_then_up_delivers_every_email_exactly_once(db_app, smtp_down):
    world = build_world(db_app)
    smtp_down.configure(db_app)
    with db_app.app_context():
        world.prefer("noor", "mention")
        world.prefer("sam", "reply")
    _mentions(world, 1)
    with db_app.app_context():
        first = world.topic("sam", "Another", "Hello")
        world.reply("noor", first.topic.id, "An answer")  # Sam hears of the reply
        down = outbox.send_due()
        assert (down.sent, down.retried) == (0, 2)
        rows = db.session.scalars(select(EmailOutbox)).all()
        assert {row.status for row in rows} == {"pending"} and all(row.attempts == 1 for row in rows)
        assert all("@" not in row.last_error for row in rows) and all(row.last_error for row in rows)
    smtp_down.start()
    with db_app.app_context():
        up = outbox.send_due()
        assert up.sent == 2
        assert outbox.send_due().sent == 0
    assert len(smtp_down.inbox.to(NOOR_EMAIL)) == 1
    assert len(smtp_down.inbox.to("sam@example.org")) == 1


def test_a_refused_address_is_flagged_for_the_admin_and_not_tried_again(db_app, smtp):
    world = build_world(db_app)
    smtp.configure(db_app)
    smtp.inbox.refuse.add(NOOR_EMAIL)
    with db_app.app_context():
        world.prefer("noor", "mention")
    _mentions(world, 1)
    with db_app.app_context():
        report = outbox.send_due()
        assert (report.sent, report.failed, report.retried) == (0, 1, 0)
        assert db.session.get(MailProblem, world.ids["noor"]).smtp_code == 550
        assert db.session.scalar(select(EmailOutbox.status)) == "failed"
    _mentions(world, 1)  # a later notification queues no email for a flagged address
    with db_app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(EmailOutbox)) == 1
    admin = world.http("boss")
    page = admin.get("/admin/mail-problems").get_data(as_text=True)
    assert NOOR_EMAIL in page and "550" in page
    assert world.http("sam").get("/admin/mail-problems").status_code == 403
    response = admin.post(f"/admin/mail-problems/{world.ids['noor']}/clear",
                          data={"csrf_token": csrf_token(admin, "/admin/mail-problems")})  # fmt: skip
    assert response.status_code == 303
    with db_app.app_context():
        assert db.session.get(MailProblem, world.ids["noor"]) is None
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "mail_problem.cleared"))
        assert entry.actor_id == world.ids["boss"] and entry.target_id == world.ids["noor"]


def test_an_email_waits_for_the_end_of_quiet_hours_and_notifications_meanwhile_join_it(db_app, smtp):
    world = build_world(db_app)
    smtp.configure(db_app)
    db_app.config["BABEL_DEFAULT_TIMEZONE"] = "UTC"
    now = datetime.utcnow()
    start, end = (now - timedelta(hours=1)).strftime("%H:%M"), (now + timedelta(hours=2)).strftime("%H:%M")
    with db_app.app_context():
        world.prefer("noor", "mention")
        preferences.save_quiet_hours(world.user("noor"), start, end)
        db.session.commit()
    _mentions(world, 3)
    with db_app.app_context():
        [row] = db.session.scalars(select(EmailOutbox)).all()
        assert row.item_count == 3 and "mentioned 3 times" in row.body
        assert row.next_attempt_at > now + timedelta(hours=1)
        assert outbox.send_due().sent == 0  # quiet
        assert outbox.send_due(now=row.next_attempt_at + timedelta(seconds=1)).sent == 1
    [message] = smtp.inbox.to(NOOR_EMAIL)
    assert "You were mentioned 3 times" in body_of(message)


def test_quiet_hours_must_be_a_clear_pair_of_times(db_app):
    world = build_world(db_app)
    noor = world.http("noor")
    for start, end, message in (("22:00", "", "both the start and the end"), ("25:99", "07:00", "like 22:00"),
                                ("07:00", "07:00", "different times")):  # fmt: skip
        response = noor.post("/notifications/settings", data={
            "csrf_token": csrf_token(noor, "/notifications/settings"), "quiet_start": start, "quiet_end": end,
            "email_mention": "daily", "in_app_mention": "1"})  # fmt: skip
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    with db_app.app_context():
        assert preferences.settings_of(world.ids["noor"]).quiet_start is None
        assert preferences.kind_preferences(world.ids["noor"])["mention"].email == "immediately"  # nothing half-saved


def test_emails_name_a_group_only_when_an_admin_says_it_is_not_sensitive(db_app, smtp):
    world = build_world(db_app)
    smtp.configure(db_app)
    with db_app.app_context():
        world.prefer("noor", "mention")
    _mentions(world, 1)
    admin = world.http("boss")
    token = csrf_token(admin, f"/insight/{world.slug}/pilot")
    response = admin.post(f"/insight/{world.slug}/email-naming", data={"sensitive": "0", "csrf_token": token})
    assert response.status_code == 303
    with db_app.app_context():
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "group.email_naming_changed"))
        outbox.send_due()
        world.topic("sam", "Later", "Hi @Noor")
        outbox.send_due()
    first, second = smtp.inbox.to(NOOR_EMAIL)
    assert "Parents" not in body_of(first)
    assert "Group: Parents." in body_of(second) and "Later" not in body_of(second)


def test_no_email_for_a_member_without_an_address_and_never_an_address_in_the_outbox(db_app, smtp):
    world = build_world(db_app)
    smtp.configure(db_app)
    with db_app.app_context():
        db.session.get(User, world.ids["noor"]).email = None
        db.session.commit()
        world.prefer("noor", "mention")
    _mentions(world, 1)
    with db_app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(EmailOutbox)) == 0
    assert smtp.inbox.messages == []


def test_a_temporary_refusal_is_retried_and_after_the_last_attempt_the_email_counts_as_failed(db_app, smtp):
    world = build_world(db_app)
    smtp.configure(db_app)
    db_app.config["NOTIFICATIONS_MAX_ATTEMPTS"] = 3
    smtp.inbox.later.add(NOOR_EMAIL)
    with db_app.app_context():
        world.prefer("noor", "mention")
    _mentions(world, 1)
    with db_app.app_context():
        assert outbox.send_due().retried == 1
        assert outbox.send_due().retried == 1
        assert db.session.get(MailProblem, world.ids["noor"]) is None  # 4xx: not the address's fault
        last = outbox.send_due()
        assert (last.sent, last.failed) == (0, 1)
        row = db.session.scalar(select(EmailOutbox))
        assert (row.status, row.attempts) == ("failed", 3) and "SMTPRecipientsRefused" in row.last_error
        assert outbox.send_due().sent == 0
    assert smtp.inbox.messages == []
