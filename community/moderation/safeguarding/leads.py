"""Safeguarding leads: who receives a case nobody took within the group's response time (tier 1), then a second
tier; their on-call rota; and a group's own response times.

Leads belong to one group or to the whole installation (``group_id`` NULL). A group's leads are its staff in good
standing (professional, moderator or manager) or instance admins; the installation's are instance admins or
someone who is staff of at least one group (``policy.can_be_group_lead`` / ``can_be_installation_lead``). Who is
told at a tier: the group's eligible leads of that tier, else the installation's; of those, whoever's rota period
covers now, else all of them (``policy.on_call``). Eligibility is checked when a lead is added and again each
time someone is told or opens a case, so a lead who left the group's staff is skipped.

Admins manage the installation's leads and rota; admins and the group's managers a group's. Every change is
audited in the same transaction, with the reason for a change of who is told. The adapter commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from community.auth.models import User
from community.core import audit
from community.core.errors import DomainError, NotFound
from community.core.time import utcnow
from community.extensions import db
from community.groups.models import Group, Membership
from community.groups.policy import CARE_ROLES
from community.moderation.safeguarding import policy
from community.moderation.safeguarding.models import (
    LEAD_TIERS,
    SafeguardingLead,
    SafeguardingResponseTime,
    SafeguardingRotaEntry,
)

REASON_MAX = 500
RESPONSE_MINUTES_MAX = 7 * 24 * 60  # a week
LEADS_MAX = 50  # per scope: a page lists them all
ROTA_SHOWN = 100  # current and coming periods on the page
NOT_FOUND = _l("We could not find that page.")


# --- the response time ---------------------------------------------------------------------------------------


def default_minutes(severity: str) -> int:
    config = current_app.config
    if severity == "acute":
        return int(config["SAFEGUARDING_ACUTE_RESPONSE_MINUTES"])
    return int(config["SAFEGUARDING_CONCERN_RESPONSE_MINUTES"])


def response_minutes(severity: str, group_id: int | None = None) -> int:
    """The group's own response time for the severity, else the instance's."""
    row = db.session.get(SafeguardingResponseTime, group_id) if group_id is not None else None
    own = (row.acute_minutes if severity == "acute" else row.concern_minutes) if row is not None else None
    return own if own is not None else default_minutes(severity)


# --- who may manage, who may be a lead -----------------------------------------------------------------------


def _check_manage(actor: User, group: Group | None, membership: Membership | None) -> None:
    allowed = (
        policy.can_manage_installation_leads(actor)
        if group is None
        else policy.can_manage_group_leads(actor, group, membership)
    )
    if not allowed:
        raise NotFound(NOT_FOUND)


def _staff_memberships(user_ids: Iterable[int], group_id: int | None) -> dict[int, list[Membership]]:
    """Active staff memberships of these people (in one group, or anywhere), by user id."""
    ids = sorted(set(user_ids))
    query = select(Membership).where(
        Membership.user_id.in_(ids), Membership.role.in_(CARE_ROLES), Membership.state == "active"
    )
    if group_id is not None:
        query = query.where(Membership.group_id == group_id)
    found: dict[int, list[Membership]] = {user_id: [] for user_id in ids}
    for membership in db.session.scalars(query) if ids else ():
        found[membership.user_id].append(membership)
    return found


def _eligible(leads: list[SafeguardingLead], group: Group | None) -> list[SafeguardingLead]:
    """The leads who may still be told and open cases in their scope (``group``: their group, None: installation)."""
    staff = _staff_memberships((lead.user_id for lead in leads), group.id if group else None)
    if group is None:
        return [lead for lead in leads if policy.can_be_installation_lead(lead.user, bool(staff[lead.user_id]))]
    return [lead for lead in leads if policy.can_be_group_lead(lead.user, group, next(iter(staff[lead.user_id]), None))]


def _leads_of(group_id: int | None, tier: int | None = None) -> list[SafeguardingLead]:
    query = select(SafeguardingLead).where(
        SafeguardingLead.group_id.is_(None) if group_id is None else SafeguardingLead.group_id == group_id
    )
    if tier is not None:
        query = query.where(SafeguardingLead.tier == tier)
    return list(db.session.scalars(query.order_by(SafeguardingLead.tier, SafeguardingLead.id).limit(LEADS_MAX)))


# --- who is on call --------------------------------------------------------------------------------------------


def _on_call_in(group: Group | None, tier: int, now: datetime) -> list[SafeguardingLead]:
    leads = _eligible(_leads_of(group.id if group else None, tier), group)
    if not leads:
        return []
    periods = db.session.execute(
        select(SafeguardingRotaEntry.lead_id, SafeguardingRotaEntry.starts_at, SafeguardingRotaEntry.ends_at).where(
            SafeguardingRotaEntry.lead_id.in_([lead.id for lead in leads]),
            SafeguardingRotaEntry.ends_at > now,
            SafeguardingRotaEntry.starts_at <= now,
        )
    ).all()
    chosen = set(policy.on_call([lead.id for lead in leads], periods, now))
    return [lead for lead in leads if lead.id in chosen]


def on_call_now(group: Group, tier: int, now: datetime | None = None) -> list[User]:
    """Who is told when a case of ``group`` reaches ``tier``: the group's leads of the tier if it has eligible
    ones, else the installation's; of those, the ones on call now (all when the rota names nobody for now)."""
    now = now or utcnow()
    leads = _on_call_in(group, tier, now) or _on_call_in(None, tier, now)
    return [lead.user for lead in leads]


