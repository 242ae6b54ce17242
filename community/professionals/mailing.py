"""The professionals' notification emails: a link only, sent after the commit."""

from __future__ import annotations

import logging
import smtplib
from functools import partial

from flask import current_app

from community.auth.models import User
from community.core import mail
from community.core.transaction import on_commit

log = logging.getLogger(__name__)


def mail_after_commit(user: User, subject: str, path: str) -> None:
    """An email with a link only (no member content), sent once the transaction has committed (and dropped with
    a rolled-back savepoint, ``core.transaction.on_commit``), and only to someone with an address. ``path`` is
    the site path the link opens."""
    if not user.email or user.state != "active":
        return
    link = f"{current_app.config['BASE_URL']}{path}"
    body = "\n".join((subject, "", link, "", "Kring"))
    on_commit(partial(_send_mail, user.email, subject, body))


def _send_mail(to: str, subject: str, body: str) -> None:
    try:
        mail.send_mail(to, subject, body)
    except (OSError, smtplib.SMTPException) as error:  # the change is stored; the in-app notice remains
        log.warning("professionals: a notification email could not be sent (%s)", type(error).__name__)
