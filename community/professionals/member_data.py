"""Professionals' part of a member's export and erasure.

Export: a professional's own profile (and photo), the answers they wrote (not the questions) and the requests
they received (state and their own decline note; not the member's message or name); a member's own questions
and requests (not the professional's answer: those are the professional's words).

Erasure: their profile goes (with its specialties, languages and photo file, removed from disk after the
commit), their requests and questions go (sent and received requests both: a request needs both people);
answers they wrote stay for the member who asked, without a link to the professional; a question they had
taken but not answered goes back to the team.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import delete, or_, select, update

from community.auth.member_data import LIMIT, when
from community.auth.models import User
from community.auth.signals import contribute_member_data
from community.extensions import db
from community.groups.member_data import GroupNames
from community.professionals import photos
from community.professionals.models import (
    ProfessionalProfile,
    ProfessionalQuestion,
    ProfessionalRequest,
    ProfileLanguage,
    ProfileSpecialty,
    Specialty,
)


def _profile(uid: int) -> tuple[dict[str, Any] | None, dict[str, Path]]:
    profile = db.session.scalar(select(ProfessionalProfile).where(ProfessionalProfile.user_id == uid))
    if profile is None:
        return None, {}
    files: dict[str, Path] = {}
    specialties = list(
        db.session.scalars(
            select(Specialty.name).join(ProfileSpecialty, ProfileSpecialty.specialty_id == Specialty.id)
            .where(ProfileSpecialty.profile_id == profile.id)
        )
    )  # fmt: skip
    languages = list(db.session.scalars(select(ProfileLanguage.code).where(ProfileLanguage.profile_id == profile.id)))
    photo = None
    if profile.photo_file:
        photo = f"professional/photo{Path(profile.photo_file).suffix}"
        files[photo] = photos.photo_dir() / profile.photo_file
    data = {
        "public_name": profile.public_name, "role_title": profile.role_title, "organisation": profile.organisation,
        "introduction": profile.intro_source, "availability": profile.availability,
        "away_until": profile.away_until.isoformat() if profile.away_until else None, "paused": profile.paused,
        "state": profile.state, "review_note": profile.review_note, "specialties": specialties,
        "languages": languages, "photo": photo, "created_at": when(profile.created_at),
        "updated_at": when(profile.updated_at),
    }  # fmt: skip
    return data, files


def export_part(user: User) -> dict[str, Any]:
    uid, groups = user.id, GroupNames()
    profile, files = _profile(uid)
    sent = [
        {"group": groups.get(r.group_id), "to_professional_id": r.professional_id, "message": r.message,
         "state": r.state, "email_me": r.email_me, "created_at": when(r.created_at), "decided_at": when(r.decided_at)}
        for r in db.session.scalars(
            select(ProfessionalRequest).where(ProfessionalRequest.member_id == uid)
            .order_by(ProfessionalRequest.id).limit(LIMIT)
        )
    ]  # fmt: skip
    received = [
        {"id": r.id, "state": r.state, "your_decline_note": r.decline_note, "created_at": when(r.created_at),
         "decided_at": when(r.decided_at)}
        for r in db.session.scalars(
            select(ProfessionalRequest).where(ProfessionalRequest.professional_id == uid)
            .order_by(ProfessionalRequest.id).limit(LIMIT)
        )
    ]  # fmt: skip
    asked = [
        {"id": q.id, "group": groups.get(q.group_id), "question": q.body_source, "state": q.state,
         "status": q.status, "email_me": q.email_me, "created_at": when(q.created_at),
         "answered_at": when(q.answered_at)}
        for q in db.session.scalars(
            select(ProfessionalQuestion).where(ProfessionalQuestion.member_id == uid)
            .order_by(ProfessionalQuestion.id).limit(LIMIT)
        )
    ]  # fmt: skip
    answered = [
        {"question_id": q.id, "your_answer": q.answer_source, "answered_at": when(q.answered_at)}
        for q in db.session.scalars(
            select(ProfessionalQuestion)
            .where(ProfessionalQuestion.claimed_by_id == uid, ProfessionalQuestion.answer_source != "")
            .order_by(ProfessionalQuestion.id).limit(LIMIT)
        )
    ]  # fmt: skip
    document = {"your_profile": profile, "requests_you_sent": sent, "requests_you_received": received,
                "questions_you_asked": asked, "answers_you_wrote": answered}  # fmt: skip
    return {"professionals.json": document, **files}


def erase(user: User, **_details: Any) -> dict[str, int]:
    """Counts for the audit entry (never content)."""
    uid = user.id
    counts: dict[str, int] = {}
    profile = db.session.scalar(select(ProfessionalProfile).where(ProfessionalProfile.user_id == uid))
    if profile is not None:
        photos.forget_photo(profile.photo_file)  # the file goes once the erasure is committed
        db.session.execute(
            update(ProfessionalRequest).where(ProfessionalRequest.suggested_profile_id == profile.id)
            .values(suggested_profile_id=None)
        )  # fmt: skip
        db.session.execute(delete(ProfileSpecialty).where(ProfileSpecialty.profile_id == profile.id))
        db.session.execute(delete(ProfileLanguage).where(ProfileLanguage.profile_id == profile.id))
        db.session.execute(delete(ProfessionalProfile).where(ProfessionalProfile.id == profile.id))
        counts["professional_profile"] = 1
    db.session.execute(
        update(ProfessionalProfile).where(ProfessionalProfile.reviewed_by_id == uid).values(reviewed_by_id=None)
    )
    counts["professional_requests"] = db.session.execute(
        delete(ProfessionalRequest).where(
            or_(ProfessionalRequest.member_id == uid, ProfessionalRequest.professional_id == uid)
        )
    ).rowcount
    counts["professional_questions"] = db.session.execute(
        delete(ProfessionalQuestion).where(ProfessionalQuestion.member_id == uid)
    ).rowcount
    db.session.execute(  # a question they had taken but not answered goes back to the team
        update(ProfessionalQuestion)
        .where(ProfessionalQuestion.claimed_by_id == uid, ProfessionalQuestion.status == "taken")
        .values(status="waiting", claimed_by_id=None, claimed_at=None)
    )
    db.session.execute(
        update(ProfessionalQuestion).where(ProfessionalQuestion.claimed_by_id == uid).values(claimed_by_id=None)
    )
    return counts


def connect() -> None:
    """From ``professionals.wiring.init_app``; connecting again is a no-op (blinker keys receivers by identity)."""
    contribute_member_data(export=export_part, erase=erase)
