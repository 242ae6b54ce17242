"""Security baseline: default deny, response headers, no caching of private pages.

Default deny: every endpoint needs a signed-in, active member unless its view is marked with ``@public``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import unquote, urljoin, urlsplit

from flask import Flask, Response, current_app, redirect, request, url_for
from flask_login import current_user

from community.extensions import limiter, login_manager

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
        "manifest-src 'self'",  # the installable app's manifest (accessibility.app_routes)
        "worker-src 'self'",  # its service worker, /sw.js
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


def no_store(view: F) -> F:
    """Every answer of this view, error pages and redirects included, is ``Cache-Control: no-store``, signed in
    or not: for public pages that may hold a secret (a typed invitation code, in the form or the redirect).
    Signed-in pages need no mark: they are never stored anyway."""
    view.kring_no_store = True  # type: ignore[attr-defined]
    return view


def token_page(view: F) -> F:
    """Mark a view reached through a secret in its address (a reset, setup, invitation or guardian link): it is
    ``@no_store`` (so the page and its address stay out of shared caches and the browser's disk cache), and the
    proxy's access log masks these paths too (docs/deployment.md); a test checks that every route with a
    ``<token>`` is marked and masked."""
    view.kring_token_page = True  # type: ignore[attr-defined]
    return no_store(view)


def _never_stored(app: Flask, endpoint: str | None) -> bool:
    return bool(endpoint and getattr(app.view_functions.get(endpoint), "kring_no_store", False))


def is_public_endpoint(app: Flask, endpoint: str | None) -> bool:
    if endpoint is None or endpoint == "static":
        return True  # no endpoint: a 404 or 405 answered by Werkzeug, nothing to protect
    view = app.view_functions.get(endpoint)
    return bool(getattr(view, "kring_public", False))


_start_page: list[str] = []


def register_start_page(endpoint: str) -> None:
    """The page ``safe_next`` falls back to (a member's start page); set by the feature that owns it, from its
    wiring. The sign-in page is Flask-Login's ``login_view``, set by the feature that owns accounts."""
    _start_page[:] = [endpoint]


def init_app(app: Flask) -> None:
    @app.before_request
    def require_sign_in() -> Response | None:
        if is_public_endpoint(app, request.endpoint) or current_user.is_authenticated:
            return None
        return redirect(url_for(login_manager.login_view, next=request.full_path.rstrip("?")))

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
        if _never_stored(app, request.endpoint) or (current_user.is_authenticated and request.endpoint != "static"):
            # Health data: a shared computer's back button or disk cache must not show it to the next person;
            # a token page's address is a key, a typed code is one too.
            headers["Cache-Control"] = "no-store"
        return response


NEXT_MAX_LENGTH = 2000
_REFUSED_CATEGORIES = ("Cc", "Cf", "Zl", "Zp")  # control and invisible formatting characters, line breaks


def safe_next(target: str | None, fallback: str | None = None) -> str:
    """The one check of every ``next=`` address: a place on this site, or ``fallback`` (the start page).

    Accepted: a path starting with one "/" (``/g/parents?x=1``), or an absolute address on ``BASE_URL``'s own
    scheme, host and port. Refused, so that a link to our sign-in page can never send someone elsewhere after
    they typed their password: scheme-relative forms (``//evil``, ``/\\evil``: browsers read a backslash as
    a slash), any backslash, control or invisible characters (``/\\t/evil`` is ``//evil`` to a browser, which
    drops them), the same forms percent-encoded, relative paths, other schemes (``javascript:``), other
    hosts and ports. The answer is a path (with query and fragment), never a full address.
    """
    default = fallback or (url_for(_start_page[0]) if _start_page else "/")
    if not target or len(target) > NEXT_MAX_LENGTH:
        return default
    base = urlsplit(current_app.config["BASE_URL"])
    origin = f"{base.scheme}://{base.netloc}".lower()
    if target.lower().startswith(origin + "/"):
        path = target[len(origin) :]
    elif target.startswith("/"):
        path = target
    else:
        return default
    # The path decoded too (twice, for a doubly encoded one): a proxy or browser may decode it before use. The
    # query and fragment are only ever read as data, so an encoded newline in a search stays allowed.
    decoded = unquote(unquote(re.split(r"[?#]", path, maxsplit=1)[0]))
    for text in (path, decoded):
        if text.startswith("//") or "\\" in text:
            return default
        if any(unicodedata.category(char) in _REFUSED_CATEGORIES for char in text):
            return default
    resolved = urlsplit(urljoin(origin + "/", path))
    if resolved.scheme != base.scheme or resolved.netloc.lower() != base.netloc.lower() or resolved.username:
        return default
    query = f"?{resolved.query}" if resolved.query else ""
    fragment = f"#{resolved.fragment}" if resolved.fragment else ""
    return f"{resolved.path}{query}{fragment}"


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
