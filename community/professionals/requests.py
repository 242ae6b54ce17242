"""Requests: "I'd like to talk with ..." from a member to a professional of one of their groups. The
professional accepts (a private conversation opens through ``chat.private``) or declines kindly, perhaps
suggesting a colleague. A member has at most ``PROFESSIONAL_OPEN_REQUESTS_MAX`` open requests."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from community.auth.models import User
from community.chat import private as private_chat
from community.core import database
from community.core.errors import DomainError, Forbidden, NotFound
from community.core.time import utcnow
from community.extensions import db
from community.groups import services as groups
from community.groups.models import Group, Membership
from community.groups.policy import CARE_ROLES
from community.moderation import services as moderation
from community.notifications.services import notify
from community.professionals import availability, policy, profiles
from community.professionals.availability import Expectation
from community.professionals.group_reach import care_group_ids, writable_group_ids
from community.professionals.local_time import local_now
from community.professionals.mailing import mail_after_commit
from community.professionals.models import ProfessionalProfile, ProfessionalRequest

LIST_PAGE = 50
REQUEST_MESSAGE_MAX = 500
DECLINE_NOTE_MAX = 500
TARGET = "professional_request"  # notifications
QUEUE_TARGET = "pro_request"  # the moderation queue (its target_type holds at most 16 characters)


@dataclass(frozen=True)
class Sent:
    request: ProfessionalRequest
    notices: tuple[str, ...] = ()  # what the writer must see at once (helplines when the screening held it)


@dataclass(frozen=True)
class RequestView:
    request: ProfessionalRequest
    profile: ProfessionalProfile | None  # the professional's profile
    suggested: ProfessionalProfile | None  # a colleague's profile the member may open
    expectation: Expectation
    is_member: bool
    is_professional: bool


def _open_limit() -> int:
    return int(current_app.config.get("PROFESSIONAL_OPEN_REQUESTS_MAX", 2))


def _path(request_id: int) -> str:
    return f"/professionals/requests/{request_id}"


def send_request(actor: User, profile_id: int, *, group_id: int | None, message: str, email_me: bool = False) -> Sent:
    """Ask a professional for a private conversation. Every refusal says why and stores nothing. A message the
    screening holds (crisis language, a word filter) still reaches the professional, and is also queued for the
    group's moderators (a safeguarding case opens where the screening says so)."""
    view = profiles.open_profile(actor, profile_id)  # NotFound for anyone outside the professional's groups
    profile = view.profile
    if actor.id == profile.user_id:
        raise DomainError(_("This is your own profile."))
    shared = writable_group_ids(actor) & care_group_ids(profile.user)
    today = local_now().date()
    if not shared:
        raise Forbidden(_("You can only ask professionals who work in a group you can write in."))
    if profile.paused:
        raise DomainError(
            _("%(name)s is not taking new requests at the moment. You can ask another professional, or ask "
              "your group's professionals a question.", name=profile.public_name)
        )  # fmt: skip
    if availability.is_away(profile.away_until, today):
        raise DomainError(
            _("%(name)s is away until %(date)s. You can ask another professional, or come back after that.",
              name=profile.public_name, date=format_date(profile.away_until))
        )  # fmt: skip
    if not policy.can_request(actor, profile, shared, today):
        raise Forbidden(_("You cannot send this request at the moment."))
    if group_id is None:
        group_id = min(shared) if len(shared) == 1 else None
    if group_id is None or group_id not in shared:
        raise DomainError(_("Choose the group this is about."), field="group_id")
    text = (message or "").strip()
    if len(text) > REQUEST_MESSAGE_MAX:
        raise DomainError(
            _("The message can be at most %(max)d characters (now %(n)d).", max=REQUEST_MESSAGE_MAX, n=len(text)),
            field="message",
        )
    open_requests = select(ProfessionalRequest).where(
        ProfessionalRequest.member_id == actor.id, ProfessionalRequest.state == "open"
    )
    if db.session.scalar(open_requests.where(ProfessionalRequest.professional_id == profile.user_id)) is not None:
        raise DomainError(
            _("You have already asked %(name)s. You will hear from them here; you can withdraw that request on "
              "the page of your requests.", name=profile.public_name)
        )  # fmt: skip
    count = db.session.scalar(select(func.count()).select_from(open_requests.subquery())) or 0
    if count >= _open_limit():
        raise DomainError(
            _("You already have %(n)d open requests, the most at one time. Wait for an answer, or withdraw one "
              "on the page of your requests.", n=count)
        )  # fmt: skip
    group = db.session.get(Group, group_id)
    screening = None
    if text:
        membership = db.session.scalar(
            select(Membership).where(Membership.group_id == group_id, Membership.user_id == actor.id)
        )
        screening = moderation.screen(actor, group, membership, text, kind="message")
        if screening.verdict == moderation.REFUSE:
            raise DomainError(screening.reason or _("This message cannot be sent."), field="message")
    request = ProfessionalRequest(
        member_id=actor.id, professional_id=profile.user_id, group_id=group_id, message=text,
        email_me=bool(email_me), state="open", created_at=utcnow(),
    )  # fmt: skip
    try:
        with database.savepoint():
            db.session.add(request)
            db.session.flush()
    except IntegrityError:  # the same request sent twice at once: the unique index keeps one
        raise DomainError(_("You have already asked %(name)s.", name=profile.public_name)) from None
    if screening is not None and screening.verdict == moderation.HOLD:
        moderation.enqueue_held(
            group, target_type=QUEUE_TARGET, target_id=request.id, screening=screening, writer=actor
        )
    notify([profile.user_id], kind="request_received", actor_id=actor.id, group_id=group_id,
           target_type=TARGET, target_id=request.id)  # fmt: skip
    return Sent(request, tuple(screening.notices) if screening else ())


