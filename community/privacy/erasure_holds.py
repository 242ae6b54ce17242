"""The evidence hold: what an open report or safeguarding case still needs of an account being erased.

An erased account is a tombstone at once (no name, email, profile or password). But when a report or a
safeguarding case that involves the person is still open, erasing all their data would destroy the evidence
staff need to finish it: the reported post or message, the private conversation it sits in (both sides), the
moderators' notes about them, the case's texts and the note of their own report. Those are kept, pointing at
the tombstone ("former member"), until the last such matter is closed; then ``erasure.settle_holds`` erases
them the way the person chose, and the ``ErasureHold`` row goes.

A matter involves the person when it is open and they wrote the item it is about, reported that item, are the
subject of the case, raised it or added a note to it, or the item is a message in one of their private
conversations. Everything here is a read; bounded by the handful of open matters about one person.
"""

from __future__ import annotations

from sqlalchemy import and_, delete, exists, or_, select, tuple_

from community.auth.signals import Evidence  # the hold's answer, handed to every feature's erasure
from community.chat.models import Conversation, ConversationParticipant, Message
from community.extensions import db
from community.forum.models import Post
from community.moderation.models import QueueItem, Report
from community.moderation.safeguarding.models import SafeguardingCase, SafeguardingNote
from community.privacy.models import ErasureHold

MATTERS_MAX = 500  # open matters about one person: far more than ever happens, a bound all the same


def _about_their_items(uid: int, type_column, id_column):
    """The item is theirs, or a message in one of their private conversations."""
    own_posts = select(Post.id).where(Post.author_id == uid)
    private = (
        select(ConversationParticipant.conversation_id)
        .join(Conversation, Conversation.id == ConversationParticipant.conversation_id)
        .where(ConversationParticipant.user_id == uid, Conversation.kind == "private")
    )
    messages = select(Message.id).where(or_(Message.author_id == uid, Message.conversation_id.in_(private)))
    return or_(
        and_(type_column == "post", id_column.in_(own_posts)),
        and_(type_column == "message", id_column.in_(messages)),
    )


def evidence_of(uid: int) -> Evidence:
    """What open reports and open safeguarding cases still need of this person's data."""
    reported_by_them = exists(
        select(Report.id).where(
            Report.reporter_id == uid,
            Report.target_type == QueueItem.target_type,
            Report.target_id == QueueItem.target_id,
        )
    )
    reports = db.session.execute(
        select(QueueItem.target_type, QueueItem.target_id, QueueItem.group_id)
        .where(
            QueueItem.kind == "report",
            QueueItem.resolved_at.is_(None),
            or_(
                _about_their_items(uid, QueueItem.target_type, QueueItem.target_id),
                and_(QueueItem.target_type == "user", QueueItem.target_id == uid),
                reported_by_them,
            ),
        )
        .limit(MATTERS_MAX)
    ).all()
    noted = select(SafeguardingNote.case_id).where(SafeguardingNote.author_id == uid)
    cases = db.session.execute(
        select(SafeguardingCase.id, SafeguardingCase.target_type, SafeguardingCase.target_id, SafeguardingCase.group_id)
        .where(
            SafeguardingCase.status != "closed",
            or_(
                SafeguardingCase.subject_id == uid,
                SafeguardingCase.raised_by_id == uid,
                SafeguardingCase.id.in_(noted),
                _about_their_items(uid, SafeguardingCase.target_type, SafeguardingCase.target_id),
            ),
        )
        .limit(MATTERS_MAX)
    ).all()
    if not reports and not cases:
        return Evidence()
    targets = {(kind, target_id) for kind, target_id, _g in reports} | {(k, t) for _c, k, t, _g in cases if k}
    post_ids = [target_id for kind, target_id in targets if kind == "post"]
    message_ids = [target_id for kind, target_id in targets if kind == "message"]
    messages = db.session.execute(
        select(Message.id, Message.author_id, Message.conversation_id).where(Message.id.in_(message_ids))
    ).all()
    their_private = select(ConversationParticipant.conversation_id).where(ConversationParticipant.user_id == uid)
    conversations = db.session.scalars(
        select(Conversation.id).where(
            Conversation.kind == "private",
            Conversation.id.in_({conversation_id for _m, _a, conversation_id in messages}),
            Conversation.id.in_(their_private),
        )
    )
    report_targets = [(kind, target_id) for kind, target_id, _g in reports]
    own_reports = (
        db.session.scalars(
            select(Report.id).where(
                Report.reporter_id == uid, tuple_(Report.target_type, Report.target_id).in_(report_targets)
            )
        )
        if report_targets
        else []
    )
    return Evidence(
        post_ids=frozenset(db.session.scalars(select(Post.id).where(Post.id.in_(post_ids), Post.author_id == uid))),
        message_ids=frozenset(message_id for message_id, author_id, _c in messages if author_id == uid),
        conversation_ids=frozenset(conversations),
        group_ids=frozenset({group_id for *_rest, group_id in reports} | {group_id for *_rest, group_id in cases}),
        case_ids=frozenset(case_id for case_id, *_rest in cases),
        report_ids=frozenset(own_reports),
    )


def hold(uid: int, mode: str, moderated_group_ids: list[int]) -> None:
    """Remember to finish this erasure once its evidence is no longer needed."""
    db.session.add(ErasureHold(user_id=uid, mode=mode, moderated_group_ids=sorted(moderated_group_ids)))


def holds(limit: int = 100) -> list[ErasureHold]:
    """Erasures waiting for open matters, oldest first (a few at most: each ends when its matters close)."""
    return list(db.session.scalars(select(ErasureHold).order_by(ErasureHold.id).limit(limit)))


def release(held: ErasureHold) -> None:
    db.session.execute(delete(ErasureHold).where(ErasureHold.id == held.id))
