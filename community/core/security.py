"""Security baseline: default deny, response headers, no caching of private pages.

Default deny: every endpoint needs a signed-in, active member unless its view is marked with ``@public``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, Response, current_app, redirect, request, url_for
from flask_login import current_user

from community.extensions import limiter

F = TypeVar("F", bound=Callable)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def public(view: F) -> F:
    """Mark a view as reachable without signing in. The list of such views is kept short and tested."""
    view.kring_public = True  # type: ignore[attr-defined]
    return view


def token_page(view: F) -> F:
    """Mark a view reached through a secret in its address (a reset, setup, invitation or guardian link): every
    answer, error pages and redirects included, is ``Cache-Control: no-store``, signed in or not, so the page
    and its address stay out of shared caches and the browser's disk cache. The proxy's access log masks these
    paths too (docs/deployment.md); a test checks that every route with a ``<token>`` is marked and masked."""
    view.kring_token_page = True  # type: ignore[attr-defined]
    return view


def _is_token_page(app: Flask, endpoint: str | None) -> bool:
    return bool(endpoint and getattr(app.view_functions.get(endpoint), "kring_token_page", False))


def is_public_endpoint(app: Flask, endpoint: str | None) -> bool:
    if endpoint is None or endpoint == "static":
        return True  # no endpoint: a 404 or 405 answered by Werkzeug, nothing to protect
    view = app.view_functions.get(endpoint)
    return bool(getattr(view, "kring_public", False))


def init_app(app: Flask) -> None:
    @app.before_request
    def require_sign_in() -> Response | None:
        if is_public_endpoint(app, request.endpoint) or current_user.is_authenticated:
            return None
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "no-referrer"
        headers["X-Frame-Options"] = "DENY"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Cross-Origin-Resource-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if _is_token_page(app, request.endpoint) or (current_user.is_authenticated and request.endpoint != "static"):
            # Health data: a shared computer's back button or disk cache must not show it to the next person;
            # a token page's address is a key.
            headers["Cache-Control"] = "no-store"
        return response


def member_key() -> str:
    """Rate-limit key for signed-in actions: the member, not the address (a ward or school shares one)."""
    return f"member:{current_user.id}" if current_user.is_authenticated else f"ip:{request.remote_addr}"


def member_limit(rate_setting: str, scope: str, **options: object) -> Callable[[F], F]:
    """A rate limit per member (per address when signed out) whose rate is the config value ``rate_setting``.
    Every view it decorates draws on one allowance named ``scope``; a socket event counts in the same bucket
    with ``core.counters.hit_shared_limit``. Options go to Flask-Limiter (``methods``, ``cost``, ``exempt_when``)."""
    return limiter.shared_limit(
        lambda: current_app.config[rate_setting],
        scope=scope,
        key_func=member_key,
        **options,  # type: ignore[arg-type]
    )
