"""Staff insight: which groups an actor may look at, the validated period, and the dashboard's figures with small
numbers suppressed. Figures come from :mod:`community.insight.figures`; nothing here names a member."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from community.auth.models import User
from community.core.errors import DomainError, NotFound
from community.extensions import db
from community.groups.models import Group, Membership
from community.groups.policy import MODERATING_ROLES, can_manage_groups
from community.insight import figures, policy

GROUPS_LISTED = 500
EARLIEST = date(2000, 1, 1)
DEFAULT_DAYS = 28


@dataclass(frozen=True)
class Period:
    first_day: date
    last_day: date  # inclusive

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, datetime.min.time())

    @property
    def end(self) -> datetime:  # exclusive
        return datetime.combine(self.last_day + timedelta(days=1), datetime.min.time())


def parse_period(first: str | None, last: str | None, *, today: date) -> Period:
    """The period from two "YYYY-MM-DD" texts (both inclusive); empty: the last 28 days up to today.
    A reversed, unreadable or absurd range is refused with a message that says what to do."""
    first, last = (first or "").strip(), (last or "").strip()
    if not first and not last:
        return Period(today - timedelta(days=DEFAULT_DAYS - 1), today)
    try:
        first_day = date.fromisoformat(first) if first else None
        last_day = date.fromisoformat(last) if last else today
    except ValueError:
        raise DomainError(_l("Please give dates as year-month-day, for example 2026-03-31."), field="start") from None
    if first_day is None:
        first_day = last_day - timedelta(days=DEFAULT_DAYS - 1)
    if last_day < first_day:
        raise DomainError(_l("The end date is before the start date. Please swap them."), field="end")
    if first_day < EARLIEST or last_day > today + timedelta(days=1):
        raise DomainError(
            _l("Please choose dates between %(first)s and today.", first=EARLIEST.isoformat()), field="start"
        )
    longest = current_app.config["INSIGHT_MAX_RANGE_DAYS"]
    if (last_day - first_day).days + 1 > longest:
        raise DomainError(_l("Please choose a period of at most %(days)d days.", days=longest), field="end")
    return Period(first_day, last_day)


def insight_groups(actor: User) -> list[Group]:
    """The groups whose figures the actor may see: every group for an admin, their own for a moderator. Anyone
    else: "not found" (the insight area does not exist for members)."""
    moderates = db.session.scalar(
        select(Membership.id).where(Membership.user_id == actor.id, Membership.role.in_(MODERATING_ROLES),
                                    Membership.state.in_(("active", "muted"))).limit(1)
    )  # fmt: skip
    if not policy.can_use_insight_area(actor, moderates is not None):
        raise NotFound(_l("We could not find that page."))
    query = select(Group).order_by(Group.name).limit(GROUPS_LISTED)
    if not can_manage_groups(actor):
        query = query.join(Membership, Membership.group_id == Group.id).where(
            Membership.user_id == actor.id,
            Membership.role.in_(MODERATING_ROLES),
            Membership.state.in_(("active", "muted")),
        )
    return list(db.session.scalars(query))


def open_for(actor: User, slug: str, check=policy.can_view_insight) -> Group:
    """The group if ``check`` allows the actor; otherwise "not found" (a group one cannot see does not exist)."""
    row = db.session.execute(
        select(Group, Membership)
        .outerjoin(Membership, (Membership.group_id == Group.id) & (Membership.user_id == actor.id))
        .where(Group.slug == slug)
    ).first()
    if row is None or not check(actor, row[0], row[1]):
        raise NotFound(_l("We could not find that group."))
    return row[0]


# --- the dashboard ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    shown: str  # what the page and the CSV say: a number, "fewer than 5", "no data"
    number: float | None  # the raw number, None when suppressed or absent
    suppressed: bool = False


@dataclass
class Dashboard:
    group: Group
    period: Period
    figures: list[Figure]
    weeks: list[date]
    series: dict[str, list[int]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return all(fig.number in (None, 0) for fig in self.figures)


def _min_people() -> int:
    return int(current_app.config["INSIGHT_MIN_PEOPLE"])


def fewer_than() -> str:
    return str(_l("fewer than %(n)d", n=_min_people()))


def _people(key: str, label, count: int) -> Figure:
    """A number of people: 1 to 4 is shown as "fewer than 5" (0 singles nobody out)."""
    if 0 < count < _min_people():
        return Figure(key, str(label), fewer_than(), None, True)
    return Figure(key, str(label), str(count), float(count))


def _plain(key: str, label, count: int) -> Figure:
    return Figure(key, str(label), str(count), float(count))


def _share(key: str, label, share: figures.Share) -> Figure:
    if share.total == 0:
        return Figure(key, str(label), str(_l("no data")), None)
    if share.total < _min_people():
        return Figure(key, str(label), fewer_than(), None, True)
    return Figure(key, str(label), f"{share.percent:g} %", share.percent)


def _hours(key: str, label, duration: figures.Duration) -> Figure:
    if duration.hours is None:
        return Figure(key, str(label), str(_l("no data")), None)
    if duration.count < _min_people():
        return Figure(key, str(label), fewer_than(), None, True)
    return Figure(key, str(label), str(_l("%(h)s hours", h=f"{duration.hours:g}")), duration.hours)


def compute(group: Group, period: Period, now: datetime) -> list[Figure]:
    gid, start, end = group.id, period.start, period.end
    queue = figures.queue_at(gid, min(end, now))
    cases = figures.safeguarding(gid, start, end)
    invites = figures.invitations(gid, start, end)
    kept = figures.retention(gid, start, end, now)
    return [
        _people("active_members", _l("Active members (wrote something)"), figures.active_members(gid, start, end)),
        _plain("new_topics", _l("New topics"), figures.new_topics(gid, start, end)),
        _plain("replies", _l("Replies"), figures.replies(gid, start, end)),
        _plain("chat_messages", _l("Chat messages"), figures.chat_messages(gid, start, end)),
        _share("answered_24h", _l("Topics answered within 24 hours"), figures.answered_within_a_day(gid, start, end)),
        _hours("professional_answer", _l("Median time to a professional's answer"),
               figures.professional_answer_time(gid, start, end)),
        _plain("queue_waiting", _l("Moderation queue: items waiting at the end of the period"), queue.waiting),
        Figure("queue_oldest_hours", str(_l("Moderation queue: oldest waiting item")),
               str(_l("%(h)s hours", h=f"{queue.oldest_hours:g}")) if queue.oldest_hours is not None
               else str(_l("none waiting")), queue.oldest_hours),
        _plain("held", _l("Items held for a moderator"), figures.held_items(gid, start, end)),
        _plain("refused", _l("Items refused by a moderator"), figures.refused_items(gid, start, end)),
        _plain("reports", _l("Reports by members"), figures.reports(gid, start, end)),
        _people("safeguarding_cases", _l("Safeguarding cases opened"), cases.count),
        _hours("safeguarding_response", _l("Median time to the first response to a safeguarding case"), cases),
        _plain("invitations_sent", _l("Invitations sent"), invites.total),
        _people("invitations_accepted", _l("Invitations accepted"), invites.part),
        _people("new_members_4_weeks", _l("New members whose first 4 weeks are over"), kept.total),
        _share("retention", _l("Of them, still writing after 4 weeks"), kept),
    ]  # fmt: skip


def dashboard(actor: User, slug: str, period: Period, now: datetime) -> Dashboard:
    group = open_for(actor, slug)
    weeks = figures.weekly_buckets(period.start, period.end)
    return Dashboard(
        group, period, compute(group, period, now), [lo.date() for lo, _hi in weeks],
        figures.weekly_activity(group.id, period.start, period.end),
    )  # fmt: skip


def as_csv(board: Dashboard) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["group", "first_day", "last_day", "figure", "label", "value", "shown"])
    for fig in board.figures:
        number = "" if fig.number is None else f"{fig.number:g}"
        writer.writerow([board.group.slug, board.period.first_day.isoformat(), board.period.last_day.isoformat(),
                         fig.key, _csv_safe(fig.label), number, _csv_safe(fig.shown)])  # fmt: skip
    for index, week in enumerate(board.weeks):
        for name, values in board.series.items():
            writer.writerow(
                [board.group.slug, week.isoformat(), "", f"weekly_{name}", "", values[index], values[index]]
            )
    return out.getvalue()


def _csv_safe(text: str) -> str:
    """No cell starts like a spreadsheet formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


@dataclass(frozen=True)
class WorkloadRow:
    name: str
    handled: int
    queue_hours: float
    distressing_this_week: int


def workload_view(actor: User, slug: str, period: Period, now: datetime) -> tuple[Group, list[WorkloadRow]]:
    """Per moderator of the group: items handled and hours spent on them in the period, and how many
    safeguarding items they dealt with in the last 7 days. Admins only: it names staff, so a lead can share the
    load."""
    group = open_for(actor, slug, policy.can_view_workload)
    rows = figures.workload(group.id, period.start, period.end, now)
    names = dict(
        db.session.execute(select(User.id, User.display_name).where(User.id.in_([r.user_id for r in rows]))).all()
    )
    return group, [
        WorkloadRow(names.get(row.user_id, ""), row.handled, row.queue_hours, row.distressing_this_week) for row in rows
    ]
