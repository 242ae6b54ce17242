"""What a queue item or an action is about, and what moderation may do to it, without knowing the features that
own it.

Moderation sits below the forum, chat and professionals, yet hides their posts and messages. Each of those
features registers a *target kind* here at start-up (from its ``wiring.init_app``): how to load one item, read
and change its state (with everything that hangs on it: the topic's reply count, live updates, mentions), and
the few other things moderation asks of it (can a member see it, the posts or messages around it, who took
part in its conversation). Conflict alerts are about a *place* (a topic, a chat room), registered the same way.
Moderation never imports the features above it.

``open_target`` is the moderation target lookup every staff page and action goes through: it decides whether
the actor may moderate the content, and for a message of a private conversation whether they may read it at
all (only as a participant, after a report, during a safeguarding case, or to decide a queue item about that
very message), writing the access log when they are not in the conversation. ``load`` is the raw loader for
code that already decided (the writer's own notices, the report threshold, appeals)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from community.auth.models import User
from community.core.errors import NotFound
from community.extensions import db
from community.groups.access_log import record_private_conversation_reading
from community.groups.models import Group, Membership
from community.moderation import policy
from community.moderation.models import Appeal, ModerationAction, QueueItem

NOT_FOUND = _l("We could not find that post or message. It may have been deleted.")
GONE = ("removed", "deleted")
PLACES = ("topic", "conversation")  # what a conflict alert is about
# A question to a group's professionals or a request to talk with one, held by the screening
# (community/professionals queues them). Moderators approve or refuse them; nothing else applies.
PRO_TYPES = ("pro_question", "pro_request")
PRO_ACTIONS = ("approve", "refuse", "dismiss")


@dataclass(frozen=True)
class Target:
    """A post (with its topic), a message (with its conversation), a question or request to professionals, or
    a member's profile, in one group. The content objects belong to the feature that registered the kind; only
    that kind's functions change them."""

    target_type: str
    target_id: int
    group_id: int
    author: User | None
    post: Any = None
    topic: Any = None
    message: Any = None
    conversation: Any = None
    pro: Any = None  # a question or request to professionals
    # A message of a private conversation: only its participants read it freely (set by the kind's loader).
    is_private_message: bool = False
    # Moderators may edit the words ("edit and approve") of posts and group room messages only.
    words_editable: bool = False
    # A private message opened by ``open_target``: why the actor may read it ("participant", "report", "case",
    # or "item": a queue item about this very message, which shows the message alone, not the conversation).
    grounds: str = ""

    @property
    def read_by_staff(self) -> bool:
        """A private message read by someone who is not in the conversation: the access log has its lines."""
        return self.is_private_message and self.grounds != "participant"

    @property
    def shows_conversation(self) -> bool:
        """May the messages around it be shown? Not for a private message seen only to decide its queue item."""
        return self.grounds != "item"

    @property
    def state(self) -> str:
        registered = _KINDS.get(self.target_type)
        return registered.state(self) if registered is not None else "published"

    @property
    def is_content(self) -> bool:
        return self.target_type in _KINDS


@dataclass(frozen=True)
class TargetKind:
    """One kind of content moderation acts on, as its owning feature supplies it.

    Required: ``load(id)`` (the Target, or None when it does not exist), ``state(target)`` and
    ``set_state(target, state, reason)``. The rest is optional; a kind without it does not offer it.
    """

    name: str
    load: Callable[[int], Target | None]
    state: Callable[[Target], str]
    set_state: Callable[[Target, str, str], None]
    actions: tuple[str, ...] | None = None  # the content actions allowed; None: all of them
    # May this member (with their membership of the target's group) see it, to report it?
    sees: Callable[[User, Membership | None, Target], bool] | None = None
    reported: Callable[[Target], None] | None = None  # a member reported it (after the report is stored)
    # Words: check and normalise typed text; the moderator's "edit and approve" (editor id, group id, text);
    # the writer's rephrasing (editor id, text); an appeal undoing a moderator's edit (editor id, edited at).
    clean_body: Callable[[str], str] | None = None
    edit_words: Callable[[Target, int, int, str], None] | None = None
    rephrase: Callable[[Target, int, str], None] | None = None
    restore_words: Callable[[Target, int, datetime], None] | None = None
    # Context for the moderator: (opening item or None, published items just before, just after).
    around: Callable[[Target, int], tuple[Any, list, list]] | None = None
    authored: Callable[[int, int], int] | None = None  # how many the member (user id) wrote in the group (id)
    # A private conversation's facts, for ``open_target``: is the actor in it now, was it reported, and who
    # is or was in it (user id, left at), for the access log.
    is_participant: Callable[[User, Target], bool] | None = None
    conversation_reported: Callable[[Target], bool] | None = None
    participants: Callable[[Target], Sequence[tuple[int, datetime | None]]] | None = None
    case_open: Callable[[Target], bool] | None = None  # an open safeguarding case about one of its messages


@dataclass(frozen=True)
class SlowedPlace:
    place_type: str  # "topic" or "conversation"
    place_id: int
    title: str  # a topic's title; "" for the group's chat room
    seconds: int
    automatic: bool


