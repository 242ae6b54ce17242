"""The moderation pipeline: one way in for every piece of member text.

Every topic, reply, edit, chat message, announcement, profile text and display name calls :func:`screen`
before it is stored, and :func:`enqueue_held` when the verdict is "hold". The rules, in order:

1. the member's state (a muted or suspended member is refused; a mute whose time has passed no longer counts);
2. pre-moderation: the group's mode (none / a new member's first N posts and chat messages / everything), and
   the moderators' choice for one member (kept under it, or released early: ``member_premoderation``): hold;
3. keyword and pattern filters, instance-wide and the group's own (``filters``): hold or refuse;
4. link and mention limits for new members (``limits``): refuse with what to change;
5. safeguarding (``safeguarding.assess``): crisis language is held as URGENT with the helplines shown to the
   writer at once, even when an earlier rule would have refused it: it is never silently dropped;
6. personal details (``personal_details``): the writer is warned and may publish anyway (a
   :class:`PersonalDetailsWarning` until the caller passes ``personal_details_confirmed=True``), or, where the
   group's moderators chose it, the text is held.

A group's moderators are exempt from rules 2 to 6: they write helpline numbers and hard subjects on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from community.auth.models import User
from community.core.errors import DomainError, NotFound
from community.core.time import utcnow
from community.extensions import db
from community.groups import services as group_services
from community.groups.models import Group, Membership
from community.groups.policy import MODERATING_ROLES
from community.moderation import (
    conflict,
    filters,
    limits,
    member_premoderation,
    personal_details,
    policy,
    safeguarding,
    targets,
)
from community.moderation.models import PRIORITY_HIGH, PRIORITY_NORMAL, PRIORITY_URGENT, QueueItem
from community.moderation.personal_details import PersonalDetailsWarning
from community.moderation.settings import SettingsSnapshot, settings_for
from community.notifications import services as notifications

PUBLISH, HOLD, REFUSE = "publish", "hold", "refuse"
KINDS = ("topic", "reply", "edit", "message", "announcement", "profile", "display_name")
CATEGORIES = ("member_state", "premoderation", "filter", "limits", "safeguarding", "personal_details", "conflict")
GROUP_KINDS = ("topic", "reply", "edit", "message", "announcement")  # text written inside a group
WARNABLE_KINDS = ("topic", "reply", "edit", "message")  # where the writer can be asked "publish anyway?"

__all__ = [
    "HOLD",
    "PUBLISH",
    "REFUSE",
    "PersonalDetailsWarning",
    "Screening",
    "SettingsSnapshot",
    "enqueue_held",
    "screen",
    "settings_for",
]


@dataclass(frozen=True)
class Screening:
    verdict: str
    reason: str = ""  # for "refuse": shown to the writer; for "hold": shown to moderators
    priority: int = PRIORITY_NORMAL
    notices: tuple[str, ...] = field(default=())  # things the writer should see at once (helplines, warnings)
    category: str = ""  # which rule decided (one of CATEGORIES); "" for a plain publish
    signal: Any = None  # the SafeguardingSignal, when safeguarding decided
    personal_details: tuple[str, ...] = ()  # kinds of identifying details found (never the text)

    @property
    def state(self) -> str:
        return {PUBLISH: "published", HOLD: "held", REFUSE: "refused"}[self.verdict]


def _member_state(actor: User, membership: Membership | None, kind: str) -> Screening | None:
    if actor.state != "active":
        return Screening(REFUSE, _("You cannot write at the moment."), category="member_state")
    if membership is None:
        if kind in GROUP_KINDS:
            return Screening(REFUSE, _("You cannot write in this group at the moment."), category="member_state")
        return None
    state = membership.state
    if state == "muted" and membership.state_until is not None and membership.state_until <= utcnow():
        state = "active"  # a mute for a period that has passed
    if state != "active":
        if state == "muted":
            message = _("You are muted in this group for now: you can read, but not write.")
        else:
            message = _("You cannot write in this group at the moment.")
        return Screening(REFUSE, message, category="member_state")
    return None


def _premoderation(actor: User, group: Group, membership: Membership | None, kind: str) -> Screening | None:
    """The group's mode, and the moderators' choice for this member (``member_premoderation``): a member *kept*
    under pre-moderation is held whatever the mode; one *released* is no longer a new member here. A new member's
    first N posts and chat messages together are held (N: the group's ``premoderation_first_posts``)."""
    chosen = member_premoderation.mode_of(membership)
    if chosen == member_premoderation.KEPT:
        return Screening(
            HOLD, _("A moderator checks this member's posts and messages first."), category="premoderation"
        )
    if group.premoderation == "all":
        return Screening(HOLD, _("This group checks every post before it is shown."), category="premoderation")
    checks_first = group.premoderation == "new_members" and kind != "announcement"
    if not checks_first or chosen == member_premoderation.RELEASED:
        return None
    first_posts = group.premoderation_first_posts
    if limits.published_count(actor, group, first_posts, ("post", "message")) < first_posts:
        return Screening(
            HOLD, _("A new member's first posts and messages are checked before they are shown."),
            category="premoderation",
        )  # fmt: skip
    return None


def _filters(group: Group | None, text: str, place: tuple[str, int] | None) -> Screening | None:
    hits = filters.matches(text, filters.rules_for(group))
    if not hits:
        return None
    if group is not None and place is not None:
        conflict.note_filter_hit(group, place)
    first = hits[0]
    if first.action == "refuse":
        reason = first.reason or _("This cannot be published here. Please change the wording and try again.")
        return Screening(REFUSE, reason, category="filter")
    reason = first.reason or _("A word filter asked for a moderator to look at this.")
    return Screening(HOLD, reason, priority=PRIORITY_HIGH, category="filter")


def _languages(actor: User) -> list[str]:
    languages = [actor.language] if actor.language else []
    return languages + [code for code in current_app.config["LANGUAGES"] if code not in languages]


def _helpline_notice(signal: Any) -> str:
    notice = getattr(signal, "notice", "") or ""
    if not notice and hasattr(safeguarding, "helpline_message"):
        notice = safeguarding.helpline_message()
    return notice or _(  # keep a Markup notice as it is (its link to /help); str() would escape it
        "You are not alone: a moderator will read this soon. If you need someone now, call 113 or 0800-0113 "
        "(113 Zelfmoordpreventie), 0800-0432 (De Kindertelefoon) or 0800-2000 (Veilig Thuis). "
        "In acute danger, call 112."
    )


def _safeguarding(actor: User, text: str) -> Screening | None:
    signal = safeguarding.assess(text, _languages(actor))
    if signal is None:
        return None
    category = getattr(signal, "category", "") or "crisis"
    return Screening(
        HOLD,
        _("Safeguarding: this may be a member in crisis (%(category)s).", category=category),
        priority=PRIORITY_URGENT,
        notices=(_helpline_notice(signal),),
        category="safeguarding",
        signal=signal,
    )


def screen(
    actor: User,
    group: Group | None,
    membership: Membership | None,
    text: str,
    *,
    kind: str,
    place: tuple[str, int] | None = None,
    personal_details_confirmed: bool | None = None,
) -> Screening:
    """Decide publish / hold / refuse for a piece of member text (see the module docstring for the rules).

    ``group``/``membership`` are None for text outside groups (``profile``, ``display_name``). ``place`` is
    ``("topic", id)`` or ``("conversation", id)`` when known, for heated-thread detection. Callers that can ask
    the writer to confirm personal details pass ``personal_details_confirmed`` (False on the first try); with
    None, personal details only ever hold (where a group asks for that), never warn.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    state = _member_state(actor, membership, kind)
    is_moderator = membership is not None and membership.role in MODERATING_ROLES and state is None
    if is_moderator:
        return Screening(PUBLISH)
    crisis = _safeguarding(actor, text)
    if state is not None:
        return crisis or state
    settings = settings_for(group)
    decided: list[Screening] = []
    if group is not None:
        premoderation = _premoderation(actor, group, membership, kind)
        if premoderation:
            decided.append(premoderation)
    filtered = _filters(group, text, place)
    if filtered:
        decided.append(filtered)
    if group is not None and membership is not None and kind in GROUP_KINDS:
        too_many = limits.over_limit(actor, group, membership, text, settings)
        if too_many:
            decided.append(Screening(REFUSE, too_many, category="limits"))
    if crisis is not None:
        return crisis  # never silently dropped, whatever the other rules said
    refusal = next((item for item in decided if item.verdict == REFUSE), None)
    if refusal is not None:
        return refusal
    hold = decided[0] if decided else None
    kinds = personal_details.detect(text) if kind in WARNABLE_KINDS and group is not None else ()
    if kinds:
        mode = settings.personal_details_mode if settings is not None else "warn"
        if mode == "hold":
            if hold is None:
                reason = _("Personal details: %(details)s.", details=personal_details.describe(kinds))
                return Screening(HOLD, reason, category="personal_details", personal_details=kinds)
            return Screening(hold.verdict, hold.reason, hold.priority, hold.notices, hold.category, None, kinds)
        if personal_details_confirmed is False:
            raise PersonalDetailsWarning(kinds)
    if hold is not None:
        return hold
    return Screening(PUBLISH, personal_details=kinds)


def _writer_of(target_type: str, target_id: int) -> User | None:
    """For callers that did not say who wrote the held text."""
    if target_type == "user":
        return db.session.get(User, target_id)
    try:
        return targets.load(target_type, target_id).author
    except NotFound:
        return None


def enqueue_held(
    group: Group, *, target_type: str, target_id: int, screening: Screening, writer: User | None = None
) -> QueueItem:
    """Queue a held item for the group's moderators. Safeguarding also opens a case (``safeguarding``)."""
    item = QueueItem(
        group_id=group.id,
        kind="held",
        priority=screening.priority,
        target_type=target_type,
        target_id=target_id,
        reason=screening.reason,
        created_at=utcnow(),
    )
    db.session.add(item)
    db.session.flush()
    writer = writer or _writer_of(target_type, target_id)
    if screening.category == "safeguarding" and screening.signal is not None and writer is not None:
        safeguarding.open_case_for_held(item, screening.signal, writer)
    _tell_moderators_held(group, writer.id if writer is not None else None)
    return item


def _tell_moderators_held(group: Group, writer_id: int | None) -> None:
    """The group's moderators who may act on the queue hear that something waits (never the writer). Kind
    "held_item" is told once per group until read, so thirty held posts are one unread notification."""
    rows = group_services.moderators_of(group.id)
    staff = [
        user.id for user, membership in rows if user.id != writer_id and policy.can_moderate(user, group, membership)
    ]
    notifications.notify(
        staff, kind="held_item", actor_id=None, group_id=group.id, target_type="group_queue", target_id=group.id
    )


# --- profile text and display names --------------------------------------------------------------------------

PROFILE_GROUPS_MAX = 20


def screen_profile(actor: User, *, display_name: str | None = None, bio: str | None = None) -> tuple[str, ...]:
    """Screen a changed display name and/or profile text (None: unchanged). Raises DomainError (with the field)
    on a refusal, and on a hold by a filter or personal-details rule: a profile has no "waiting" state, so the
    writer is asked to change the wording. Crisis language is never refused: the profile is saved, an urgent
    item is queued in each of the member's groups (safeguarding opens a case), and the helpline notice is
    returned for the writer to see at once."""
    notices: list[str] = []
    for kind, text, field_name in (("display_name", display_name, "display_name"), ("profile", bio, "bio")):
        if not text:
            continue
        screening = screen(actor, None, None, text, kind=kind)
        if screening.verdict == REFUSE:
            raise DomainError(screening.reason, field=field_name)
        if screening.verdict == HOLD and screening.category != "safeguarding":
            raise DomainError(
                _("This cannot be used in a profile. Please change the wording."),
                field=field_name,
            )
        if screening.category == "safeguarding":
            _enqueue_profile(actor, screening)
            notices.extend(screening.notices)
    return tuple(dict.fromkeys(notices))


def _enqueue_profile(actor: User, screening: Screening) -> None:
    groups = db.session.scalars(
        select(Group)
        .join(Membership, Membership.group_id == Group.id)
        .where(Membership.user_id == actor.id, Membership.state.in_(("active", "muted")), Group.state == "active")
        .order_by(Group.id)
        .limit(PROFILE_GROUPS_MAX)
    ).all()
    for group in groups:
        enqueue_held(group, target_type="user", target_id=actor.id, screening=screening, writer=actor)
