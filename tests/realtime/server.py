"""Real Kring servers for the real-server tests and for ``bench/chat.py``: gunicorn with the gevent worker, the
way production runs it, in subprocesses on free loopback ports.

No pytest here (the benchmark imports it too): failures raise :class:`ServerError` with the end of the log.

* :func:`prepare_world` creates the tables with ``create_all`` (the tests must not wait for the migration the
  lead writes at the end of an issue) and seeds one group with its chat room through the real services.
* :class:`KringServer` starts, SIGKILLs and restarts one gunicorn arbiter + worker, always by its own PID /
  process group (started in a new session), never by name.
* ``tests.realtime.members`` signs members in and connects them.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the virtualenv's bin/
START_TIMEOUT = 30.0
PASSWORD = "a-long-test-password"  # throw-away accounts on a throw-away database
TWO_FACTOR_KEY = Fernet.generate_key().decode()
# Settings an operator's shell could carry that would point the server somewhere else.
FOREIGN_SETTINGS = (
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "TWO_FACTOR_KEYS",
    "KRING_CONFIG",
    "RATELIMIT_STORAGE_URI",
    "FLASK_APP",
    "SOCKETIO_MESSAGE_QUEUE_CHANNEL",
)


class ServerError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def unique_channel() -> str:
    """A Socket.IO message-queue channel of our own: Redis pub/sub channels are shared by every database
    number on a Redis server, so parallel test runs must not use the default "flask-socketio"."""
    return f"kring-test-{uuid.uuid4().hex[:12]}"


# --- the database and the world in it -------------------------------------------------------------------------


@dataclass
class World:
    """What :func:`prepare_world` made: ids by username, the group and its chat room."""

    database_url: str
    users: dict[str, int]
    group_id: int
    group_slug: str
    conversation_id: int
    members: list[str] = field(default_factory=list)  # the plain members, in creation order


def seed_app(database_url: str):
    """A Kring app on ``database_url`` with cheap password hashing (the server verifies any argon2 hash)."""
    from community import create_app
    from config import TestingConfig

    config = TestingConfig()
    config.SQLALCHEMY_DATABASE_URI = database_url
    config.SOCKETIO_ASYNC_MODE = "threading"
    return create_app(config)


def prepare_world(database_url: str, *, members: int = 4, outsiders: int = 1) -> World:
    """Create every table and seed: an admin, a moderator ("mod"), ``members`` members ("member1"...) of one
    group with its chat room, and ``outsiders`` accounts in no group ("outsider1"...). Password: PASSWORD."""
    from community.auth.services import create_account
    from community.chat import services as chat
    from community.extensions import db
    from community.groups import services as groups

    app = seed_app(database_url)
    with app.app_context():
        db.create_all()

        def account(username: str, *, admin: bool = False):
            return create_account(
                username=username,
                display_name=username.capitalize(),
                password=PASSWORD,
                is_admin=admin,
                year_of_birth=1990,
            )

        admin = account("admin", admin=True)
        group = groups.create_group(admin, name="Real server room", description="For the real-server tests.")
        moderator = account("mod")
        groups.add_member(admin, group, moderator, role="moderator")
        names = [f"member{number}" for number in range(1, members + 1)]
        people = {"admin": admin, "mod": moderator}
        for name in names:
            people[name] = account(name)
            groups.add_member(admin, group, people[name], role="member")
        for number in range(1, outsiders + 1):
            people[f"outsider{number}"] = account(f"outsider{number}")
        db.session.flush()
        conversation = chat.group_room_conversation(group.id)
        db.session.commit()
        world = World(
            database_url=database_url,
            users={name: user.id for name, user in people.items()},
            group_id=group.id,
            group_slug=group.slug,
            conversation_id=conversation.id,
            members=names,
        )
        db.session.remove()
        db.engine.dispose()
    return world


def stored_messages(database_url: str, conversation_id: int) -> list[tuple[int, int | None, str, str]]:
    """(seq, author_id, client_id, state) of every stored message of a conversation, in seq order."""
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT seq, author_id, client_id, state FROM messages "
                    "WHERE conversation_id = :conversation ORDER BY seq"
                ),
                {"conversation": conversation_id},
            ).all()
    finally:
        engine.dispose()
    return [tuple(row) for row in rows]


# --- server processes -----------------------------------------------------------------------------------------


def server_env(
    *,
    instance: Path,
    base_url: str,
    database_url: str,
    secret_key: str,
    redis_url: str = "",
    channel: str = "",
    **extra: str,
) -> dict[str, str]:
    """The production configuration, with the few changes plain-HTTP loopback testing needs."""
    env = {key: value for key, value in os.environ.items() if key not in FOREIGN_SETTINGS}
    env.update(
        KRING_CONFIG="production",
        KRING_INSTANCE_DIR=str(instance),
        BASE_URL=base_url,
        DATABASE_URL=database_url,
        SECRET_KEY=secret_key,
        TWO_FACTOR_KEYS=TWO_FACTOR_KEY,  # one per test process: every server of a test shares it
        # Plain http on loopback: a Secure cookie would never come back to the server.
        SESSION_COOKIE_SECURE="false",
        REMEMBER_COOKIE_SECURE="false",
        STAFF_TWO_FACTOR_REQUIRED="false",
        # The seeded hashes use cheap argon2 settings; production's would rehash (~0.1 s) on every sign-in.
        ARGON2_TIME_COST="1",
        ARGON2_MEMORY_COST="8",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
        env["SOCKETIO_MESSAGE_QUEUE_CHANNEL"] = channel or unique_channel()
        # Rate-limit counters would follow REDIS_URL, keyed by client address (127.0.0.1 for every run on this
        # machine): parallel or repeated runs would throttle one another's sign-ins. Each process counts alone.
        env["RATELIMIT_STORAGE_URI"] = "memory://"
    env.update(extra)
    return env


def new_secret_key() -> str:
    return secrets.token_urlsafe(48)


@dataclass
class KringServer:
    """One gunicorn arbiter with one gevent worker, in its own process group."""

    env: dict[str, str]
    port: int
    log_path: Path
    app: str = "wsgi:app"
    cwd: Path = ROOT
    process: subprocess.Popen | None = None
    gunicorn_options: tuple[str, ...] = ()  # e.g. ("--config", "bench/profile_gunicorn.py")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self, tail: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-tail:]
        except FileNotFoundError:
            return ""

    def start(self, *, wait: bool = True) -> KringServer:
        """Launch gunicorn; with ``wait``, return once /healthz answers (else call wait_until_healthy)."""
        command = [
            str(BIN / "gunicorn"),
            "--worker-class",
            "gevent",
            "--workers",
            "1",
            "--no-control-socket",
            "--graceful-timeout",
            "5",
            "--bind",
            f"127.0.0.1:{self.port}",
            *self.gunicorn_options,
            self.app,
        ]
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(
                command,
                cwd=self.cwd,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: a kill reaches the worker and nothing else
            )
        if wait:
            self.wait_until_healthy()
        return self

    def wait_until_healthy(self, timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                code = None if self.process is None else self.process.returncode
                raise ServerError(f"gunicorn exited with {code}:\n{self.log()}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:  # refused before the bind, or a time-out while the worker boots
                pass
            time.sleep(0.1)
        raise ServerError(f"/healthz did not answer 200 within {timeout:.0f} s:\n{self.log()}")

    def kill(self) -> None:
        """SIGKILL to the arbiter and its worker at once: no shutdown code runs, like a power cut."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, *, graceful: bool = False) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        # To our arbiter, by PID. SIGINT: gunicorn's quick shutdown (every write is already committed; a graceful
        # SIGTERM waits for the worker's open connections, and runs its exit hooks).
        self.process.send_signal(signal.SIGTERM if graceful else signal.SIGINT)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()

    def restart(self) -> None:
        self.stop()
        self.start()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


def start_kring(
    instance: Path,
    database_url: str,
    *,
    secret_key: str | None = None,
    port: int | None = None,
    gunicorn_options: tuple[str, ...] = (),
    wait: bool = True,
    **settings: str,
) -> KringServer:
    """Start Kring on a free port (or ``port``). ``settings`` go to :func:`server_env` (redis_url, channel,
    or any upper-case setting). ``wait=False`` returns at once: call ``wait_until_healthy()`` before use."""
    port = port or free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = server_env(
        instance=instance,
        base_url=base_url,
        database_url=database_url,
        secret_key=secret_key or new_secret_key(),
        **settings,
    )
    instance.mkdir(parents=True, exist_ok=True)
    log_path = instance / f"gunicorn-{port}.log"
    server = KringServer(env=env, port=port, log_path=log_path, gunicorn_options=gunicorn_options)
    return server.start(wait=wait)
