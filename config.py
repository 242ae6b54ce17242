"""Configuration classes. Every upper-case setting can be overridden from an environment variable of the
same name (``DATABASE_URL`` and ``REDIS_URL`` are the two short names operators expect).

Development keeps a generated SECRET_KEY and two-step sign-in key in ``instance/``; production refuses to start
without real ones (fail closed: a guessable key lets anyone forge a session cookie, and a key kept next to the
database it protects protects nothing).
"""

from __future__ import annotations

import atexit
import base64
import functools
import ipaddress
import os
import secrets
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.asymmetric import ec

BASE_DIR = Path(__file__).resolve().parent
INSECURE_KEYS = {"", "dev", "change-me", "changeme", "secret", "you-will-never-guess"}
MAIL_SECURITY_MODES = ("starttls", "tls", "none")
# A fixed, published key: only ever for tests (TestingConfig), whose databases are thrown away.
TESTING_TWO_FACTOR_KEY = "dGVzdGluZy10d28tZmFjdG9yLWtleS0zMi1ieXRlcyE="


def mail_security(settings: Mapping[str, object]) -> str:
    """The SMTP transport security in force: MAIL_SECURITY, or else the older MAIL_USE_TLS (true: STARTTLS)."""
    chosen = str(settings.get("MAIL_SECURITY") or "").strip().lower()
    if chosen:
        return chosen
    return "starttls" if settings.get("MAIL_USE_TLS") else "none"


def _is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip()).is_loopback
    except ValueError:
        return False


def checked_two_factor_keys(keys: list[str]) -> list[str]:
    """Each key must be a Fernet key. The message names the position of a bad key, never the key itself."""
    keys = [key.strip() for key in keys if key and key.strip()]
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise RuntimeError(
                f"TWO_FACTOR_KEYS: key {position} of {len(keys)} is not a Fernet key (32 random bytes, url-safe "
                'base64; make one with: python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())").'
            ) from None
    return keys


def instance_path() -> Path:
    """The instance folder (KRING_INSTANCE_DIR, else instance/ next to the code), not created: also Flask's
    ``app.instance_path``, where keys made at the first need are kept (the VAPID key)."""
    return Path(os.environ.get("KRING_INSTANCE_DIR", BASE_DIR / "instance")).resolve()