def lead_tiers_for(actor: User, group: Group) -> set[int]:
    """The tiers ``actor`` holds, eligible now, for ``group`` (as its lead) or the whole installation."""
    rows = list(
        db.session.scalars(
            select(SafeguardingLead).where(
                SafeguardingLead.user_id == actor.id,
                (SafeguardingLead.group_id == group.id) | SafeguardingLead.group_id.is_(None),
            )
        )
    )
    own = [row for row in rows if row.group_id == group.id]
    installation = [row for row in rows if row.group_id is None]
    return {row.tier for row in _eligible(own, group) + _eligible(installation, None)}


# --- the page ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeadRow:
    lead: SafeguardingLead
    eligible: bool


@dataclass(frozen=True)
class LeadsView:
    group: Group | None
    leads: list[LeadRow]
    rota: list[SafeguardingRotaEntry]
    on_call: dict[int, list[User]]  # tier -> who would be told now
    acute_minutes: int | None  # the group's own (None: the default)
    concern_minutes: int | None
    default_acute: int
    default_concern: int


def leads_page(actor: User, group: Group | None, membership: Membership | None) -> LeadsView:
    """Everything the leads page shows, for whoever may manage this scope (404 for anyone else)."""
    _check_manage(actor, group, membership)
    now = utcnow()
    leads = _leads_of(group.id if group else None)
    eligible = {lead.id for lead in _eligible(leads, group)}
    rota = list(
        db.session.scalars(
            select(SafeguardingRotaEntry)
            .where(SafeguardingRotaEntry.lead_id.in_([lead.id for lead in leads]), SafeguardingRotaEntry.ends_at > now)
            .order_by(SafeguardingRotaEntry.starts_at, SafeguardingRotaEntry.id)
            .limit(ROTA_SHOWN)
        )
    )
    if group is None:
        on_call = {tier: [lead.user for lead in _on_call_in(None, tier, now)] for tier in LEAD_TIERS}
    else:
        on_call = {tier: on_call_now(group, tier, now) for tier in LEAD_TIERS}
    row = db.session.get(SafeguardingResponseTime, group.id) if group else None
    return LeadsView(
        group=group,
        leads=[LeadRow(lead, lead.id in eligible) for lead in leads],
        rota=rota,
        on_call=on_call,
        acute_minutes=row.acute_minutes if row else None,
        concern_minutes=row.concern_minutes if row else None,
        default_acute=default_minutes("acute"),
        default_concern=default_minutes("concern"),
    )


