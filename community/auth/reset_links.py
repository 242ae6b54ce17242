"""The addresses of the password-reset pages, for mails (so absolute, from ``BASE_URL``). Their own module: both
the reset mail (``auth.reset``) and the back-off notice (``auth.throttle``) link to them, and the reset
service builds on the sign-in throttle."""

from __future__ import annotations

from flask import current_app

REQUEST_PATH = "/reset-password"


def reset_request_url() -> str:
    """The page where a person asks for a reset link."""
    return current_app.config["BASE_URL"] + REQUEST_PATH


def reset_link_url(token: str) -> str:
    """The page a reset mail's link opens."""
    return f"{current_app.config['BASE_URL']}{REQUEST_PATH}/{token}"
