"""Forum benchmark: requests per second and p50/p99 latency of the topic list and a topic page, as a signed-in
member, under the production server setup with 2 processes, against a bare Flask page rendering the same
posts; then again after growing the database from 10,000 to 1,000,000 posts. Run by hand (not in make test):

    .venv/bin/python bench/forum.py                     # about 5 minutes on 2 cores
    .venv/bin/python bench/forum.py --quick             # 10,000 posts only, one run per page
    .venv/bin/python bench/forum.py --help

What it does, in order (bench/README.md explains the choices):
1. creates a fresh PostgreSQL database on the server of BENCH_DATABASE_URL (default
   postgresql+psycopg://postgres@127.0.0.1:5432/postgres) and builds the schema with `flask db upgrade`, or
   with create_all when the migrations are behind the models (it says which);
2. seeds 100 groups, 5,000 members and 10,000 posts (bench/seed.py, COPY through psycopg);
3. starts Kring twice (gunicorn, gevent worker, 1 worker each: the production unit) and the bare app twice,
   signs in as the bench member and loads each page with wrk from a separate process on loopback, wrk's two
   threads each bound to one of the two processes (bench/wrk_split.lua);
4. grows the database to 1,000,000 posts and measures again;
5. runs EXPLAIN (ANALYZE, BUFFERS) on every statement the pages run, and prints the table and the verdicts.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
import sqlalchemy as sa
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH_DIR))

import forum_plans as plans  # noqa: E402
import seed  # noqa: E402
from forum_report import Result, Run, machine, table, verdicts  # noqa: E402

DEFAULT_SERVER_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
FOREIGN_SETTINGS = (
    "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "TWO_FACTOR_KEYS", "KRING_CONFIG", "RATELIMIT_STORAGE_URI", "FLASK_APP",
)  # fmt: skip


# --- database ------------------------------------------------------------------------------------------------


@contextmanager
def fresh_database(server_url: str, keep: bool) -> Iterator[str]:
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"kring_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(server_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        if keep:
            print(f"\nKept the database: {url}")
        else:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def set_random_page_cost(database_url: str, cost: float) -> None:
    """For this database only (new connections): how the planner weighs an index lookup against a scan."""
    name = sa.engine.make_url(database_url).database
    with seed.psycopg.connect(seed.conninfo(database_url), autocommit=True) as connection:
        connection.execute(
            seed.sql.SQL("ALTER DATABASE {} SET random_page_cost = {}").format(
                seed.sql.Identifier(name), seed.sql.Literal(cost)
            )
        )
    print(f"PostgreSQL: random_page_cost = {cost} for {name}")


def server_env(database_url: str, redis_url: str, instance_dir: str, base_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in FOREIGN_SETTINGS}
    env.update(
        KRING_CONFIG="production",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        SECRET_KEY=os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(48),
        TWO_FACTOR_KEYS=os.environ.get("BENCH_TWO_FACTOR_KEYS") or Fernet.generate_key().decode(),
        KRING_INSTANCE_DIR=instance_dir,
        BASE_URL=base_url,
        BARE_DATABASE_URL=database_url,
    )
    return env


def in_process_app(env: dict[str, str]) -> Flask:
    """The production app in this process (same settings and key as the servers), without Redis and gevent."""
    settings = ("KRING_CONFIG", "DATABASE_URL", "SECRET_KEY", "TWO_FACTOR_KEYS", "KRING_INSTANCE_DIR")
    os.environ.update({key: env[key] for key in settings})
    from community import create_app
    from config import ProductionConfig

    config = ProductionConfig()
    config.REDIS_URL, config.SOCKETIO_ASYNC_MODE, config.RATELIMIT_STORAGE_URI = "", "threading", "memory://"
    return create_app(config)


def build_schema(env: dict[str, str]) -> str:
    """`flask db upgrade`; if the head revision does not build what the models declare, create_all instead."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from community.extensions import db
    from community.forum.search import include_name  # the search objects live outside the models

    subprocess.run([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=120)  # fmt: skip
    app = in_process_app(env)
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": include_name})
        diff = compare_metadata(context, db.metadata)
    if not diff:
        with app.app_context():
            db.engine.dispose()
        return "flask db upgrade (the migrations build exactly what the models declare)"
    with app.app_context():
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        db.create_all()  # forum.search installs its column and indexes after create_all
        db.engine.dispose()
    shown = sorted({_describe(change) for change in diff})
    more = f", and {len(shown) - 6} more" if len(shown) > 6 else ""
    return f"create_all: the migrations are behind the models ({', '.join(shown[:6])}{more})"


def _describe(change: object) -> str:
    first = change[0] if isinstance(change, list) else change
    kind = first[0]
    target = first[1]
    name = getattr(target, "name", None) or (first[3] if len(first) > 3 else "")
    return f"{kind} {name}"


# --- servers -------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def servers(
    env: dict[str, str], app_spec: str, ports: list[int], log_dir: Path, ready_path: str
) -> Iterator[list[int]]:
    """One gunicorn per port, each `--worker-class gevent --workers 1` (the production unit, see README)."""
    processes = []
    try:
        for port in ports:
            log = open(log_dir / f"{app_spec.replace(':', '_')}-{port}.log", "ab")  # noqa: SIM115
            command = [str(BIN / "gunicorn"), "--worker-class", "gevent", "--workers", "1", "--no-control-socket",
                       "--bind", f"127.0.0.1:{port}", "--pythonpath", str(BENCH_DIR), app_spec]  # fmt: skip
            processes.append(
                subprocess.Popen(
                    command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
                )
            )
        for port, process in zip(ports, processes, strict=True):
            _wait_until_ready(f"http://127.0.0.1:{port}{ready_path}", process)
        yield [worker for process in processes for worker in children_of(process.pid)]
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


