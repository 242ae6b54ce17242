"""Signals about groups and their members, sent by groups' services so that higher features (chat, forum,
consent, ...) can react without groups importing them. Receivers run in the sender's transaction (a rollback
undoes them too); work that must wait for the commit goes through ``core.transaction.on_commit``. Each feature
connects its receivers in its ``wiring`` module.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

retention_due = _signals.signal("retention-due")
"""A group's retention periods are being applied (privacy's ``flask retention run``). Sender: the ``Group``.
Keywords: ``chat_before`` and ``posts_before`` (a ``datetime``, or None when that kind is kept), ``dry_run``.
Each feature whose content a period covers deletes what of it in this group is older than its cutoff, BATCH
rows at a time, committing each batch on its own (safe to stop and re-run), or with ``dry_run`` only counts;
it answers the counts (``{"messages": n}``, ``{"posts": n, "topics": n}``) for the outcome and the audit entry.
Unlike the other signals, receivers commit: the run is a batch job, not one transaction."""

group_created = _signals.signal("group-created")
"""A group was created (``groups.services.create_group``), flushed and audited. Sender: the group. Keyword:
``actor``. Connected: chat makes the group's room, so opening the chat page never has to write."""

joining_with_new_account = _signals.signal("joining-with-new-account")
"""A person is creating their account through an invitation (``groups.invitations.accept_with_new_account``),
after the account row and before the membership. Sender: the new member. Keyword: ``form_data``, the posted
form. A receiver refuses by raising ``DomainError``: the accepting transaction then stores nothing (no account,
no record, no mail). Connected: consent records the new member's consent (``consent.signup.on_signup``)."""

member_left = _signals.signal("member-left")
"""A member left a group themselves (``groups.services.leave_group``), flushed and audited. Sender: the group.
Keywords: ``user`` (who left) and ``membership`` (now ``removed``). Connected: chat ends the member's private
conversations in that group on their side (``chat.leaving.on_member_left``), as if they had left each one."""