def instance_dir() -> Path:
    """Where development keeps its SQLite file and generated key: private to the user running Kring."""
    path = instance_path()
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _coerce(raw: str, current: object) -> object:
    """Read an environment string as the type of the class default."""
    if isinstance(current, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(current, int):
        return int(raw)
    if isinstance(current, float):
        return float(raw)
    if isinstance(current, list):
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


class Config:
    ENV_NAME = "base"
    BASE_URL = "http://127.0.0.1:5000"
    DATABASE_URL = ""  # empty: a SQLite file under instance/
    REDIS_URL = ""  # empty: no message queue, in-process rate-limit counters

    # Real-time. Set explicitly: left unset, Flask-SocketIO picks gevent whenever gevent is installed.
    SOCKETIO_ASYNC_MODE = "gevent"
    SOCKETIO_MAX_HTTP_BUFFER_SIZE = 64 * 1024
    # WebSocket compression (permessage-deflate), which browsers always offer. Off: chat frames are small, and
    # compressing each one once per receiving socket costs more CPU than it saves bandwidth (as in Socket.IO's
    # own server). Turn it on for members on very slow links; docs/performance.md has the numbers.
    SOCKETIO_PERMESSAGE_DEFLATE = False
    # Redis pub/sub channel of the Socket.IO message queue. Channels are global to a Redis server (not per
    # database number): two Kring installations, or two test runs, sharing one Redis need different names.
    SOCKETIO_MESSAGE_QUEUE_CHANNEL = "flask-socketio"

    # Sessions and cookies.
    SESSION_COOKIE_NAME = "kring_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = 12 * 3600  # absolute session time-out, seconds
    SESSION_IDLE_SECONDS = 2 * 3600
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session: a long-open form must still submit
    # Flask-WTF's HTTPS check wants a Referer header, which Referrer-Policy: no-referrer (required here, so no
    # URL of a health group ever leaks) stops browsers sending. The token plus SameSite=Lax cookies remain.
    WTF_CSRF_SSL_STRICT = False
    # How many reverse proxies in front of the app may set X-Forwarded-For/-Proto. 0: trust none (direct).
    # X-Forwarded-Host is never trusted: BASE_URL is the site's address.
    TRUSTED_PROXY_COUNT = 0
    # A post may carry 4 images of at most 8 MB each (attachments.images) and one PDF document of at most
    # DOCUMENT_MAX_BYTES, plus its text.
    MAX_CONTENT_LENGTH = 46 * 1024 * 1024
    # PDF documents in posts and chat messages (attachments.documents): larger or longer ones are refused.
    DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
    DOCUMENT_MAX_PAGES = 100
    # Where shared images and documents are kept: outside static/, served only through a route that checks membership.
    # Empty: instance/uploads.
    UPLOAD_DIR = ""

    # Passwords: argon2id, RFC 9106's second recommended profile (64 MiB, t=3), ~60 ms on this machine.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 64 * 1024
    ARGON2_PARALLELISM = 1

    # Rate limits (Flask-Limiter): Redis when REDIS_URL is set, so every process shares the counters.
    RATELIMIT_STORAGE_URI = ""
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    # Sign-in attempts per client address (POST /login). Raise it when many people share one address (a care
    # home behind one router); the per-account back-off (auth/throttle.py) still slows guessing of one account.
    SIGN_IN_RATE = "10 per minute"
    # Per member (per address when signed out); generous for one person, a wall for a script or a stolen session.
    # "I'm worried about this person": pages and the safeguarding:raise socket event share one allowance.
    SAFEGUARDING_RAISE_RATE = "20 per hour"
    # Invitations a member creates: each address of a bulk list counts (one list may invite 200 and send 200
    # mails), an e-mail, code or resent invitation counts one.
    INVITE_RATE = "300 per hour;1000 per day"
    # The current password typed again to delete the account, change the e-mail address or the password.
    REAUTHENTICATE_RATE = "5 per minute;20 per hour"
    SEARCH_RATE = "30 per minute"  # searches (GET /search with a query)

    # Mail. MAIL_BACKEND: "console" prints mails (development), "smtp" sends, "memory" keeps them (tests).
    MAIL_BACKEND = "smtp"
    MAIL_SERVER = "127.0.0.1"
    MAIL_PORT = 25
    # MAIL_SECURITY: "starttls" (a plain connection upgraded to TLS, usually port 587; refused when the server
    # does not offer it), "tls" (TLS from the first byte, usually port 465) or "none" (plain: only for a mail
    # server on this machine; production refuses it for any other host). Empty: from the older MAIL_USE_TLS
    # (true: "starttls", false: "none"). With TLS the server's certificate and name are always verified: against
    # the system's CAs, or only against the CAs in MAIL_CA_FILE (a PEM file) when that is set.
    MAIL_SECURITY = ""
    MAIL_CA_FILE = ""
    MAIL_USE_TLS = False
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_FROM = "Kring <no-reply@localhost>"

    # Languages (Flask-Babel). The first is the fallback.
    LANGUAGES = ["en", "nl", "ar", "tr", "pl"]
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"

    # Chat: messages per person per window ("10 per 10 seconds"), and how long presence changes are gathered
    # before one presence:update goes out (seconds; 0 in tests).
    CHAT_SEND_RATE = "10 per 10 seconds"
    CHAT_PRESENCE_DELAY = 1.0

    # --- Moderation pipeline rules (issue #6 part A) ---
    # New members: fewer than MODERATION_NEW_MEMBER_POSTS published posts in the group, or joined fewer than
    # MODERATION_NEW_MEMBER_DAYS days ago. They may put at most this many links / @mentions in one post or
    # message (a group's moderation settings can override the two counts).
    MODERATION_NEW_MEMBER_POSTS = 5
    MODERATION_NEW_MEMBER_DAYS = 7
    MODERATION_NEW_MEMBER_MAX_LINKS = 1
    MODERATION_NEW_MEMBER_MAX_MENTIONS = 3
    # Regex filters: longest pattern, and the longest text a regex is run on (the rest is not searched).
    MODERATION_REGEX_MAX_LENGTH = 200
    MODERATION_REGEX_TEXT_MAX = 20_000
    # Heated threads: CONFLICT_SIGNALS reports or filter hits in one topic/room within CONFLICT_WINDOW_MINUTES,
    # or CONFLICT_BACK_AND_FORTH alternating posts between the same two members within that window.
    CONFLICT_WINDOW_MINUTES = 10
    CONFLICT_SIGNALS = 3
    CONFLICT_BACK_AND_FORTH = 8
    CONFLICT_SLOW_MODE_SECONDS = 60
    # --- end of moderation pipeline rules ---

    # Accessibility (issue #8): where the accessibility statement tells people to report a barrier. An email
    # address (shown as a mail link); empty: the address in MAIL_FROM.
    ACCESSIBILITY_CONTACT = ""

    # --- Professionals (issue #9; community/professionals) ---
    PROFESSIONAL_OPEN_REQUESTS_MAX = 2  # open "I'd like to talk with ..." requests one member may have at once
    # Profile photos, outside static/ and outside UPLOAD_DIR (whose sweep removes files no post names).
    # Empty: "<UPLOAD_DIR>-professionals", next to UPLOAD_DIR.
    PROFESSIONAL_PHOTO_DIR = ""
    # --- end of professionals ---

    SETUP_TOKEN_MINUTES = 24 * 60
    # A one-time sign-in link an admin makes on the help desk for someone without e-mail (auth/help_desk.py).
    SIGN_IN_LINK_HOURS = 24
    STAFF_TWO_FACTOR_REQUIRED = False
    # Keys that encrypt the two-step sign-in secrets in the database (Fernet; comma-separated in the environment).
    # The first key encrypts, every key decrypts. To rotate: put a new key first, run
    # `flask auth rotate-two-factor-keys`, then drop the old key (docs/operations.md). Development: generated
    # once into instance/two_factor_keys. Production: required.
    TWO_FACTOR_KEYS: list = []
    DEMO_ALLOWED = True
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # A pooled server connection that lay unused this many seconds is tested ("ping") before a request gets
    # it, so a restarted database costs no failed request. Busy connections are not tested: SQLAlchemy's
    # pool_pre_ping would add a round trip to every request (core/database.py). 0: test every time.
    DATABASE_PING_IDLE_SECONDS = 10.0
    # PostgreSQL: let psycopg prepare statements a connection runs often (PostgreSQL then stops planning them
    # anew; see core/database.py). Set False behind a connection pooler in transaction mode that cannot keep
    # prepared statements (PgBouncer before 1.21, or with max_prepared_statements = 0).
    DATABASE_PREPARED_STATEMENTS = True

    # --- Consent and privacy (issue #7; docs/privacy.md) ---
    # Younger than this (this year minus year of birth): a parent or guardian confirms by email link.
    MINOR_CONSENT_AGE = 16
    GUARDIAN_LINK_HOURS = 7 * 24
    # Exports: offered this long, then deleted. Accounts with more items than the threshold are built in the
    # background by `flask privacy build-exports` (run it from cron or a systemd timer).
    EXPORT_TTL_HOURS = 72
    EXPORT_INLINE_MAX_ITEMS = 2000
    EXPORT_DIR = ""  # empty: instance/exports (never under static/)
    # Instance defaults for retention (days; 0 = keep); a group's own setting wins. `flask retention run`.
    RETENTION_CHAT_DAYS = 0
    RETENTION_POSTS_DAYS = 0
    # Shown in the access log as "on behalf of" and in the register of processing. Empty: "Kring".
    ORGANISATION_NAME = ""

    # --- Notifications and email (issue #10; community/notifications) ---
    NOTIFICATIONS_KEEP_DAYS = 90  # `flask notifications prune` removes older notifications
    EVENT_REMINDER_HOURS = 24  # `flask events send-reminders`: how long before an event the people coming hear
    NOTIFICATIONS_MAX_ATTEMPTS = 8  # an email is tried this often (back-off doubling) before it counts as failed
    NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    NOTIFICATIONS_RETRY_MAX_SECONDS = 6 * 3600
    # A row left "sending" this long (the sender crashed mid-send) is taken again by the next run.
    NOTIFICATIONS_SENDING_STALE_SECONDS = 3600
    # --- Web Push (issue #16; community/notifications/push.py, docs/notifications.md#push) ---
    # The VAPID key that signs every push (base64url of the raw 32-byte P-256 key, as `web-push
    # generate-vapid-keys` prints it, or PEM). Empty: one is made at the first need and kept in the instance
    # folder (vapid_private_key.pem, mode 0600). Changing it invalidates every device's subscription.
    VAPID_PRIVATE_KEY = ""
    VAPID_SUBJECT = ""  # how a push service reaches the operator: mailto:... or https://...; empty: MAIL_FROM's address
    PUSH_BUNDLE_SECONDS = 300  # at most one push per member and topic/conversation/group in this time
    PUSH_TTL_SECONDS = 24 * 3600  # how long a push service keeps a push for a device that is offline
    PUSH_TIMEOUT_SECONDS = 10
    PUSH_MAX_DEVICES = 10  # devices (browsers) per account
    # Push services a subscription may point at (host, or a domain and its subdomains): the server POSTs to the
    # endpoint a browser gave, so it must never be one of our own or another internal machine. Empty: any https host.
    PUSH_SERVICE_HOSTS: list = [
        "fcm.googleapis.com", "android.googleapis.com", "push.services.mozilla.com", "push.apple.com",
        "notify.windows.com",
    ]  # fmt: skip
    # Tests only: an http endpoint on this machine (the tests' own push service). Production forces it off.
    PUSH_ALLOW_INSECURE_ENDPOINTS = False
    # After the commit, pushes go on a background thread (a greenlet under gevent); tests send at once.
    PUSH_SEND_IN_BACKGROUND = True
    # --- Staff insight (issue #10; community/insight) ---
    INSIGHT_MIN_PEOPLE = 5  # figures about fewer people than this show as "fewer than 5"
    INSIGHT_MAX_RANGE_DAYS = 366

    # --- Safeguarding (issue #6 part B; community/moderation/safeguarding, docs/moderation.md) ---
    # Helplines shown to a writer whose text reads like a crisis, and on /help. Each: name, phones (a list),
    # url, chat (may be empty), hours, when ("acute" for emergency numbers, else "support"), languages (empty:
    # everyone), country, topics (the safeguarding categories it is the first line for: suicide, self_harm,
    # abuse, medical_emergency). To replace the list, name a TOML file of [[helpline]] tables with the same
    # keys in SAFEGUARDING_HELPLINES_FILE: an environment variable cannot hold this list.
    SAFEGUARDING_HELPLINES: list = [
        {"name": "112", "phones": ["112"], "url": "", "chat": "", "hours": "24/7", "when": "acute",
         "country": "NL", "description": "Emergency services: when someone is in danger right now."},
        {"name": "113 Zelfmoordpreventie", "phones": ["113", "0800-0113"], "url": "https://www.113.nl",
         "chat": "113.nl", "hours": "24/7", "when": "support", "country": "NL", "topics": ["suicide", "self_harm"],
         "description": "When you think about suicide, or worry about someone who does. Free and anonymous."},
        {"name": "De Kindertelefoon", "phones": ["0800-0432"], "url": "https://www.kindertelefoon.nl", "chat": "",
         "hours": "Every day, 11:00 to 21:00", "when": "support", "country": "NL", "topics": ["abuse"],
         "description": "For children and young people, about anything. Free and anonymous."},
        {"name": "Veilig Thuis", "phones": ["0800-2000"], "url": "https://www.veiligthuis.nl", "chat": "",
         "hours": "24/7", "when": "support", "country": "NL", "topics": ["abuse"],
         "description": "Advice and reports about domestic violence and child abuse. Free."},
    ]  # fmt: skip
    SAFEGUARDING_HELPLINES_FILE = ""
    # Response clock per severity (minutes from opening until a moderator should have taken the case).
    SAFEGUARDING_ACUTE_RESPONSE_MINUTES = 15
    SAFEGUARDING_CONCERN_RESPONSE_MINUTES = 4 * 60
    # Nobody took an open case within this many minutes: `flask safeguarding escalate` emails the moderators.
    SAFEGUARDING_EMAIL_AFTER_MINUTES = 15

    # --- Queue, reports and actions (issue #6 part C; community/moderation, docs/moderation.md) ---
    # A published post or message is hidden, pending review, once this many distinct members reported it
    # (0: never hidden automatically). The instance default; a group may have its own.
    REPORT_HIDE_THRESHOLD = 3
    # --- end of queue, reports and actions ---

    # --- Forum topic-page cache (issue #4; community/forum/page_cache.py, docs/performance.md) ---
    # Rendered pages of posts kept per process, keyed by the topic's version (so never stale after a change).
    # ENTRIES: how many (0 switches the cache off); SECONDS: the longest a new display name takes to show.
    FORUM_PAGE_CACHE_ENTRIES = 512
    FORUM_PAGE_CACHE_SECONDS = 120
    # --- end of forum topic-page cache ---

    # Rarely-changing rows read on every request or message (consent documents in force, group rules, keyword
    # filters, moderation settings), cached per process (community/core/config_cache.py). A change made by
    # another process shows within this many seconds; this process's own changes show at once. 0: off.
    CONFIG_CACHE_SECONDS = 10

    def __init__(self) -> None:
        for name in dir(self):
            if name.isupper() and name in os.environ:
                setattr(self, name, _coerce(os.environ[name], getattr(self, name)))
        self.BASE_URL = self.BASE_URL.rstrip("/")
        self.SQLALCHEMY_DATABASE_URI = self.DATABASE_URL or f"sqlite:///{instance_dir() / 'kring.db'}"
        # Not created here: a production host may keep the code read-only and point UPLOAD_DIR elsewhere.
        self.UPLOAD_DIR = self.UPLOAD_DIR or str(
            Path(os.environ.get("KRING_INSTANCE_DIR", BASE_DIR / "instance")) / "uploads"
        )
        self.RATELIMIT_STORAGE_URI = self.RATELIMIT_STORAGE_URI or self.REDIS_URL or "memory://"
        self.SECRET_KEY = self.secret_key()
        self.TWO_FACTOR_KEYS = checked_two_factor_keys(self.two_factor_keys())
        self.MAIL_SECURITY = self.MAIL_SECURITY.strip().lower()
        if self.MAIL_SECURITY and self.MAIL_SECURITY not in MAIL_SECURITY_MODES:
            raise RuntimeError(f"MAIL_SECURITY must be one of {', '.join(MAIL_SECURITY_MODES)} (or empty).")

    def secret_key(self) -> str:
        """Development: generate a key once and keep it, so sessions survive a restart of `make run`."""
        if os.environ.get("SECRET_KEY"):
            return os.environ["SECRET_KEY"]
        key_file = instance_dir() / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        return key_file.read_text().strip()

    def two_factor_keys(self) -> list[str]:
        """Development: like the SECRET_KEY, a key generated once and kept in instance/, so two-step sign-in set
        up yesterday still works after a restart of `make run`."""
        if self.TWO_FACTOR_KEYS:
            return list(self.TWO_FACTOR_KEYS)
        key_file = instance_dir() / "two_factor_keys"
        if not key_file.exists():
            key_file.write_text(Fernet.generate_key().decode() + "\n")
            key_file.chmod(0o600)
        return [line for line in key_file.read_text().splitlines() if line.strip()]


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    MAIL_BACKEND = "console"


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    DATABASE_URL = "sqlite://"
    SOCKETIO_ASYNC_MODE = "threading"
    RATELIMIT_STORAGE_URI = "memory://"
    MAIL_BACKEND = "memory"
    CHAT_PRESENCE_DELAY = 0.0
    PUSH_ALLOW_INSECURE_ENDPOINTS = True
    PUSH_SEND_IN_BACKGROUND = False
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8
    SERVER_NAME = None

    def __init__(self) -> None:
        # Tests never read the operator's environment: a stray DATABASE_URL must not point them at real data.
        self.BASE_URL = "http://localhost"
        self.SQLALCHEMY_DATABASE_URI = self.DATABASE_URL
        # Never the instance folder: one throw-away folder per test process (tests may pass their own tmp_path).
        self.UPLOAD_DIR = _test_upload_dir()
        self.SECRET_KEY = "testing-secret-key-not-for-production"  # noqa: S105
        self.TWO_FACTOR_KEYS = [TESTING_TWO_FACTOR_KEY]
        self.VAPID_PRIVATE_KEY = _test_vapid_key()  # never the instance folder


@functools.cache
def _test_vapid_key() -> str:
    """One VAPID key per test process (a P-256 key, raw, base64url), so no test writes to instance/."""
    key = ec.generate_private_key(ec.SECP256R1())
    return base64.urlsafe_b64encode(key.private_numbers().private_value.to_bytes(32, "big")).rstrip(b"=").decode()


@functools.cache
def _test_upload_dir() -> str:
    path = tempfile.mkdtemp(prefix="kring-test-uploads-")
    atexit.register(shutil.rmtree, path, True)
    return path


class ProductionConfig(Config):
    """Fails closed: no guessable SECRET_KEY, no two-step sign-in secrets without a key of their own, no silent
    SQLite file next to the code, no demo accounts, no mail in plain text over the network."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    STAFF_TWO_FACTOR_REQUIRED = True
    DEMO_ALLOWED = False

    def __init__(self) -> None:
        super().__init__()
        if not self.DATABASE_URL:
            raise RuntimeError(
                "DATABASE_URL must be set in production (for example postgresql+psycopg://kring@db/kring)."
            )
        self.DEMO_ALLOWED = False  # not even from the environment: demo accounts have a published password
        self.PUSH_ALLOW_INSECURE_ENDPOINTS = False  # nor plain-http push endpoints
        security = mail_security({"MAIL_SECURITY": self.MAIL_SECURITY, "MAIL_USE_TLS": self.MAIL_USE_TLS})
        if self.MAIL_BACKEND == "smtp" and security == "none" and not _is_loopback(self.MAIL_SERVER):
            raise RuntimeError(
                "MAIL_SECURITY must be starttls or tls in production when MAIL_SERVER is another machine: mails "
                "carry sign-in and password-reset links. Plain SMTP is allowed only to a server on this machine."
            )

    def two_factor_keys(self) -> list[str]:
        if not self.TWO_FACTOR_KEYS or TESTING_TWO_FACTOR_KEY in self.TWO_FACTOR_KEYS:
            raise RuntimeError(
                "TWO_FACTOR_KEYS must be set in production: the key that encrypts two-step sign-in secrets "
                '(make one with: python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())"). Keep it apart from the database backups.'
            )
        return list(self.TWO_FACTOR_KEYS)

    def secret_key(self) -> str:
        key = os.environ.get("SECRET_KEY", "")
        if key.strip().lower() in INSECURE_KEYS or len(key) < 32:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 characters in production "
                '(for example: python -c "import secrets; print(secrets.token_urlsafe(48))").'
            )
        return key


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> Config:
    name = os.environ.get("KRING_CONFIG", "development")
    if name not in CONFIGS:
        raise RuntimeError(f"KRING_CONFIG must be one of {sorted(CONFIGS)}, not {name!r}")
    return CONFIGS[name]()
