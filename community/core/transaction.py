"""Work that waits for the end of the database transaction: the one after-commit mechanism.

Services call :func:`on_commit` for whatever must happen only once their change is stored (a broadcast, a mail,
closing sockets, removing an erased file), and :func:`on_rollback` to undo what cannot be rolled back by the
database (a file written for a row that will not exist). The rules, Django's ``transaction.on_commit`` and
Zulip's ``send_event_on_commit``:

* ``on_commit`` work runs after the outermost transaction commits, in the order it was queued. An outer
  rollback (or a session closed without a commit) drops all of it.
* Work queued inside a savepoint (``db.session.begin_nested()``) belongs to that savepoint: when the savepoint
  rolls back, its work (and that of savepoints inside it) is dropped and the rest stays; when it is released,
  its work waits for the transaction around it.
* ``on_rollback`` work runs when the savepoint or transaction it was queued in rolls back (or the transaction
  ends without a commit), in the order it was queued; it is dropped when the outermost transaction commits.
* :func:`on_commit_batch` queues one item for a function that, after the commit, receives every item queued
  for it in this transaction that survived, in order, in one call, at the place of the first: for features
  that send their work together (one SMTP connection for a transaction's mail; leaving rooms before emitting).
* A function that raises does not stop the others: the change is committed already, so the failure is logged
  (the exception type and the function's name only: an exception may repeat an address or a name, and logs
  carry no personal data) and the next function runs. A feature that must tell the person catches its own.
* Work queued while no transaction is open begins one (autobegin), so the next commit or rollback decides.
  Work queued by a function that runs after the commit runs in the same pass.

The work runs inside the session's ``after_commit`` hook, where the session may not emit SQL: a function
carries the plain values it needs (ids, addresses), or opens its own connection.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from community.extensions import db

log = logging.getLogger(__name__)
_KEY = "kring_transaction_work"
T = TypeVar("T")


@dataclass(eq=False)
class _Work:
    when: Literal["commit", "rollback"]
    fn: Callable[..., object]
    transaction: SessionTransaction = field(repr=False)
    batched: bool = False
    item: Any = field(default=None, repr=False)  # may hold an address or a one-time link


def on_commit(fn: Callable[[], object], *, session: Session | None = None) -> None:
    """Run ``fn()`` after the outermost transaction commits; drop it if its savepoint or transaction rolls back."""
    _queue(_Work("commit", fn, _current(session)), session)


def on_rollback(fn: Callable[[], object], *, session: Session | None = None) -> None:
    """Run ``fn()`` if the savepoint or transaction it is queued in rolls back; drop it on the outer commit."""
    _queue(_Work("rollback", fn, _current(session)), session)


def on_commit_batch(flush: Callable[[list[T]], object], item: T, *, session: Session | None = None) -> None:
    """Queue ``item`` for ``flush``: after the commit, ``flush(items)`` runs once with every item queued for it
    in this transaction and not rolled back, in order, at the place of the first."""
    _queue(_Work("commit", flush, _current(session), batched=True, item=item), session)


def _session(session: Session | None) -> Session:
    return session if session is not None else db.session()


def _current(session: Session | None) -> SessionTransaction:
    session = _session(session)
    transaction = session.get_nested_transaction() or session.get_transaction()
    if transaction is None:
        session.connection()  # autobegin now: a session with no transaction fires no hook when it ends
        transaction = session.get_transaction()
    if transaction is None:  # pragma: no cover (connection() always begins one)
        raise RuntimeError("no transaction to attach the work to")
    return transaction


def _queue(work: _Work, session: Session | None) -> None:
    _session(session).info.setdefault(_KEY, []).append(work)


def _within(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def _take(session: Session, ended: SessionTransaction) -> list[_Work]:
    """Remove and return the work queued in ``ended`` or in a savepoint inside it."""
    queued: list[_Work] | None = session.info.get(_KEY)
    if not queued:
        return []
    taken = [work for work in queued if _within(work.transaction, ended)]
    if taken:
        session.info[_KEY] = [work for work in queued if not _within(work.transaction, ended)]
    return taken


def _run(works: list[_Work]) -> None:
    done: set[int] = set()
    for index, work in enumerate(works):
        if index in done:
            continue
        if work.batched:
            group = [i for i in range(index, len(works)) if works[i].batched and works[i].fn == work.fn]
            done.update(group)
            _call(work.fn, [works[i].item for i in group])
        else:
            _call(work.fn)


def _call(fn: Callable[..., object], *args: object) -> None:
    try:
        fn(*args)
    except Exception as error:  # noqa: BLE001 (the transaction has ended: the rest of the work must still run)
        name = getattr(fn, "__qualname__", None) or type(fn).__name__
        log.warning("after-transaction work %s.%s failed: %s", getattr(fn, "__module__", "?"), name,
                    type(error).__name__)  # fmt: skip


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint was released: its work waits for the transaction around it
    committed = session.get_transaction()
    if committed is None:
        return
    while works := _take(session, committed):  # work queued by work runs in the same pass
        _run([work for work in works if work.when == "commit"])


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    _run([work for work in _take(session, previous_transaction) if work.when == "rollback"])


@event.listens_for(Session, "after_transaction_end")
def _after_end(session: Session, transaction: SessionTransaction) -> None:
    """The outermost transaction ended: whatever is left of it was not committed (a rollback, or a session
    closed without a commit). On a rollback this runs before ``after_soft_rollback``, which then finds nothing."""
    if transaction.parent is None:
        _run([work for work in _take(session, transaction) if work.when == "rollback"])
