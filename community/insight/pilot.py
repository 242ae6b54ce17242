"""The pilot view: an admin's goals for a group's first 4 weeks, compared with what happened (met / not yet met).
Goal changes are staff actions and are audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from community.auth.models import User
from community.core import audit
from community.core.errors import DomainError, Forbidden, NotFound
from community.extensions import db
from community.groups.models import Group
from community.insight import policy
from community.insight.models import PilotGoal
from community.insight.services import Figure, Period, compute, open_for
from community.notifications import preferences

FIRST_WEEKS = timedelta(days=28)
GOALS_MAX = 20


@dataclass(frozen=True)
class Metric:
    key: str  # a Figure key
    label: object
    at_least: bool  # True: met when the figure >= threshold; False: when <= threshold
    unit: object


METRICS = {
    metric.key: metric
    for metric in (
        Metric("answered_24h", _l("Share of topics answered within 24 hours"), True, _l("per cent")),
        Metric("professional_answer", _l("Median time to a professional's answer"), False, _l("hours")),
        Metric("active_members", _l("Active members"), True, _l("people")),
        Metric("new_topics", _l("New topics"), True, _l("topics")),
        Metric("safeguarding_response", _l("Median time to the first response to a safeguarding case"), False,
               _l("hours")),
    )
}  # fmt: skip


@dataclass(frozen=True)
class GoalResult:
    goal: PilotGoal
    metric: Metric
    figure: Figure
    met: bool | None  # None: cannot say (no data, or too few people to show)


@dataclass(frozen=True)
class PilotView:
    group: Group
    period: Period
    finished: bool  # the first 4 weeks are over
    results: list[GoalResult]
    sensitive: bool


def pilot_view(actor: User, slug: str, now: datetime) -> PilotView:
    group = open_for(actor, slug)
    start = group.created_at
    period = Period(start.date(), (start + FIRST_WEEKS - timedelta(days=1)).date())
    figures = {fig.key: fig for fig in compute(group, period, now)}
    goals = db.session.scalars(select(PilotGoal).where(PilotGoal.group_id == group.id).order_by(PilotGoal.id)).all()
    results = []
    for goal in goals:
        metric = METRICS.get(goal.metric)
        if metric is None:
            continue
        figure = figures[metric.key]
        met = None
        if figure.number is not None:
            met = figure.number >= goal.threshold if metric.at_least else figure.number <= goal.threshold
        results.append(GoalResult(goal, metric, figure, met))
    return PilotView(group, period, now >= start + FIRST_WEEKS, results, preferences.group_is_sensitive(group.id))


def _admin_group(actor: User, slug: str) -> Group:
    group = open_for(actor, slug)
    if not policy.can_set_goals(actor, group):
        raise Forbidden(_l("Only admins can set a group's goals."))
    return group


def add_goal(actor: User, slug: str, metric: str, threshold: str) -> PilotGoal:
    group = _admin_group(actor, slug)
    if metric not in METRICS:
        raise DomainError(_l("Please choose what the goal measures."), field="metric")
    try:
        value = float((threshold or "").replace(",", ".").strip())
    except ValueError:
        raise DomainError(_l("Please give the goal as a number, for example 80."), field="threshold") from None
    if not 0 <= value <= 100_000:  # also refuses NaN: every comparison with it is false
        raise DomainError(_l("Please give a number between 0 and 100000."), field="threshold")
    if metric == "answered_24h" and value > 100:
        raise DomainError(_l("A share is at most 100 per cent."), field="threshold")
    count = len(db.session.scalars(select(PilotGoal.id).where(PilotGoal.group_id == group.id)).all())
    if count >= GOALS_MAX:
        raise DomainError(_l("A group can have at most %(n)d goals. Remove one first.", n=GOALS_MAX))
    goal = PilotGoal(group_id=group.id, metric=metric, threshold=value, created_by_id=actor.id)
    db.session.add(goal)
    db.session.flush()
    audit.record("pilot_goal.created", actor_id=actor.id, target_type="pilot_goal", target_id=goal.id,
                 group_id=group.id, details={"metric": metric, "threshold": value})  # fmt: skip
    return goal


def remove_goal(actor: User, slug: str, goal_id: int) -> None:
    group = _admin_group(actor, slug)
    goal = db.session.get(PilotGoal, goal_id) if 0 < goal_id < 2**31 else None
    if goal is None or goal.group_id != group.id:
        raise NotFound(_l("We could not find that goal."))
    audit.record("pilot_goal.removed", actor_id=actor.id, target_type="pilot_goal", target_id=goal.id,
                 group_id=group.id, details={"metric": goal.metric, "threshold": goal.threshold})  # fmt: skip
    db.session.delete(goal)


def set_sensitive(actor: User, slug: str, sensitive: bool) -> None:
    """Whether emails may name this group (admins only; sensitive, the default, never names it). Audited."""
    group = _admin_group(actor, slug)
    preferences.set_group_sensitive(group, sensitive)
    audit.record("group.email_naming_changed", actor_id=actor.id, target_type="group", target_id=group.id,
                 group_id=group.id, details={"sensitive": sensitive})  # fmt: skip