def children_of(pid: int) -> list[int]:
    """The gunicorn workers of a master process (the processes that serve the requests)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU time used so far by each process (from /proc/<pid>/stat; gone processes are left out)."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return used


def database_backends(database_url: str) -> list[int]:
    """PostgreSQL's server processes for the benchmark database (on this machine: their CPU time is readable)."""
    with seed.psycopg.connect(seed.conninfo(database_url)) as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return [row[0] for row in rows]


class CpuMeter:
    """CPU seconds that the app's processes and PostgreSQL spend during one wrk run. Unlike throughput, CPU per
    request hardly changes when other work shares the machine, so it shows the cost even on a busy machine."""

    def __init__(self, workers: list[int], database_url: str) -> None:
        self.workers, self.database_url = workers, database_url
        self.app_seconds = self.db_seconds = 0.0

    def __enter__(self) -> CpuMeter:
        self.backends = database_backends(self.database_url)
        self.before = cpu_seconds(self.workers), cpu_seconds(self.backends)
        return self

    def __exit__(self, *_exc: object) -> None:
        backends = sorted(set(self.backends) | set(database_backends(self.database_url)))
        after = cpu_seconds(self.workers), cpu_seconds(backends)
        self.app_seconds = sum(after[0][pid] - self.before[0].get(pid, 0.0) for pid in after[0])
        self.db_seconds = sum(after[1][pid] - self.before[1].get(pid, 0.0) for pid in after[1])


def _wait_until_ready(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"a server exited with {process.returncode}; see the logs in the run directory")
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass  # still booting
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within 30 s")


