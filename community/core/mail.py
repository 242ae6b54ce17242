"""Outgoing email. Mails carry links, never member content.

MAIL_BACKEND: "smtp" sends; "console" prints (development); "memory" keeps them in ``app.extensions`` (tests).
``send_mail`` sends now; ``send_after_commit`` sends once the transaction commits, off the request.
"""

from __future__ import annotations

import logging
import smtplib
import sys
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from community.extensions import db

log = logging.getLogger(__name__)


def send_mail(to: str, subject: str, body: str) -> None:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)

    backend = config["MAIL_BACKEND"]
    if backend == "memory":
        current_app.extensions.setdefault("kring_outbox", []).append(message)
    elif backend == "console":
        print(f"\n--- mail (not sent: MAIL_BACKEND=console) ---\n{message}\n---", file=sys.stderr)
    else:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)


# --- after the commit, off the request ------------------------------------------------------------------------

_QUEUE_KEY = "kring_mail_after_commit"


@dataclass(frozen=True)
class _Queued:
    to: str
    subject: str
    body: str = field(repr=False)  # may hold a one-time link
    transaction: SessionTransaction = field(repr=False)


def send_after_commit(to: str, subject: str, body: str) -> None:
    """Send this mail once the current transaction commits, off the request; drop it when the transaction, or
    the savepoint it was queued in, rolls back.

    Mail that anyone's request can cause (a password-reset link, sign-in warnings) goes this way, so the
    answer is the same, and as quick, whether or not the account exists, and a slow or absent mail server
    never shows. A one-time link in the body lives in this process's memory until it is sent, never in the
    database. The "memory" back-end (tests) delivers at once after the commit, so a test can read it.
    """
    if not to:
        return
    session = db.session()
    session.connection()  # begin now: a rollback of a transaction never begun fires no hook
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_QUEUE_KEY, []).append(_Queued(to, subject, body, transaction))


def _within(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_commit")
def _send_queued(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint was released: its mail waits for the transaction around it
    queued: list[_Queued] = session.info.pop(_QUEUE_KEY, [])
    committed = session.get_transaction()
    mails = [(q.to, q.subject, q.body) for q in queued if committed is not None and _within(q.transaction, committed)]
    if not mails:
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config["MAIL_BACKEND"] == "memory":
        _deliver(app, mails)
        return
    # A thread, or a greenlet under gevent's monkey-patching: the response does not wait for the mail server.
    threading.Thread(target=_deliver, args=(app, mails), name="kring-mail", daemon=False).start()


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    queued: list[_Queued] | None = session.info.get(_QUEUE_KEY)
    if queued:
        session.info[_QUEUE_KEY] = [q for q in queued if not _within(q.transaction, previous_transaction)]


def _deliver(app: Flask, mails: list[tuple[str, str, str]]) -> None:
    with app.app_context():
        for to, subject, body in mails:
            try:
                send_mail(to, subject, body)
            except Exception as error:  # noqa: BLE001 (committed already; the person can ask again)
                # The type only: an SMTP error repeats the address, and logs carry no personal data.
                log.warning("mail not sent: %s", type(error).__name__)