def _request(actor: User, request_id: int) -> ProfessionalRequest:
    request = db.session.get(ProfessionalRequest, request_id) if 0 < request_id < 2**31 else None
    if request is None or not policy.can_see_request(actor, request):
        raise NotFound(_("We could not find that request."))
    return request


def _profile_of(user_id: int) -> ProfessionalProfile | None:
    return db.session.scalar(select(ProfessionalProfile).where(ProfessionalProfile.user_id == user_id))


def open_request(actor: User, request_id: int) -> RequestView:
    request = _request(actor, request_id)
    profile = _profile_of(request.professional_id)
    suggested = None
    if request.suggested_profile_id:
        try:
            suggested = profiles.open_profile(actor, request.suggested_profile_id).profile
        except NotFound:
            suggested = None  # no longer visible to this person (left the group, profile withdrawn)
    if profile is not None:
        expectation = availability.expected_answer(
            profile.availability, profile.away_until, profile.paused, local_now()
        )
    else:
        expectation = Expectation("unknown")
    return RequestView(
        request, profile, suggested, expectation, actor.id == request.member_id, actor.id == request.professional_id
    )


def sent_requests(actor: User) -> list[ProfessionalRequest]:
    """The member's requests, newest first (bounded)."""
    return list(
        db.session.scalars(
            select(ProfessionalRequest)
            .where(ProfessionalRequest.member_id == actor.id)
            .order_by(ProfessionalRequest.id.desc())
            .limit(LIST_PAGE)
        )
    )


def received_requests(actor: User) -> list[ProfessionalRequest]:
    """Requests addressed to the professional: open ones first, waiting longest first; then decided ones."""
    base = select(ProfessionalRequest).where(ProfessionalRequest.professional_id == actor.id)
    waiting = db.session.scalars(
        base.where(ProfessionalRequest.state == "open").order_by(ProfessionalRequest.id).limit(LIST_PAGE)
    ).all()
    decided = db.session.scalars(
        base.where(ProfessionalRequest.state != "open").order_by(ProfessionalRequest.id.desc()).limit(LIST_PAGE)
    ).all()
    return [*waiting, *decided]


def accept_request(actor: User, request_id: int) -> ProfessionalRequest:
    """Open (or reopen) the private conversation between the two in the request's group, through chat."""
    request = _request(actor, request_id)
    if not policy.can_decide_request(actor, request, care_group_ids(actor)):
        raise _not_decidable(actor, request)
    access = groups.open_group(actor, request.group.slug)
    started = private_chat.start_private_conversation(actor, access, request.member_id, member_asked=True)
    request.state, request.decided_at = "accepted", utcnow()
    request.conversation_id = started.conversation.id
    db.session.flush()
    _tell_member(request, "request_accepted", _("Your request to talk with a professional was accepted."))
    return request


def decline_request(
    actor: User, request_id: int, *, note: str, suggested_profile_id: int | None
) -> ProfessionalRequest:
    """Decline kindly, with an optional note and an optional colleague working in the same group."""
    request = _request(actor, request_id)
    if not policy.can_decide_request(actor, request, care_group_ids(actor)):
        raise _not_decidable(actor, request)
    text = (note or "").strip()
    if len(text) > DECLINE_NOTE_MAX:
        raise DomainError(
            _("The note can be at most %(max)d characters (now %(n)d).", max=DECLINE_NOTE_MAX, n=len(text)),
            field="note",
        )
    if suggested_profile_id is not None and suggested_profile_id not in {p.id for p in colleagues(actor, request)}:
        raise DomainError(_("Choose a colleague from the list."), field="suggested_profile_id")
    request.state, request.decided_at = "declined", utcnow()
    request.decline_note, request.suggested_profile_id = text, suggested_profile_id
    db.session.flush()
    _tell_member(request, "request_declined", _("There is an answer to your request to talk with a professional."))
    return request


def withdraw_request(actor: User, request_id: int) -> ProfessionalRequest:
    request = _request(actor, request_id)
    if actor.id != request.member_id:
        raise Forbidden(_("Only the member who sent this request can withdraw it."))
    if not policy.can_withdraw_request(actor, request):
        raise DomainError(_("This request has already been answered."))
    request.state, request.decided_at = "withdrawn", utcnow()
    db.session.flush()
    return request


def colleagues(actor: User, request: ProfessionalRequest) -> list[ProfessionalProfile]:
    """Approved profiles of the other professionals working in the request's group (to suggest one)."""
    return list(
        db.session.scalars(
            select(ProfessionalProfile)
            .join(User, User.id == ProfessionalProfile.user_id)
            .join(Membership, Membership.user_id == ProfessionalProfile.user_id)
            .where(
                Membership.group_id == request.group_id,
                Membership.role.in_(CARE_ROLES),
                Membership.state == "active",
                User.state == "active",
                ProfessionalProfile.state == "approved",
                ProfessionalProfile.user_id != actor.id,
            )
            .order_by(ProfessionalProfile.public_name)
            .limit(profiles.LIST_MAX)
        )
    )


def _not_decidable(actor: User, request: ProfessionalRequest) -> DomainError:
    if actor.id != request.professional_id:
        return Forbidden(_("Only the professional this request is addressed to can answer it."))
    if request.state != "open":
        return DomainError(_("This request has already been answered or withdrawn."))
    return Forbidden(_("You no longer work in this request's group."))


def _tell_member(request: ProfessionalRequest, kind: str, subject: str) -> None:
    notify([request.member_id], kind=kind, actor_id=request.professional_id, group_id=request.group_id,
           target_type=TARGET, target_id=request.id, own_email=True)  # fmt: skip
    if request.email_me:
        mail_after_commit(request.member, subject, _path(request.id))