def sign_in(base_url: str) -> str:
    """Sign in as the bench member like a browser would; returns the Cookie header for wrk."""
    form = requests.get(f"{base_url}/login", timeout=10)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.text)
    assert token, "no CSRF token on /login"
    cookies = {cookie.name: cookie.value for cookie in form.cookies}  # Secure cookies too: sent by hand below
    answer = requests.post(
        f"{base_url}/login",
        data={"login": seed.BENCH_USERNAME, "password": seed.BENCH_PASSWORD, "csrf_token": token[1]},
        headers={"Cookie": _cookie_header(cookies)},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, f"sign-in failed with {answer.status_code}"
    cookies.update({cookie.name: cookie.value for cookie in answer.cookies})
    return _cookie_header(cookies)


def _cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def check_page(url: str, cookie: str | None) -> None:
    """The page answers 200 for this cookie (not a redirect to sign in): wrk counts a 302 as a success."""
    response = requests.get(url, headers={"Cookie": cookie} if cookie else {}, allow_redirects=False, timeout=10)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}, not 200")


# --- load ----------------------------------------------------------------------------------------------------


def wrk(path: str, ports: list[int], cookie: str | None, *, seconds: int, connections: int, meter: CpuMeter) -> Run:
    command = ["wrk", f"-t{len(ports)}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s",
               "-s", str(BENCH_DIR / "wrk_split.lua")]  # fmt: skip
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command.append(f"http://127.0.0.1:{ports[0]}{path}")
    env = {**os.environ, "BENCH_ADDRS": ",".join(f"127.0.0.1:{port}" for port in ports)}
    with meter:
        finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 60, check=True)
    output = finished.stdout
    line = next((line for line in output.splitlines() if line.startswith("BENCH_JSON ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no summary:\n{output}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    errors = sum(data[key] for key in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts"))
    done = max(data["requests"], 1)
    return Run(
        data["requests"] / (data["duration_us"] / 1e6),
        data["p50_us"] / 1000,
        data["p99_us"] / 1000,
        errors,
        app_cpu_ms=meter.app_seconds * 1000 / done,
        db_cpu_ms=meter.db_seconds * 1000 / done,
    )


@dataclass
class Target:
    page: str
    path: str
    ports: list[int]
    workers: list[int]
    cookie: str | None


def measure(phase: str, targets: list[Target], database_url: str, args: argparse.Namespace) -> list[Result]:
    results = []
    for target in targets:
        check_page(f"http://127.0.0.1:{target.ports[0]}{target.path}", target.cookie)
        meter = CpuMeter(target.workers, database_url)
        load = {"seconds": args.warmup, "connections": args.connections, "meter": meter}
        wrk(target.path, target.ports, target.cookie, **load)
        load["seconds"] = args.duration
        runs = [wrk(target.path, target.ports, target.cookie, **load) for _ in range(args.repeat)]
        check_page(f"http://127.0.0.1:{target.ports[-1]}{target.path}", target.cookie)
        result = Result(phase, target.page, target.path, runs)
        print(f"  {target.page:<18} {result.rps:7.0f} req/s  p50 {result.p50_ms:6.1f} ms  p99 {result.p99_ms:6.1f} ms"
              f"  CPU per request: app {result.app_cpu_ms:5.2f} ms, PostgreSQL {result.db_cpu_ms:5.2f} ms"
              f"  errors {sum(run.errors for run in runs)}", flush=True)  # fmt: skip
        results.append(result)
    return results


def busy_warning() -> str:
    """The numbers mean something only on an otherwise idle machine: say so when it is not."""
    load = os.getloadavg()[0]
    if load <= 0.5:
        return f"load average {load:.2f}"
    return f"load average {load:.2f}: WARNING, other processes are using the CPU; the numbers will be low"


def run_phase(phase: str, env: dict[str, str], ids: dict, run_dir: Path, args: argparse.Namespace) -> list[Result]:
    kring_ports, bare_ports = [free_port(), free_port()], [free_port(), free_port()]
    env = {**env, "BASE_URL": f"http://127.0.0.1:{kring_ports[0]}"}
    print(f"\n{phase} posts: measuring (wrk -t2 -c{args.connections} -d{args.duration}s, {args.repeat} runs; "
          f"{busy_warning()})", flush=True)  # fmt: skip
    slug, topic = seed.BENCH_GROUP_SLUG, ids["bench_topic_id"]
    with (
        servers(env, "wsgi:app", kring_ports, run_dir, "/healthz") as kring,
        servers(env, "bare_app:app", bare_ports, run_dir, f"/t/{topic}") as bare,
    ):
        cookie = sign_in(f"http://127.0.0.1:{kring_ports[0]}")
        targets = [
            Target("Kring topic list", f"/g/{slug}", kring_ports, kring, cookie),
            Target("Kring topic page", f"/g/{slug}/t/{topic}", kring_ports, kring, cookie),
            Target("bare topic page", f"/t/{topic}", bare_ports, bare, None),
        ]
        return measure(phase, targets, env["DATABASE_URL"], args)


# --- report --------------------------------------------------------------------------------------------------


def explain(env: dict[str, str], ids: dict[str, int]) -> tuple[list[plans.PagePlans], FlaskClient]:
    """EXPLAIN every statement of the topic list (first and second page) and the topic page (two pages)."""
    client = signed_in_client(env)
    slug, topic = seed.BENCH_GROUP_SLUG, ids["bench_topic_id"]
    older = re.search(r'href="([^"]*\?older=[^"]*)"', client.get(f"/g/{slug}").get_data(as_text=True))
    paths = [f"/g/{slug}", f"/g/{slug}/t/{topic}", f"/g/{slug}/t/{topic}?after={ids['second_page_after']}"]
    if older:
        paths.insert(1, html.unescape(older[1]))
    return plans.explain_pages(client.application, client, paths), client


def signed_in_client(env: dict[str, str]) -> FlaskClient:
    """The production app in this process, with a test client signed in as the bench member."""
    client = in_process_app(env).test_client()
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    assert token, "no CSRF token on /login"
    answer = client.post("/login", data={"login": seed.BENCH_USERNAME, "password": seed.BENCH_PASSWORD,
                                          "csrf_token": token[1]})  # fmt: skip
    assert answer.status_code == 302, f"in-process sign-in failed with {answer.status_code}"
    return client


def cpu_per_request(client: FlaskClient, path: str, *, requests: int = 200, runs: int = 3) -> float:
    """In-process CPU milliseconds per GET of ``path`` (best of ``runs``): steady on a busy machine, unlike
    requests per second. Counts this Python process only (not PostgreSQL)."""
    for _ in range(20):
        assert client.get(path).status_code == 200, path
    best = float("inf")
    for _ in range(runs):
        started = time.process_time()
        for _ in range(requests):
            client.get(path)
        best = min(best, (time.process_time() - started) / requests * 1000)
    return best


def cpu_table(client: FlaskClient, database_url: str, topic_id: int) -> str:
    """The topic page, /healthz and the bare page, in-process: ``--cpu-only`` prints this instead of wrk."""
    os.environ["BARE_DATABASE_URL"] = database_url
    import bare_app

    bare = bare_app.app.test_client()
    rows = [
        ("bare topic page", cpu_per_request(bare, f"/t/{topic_id}")),
        ("Kring /healthz (signed in)", cpu_per_request(client, "/healthz")),
        ("Kring topic page", cpu_per_request(client, f"/g/{seed.BENCH_GROUP_SLUG}/t/{topic_id}")),
    ]
    floor = rows[0][1]
    return "\n".join(f"{name:28} {ms:7.2f} ms CPU/request  {ms / floor:5.1f}x bare" for name, ms in rows)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--connections", type=int, default=8, help="wrk connections in all (default 8)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured run (default 10)")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of unmeasured load before each page")
    parser.add_argument("--repeat", type=int, default=3, help="measured runs per page; medians reported")
    parser.add_argument("--base-posts", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="first phase only, one run per page")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the topic page at the end")
    parser.add_argument("--keep", action="store_true", help="keep the database (and print its URL)")
    parser.add_argument("--cpu-only", action="store_true",
                        help="no servers or wrk: seed, then CPU ms per request in-process (busy machines)")  # fmt: skip
    parser.add_argument(
        "--random-page-cost", type=float, default=1.1,
        help="PostgreSQL's random_page_cost for the benchmark database (default 1.1: the production setup that "
        "docs/deployment.md asks for on SSDs; 4 is PostgreSQL's own default, under which the group page's member "
        "list scans users)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.quick:
        args.repeat = 1
    if shutil.which("wrk") is None and not args.cpu_only:
        raise SystemExit("wrk is not installed. On Debian: sudo apt-get install -y wrk")

    server_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_SERVER_URL)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    run_dir = Path(tempfile.mkdtemp(prefix="kring-forum-bench-"))
    print(f"Machine: {machine()}\nServer logs (removed after a successful run): {run_dir}")
    with fresh_database(server_url, args.keep) as database_url:
        env = server_env(database_url, redis_url, str(run_dir), "http://127.0.0.1")
        print(f"Database: {sa.engine.make_url(database_url).database} on {sa.engine.make_url(server_url).host}")
        print(f"Schema: {build_schema(env)}", flush=True)
        if args.random_page_cost is not None:
            set_random_page_cost(database_url, args.random_page_cost)
        ids = seed.timed(f"Seeded {args.base_posts:,} posts, 100 groups, 5,000 members",
                         lambda: seed.seed_base(database_url, posts=args.base_posts))  # fmt: skip
        seed.vacuum_analyze(database_url)
        if args.cpu_only:
            client = signed_in_client(env)
            print(cpu_table(client, database_url, ids["bench_topic_id"]))
            if args.profile:
                print("\nProfile of the topic page (in-process, cProfile):")
                print(plans.profile_page(client, f"/g/{seed.BENCH_GROUP_SLUG}/t/{ids['bench_topic_id']}"))
            with client.application.app_context():
                from community.extensions import db

                db.engine.dispose()
            return
        results = run_phase(f"{args.base_posts:,}", env, ids, run_dir, args)
        if not args.quick:
            seed.timed(f"Grew to {args.posts:,} posts", lambda: seed.grow(database_url, to_posts=args.posts))
            seed.timed("VACUUM (ANALYZE)", lambda: seed.vacuum_analyze(database_url))
            results += run_phase(f"{args.posts:,}", env, ids, run_dir, args)
        engine = sa.create_engine(database_url)
        with engine.connect() as connection:
            ids["second_page_after"] = connection.execute(
                sa.text("SELECT id FROM posts WHERE topic_id = :t ORDER BY id LIMIT 1 OFFSET 19"),
                {"t": ids["bench_topic_id"]},
            ).scalar()
            version = connection.exec_driver_sql("SHOW server_version").scalar()
        engine.dispose()
        pages, client = explain(env, ids)
        print(f"\nPostgreSQL {version}; Kring: 2 × gunicorn --worker-class gevent --workers 1; wrk on loopback")
        print("\n" + table(results) + "\n")
        for line in verdicts(results):
            print(line)
        problems = [problem for page in pages for problem in page.problems]
        print(f"{'PASS' if not problems else 'FAIL'}  every page query uses an index and a bounded page, no writes"
              + "".join(f"\n      {problem}" for problem in problems))  # fmt: skip
        print("\nQuery plans (EXPLAIN ANALYZE, key lines):" + plans.format_plans(pages))
        if args.profile:
            print("\nProfile of the topic page (in-process, cProfile):")
            print(plans.profile_page(client, f"/g/{seed.BENCH_GROUP_SLUG}/t/{ids['bench_topic_id']}"))
        with client.application.app_context():
            from community.extensions import db

            db.engine.dispose()  # let the database be dropped
    if not args.keep:
        shutil.rmtree(run_dir, ignore_errors=True)  # the servers' logs; kept when something failed


if __name__ == "__main__":
    main()
