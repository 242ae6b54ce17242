"""Signals about a member's account, sent by the features that own the change so that higher features can react
without the sender importing them. Receivers run in the sender's transaction (a rollback undoes them too);
work that must wait for the commit goes through ``core.transaction.on_commit``. Each feature connects its
receivers in its ``wiring`` module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from blinker import Namespace

_signals = Namespace()


@dataclass(frozen=True)
class Evidence:
    """What an open report or safeguarding case still needs of a member being erased (ids of what is kept for
    now; privacy's ``erasure_holds`` finds it). Empty: nothing open needs anything of the person."""

    post_ids: frozenset[int] = frozenset()  # their posts an open matter is about
    message_ids: frozenset[int] = frozenset()  # their messages an open matter is about
    conversation_ids: frozenset[int] = frozenset()  # their private conversations holding such a message
    group_ids: frozenset[int] = frozenset()  # groups with an open matter: the moderators' notes there stay
    case_ids: frozenset[int] = frozenset()  # open cases involving them: their texts and notes stay
    report_ids: frozenset[int] = frozenset()  # their own reports on items still open: the notes stay

    def __bool__(self) -> bool:
        return bool(self.group_ids or self.case_ids)  # every open matter names its group

    def counts(self) -> dict[str, int]:
        """For the audit entry: how much is held, never what."""
        return {
            "posts": len(self.post_ids),
            "messages": len(self.message_ids),
            "private_conversations": len(self.conversation_ids),
            "cases": len(self.case_ids),
            "reports": len(self.report_ids),
        }


member_export_requested = _signals.signal("member-export-requested")
"""A member's "download everything" archive is being built (privacy). Sender: the ``User``. Each feature that
holds personal data answers with its part, ``{name in the ZIP: data}``: JSON-ready data for ``*.json`` names,
or a ``pathlib.Path`` for a file copied from the disk (left out when it is no longer there). What the member
made or what is about them, never anyone else's words or name."""

member_export_size = _signals.signal("member-export-size")
"""How big a member's export will be (privacy: small ones are built at once, large ones queued). Sender: the
``User``. Receivers answer the number of items (posts, messages) their part holds."""

member_erasing = _signals.signal("member-erasing")
"""A member's account is being erased (privacy), in the current transaction, before the account row becomes a
tombstone (the ``User`` still has its email) and before privacy deletes its own rows. Sender: the ``User``.
Keywords: ``mode`` (``"anonymise"`` or ``"remove"``: what happens to their posts and messages), ``keep`` (an
``Evidence``: what an open report or case still needs, left as it is), ``moderated_group_ids`` (the groups they
moderated). Each receiver removes or pseudonymises its feature's data of the member and answers counts for the
audit entry (never content), or None. Files go once the transaction commits (``core.transaction.on_commit``)."""

member_evidence_released = _signals.signal("member-evidence-released")
"""Some of what an erasure kept for open matters is no longer needed (privacy, when a report or case closes).
Sender: the tombstone ``User``; keywords as for ``member_erasing``, ``keep`` being what is still needed now.
Receivers that left something for ``keep`` erase now what it no longer holds, and answer counts (or None)."""

profile_changing = _signals.signal("profile-changing")
"""A member is about to save a changed display name or bio (``auth.account.update_profile``), after its own
checks and before anything is set. Sender: the member. Keywords: ``display_name`` and ``bio``, the new text or
None when unchanged. A receiver refuses by raising ``DomainError`` (the change is not saved); it may return a
list of notices the member should see at once (a helpline), which the sender passes on.
Connected: moderation screens the text (``moderation.services.screen_profile``)."""

profile_opening = _signals.signal("profile-opening")
"""A member opens another member's profile (``groups.profiles.view_profile``), after the group check. Sender:
the viewer. Keyword: ``subject``. A receiver hides the profile by raising ``NotFound``.
Connected: moderation hides a profile from the people its owner blocked."""

user_connected = _signals.signal("user-connected")
"""A member's socket was accepted and is in its rooms (``auth.events``). Sender: the member. Keywords: ``sid``
and ``group_ids`` (the group rooms it joined). A receiver's failure is logged and never refuses the socket.
Connected: chat's presence (who is online)."""

user_disconnected = _signals.signal("user-disconnected")
"""A socket closed (``auth.events``), while it is still in its rooms and after the socket registry forgot it.
Sender: the socket's id. No database work is committed here: a server-side close runs inside the HTTP request
that caused it. A receiver's failure is logged. Connected: chat's presence."""


def contribute_member_data(
    *,
    export: Callable[..., Any] | None = None,
    size: Callable[..., Any] | None = None,
    erase: Callable[..., Any] | None = None,
    released: Callable[..., Any] | None = None,
) -> None:
    """A feature's part of a member's export and erasure, connected in one call from its ``member_data.connect``
    (strong references; connecting the same function again is a no-op, so a second app adds nothing)."""
    for signal, receiver in (
        (member_export_requested, export), (member_export_size, size),
        (member_erasing, erase), (member_evidence_released, released),
    ):  # fmt: skip
        if receiver is not None:
            signal.connect(receiver, weak=False)
