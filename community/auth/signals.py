"""Signals about a member's account, sent by the features that own the change so that higher features can react
without the sender importing them. Receivers run in the sender's transaction (a rollback undoes them too);
work that must wait for the commit goes through ``core.transaction.on_commit``. Each feature connects its
receivers in its ``wiring`` module.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

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