@dataclass(frozen=True)
class PlaceKind:
    """A place content lives in (a topic, a chat room), from the feature that owns it: what the queue shows
    around an item, what a conflict alert is about, and the place's slow mode."""

    name: str  # "topic", "conversation"
    load: Callable[[int], Any]  # the place, or None
    latest: Callable[[Any, int], list]  # its latest published posts or messages, oldest first (at most n)
    slowed: Callable[[int], list[SlowedPlace]]  # the group's (id) places in slow mode now
    target_type: str  # what is written there and reported: "post", "message"
    # The place's group id, or None when there is no such place or heat is not watched there (a private
    # conversation, where two people are expected to take turns).
    watched_group_id: Callable[[int], int | None]
    place_of: Callable[[int], int | None]  # the place of one of its posts or messages (by id), or None
    # The authors of the place's last ``count`` published posts/messages since a moment, newest first, and how
    # many of them answer the other person among the two (None where answering does not count: a topic).
    recent_exchange: Callable[[int, datetime, int], tuple[list[int | None], int | None]]
    item_ids: Callable[[int], Select]  # SQL: the ids of the place's posts or messages (for counting reports)
    slow_mode: Callable[[int], int]  # the place's slow mode in seconds (0: none)
    set_slow_mode: Callable[[Group, int, int, int | None], None]  # (group, place id, seconds, set by), announced
    not_found: str  # what a moderator is told about a place that is not in their group


_KINDS: dict[str, TargetKind] = {}
_PLACES: dict[str, PlaceKind] = {}


def register_kind(kind: TargetKind) -> None:
    """Called by the owning feature's wiring at start-up; registering a name again replaces it."""
    _KINDS[kind.name] = kind


def register_place(kind: PlaceKind) -> None:
    _PLACES[kind.name] = kind


def kinds() -> tuple[str, ...]:
    """The registered target kinds' names."""
    return tuple(_KINDS)


def kind_of(target_type: str) -> TargetKind:
    """The registered kind; NotFound for a name nobody registered (a URL or a stored row about something this
    instance no longer knows)."""
    registered = _KINDS.get(target_type)
    if registered is None:
        raise NotFound(NOT_FOUND)
    return registered


def find(target_type: str) -> TargetKind | None:
    """The registered kind, or None."""
    return _KINDS.get(target_type)


def places() -> tuple[PlaceKind, ...]:
    return tuple(_PLACES.values())


def place_kind(place_type: str) -> PlaceKind | None:
    return _PLACES.get(place_type)


def load_place(place_type: str, place_id: int) -> Any:
    """A topic or chat room by id, or None."""
    registered = _PLACES.get(place_type)
    if registered is None or not 0 < place_id < 2**31:
        return None
    return registered.load(place_id)


def load(target_type: str, target_id: int) -> Target:
    registered = kind_of(target_type)
    if not 0 < target_id < 2**31:
        raise NotFound(NOT_FOUND)
    target = registered.load(target_id)
    if target is None:
        raise NotFound(NOT_FOUND)
    return target


def set_state(target: Target, state: str, reason: str = "") -> None:
    """Move the content to ``state`` through its kind (a profile or a place has no state: nothing happens)."""
    registered = _KINDS.get(target.target_type)
    if registered is not None:
        registered.set_state(target, state, reason)


def allows(target: Target, action: str) -> bool:
    """May this content action be taken on this kind at all (a question to professionals: approve or refuse)?"""
    registered = _KINDS.get(target.target_type)
    return registered is None or registered.actions is None or action in registered.actions


def open_target(
    actor: User, target_type: str, target_id: int, *, item: QueueItem | None = None
) -> tuple[Group, Target]:
    """The post, message or question, and its group, if the actor may moderate it there; NotFound otherwise.

    A message of a private conversation is reachable by someone who is not in it only on grounds about that
    conversation: a report, an open safeguarding case, or (``item``) an open queue item about that very message
    (held by the screening, reported, appealed). Each such opening writes the access log in the caller's
    transaction (one line per participant); the adapter commits it.
    """
    target = load(target_type, target_id)
    group = db.session.get(Group, target.group_id)
    membership = db.session.scalar(
        select(Membership).where(Membership.user_id == actor.id, Membership.group_id == target.group_id)
    )
    if group is None or not policy.can_moderate(actor, group, membership):
        raise NotFound(NOT_FOUND)
    if not target.is_private_message:
        return group, target
    registered = kind_of(target_type)
    grounds = _private_grounds(actor, registered, target, item)
    if grounds is None:
        raise NotFound(NOT_FOUND)
    target = replace(target, grounds=grounds)
    if target.read_by_staff:
        people = registered.participants(target) if registered.participants is not None else []
        record_private_conversation_reading(actor, target.conversation, people)
    return group, target


def _private_grounds(actor: User, registered: TargetKind, target: Target, item: QueueItem | None) -> str | None:
    if registered.is_participant is not None and registered.is_participant(actor, target):
        return "participant"
    if registered.conversation_reported is not None and registered.conversation_reported(target):
        return "report"
    if registered.case_open is not None and registered.case_open(target):
        return "case"
    if item is not None and item.resolved_at is None and _about(item, target):
        return "item"
    return None


def _about(item: QueueItem, target: Target) -> bool:
    """Is this queue item about this very post or message (held, reported, or an appeal of a decision on it)?"""
    if item.kind == "appeal":
        original = db.session.scalar(
            select(ModerationAction)
            .join(Appeal, Appeal.action_id == ModerationAction.id)
            .where(Appeal.id == item.target_id)
        )
        return original is not None and (original.target_type, original.target_id) == (
            target.target_type, target.target_id)  # fmt: skip
    return item.kind in ("held", "report") and (item.target_type, item.target_id) == (
        target.target_type, target.target_id)  # fmt: skip