# --- changes ----------------------------------------------------------------------------------------------------


def _reason(text: str) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise DomainError(_l("Say why: it changes who is told about urgent cases."), field="reason")
    if len(text) > REASON_MAX:
        raise DomainError(_l("Please keep the reason under %(max)d characters.", max=REASON_MAX), field="reason")
    return text


def _audit(action: str, actor: User, group: Group | None, *, reason: str = "", **details: object) -> None:
    audit.record(
        action,
        actor_id=actor.id,
        target_type="group" if group else "installation",
        target_id=group.id if group else None,
        group_id=group.id if group else None,
        reason=reason,
        details=details,
    )


def _lead_in_scope(group: Group | None, lead_id: int) -> SafeguardingLead:
    lead = db.session.get(SafeguardingLead, lead_id) if 0 < lead_id < 2**31 else None
    if lead is None or lead.group_id != (group.id if group else None):
        raise DomainError(_l("Choose a lead from the list."), field="lead_id")
    return lead


def add_lead(
    actor: User, group: Group | None, membership: Membership | None, *, username: str, tier: int, reason: str
) -> SafeguardingLead:
    """Make someone a lead of this scope at ``tier``; refused for someone not eligible (see the module)."""
    _check_manage(actor, group, membership)
    key = (username or "").strip().lstrip("@").casefold()
    person = db.session.scalar(select(User).where(User.username_key == key, User.state != "deleted")) if key else None
    if person is None:
        raise DomainError(_l("We could not find an account with that username."), field="username")
    if tier not in LEAD_TIERS:
        raise DomainError(_l("Choose tier 1 or tier 2."), field="tier")
    if group is None:
        staff = _staff_memberships([person.id], None)[person.id]
        if not policy.can_be_installation_lead(person, bool(staff)):
            raise DomainError(
                _l("An installation lead must be an admin, or a professional, moderator or manager of a group, "
                   "with an active account."),
                field="username",
            )  # fmt: skip
    else:
        staff = _staff_memberships([person.id], group.id)[person.id]
        if not policy.can_be_group_lead(person, group, next(iter(staff), None)):
            raise DomainError(
                _l("A group's lead must be one of its professionals, moderators or managers, or an admin, with an "
                   "active account."),
                field="username",
            )  # fmt: skip
    existing = [lead for lead in _leads_of(group.id if group else None) if lead.user_id == person.id]
    if existing:
        raise DomainError(
            _l("%(name)s is already a lead here (tier %(tier)d). Remove them first to change the tier.",
               name=person.display_name, tier=existing[0].tier),
            field="username",
        )  # fmt: skip
    if len(_leads_of(group.id if group else None)) >= LEADS_MAX:
        raise DomainError(_l("There can be at most %(max)d leads here.", max=LEADS_MAX), field="username")
    reason = _reason(reason)
    lead = SafeguardingLead(
        group_id=group.id if group else None, user_id=person.id, tier=tier, added_by_id=actor.id, added_at=utcnow()
    )
    db.session.add(lead)
    db.session.flush()
    _audit("safeguarding.lead_added", actor, group, reason=reason, lead_id=lead.id, user_id=person.id, tier=tier)
    return lead


def remove_lead(actor: User, group: Group | None, membership: Membership | None, lead_id: int, *, reason: str) -> None:
    """Remove a lead, and their rota periods with them."""
    _check_manage(actor, group, membership)
    lead = _lead_in_scope(group, lead_id)
    reason = _reason(reason)
    details = {"lead_id": lead.id, "user_id": lead.user_id, "tier": lead.tier, "rota_entries": len(lead.rota)}
    db.session.delete(lead)
    db.session.flush()
    _audit("safeguarding.lead_removed", actor, group, reason=reason, **details)


