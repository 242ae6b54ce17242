"""Configuration classes. Every upper-case setting can be overridden from an environment variable of the
same name (``DATABASE_URL`` and ``REDIS_URL`` are the two short names operators expect).

Development keeps a generated SECRET_KEY in ``instance/``; production refuses to start without a real one
(fail closed: a guessable key lets anyone forge a session cookie).
"""

from __future__ import annotations

import atexit
import functools
import os
import secrets
import shutil
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSECURE_KEYS = {"", "dev", "change-me", "changeme", "secret", "you-will-never-guess"}


def instance_dir() -> Path:
    """Where development keeps its SQLite file and generated key: private to the user running Kring."""
    path = Path(os.environ.get("KRING_INSTANCE_DIR", BASE_DIR / "instance"))
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
    # A post may carry 4 images of at most 8 MB each (forum.images), plus its text.
    MAX_CONTENT_LENGTH = 34 * 1024 * 1024
    # Where uploaded images are kept: outside static/, served only through a route that checks membership.
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

    # Mail. MAIL_BACKEND: "console" prints mails (development), "smtp" sends, "memory" keeps them (tests).
    MAIL_BACKEND = "smtp"
    MAIL_SERVER = "127.0.0.1"
    MAIL_PORT = 25
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

    SETUP_TOKEN_MINUTES = 24 * 60
    STAFF_TWO_FACTOR_REQUIRED = False
    DEMO_ALLOWED = True
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}

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

    def secret_key(self) -> str:
        """Development: generate a key once and keep it, so sessions survive a restart of `make run`."""
        if os.environ.get("SECRET_KEY"):
            return os.environ["SECRET_KEY"]
        key_file = instance_dir() / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        return key_file.read_text().strip()


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


@functools.cache
def _test_upload_dir() -> str:
    path = tempfile.mkdtemp(prefix="kring-test-uploads-")
    atexit.register(shutil.rmtree, path, True)
    return path


class ProductionConfig(Config):
    """Fails closed: no guessable SECRET_KEY, no silent SQLite file next to the code, no demo accounts."""

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
