"""The scheduled jobs' status: each job records its runs where its work is done, and the admin page lists them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from community.core import jobs
from community.core.errors import DomainError
from community.core.jobs import JobRun
from community.core.time import utcnow
from community.extensions import db
from tests.admin.helpers import admin_client, build_world

SCHEDULED = {
    "events.send-reminders",
    "forum.publish-scheduled",
    "images.sweep",
    "moderation.lift-expired",
    "notifications.prune",
    "notifications.send-digests",
    "notifications.send-mail",
    "notifications.send-push",
    "privacy.build-exports",
    "retention.run",
    "safeguarding.escalate",
}


def run_of(app, name: str) -> JobRun | None:
    with app.app_context():
        row = db.session.get(JobRun, name)
        if row is not None:
            db.session.expunge(row)
        return row


def test_every_scheduled_command_is_a_known_job(app):
    assert SCHEDULED <= {job.name for job in jobs.known_jobs()}


@pytest.mark.parametrize(
    ("command", "name"),
    [
        (["notifications", "send-mail"], "notifications.send-mail"),
        (["notifications", "send-push"], "notifications.send-push"),
        (["notifications", "send-digests", "--period", "daily"], "notifications.send-digests"),
        (["notifications", "prune"], "notifications.prune"),
        (["safeguarding", "escalate"], "safeguarding.escalate"),
        (["moderation", "lift-expired"], "moderation.lift-expired"),
        (["privacy", "build-exports"], "privacy.build-exports"),
        (["retention", "run"], "retention.run"),
        (["images", "sweep"], "images.sweep"),
        (["events", "send-reminders"], "events.send-reminders"),
        (["forum", "publish-scheduled"], "forum.publish-scheduled"),
    ],
)
def test_each_scheduled_command_records_its_run(app, command, name):
    result = app.test_cli_runner().invoke(args=command)
    assert result.exit_code == 0, result.output
    row = run_of(app, name)
    assert row is not None and row.runs == 1 and row.failures == 0
    assert row.last_ok_at == row.last_finished_at and row.last_started_at <= row.last_finished_at


def test_a_dry_run_of_retention_is_not_the_job(app):
    assert app.test_cli_runner().invoke(args=["retention", "run", "--dry-run"]).exit_code == 0
    assert run_of(app, "retention.run") is None


@pytest.fixture
def own_registry(monkeypatch):
    """Jobs made up by a test stay out of the registry the other tests see."""
    monkeypatch.setattr(jobs, "_jobs", dict(jobs._jobs))


def test_a_failing_job_records_the_error_type_without_its_text_and_raises_it(app, own_registry):
    def broken() -> None:
        raise RuntimeError("smtp said no to sam@example.org")

    with app.app_context():
        with pytest.raises(RuntimeError):
            jobs.job("test.broken", every=timedelta(minutes=5))(broken)()
        row = db.session.get(JobRun, "test.broken")
        assert (row.runs, row.failures, row.last_ok_at, row.last_error) == (1, 1, None, "RuntimeError")
        assert "sam@example.org" not in row.last_error


def test_a_refusal_keeps_its_sentence_and_the_jobs_uncommitted_work_is_rolled_back(app, own_registry):
    @jobs.job("test.refused", every=timedelta(minutes=5))
    def refused() -> None:
        db.session.add(JobRun(name="half-done", runs=0, failures=0, last_error=""))
        raise DomainError("The export directory is full.")

    with app.app_context():
        with pytest.raises(DomainError):
            refused()
        assert db.session.get(JobRun, "half-done") is None
        assert db.session.get(JobRun, "test.refused").last_error == "DomainError: The export directory is full."


def test_late_and_never_run_jobs_are_overdue(app):
    with app.app_context():
        now = utcnow()
        db.session.add_all(
            [
                JobRun(name="safeguarding.escalate", last_finished_at=now - timedelta(minutes=10), runs=3, failures=0),
                JobRun(name="retention.run", last_finished_at=now - timedelta(hours=20), runs=1, failures=0),
            ]
        )
        db.session.commit()
        status = {item.name: item for item in jobs.status(now)}
    assert status["safeguarding.escalate"].overdue, "every 2 minutes, last 10 minutes ago"
    assert not status["retention.run"].overdue, "daily, last 20 hours ago"
    assert status["images.sweep"].overdue and status["images.sweep"].runs == 0, "never ran"


def test_the_admin_page_lists_every_job_with_its_last_error(app):
    build_world(app)
    with app.app_context():
        now = utcnow()
        db.session.add(
            JobRun(
                name="notifications.send-mail",
                last_started_at=now,
                last_finished_at=now,
                last_error_at=now,
                last_error="SMTPServerDisconnected",
                runs=4,
                failures=1,
            )
        )
        db.session.commit()
    page = admin_client(app).get("/admin/jobs").get_data(as_text=True)
    for name in SCHEDULED:
        assert name in page
    assert "SMTPServerDisconnected" in page
    assert "Failing" in page and "Never ran" in page