def _local_to_utc(value: datetime) -> datetime:
    """A moment typed in the site's time zone (BABEL_DEFAULT_TIMEZONE), as naive UTC for storage."""
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "UTC")
    return value.replace(tzinfo=zone).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def add_rota_entry(
    actor: User,
    group: Group | None,
    membership: Membership | None,
    *,
    lead_id: int,
    starts_local: datetime | None,
    ends_local: datetime | None,
    reason: str,
) -> SafeguardingRotaEntry:
    """Put a lead of this scope on call from ``starts_local`` to ``ends_local`` (the site's local time; the end
    is excluded). The end must come after the start and not be past."""
    _check_manage(actor, group, membership)
    lead = _lead_in_scope(group, lead_id)
    if starts_local is None:
        raise DomainError(_l("Enter when the period starts."), field="starts_at")
    if ends_local is None:
        raise DomainError(_l("Enter when the period ends."), field="ends_at")
    starts_at, ends_at = _local_to_utc(starts_local), _local_to_utc(ends_local)
    if ends_at <= starts_at:
        raise DomainError(_l("The period must end after it starts."), field="ends_at")
    if not policy.valid_period(starts_at, ends_at, utcnow()):
        raise DomainError(_l("That period has already ended."), field="ends_at")
    reason = _reason(reason)
    entry = SafeguardingRotaEntry(
        lead_id=lead.id, starts_at=starts_at, ends_at=ends_at, created_by_id=actor.id, created_at=utcnow()
    )
    db.session.add(entry)
    db.session.flush()
    _audit(
        "safeguarding.rota_added", actor, group, reason=reason, entry_id=entry.id, lead_id=lead.id,
        user_id=lead.user_id, tier=lead.tier, starts_at=starts_at.isoformat(), ends_at=ends_at.isoformat(),
    )  # fmt: skip
    return entry


def remove_rota_entry(
    actor: User, group: Group | None, membership: Membership | None, entry_id: int, *, reason: str
) -> None:
    _check_manage(actor, group, membership)
    entry = db.session.get(SafeguardingRotaEntry, entry_id) if 0 < entry_id < 2**31 else None
    if entry is None or entry.lead.group_id != (group.id if group else None):
        raise DomainError(_l("That period is no longer on the rota."))
    reason = _reason(reason)
    details = {"entry_id": entry.id, "lead_id": entry.lead_id, "user_id": entry.lead.user_id}
    db.session.delete(entry)
    db.session.flush()
    _audit("safeguarding.rota_removed", actor, group, reason=reason, **details)


def _minutes(value: int | None, field: str) -> int | None:
    if value is not None and not 1 <= value <= RESPONSE_MINUTES_MAX:
        raise DomainError(
            _l("Enter a whole number of minutes from 1 to %(max)d, or leave it empty for the default.",
               max=RESPONSE_MINUTES_MAX),
            field=field,
        )  # fmt: skip
    return value


def set_response_times(
    actor: User, group: Group, membership: Membership | None, *, acute: int | None, concern: int | None
) -> list[str]:
    """The group's own response times (None: the instance's). Applies to cases opened from now on. Returns what
    changed (audited as ``safeguarding.response_time_changed``)."""
    _check_manage(actor, group, membership)
    acute, concern = _minutes(acute, "acute_minutes"), _minutes(concern, "concern_minutes")
    row = db.session.get(SafeguardingResponseTime, group.id)
    before = (row.acute_minutes, row.concern_minutes) if row else (None, None)
    wanted = (("acute_minutes", acute, before[0]), ("concern_minutes", concern, before[1]))
    changed = {name: value for name, value, old in wanted if value != old}
    if not changed:
        return []
    if row is None:
        row = SafeguardingResponseTime(group_id=group.id)
        db.session.add(row)
    row.acute_minutes, row.concern_minutes = acute, concern
    row.updated_by_id, row.updated_at = actor.id, utcnow()
    db.session.flush()
    _audit("safeguarding.response_time_changed", actor, group, **changed)
    return sorted(changed)


def lead_after(group: Group, severity: str) -> timedelta:
    """One response period of the group, for the time between the tier-1 and the tier-2 step."""
    return timedelta(minutes=response_minutes(severity, group.id))
