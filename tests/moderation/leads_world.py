"""Helpers for the safeguarding leads tests: leads and rota periods made through the real services, and the
authorization matrix's leads."""

from __future__ import annotations

from datetime import datetime, timedelta

from community.auth.models import User
from community.core.time import utcnow
from community.extensions import db
from community.groups.models import Group
from community.moderation.safeguarding import leads
from community.moderation.safeguarding.models import SafeguardingLead


def add_lead(admin: User, group: Group | None, person: User, tier: int) -> SafeguardingLead:
    return leads.add_lead(admin, group, None, username=person.username, tier=tier, reason="Named by the board")


def local(moment: datetime) -> datetime:
    """A naive UTC moment as the site's local time (what the rota form takes)."""
    from zoneinfo import ZoneInfo

    from flask import current_app

    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None)


def add_rota(admin: User, group: Group | None, lead: SafeguardingLead, starts_at: datetime, ends_at: datetime):
    return leads.add_rota_entry(
        admin, group, None, lead_id=lead.id, starts_local=local(starts_at), ends_local=local(ends_at),
        reason="This week's rota",
    )  # fmt: skip


def add_matrix_leads(people: dict, group: Group) -> dict[str, int]:
    """For tests/auth/test_authorization_matrix.py: the group's moderator as its tier-1 lead and the admin as the
    installation's, each with a rota period (ids by placeholder name)."""
    admin = people["admin"]
    group_lead = add_lead(admin, group, people["moderator"], 1)
    installation_lead = add_lead(admin, None, admin, 1)
    now = utcnow()
    group_rota = add_rota(admin, group, group_lead, now, now + timedelta(days=1))
    rota = add_rota(admin, None, installation_lead, now, now + timedelta(days=1))
    db.session.flush()
    return {"group_lead": group_lead.id, "group_rota": group_rota.id, "lead": installation_lead.id, "rota": rota.id}
