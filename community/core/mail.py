"""Outgoing email. Mails carry links, never member content.

MAIL_BACKEND: "smtp" sends; "console" prints (development); "memory" keeps them in ``app.extensions`` (tests).

The SMTP transport (MAIL_SECURITY in config.py): STARTTLS or TLS from the first byte, always verifying the
server's certificate and name (against the system's CAs, or MAIL_CA_FILE), or plain SMTP to a server on this
machine. ``send_mail`` uses a connection of its own, unless it runs inside ``with mail_connection():``, where
every mail shares one connection, opened at the first mail and closed at the end of the block: batch senders
(the notification outbox, safeguarding escalation) then cost one TCP and TLS handshake and one login per run,
not one per mail.

``send_after_commit`` sends once the transaction commits, off the request.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app

from community.core.transaction import on_commit_batch
from config import mail_security

log = logging.getLogger(__name__)
SMTP_TIMEOUT_SECONDS = 10


class SmtpConnection:
    """One SMTP session, opened at the first message. An error that may leave the session in an unknown state
    closes it; the next message then opens a new one. Refusals the server answered (a recipient, the sender,
    the data) leave it open: smtplib has reset the transaction, so the next mail can go on the same session."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self._config = config
        self._smtp: smtplib.SMTP | None = None
        self.opened = 0  # connections made, for the batch's caller and its tests

    def send(self, message: EmailMessage) -> None:
        if self._smtp is None:
            self._smtp = _connect(self._config)
            self.opened += 1
        try:
            self._smtp.send_message(message)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError):
            if self._smtp.sock is None:  # a 421 answer: smtplib closed the session itself
                self._smtp = None
            raise
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


_batch: ContextVar[SmtpConnection | None] = ContextVar("kring_mail_connection", default=None)


def tls_context(config: Mapping[str, Any]) -> ssl.SSLContext:
    """Certificate and host name verified. MAIL_CA_FILE, when set, replaces the system's CAs (a private CA)."""
    return ssl.create_default_context(cafile=config.get("MAIL_CA_FILE") or None)


def _connect(config: Mapping[str, Any]) -> smtplib.SMTP:
    security = mail_security(config)
    host, port = config["MAIL_SERVER"], config["MAIL_PORT"]
    if security == "tls":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT_SECONDS, context=tls_context(config))
    else:
        smtp = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT_SECONDS)
    try:
        if security == "starttls":
            # Refused (SMTPNotSupportedError) when the server does not offer STARTTLS: never a silent downgrade.
            smtp.starttls(context=tls_context(config))
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    except BaseException:
        smtp.close()
        raise
    return smtp


@contextmanager
def mail_connection() -> Iterator[None]:
    """Every ``send_mail`` inside the block shares one SMTP connection. Nested blocks use the outer one.
    With the console and memory backends nothing is opened."""
    if _batch.get() is not None:
        yield
        return
    connection = SmtpConnection(current_app.config)
    token = _batch.set(connection)
    try:
        yield
    finally:
        _batch.reset(token)
        connection.close()


def _message_id_domain(config: Mapping[str, Any]) -> str:
    """The sender's domain (make_msgid's default would look up this machine's name in the DNS)."""
    address = parseaddr(config["MAIL_FROM"])[1]
    return address.rpartition("@")[2] or urlsplit(config["BASE_URL"]).hostname or "localhost"


def build_message(to: str, subject: str, body: str) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=_message_id_domain(config))
    message.set_content(body)
    return message


def send_mail(to: str, subject: str, body: str) -> None:
    config = current_app.config
    message = build_message(to, subject, body)

    backend = config["MAIL_BACKEND"]
    if backend == "memory":
        current_app.extensions.setdefault("kring_outbox", []).append(message)
    elif backend == "console":
        print(f"\n--- mail (not sent: MAIL_BACKEND=console) ---\n{message}\n---", file=sys.stderr)
    else:
        shared = _batch.get()
        if shared is not None:
            shared.send(message)
            return
        single = SmtpConnection(config)
        try:
            single.send(message)
        finally:
            single.close()


# --- after the commit, off the request ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Mail:
    to: str
    subject: str
    body: str = field(repr=False)  # may hold a one-time link


def send_after_commit(to: str, subject: str, body: str) -> None:
    """Send this mail once the current transaction commits, off the request; drop it when the transaction, or
    the savepoint it was queued in, rolls back (``core.transaction.on_commit_batch``).

    Mail that anyone's request can cause (a password-reset link, sign-in warnings) goes this way, so the
    answer is the same, and as quick, whether or not the account exists, and a slow or absent mail server
    never shows. A one-time link in the body lives in this process's memory until it is sent, never in the
    database. The "memory" back-end (tests) delivers at once after the commit, so a test can read it.
    """
    if not to:
        return
    on_commit_batch(_send_committed, _Mail(to, subject, body))


def _send_committed(queued: list[_Mail]) -> None:
    """A transaction's mails, together: one thread and one SMTP connection."""
    mails = [(mail.to, mail.subject, mail.body) for mail in queued]
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config["MAIL_BACKEND"] == "memory":
        _deliver(app, mails)
        return
    # A thread, or a greenlet under gevent's monkey-patching: the response does not wait for the mail server.
    threading.Thread(target=_deliver, args=(app, mails), name="kring-mail", daemon=False).start()


def _deliver(app: Flask, mails: list[tuple[str, str, str]]) -> None:
    with app.app_context(), mail_connection():
        for to, subject, body in mails:
            try:
                send_mail(to, subject, body)
            except Exception as error:  # noqa: BLE001 (committed already; the person can ask again)
                # The type only: an SMTP error repeats the address, and logs carry no personal data.
                log.warning("mail not sent: %s", type(error).__name__)
