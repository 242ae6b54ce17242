"""The servers of ``bench/chat.py``: the bare Flask-SocketIO room and Kring, 1 or more processes each (sharing
rooms through Redis from the second on), and Kring's throw-away PostgreSQL database.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

from tests.realtime.server import KringServer, free_port, start_kring, unique_channel

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def bare_servers(instance: Path, processes: int, redis_url: str) -> Iterator[list[KringServer]]:
    channel = unique_channel()
    servers: list[KringServer] = []
    try:
        for number in range(processes):
            port = free_port()
            env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "DATABASE_URL")}
            env["BASE_URL"] = f"http://127.0.0.1:{port}"
            if processes > 1:
                env.update(REDIS_URL=redis_url, SOCKETIO_MESSAGE_QUEUE_CHANNEL=channel)
            server = KringServer(
                env=env, port=port, log_path=instance / f"bare-{number}.log", app="bench.bare_chat_app:app"
            )
            servers.append(server.start())
        yield servers
    finally:
        for server in servers:
            server.stop()


@contextlib.contextmanager
def kring_servers(
    instance: Path,
    processes: int,
    database_url: str,
    secret_key: str,
    redis_url: str,
    extra: dict[str, str],
    profile_dir: str | None = None,
) -> Iterator[list[KringServer]]:
    # RATELIMIT_ENABLED=false switches off the per-person send rate (10 per 10 s), which one flooding sender
    # would hit at once (community/chat/throttle.py); slow mode and every other check still run.
    settings: dict[str, str] = {"RATELIMIT_ENABLED": "false", **extra}
    if processes > 1:
        settings.update(redis_url=redis_url, channel=unique_channel())
    options: tuple[str, ...] = ()
    if profile_dir:
        Path(profile_dir).mkdir(parents=True, exist_ok=True)
        settings["KRING_PROFILE_DIR"] = str(Path(profile_dir).resolve())
        options = ("--config", str(ROOT / "bench" / "profile_gunicorn.py"))
    servers: list[KringServer] = []
    try:
        for number in range(processes):
            folder = instance / f"kring-{number}"
            servers.append(
                start_kring(folder, database_url, secret_key=secret_key, gunicorn_options=options, **settings)
            )
        yield servers
    finally:
        for server in servers:
            server.stop(graceful=bool(profile_dir))  # a graceful stop runs the hook that writes the profile


@contextlib.contextmanager
def bench_database(url: str | None) -> Iterator[str]:
    """A PostgreSQL database of our own on the TEST_DATABASE_URL server, dropped afterwards."""
    import sqlalchemy as sa

    server_url = url or os.environ.get("TEST_DATABASE_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"kring_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield sa.engine.make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
