"""The export's second half: moderation, safeguarding, professionals and notification data of one member.

Kept apart from export.py (which holds the ZIP machinery and the forum/chat/consent half) so each module stays
small. The rule is the same: what the member made, or what is about them, and nothing of anyone else. Other
people appear as an id at most (a pseudonymous number that leads nowhere outside Kring), never by name, and
their words are left out.

Decisions (explained to members in docs/privacy.md, "Download everything"):

* Moderators' notes ABOUT the member are included (their text, group and date; not who wrote them): a note
  about a person is that person's personal data, so the right of access (GDPR art. 15) covers it.
* Safeguarding cases about the member are included as facts (group, when, kind, severity, status, outcome),
  without their free text: the note of the member who raised the worry is that member's words, and the
  hand-over notes may name other people or hold an assessment whose disclosure could put someone at risk
  (art. 15(4), art. 23). The data-protection officer handles a request for them by hand.
* A worry the member raised themselves is included with their own note (not who it was about).
* Professionals: a professional's own profile (and photo), the answers they wrote (not the questions) and the
  requests they received (state and their own decline note; not the member's message or name). A member's
  own questions and requests (not the professional's answer: those are the professional's words).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from community.auth.models import User
from community.extensions import db
from community.groups.models import Group, Membership
from community.moderation.models import Appeal, MemberRelation, ModerationAction, ModeratorNote, Report
from community.moderation.safeguarding.models import SafeguardingCase, SafeguardingNote
from community.notifications.models import (
    DigestRun,
    EmailOutbox,
    GroupNotificationSetting,
    MailProblem,
    NotificationPreference,
    NotificationSettings,
    TopicMute,
)
from community.professionals import photos
from community.professionals.models import (
    ProfessionalProfile,
    ProfessionalQuestion,
    ProfessionalRequest,
    ProfileLanguage,
    ProfileSpecialty,
    Specialty,
)

LIMIT = 10_000  # per kind: far above what one member makes; keeps every query bounded


def _when(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


class _GroupNames:
    """Group names looked up as needed (one query per group the member's data mentions)."""

    def __init__(self) -> None:
        self._names: dict[int, str | None] = {}

    def get(self, group_id: int | None) -> str | None:
        if group_id is None:
            return None
        if group_id not in self._names:
            group = db.session.get(Group, group_id)
            self._names[group_id] = group.name if group else None
        return self._names[group_id]


def moderation(user: User, groups: _GroupNames) -> dict[str, Any]:
    uid = user.id
    reports = [
        {"group": groups.get(r.group_id), "target_type": r.target_type, "target_id": r.target_id,
         "reason": r.reason, "note": r.note, "created_at": _when(r.created_at)}
        for r in db.session.scalars(select(Report).where(Report.reporter_id == uid).order_by(Report.id).limit(LIMIT))
    ]  # fmt: skip
    actions = [
        # What a moderator did about the member's content or membership, as the member is told; not who did it.
        {"id": a.id, "group": groups.get(a.group_id), "action": a.action, "target_type": a.target_type,
         "target_id": a.target_id, "reason": a.reason, "until": _when(a.until), "created_at": _when(a.created_at)}
        for a in db.session.scalars(
            select(ModerationAction).where(ModerationAction.subject_id == uid)
            .order_by(ModerationAction.id).limit(LIMIT)
        )
    ]  # fmt: skip
    appeals = [
        {"action_id": a.action_id, "note": a.note, "outcome": a.outcome, "created_at": _when(a.created_at),
         "decided_at": _when(a.decided_at)}
        for a in db.session.scalars(select(Appeal).where(Appeal.user_id == uid).order_by(Appeal.id).limit(LIMIT))
    ]  # fmt: skip
    notes = [
        {"group": groups.get(n.group_id), "text": n.body, "created_at": _when(n.created_at)}
        for n in db.session.scalars(
            select(ModeratorNote).where(ModeratorNote.subject_id == uid).order_by(ModeratorNote.id).limit(LIMIT)
        )
    ]
    relations = [
        {"kind": r.kind, "other_member_id": r.other_id, "created_at": _when(r.created_at)}
        for r in db.session.scalars(
            select(MemberRelation).where(MemberRelation.user_id == uid).order_by(MemberRelation.id).limit(LIMIT)
        )
    ]
    return {"reports_you_made": reports, "moderation_decisions_about_you": actions, "your_appeals": appeals,
            "moderator_notes_about_you": notes, "your_mutes_and_blocks": relations}  # fmt: skip


def safeguarding(user: User, groups: _GroupNames) -> dict[str, Any]:
    about = [
        {"id": c.id, "group": groups.get(c.group_id), "opened_at": _when(c.opened_at), "category": c.category,
         "severity": c.severity, "status": c.status, "closed_at": _when(c.closed_at), "outcome": c.outcome}
        for c in db.session.scalars(
            select(SafeguardingCase).where(SafeguardingCase.subject_id == user.id)
            .order_by(SafeguardingCase.id).limit(LIMIT)
        )
    ]  # fmt: skip
    raised = [
        {"group": groups.get(c.group_id), "your_note": c.raised_note, "opened_at": _when(c.opened_at)}
        for c in db.session.scalars(
            select(SafeguardingCase)
            .where(SafeguardingCase.raised_by_id == user.id, SafeguardingCase.source == "member")
            .order_by(SafeguardingCase.id).limit(LIMIT)
        )
    ]  # fmt: skip
    # A worry added to a case that was already open is stored as a note by the member (not by a moderator).
    moderated = select(Membership.group_id).where(Membership.user_id == user.id, Membership.role == "moderator")
    added = [
        {"group": groups.get(case.group_id), "your_note": note.body, "created_at": _when(note.created_at)}
        for note, case in db.session.execute(
            select(SafeguardingNote, SafeguardingCase)
            .join(SafeguardingCase, SafeguardingCase.id == SafeguardingNote.case_id)
            .where(SafeguardingNote.author_id == user.id, SafeguardingCase.group_id.not_in(moderated))
            .order_by(SafeguardingNote.id).limit(LIMIT)
        ).all()
    ]  # fmt: skip
    return {"cases_about_you": about, "worries_you_raised": raised + added}


def professionals(user: User, groups: _GroupNames) -> tuple[dict[str, Any], list[tuple[str, Path]]]:
    uid = user.id
    files: list[tuple[str, Path]] = []
    profile_data: dict[str, Any] | None = None
    profile = db.session.scalar(select(ProfessionalProfile).where(ProfessionalProfile.user_id == uid))
    if profile is not None:
        specialties = list(
            db.session.scalars(
                select(Specialty.name).join(ProfileSpecialty, ProfileSpecialty.specialty_id == Specialty.id)
                .where(ProfileSpecialty.profile_id == profile.id)
            )
        )  # fmt: skip
        languages = list(
            db.session.scalars(select(ProfileLanguage.code).where(ProfileLanguage.profile_id == profile.id))
        )
        photo = None
        if profile.photo_file:
            photo = f"professional/photo{Path(profile.photo_file).suffix}"
            files.append((photo, photos.photo_dir() / profile.photo_file))
        profile_data = {
            "public_name": profile.public_name, "role_title": profile.role_title, "organisation": profile.organisation,
            "introduction": profile.intro_source, "availability": profile.availability,
            "away_until": profile.away_until.isoformat() if profile.away_until else None, "paused": profile.paused,
            "state": profile.state, "review_note": profile.review_note, "specialties": specialties,
            "languages": languages, "photo": photo, "created_at": _when(profile.created_at),
            "updated_at": _when(profile.updated_at),
        }  # fmt: skip
    sent = [
        {"group": groups.get(r.group_id), "to_professional_id": r.professional_id, "message": r.message,
         "state": r.state, "email_me": r.email_me, "created_at": _when(r.created_at), "decided_at": _when(r.decided_at)}
        for r in db.session.scalars(
            select(ProfessionalRequest).where(ProfessionalRequest.member_id == uid)
            .order_by(ProfessionalRequest.id).limit(LIMIT)
        )
    ]  # fmt: skip
    received = [
        {"id": r.id, "state": r.state, "your_decline_note": r.decline_note, "created_at": _when(r.created_at),
         "decided_at": _when(r.decided_at)}
        for r in db.session.scalars(
            select(ProfessionalRequest).where(ProfessionalRequest.professional_id == uid)
            .order_by(ProfessionalRequest.id).limit(LIMIT)
        )
    ]  # fmt: skip
    asked = [
        {"id": q.id, "group": groups.get(q.group_id), "question": q.body_source, "state": q.state,
         "status": q.status, "email_me": q.email_me, "created_at": _when(q.created_at),
         "answered_at": _when(q.answered_at)}
        for q in db.session.scalars(
            select(ProfessionalQuestion).where(ProfessionalQuestion.member_id == uid)
            .order_by(ProfessionalQuestion.id).limit(LIMIT)
        )
    ]  # fmt: skip
    answered = [
        {"question_id": q.id, "your_answer": q.answer_source, "answered_at": _when(q.answered_at)}
        for q in db.session.scalars(
            select(ProfessionalQuestion)
            .where(ProfessionalQuestion.claimed_by_id == uid, ProfessionalQuestion.answer_source != "")
            .order_by(ProfessionalQuestion.id).limit(LIMIT)
        )
    ]  # fmt: skip
    document = {"your_profile": profile_data, "requests_you_sent": sent, "requests_you_received": received,
                "questions_you_asked": asked, "answers_you_wrote": answered}  # fmt: skip
    return document, files


def notification_settings(user: User, groups: _GroupNames) -> dict[str, Any]:
    uid = user.id
    general = db.session.get(NotificationSettings, uid)
    mail_problem = db.session.get(MailProblem, uid)
    return {
        "quiet_hours": {"start_minute": general.quiet_start, "end_minute": general.quiet_end} if general else None,
        "per_kind": [
            {"kind": p.kind, "in_app": p.in_app, "email": p.email}
            for p in db.session.scalars(select(NotificationPreference).where(NotificationPreference.user_id == uid))
        ],
        "per_group": [
            {"group": groups.get(s.group_id), "muted": s.muted, "email": s.email}
            for s in db.session.scalars(
                select(GroupNotificationSetting).where(GroupNotificationSetting.user_id == uid).limit(LIMIT)
            )
        ],
        "muted_topics": [
            {"topic_id": m.topic_id, "created_at": _when(m.created_at)}
            for m in db.session.scalars(select(TopicMute).where(TopicMute.user_id == uid).limit(LIMIT))
        ],
        "emails": [
            {
                "kind": e.kind,
                "subject": e.subject,
                "items": e.item_count,
                "status": e.status,
                "created_at": _when(e.created_at),
                "sent_at": _when(e.sent_at),
            }
            for e in db.session.scalars(
                select(EmailOutbox).where(EmailOutbox.user_id == uid).order_by(EmailOutbox.id.desc()).limit(LIMIT)
            )
        ],
        "digests": [
            {"period": d.period, "period_start": _when(d.period_start), "items": d.item_count}
            for d in db.session.scalars(
                select(DigestRun).where(DigestRun.user_id == uid).order_by(DigestRun.id.desc()).limit(LIMIT)
            )
        ],
        "mail_problem": (
            {"flagged_at": _when(mail_problem.flagged_at), "smtp_code": mail_problem.smtp_code}
            if mail_problem
            else None
        ),
    }


def collect_more(user: User) -> tuple[dict[str, Any], list[tuple[str, Path]]]:
    """More JSON documents and files (name in the ZIP, path on disk) for export.collect."""
    groups = _GroupNames()
    professional, files = professionals(user, groups)
    documents = {
        "moderation.json": moderation(user, groups),
        "safeguarding.json": safeguarding(user, groups),
        "professionals.json": professional,
        "notification_settings.json": notification_settings(user, groups),
    }
    return documents, files
