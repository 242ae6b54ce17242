"""Outgoing email. Mails carry links, never member content.

MAIL_BACKEND: "smtp" sends; "console" prints (development); "memory" keeps them in ``app.extensions`` (tests).
"""

from __future__ import annotations

import smtplib
import sys
from email.message import EmailMessage

from flask import current_app


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
