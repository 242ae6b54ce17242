"""Queue figures for staff, per group: items waiting, the age of the oldest, and the median time to the first
action (an item's first claim, or its resolution) over the last 30 days. Pure queries; bounded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

from sqlalchemy import func, select

from community.core.time import utcnow
from community.extensions import db
from community.moderation.models import QueueItem

WINDOW_DAYS = 30
SAMPLE_MAX = 2000  # the most recent items of a group that count towards its median


@dataclass(frozen=True)
class GroupFigures:
    group_id: int
    waiting: int
    oldest_waiting_seconds: int | None
    median_first_action_seconds: int | None


def waiting_by_group(group_ids: list[int]) -> dict[int, tuple[int, datetime]]:
    """Open items per group and when the oldest came in: one grouped query over the open-items index."""
    if not group_ids:
        return {}
    rows = db.session.execute(
        select(QueueItem.group_id, func.count(), func.min(QueueItem.created_at))
        .where(QueueItem.group_id.in_(group_ids), QueueItem.resolved_at.is_(None))
        .group_by(QueueItem.group_id)
    ).all()
    return {int(group_id): (int(count), oldest) for group_id, count, oldest in rows}


def median_first_action(group_id: int, *, now: datetime | None = None) -> int | None:
    """Seconds from an item coming in to someone first taking it up, median over the window; None without data."""
    now = now or utcnow()
    first = func.coalesce(QueueItem.claimed_at, QueueItem.resolved_at)
    rows = db.session.execute(
        select(QueueItem.created_at, first)
        .where(
            QueueItem.group_id == group_id, QueueItem.created_at >= now - timedelta(days=WINDOW_DAYS), first.isnot(None)
        )
        .order_by(QueueItem.created_at.desc())
        .limit(SAMPLE_MAX)
    ).all()
    spans = [max((acted - created).total_seconds(), 0) for created, acted in rows]
    return int(median(spans)) if spans else None


def figures_for(group_ids: list[int], *, now: datetime | None = None) -> list[GroupFigures]:
    now = now or utcnow()
    waiting = waiting_by_group(group_ids)
    result = []
    for group_id in group_ids:
        count, oldest = waiting.get(group_id, (0, None))
        result.append(
            GroupFigures(
                group_id=group_id,
                waiting=count,
                oldest_waiting_seconds=int((now - oldest).total_seconds()) if oldest else None,
                median_first_action_seconds=median_first_action(group_id, now=now),
            )
        )
    return result
