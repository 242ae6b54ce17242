"""Signals moderation sends so that higher features can react without moderation importing them.

``matter_closed``: a report's queue item was resolved, or a safeguarding case was closed, in the current
transaction (not yet committed). Receivers work in the same transaction, so a rollback undoes them too.
Sender: ``"report"`` (keyword ``item``, the ``QueueItem``) or ``"case"`` (keyword ``case``).
Connected: ``privacy.erasure`` finishes the erasure of accounts whose evidence the matter was keeping.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()
matter_closed = _signals.signal("matter-closed")
