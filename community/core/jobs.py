"""The scheduled jobs and when each last ran: one row per job (``JobRun``), written by the job itself.

A feature marks the function that does a scheduled job's work with ``@jobs.job("notifications.send-mail",
every=timedelta(minutes=2))``. That registers the job with the interval it is expected to run at, and every
call records its outcome: when it started and finished, when it last succeeded, the last failure (the
exception's type, and the message only of our own refusals, ``DomainError``: another exception's text may
hold an address or a name), and how many runs and failures there were. The record is written where the work is
done, not in the ``flask`` command around it, so whatever runs the function (cron today, a worker later)
leaves the same trace. The admin area lists the jobs with :func:`status` and calls one overdue when it has not
finished for longer than its interval plus a quarter (cron starts a little late, a run takes a while).

Precondition of a job function: it is a unit of work of its own, called outside any larger transaction. On
success the recording commits (with whatever the job left uncommitted); on failure the job's uncommitted work
is rolled back, the failure recorded and committed, and the exception raised again. A failure to write the
record (a database being migrated) is logged and never hides the job's own outcome.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ParamSpec, TypeVar

from sqlalchemy import DateTime, Integer, String, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from community.core.errors import DomainError
from community.core.time import utcnow
from community.extensions import db

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")
ERROR_MAX = 200


class JobRun(db.Model):
    """How a scheduled job last went. No member data: names of jobs, times, counts, an error's type."""

    __tablename__ = "job_runs"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_started_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_ok_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str] = mapped_column(String(ERROR_MAX), default="")
    runs: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta


@dataclass(frozen=True)
class JobStatus:
    """A job as the admin page shows it; the times are None when it never ran (or never succeeded)."""

    name: str
    every: timedelta
    last_started_at: datetime | None
    last_finished_at: datetime | None
    last_ok_at: datetime | None
    last_error_at: datetime | None
    last_error: str
    runs: int
    failures: int
    overdue: bool

    @property
    def failing(self) -> bool:
        """The last run failed."""
        return self.last_error_at is not None and (self.last_ok_at is None or self.last_error_at > self.last_ok_at)


_jobs: dict[str, Job] = {}


def job(name: str, *, every: timedelta) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Register ``name`` as a scheduled job expected every ``every``, and record each call of the function."""
    _jobs[name] = Job(name, every)

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def recorded(*args: P.args, **kwargs: P.kwargs) -> R:
            started = utcnow()
            try:
                result = function(*args, **kwargs)
            except Exception as error:
                db.session.rollback()
                _write(name, started, error)
                raise
            _write(name, started, None)
            return result

        return recorded

    return decorate


def known_jobs() -> list[Job]:
    return sorted(_jobs.values(), key=lambda item: item.name)


def describe_error(error: BaseException) -> str:
    """What the page may show of a failure: the type, and the sentence of our own refusals only."""
    kind = type(error).__name__
    if isinstance(error, DomainError):
        return f"{kind}: {error.message}"[:ERROR_MAX]
    return kind[:ERROR_MAX]


def _write(name: str, started: datetime, error: BaseException | None) -> None:
    now = utcnow()
    try:
        row = db.session.get(JobRun, name)
        if row is None:
            row = JobRun(name=name, runs=0, failures=0, last_error="")
            db.session.add(row)
        row.last_started_at, row.last_finished_at = started, now
        row.runs = (row.runs or 0) + 1
        if error is None:
            row.last_ok_at = now
        else:
            row.last_error_at, row.last_error = now, describe_error(error)
            row.failures = (row.failures or 0) + 1
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.warning("could not record a run of the scheduled job %s", name, exc_info=False)


def status(now: datetime | None = None) -> list[JobStatus]:
    """Every registered job with its last run, in name order (one statement)."""
    now = now or utcnow()
    rows = {row.name: row for row in db.session.scalars(select(JobRun).where(JobRun.name.in_(list(_jobs))))}
    result = []
    for item in known_jobs():
        row = rows.get(item.name)
        finished = row.last_finished_at if row else None
        result.append(
            JobStatus(
                name=item.name,
                every=item.every,
                last_started_at=row.last_started_at if row else None,
                last_finished_at=finished,
                last_ok_at=row.last_ok_at if row else None,
                last_error_at=row.last_error_at if row else None,
                last_error=row.last_error if row else "",
                runs=row.runs if row else 0,
                failures=row.failures if row else 0,
                overdue=finished is None or now - finished > item.every + item.every / 4,
            )
        )
    return result
