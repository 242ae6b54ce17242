"""The erasure's second half: moderation, safeguarding, professionals and notification data of one member.

Called by erasure.erase in the same transaction, before the memberships are deleted and the account row
becomes a tombstone. What happens:

* Moderation: the free text of reports and appeals the member wrote is emptied (the rows stay, pointing at the
  pseudonymous tombstone, so counts and decisions still add up); moderators' notes about them are deleted;
  their mutes and blocks, and other people's mutes and blocks of them, are deleted. Moderation decisions about
  them stay (accountability) and point at the tombstone; notes they wrote as a moderator about others stay.
* Safeguarding: cases about them stay as pseudonymous facts (status, outcome, times: the organisation may have
  to account for how a worry was handled), but their free text (the raiser's note, the outcome note and the
  hand-over notes, which will name the person) is replaced by a marker. The note of a worry they raised about
  someone else (on the case, or as a note added to an open case) is removed; hand-over notes they wrote as a
  moderator of the group stay, under the tombstone.
* Professionals: their profile goes (with its specialties, languages and photo file, removed from disk after
  the commit), their requests and questions go (sent and received requests both: a request needs both people),
  answers they wrote stay for the member who asked, without a link to the professional.
* Notifications: settings, per-kind and per-group choices, muted topics, email outbox rows, digest runs and the
  mail-problem flag are deleted.

The report notes, moderators' notes and safeguarding texts an open report or case still needs are kept until
it closes (``erase_case_texts`` with the evidence of ``erasure_holds``; docs/privacy.md, "Evidence hold").
"""

from __future__ import annotations

from sqlalchemy import delete, or_, select, update

from community.extensions import db
from community.moderation.models import Appeal, MemberRelation, ModeratorNote, Report
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
from community.privacy.erasure_holds import Evidence
from community.professionals import photos
from community.professionals.models import (
    ProfessionalProfile,
    ProfessionalQuestion,
    ProfessionalRequest,
    ProfileLanguage,
    ProfileSpecialty,
)

REMOVED_TEXT = "(removed when the member's account was erased)"


def erase_more(uid: int) -> dict[str, int]:
    """Remove or pseudonymise what no open matter can need; returns counts for the audit entry (never content)."""
    counts: dict[str, int] = {}
    # --- moderation ---
    db.session.execute(update(Appeal).where(Appeal.user_id == uid).values(note=""))
    db.session.execute(delete(MemberRelation).where(or_(MemberRelation.user_id == uid, MemberRelation.other_id == uid)))
    # --- professionals ---
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
    # --- notifications ---
    for model, column in (
        (NotificationSettings, NotificationSettings.user_id), (NotificationPreference, NotificationPreference.user_id),
        (GroupNotificationSetting, GroupNotificationSetting.user_id), (TopicMute, TopicMute.user_id),
        (EmailOutbox, EmailOutbox.user_id), (DigestRun, DigestRun.user_id), (MailProblem, MailProblem.user_id),
    ):  # fmt: skip
        db.session.execute(delete(model).where(column == uid))
    return {key: value for key, value in counts.items() if value}


def erase_case_texts(uid: int, keep: Evidence, moderated_group_ids: list[int]) -> dict[str, int]:
    """Report notes, moderators' notes and safeguarding texts, except what ``keep`` still needs (the evidence
    hold, ``erasure_holds``). Runs at the erasure and again when the hold is released: a second run only
    reaches what the first one kept. ``moderated_group_ids``: the groups they moderated when erased."""
    counts: dict[str, int] = {}
    counts["reports"] = db.session.execute(
        update(Report).where(Report.reporter_id == uid, Report.id.not_in(keep.report_ids)).values(note="")
    ).rowcount
    counts["moderator_notes"] = db.session.execute(
        delete(ModeratorNote).where(ModeratorNote.subject_id == uid, ModeratorNote.group_id.not_in(keep.group_ids))
    ).rowcount
    # --- safeguarding ---
    done = SafeguardingCase.id.not_in(keep.case_ids)
    cases = select(SafeguardingCase.id).where(SafeguardingCase.subject_id == uid, done)
    counts["safeguarding_cases"] = db.session.execute(
        update(SafeguardingCase).where(SafeguardingCase.subject_id == uid, done)
        .values(raised_note="", outcome_note="", phrase_ids=[])
    ).rowcount  # fmt: skip
    db.session.execute(update(SafeguardingNote).where(SafeguardingNote.case_id.in_(cases)).values(body=REMOVED_TEXT))
    raised = update(SafeguardingCase).where(SafeguardingCase.raised_by_id == uid, done)
    db.session.execute(raised.values(raised_note=""))
    # A worry they added to someone else's case is a note by them: their words go. Hand-over notes they wrote
    # as a moderator of that group stay (the staff record of how a case was handled), under the tombstone.
    member_cases = select(SafeguardingCase.id).where(SafeguardingCase.group_id.not_in(moderated_group_ids), done)
    db.session.execute(
        update(SafeguardingNote)
        .where(SafeguardingNote.author_id == uid, SafeguardingNote.case_id.in_(member_cases))
        .values(body=REMOVED_TEXT)
    )
    return counts
