"""Admins approve or reject professionals' profiles and keep the list of specialties. Every change is audited
in the same transaction."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from community.auth.models import User
from community.core import audit
from community.core.errors import DomainError, Forbidden, NotFound
from community.core.time import utcnow
from community.extensions import db
from community.professionals import policy
from community.professionals.models import ProfessionalProfile, Specialty

REVIEW_PAGE = 100
REASON_MAX = 500
SPECIALTY_MAX = 60
SPECIALTIES_MAX = 300


def _admin(actor: User) -> None:
    if not policy.can_manage_profiles(actor):
        raise NotFound(_("We could not find that page."))


def profiles_for_review(actor: User) -> list[ProfessionalProfile]:
    """Profiles waiting for approval first (oldest first), then the others by name. Bounded."""
    _admin(actor)
    waiting = db.session.scalars(
        select(ProfessionalProfile)
        .where(ProfessionalProfile.state == "pending")
        .order_by(ProfessionalProfile.updated_at, ProfessionalProfile.id)
        .limit(REVIEW_PAGE)
    ).all()
    others = db.session.scalars(
        select(ProfessionalProfile)
        .where(ProfessionalProfile.state != "pending")
        .order_by(ProfessionalProfile.public_name, ProfessionalProfile.id)
        .limit(REVIEW_PAGE)
    ).all()
    return [*waiting, *others]


def _profile(profile_id: int) -> ProfessionalProfile:
    profile = db.session.get(ProfessionalProfile, profile_id) if 0 < profile_id < 2**31 else None
    if profile is None:
        raise NotFound(_("We could not find that profile."))
    return profile


def approve_profile(actor: User, profile_id: int) -> ProfessionalProfile:
    _admin(actor)
    profile = _profile(profile_id)
    if profile.state == "approved":
        raise DomainError(_("This profile is already approved."))
    profile.state, profile.review_note = "approved", ""
    profile.reviewed_by_id, profile.reviewed_at = actor.id, utcnow()
    db.session.flush()
    audit.record("professional.profile_approved", actor_id=actor.id, target_type="professional_profile",
                 target_id=profile.id, details={"user_id": profile.user_id})  # fmt: skip
    return profile


def reject_profile(actor: User, profile_id: int, reason: str) -> ProfessionalProfile:
    """Send a profile back with a reason the professional reads; it stays hidden from members."""
    _admin(actor)
    profile = _profile(profile_id)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Tell the professional what to change."), field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(_("The reason can be at most %(max)d characters.", max=REASON_MAX), field="reason")
    profile.state, profile.review_note = "rejected", reason
    profile.reviewed_by_id, profile.reviewed_at = actor.id, utcnow()
    db.session.flush()
    audit.record("professional.profile_rejected", actor_id=actor.id, target_type="professional_profile",
                 target_id=profile.id, reason=reason, details={"user_id": profile.user_id})  # fmt: skip
    return profile


def list_specialties(*, active_only: bool = True) -> list[Specialty]:
    query = select(Specialty).order_by(Specialty.name).limit(SPECIALTIES_MAX)
    if active_only:
        query = query.where(Specialty.active.is_(True))
    return list(db.session.scalars(query))


def _clean_name(name: str, *, except_id: int | None = None) -> str:
    cleaned = " ".join((name or "").split())
    if not 2 <= len(cleaned) <= SPECIALTY_MAX:
        raise DomainError(_("Give the specialty a name of 2 to %(max)d characters.", max=SPECIALTY_MAX), field="name")
    query = select(Specialty.id).where(func.lower(Specialty.name) == cleaned.lower())
    if except_id is not None:
        query = query.where(Specialty.id != except_id)
    if db.session.scalar(query) is not None:
        raise DomainError(_("This specialty is already on the list."), field="name")
    return cleaned


def add_specialty(actor: User, name: str) -> Specialty:
    if not policy.can_manage_profiles(actor):
        raise Forbidden(_("Only an admin can change the list of specialties."))
    cleaned = _clean_name(name)
    count = db.session.scalar(select(func.count()).select_from(Specialty)) or 0
    if count >= SPECIALTIES_MAX:
        raise DomainError(_("The list is full (%(max)d specialties).", max=SPECIALTIES_MAX), field="name")
    specialty = Specialty(name=cleaned, active=True, created_at=utcnow())
    db.session.add(specialty)
    db.session.flush()
    audit.record("professional.specialty_added", actor_id=actor.id, target_type="professional_specialty",
                 target_id=specialty.id, details={"name": cleaned})  # fmt: skip
    return specialty


def update_specialty(actor: User, specialty_id: int, *, name: str, active: bool) -> Specialty:
    """Rename, retire (``active=False``: no longer offered, kept on profiles that have it) or bring back."""
    if not policy.can_manage_profiles(actor):
        raise Forbidden(_("Only an admin can change the list of specialties."))
    specialty = db.session.get(Specialty, specialty_id) if 0 < specialty_id < 2**31 else None
    if specialty is None:
        raise NotFound(_("We could not find that specialty."))
    cleaned = _clean_name(name, except_id=specialty.id)
    before = {"name": specialty.name, "active": specialty.active}
    specialty.name, specialty.active = cleaned, bool(active)
    db.session.flush()
    after = {"name": cleaned, "active": bool(active)}
    audit.record("professional.specialty_changed", actor_id=actor.id, target_type="professional_specialty",
                 target_id=specialty.id, details={"before": before, "after": after})  # fmt: skip
    return specialty
