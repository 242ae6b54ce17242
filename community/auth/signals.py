"""Signals about a member's account, sent by the features that own the change so that higher features can react
without the sender importing them. Receivers run in the sender's transaction (a rollback undoes them too);
work that must wait for the commit goes through ``core.transaction.on_commit``. Each feature connects its
receivers in its ``wiring`` module.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()
