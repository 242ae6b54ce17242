"""Chat benchmark (run by hand; not part of `make test`): Kring's group room against a bare Flask-SocketIO room.

    .venv/bin/pip install -r bench/requirements.txt      # aiohttp, for the asyncio load generator
    TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
    TEST_REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python -m bench.chat

Both servers run the production way (gunicorn, one gevent worker per process, simple-websocket), Kring on a
fresh PostgreSQL database of its own. This process is the load generator: asyncio, every client a real
WebSocket, signed in with a real server-side session. For each room size it measures

* flood: one member sends as fast as acknowledgements allow; deliveries per second = messages x receivers /
  time from the first send to the last delivery;
* paced: 10 messages per second; delivery latency (send to receipt, one clock: this process) p50 / p99;

and counts what was lost (deliveries that never came) and, for Kring, checks that every acknowledged message
is stored exactly once. Then the same with two server processes behind Redis (clients split across them).

Receivers read the Engine.IO/Socket.IO wire protocol directly (``WireClient``): python-socketio's AsyncClient
spends more CPU decoding a delivery than the server spends sending it, and on two cores the generator would
become what is measured. The sender uses the same client, so both rooms see exactly the same load.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import re
import resource
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

try:
    import aiohttp
except ImportError:  # pragma: no cover
    sys.exit("bench/chat.py needs aiohttp: .venv/bin/pip install -r bench/requirements.txt")

from bench.chat_servers import bare_servers, bench_database, kring_servers
from bench.chat_wire import WireClient
from tests.realtime.members import mint_cookies
from tests.realtime.server import (
    KringServer,
    new_secret_key,
    prepare_world,
    stored_messages,
)

ROOT = Path(__file__).resolve().parent.parent
CONNECT_CONCURRENCY = 20  # handshakes in flight at once: a burst of 200 is not what is measured
STAMP = re.compile(r"bench (\d+) (\d+\.\d+)")


# --- the two rooms ---------------------------------------------------------------------------------------------


@dataclass
class Room:
    """How to join and write in one kind of room, and what its deliveries are called."""

    name: str
    servers: list[KringServer]
    cookies: list[str]  # one per client ("" for the bare room)
    event: str  # the server->client event of a delivered message
    join: Callable[[WireClient], dict]
    send: Callable[[int, int, float], tuple[str, dict]]  # (run, number, stamp) -> (event, payload)
    check: Callable[[int, int], str] = lambda run, count: "-"  # after a run: what storage says


def kring_room(servers: list[KringServer], cookies: list[str], conversation_id: int, database_url: str) -> Room:
    def send(run: int, number: int, stamp: float) -> tuple[str, dict]:
        return "chat:send", {
            "conversation_id": conversation_id,
            "client_id": f"bench-{run}-{number}",
            "body": f"bench {number} {stamp:.6f}",
        }

    def check(run: int, count: int) -> str:
        rows = [row for row in stored_messages(database_url, conversation_id) if row[2].startswith(f"bench-{run}-")]
        published = sum(1 for row in rows if row[3] == "published")
        return f"{len(rows)}/{count} stored" + ("" if published == len(rows) else f", {published} published")

    return Room(
        name="kring",
        servers=servers,
        cookies=cookies,
        event="chat:message",
        join=lambda client: client.call("chat:join", {"conversation_id": conversation_id}),
        send=send,
        check=check,
    )


def bare_room(servers: list[KringServer], clients: int) -> Room:
    return Room(
        name="bare",
        servers=servers,
        cookies=[""] * clients,
        event="message",
        join=lambda client: client.call("join", {"room": "bench"}),
        send=lambda run, number, stamp: ("send", {"room": "bench", "body": f"bench {number} {stamp:.6f}"}),
    )


# --- one measurement -------------------------------------------------------------------------------------------


@dataclass
class Result:
    room: str
    processes: int
    clients: int
    flood_messages: int = 0
    spread: tuple[float, float] = (0.0, 0.0)  # lowest and highest deliveries/s of the flood rounds
    deliveries_per_second: float = 0.0
    paced_messages: int = 0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    lost: int = 0
    stored: str = "-"
    server_cpu_seconds: float = 0.0
    generator_cpu_seconds: float = 0.0
    machine_busy: float = 0.0  # share of both cores busy during the measurement, whoever used them
    latencies: list[float] = field(default_factory=list, repr=False)


class Receivers:
    """Counts deliveries per client; in paced mode also the latency of each."""

    def __init__(self, count: int, event: str) -> None:
        self.event = event
        self.counts = [0] * count
        self.last_at = [0.0] * count
        self.latencies: list[float] = []
        self.measure_latency = False
        self.done = asyncio.Event()
        self.expected = 0

    def handler(self, index: int) -> Callable[[str, str, float], None]:
        def on_event(name: str, frame: str, received_at: float) -> None:
            if name != self.event:
                return
            self.counts[index] += 1
            self.last_at[index] = received_at
            if self.measure_latency:
                match = STAMP.search(frame)
                if match:
                    self.latencies.append(received_at - float(match.group(2)))
            if self.expected and self.counts[index] == self.expected and min(self.counts) >= self.expected:
                self.done.set()

        return on_event

    def reset(self, expected: int, measure_latency: bool) -> None:
        self.counts = [0] * len(self.counts)
        self.last_at = [0.0] * len(self.counts)
        self.latencies = []
        self.measure_latency = measure_latency
        self.expected = expected
        self.done = asyncio.Event()


def worker_cpu_seconds(servers: list[KringServer]) -> float:
    """User + system CPU of every gunicorn process of these servers (arbiter and worker), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for server in servers:
        if server.process is None:
            continue
        pids = [server.process.pid]
        children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
        if children.exists():
            pids += [int(pid) for pid in children.read_text().split()]
        for pid in pids:
            with contextlib.suppress(FileNotFoundError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
    return total


def generator_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine so far, from /proc/stat: other work skews the numbers."""
    values = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


async def measure(
    room: Room,
    clients: int,
    run: int,
    *,
    flood_messages: int,
    repeat: int,
    paced_seconds: float,
    rate: float,
    compress: int,
) -> Result:
    result = Result(room=room.name, processes=len(room.servers), clients=clients)
    limit = asyncio.Semaphore(CONNECT_CONCURRENCY)
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=10)
    # limit=0: aiohttp pools at most 100 connections by default, and the 101st client would wait forever.
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0)) as session:
        wires = [
            WireClient(session, room.servers[index % len(room.servers)].url, room.cookies[index], compress)
            for index in range(clients)
        ]
        sender, receivers_only = wires[0], wires[1:]
        receivers = Receivers(len(receivers_only), room.event)
        for index, wire in enumerate(receivers_only):
            wire.on_event = receivers.handler(index)

        async def open_and_join(wire: WireClient) -> None:
            async with limit:
                await wire.connect()
                answer = await room.join(wire)
                if not answer.get("ok"):
                    raise RuntimeError(f"join refused: {answer}")

        try:
            await asyncio.gather(*(open_and_join(wire) for wire in wires))
            await asyncio.sleep(2.0)  # let the presence broadcasts of 200 connects (gathered for 1 s) go out first
            cpu_before = worker_cpu_seconds(room.servers)
            generator_before = generator_cpu_seconds()
            machine_before = machine_ticks()

            # (a) flood: the next message as soon as the previous one is acknowledged; `repeat` rounds, median.
            rates: list[float] = []
            for round_number in range(repeat):
                receivers.reset(flood_messages, measure_latency=False)
                first = round_number * flood_messages
                started = time.perf_counter()
                for number in range(first, first + flood_messages):
                    event, payload = room.send(run, number, time.perf_counter())
                    answer = await sender.call(event, payload)
                    if not answer.get("ok"):
                        raise RuntimeError(f"send refused in the flood: {answer}")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(receivers.done.wait(), 30)
                finished = max(receivers.last_at) if any(receivers.counts) else time.perf_counter()
                delivered = sum(min(count, flood_messages) for count in receivers.counts)
                rates.append(delivered / (finished - started))
                result.lost += flood_messages * len(receivers_only) - delivered
            result.flood_messages = flood_messages * repeat
            result.deliveries_per_second = statistics.median(rates)
            result.spread = (min(rates), max(rates))

            # (b) paced: `rate` messages a second, each stamped with its send time.
            paced = max(1, int(paced_seconds * rate))
            receivers.reset(paced, measure_latency=True)
            start = time.perf_counter()
            for number in range(paced):
                await asyncio.sleep(max(0.0, start + number / rate - time.perf_counter()))
                event, payload = room.send(run, result.flood_messages + number, time.perf_counter())
                answer = await sender.call(event, payload)
                if not answer.get("ok"):
                    raise RuntimeError(f"send refused while paced: {answer}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(receivers.done.wait(), 30)
            result.paced_messages = paced
            result.lost += paced * len(receivers_only) - sum(min(count, paced) for count in receivers.counts)
            result.server_cpu_seconds = worker_cpu_seconds(room.servers) - cpu_before
            result.generator_cpu_seconds = generator_cpu_seconds() - generator_before
            busy, total = (after - before for after, before in zip(machine_ticks(), machine_before, strict=True))
            result.machine_busy = busy / total if total else 0.0
            latencies = sorted(receivers.latencies)
            if latencies:
                result.p50_ms = 1000 * statistics.median(latencies)
                result.p99_ms = 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
                result.max_ms = 1000 * latencies[-1]
            result.stored = room.check(run, result.flood_messages + paced)
        finally:
            await asyncio.gather(*(wire.close() for wire in wires), return_exceptions=True)
    return result


# --- the table -------------------------------------------------------------------------------------------------


def print_table(results: list[Result]) -> None:
    header = (
        f"{'room':<6} {'proc':>4} {'clients':>7} {'flood msgs':>10} {'deliveries/s':>12} {'(lowest-highest)':>16} "
        f"{'ratio':>6} "
        f"{'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'lost':>5} {'srv cpu':>7} {'gen cpu':>7} {'busy':>5}  stored"
    )
    print(header)
    print("-" * len(header))
    bare = {(r.processes, r.clients): r for r in results if r.room == "bare"}
    for r in results:
        base = bare.get((r.processes, r.clients))
        ratio = f"{r.deliveries_per_second / base.deliveries_per_second:.2f}" if base and r.room == "kring" else ""
        print(
            f"{r.room:<6} {r.processes:>4} {r.clients:>7} {r.flood_messages:>10} {r.deliveries_per_second:>12,.0f} "
            f"{f'{r.spread[0]:,.0f}-{r.spread[1]:,.0f}':>16} "
            f"{ratio:>6} {r.p50_ms:>7.1f} {r.p99_ms:>7.1f} {r.max_ms:>7.1f} {r.lost:>5} "
            f"{r.server_cpu_seconds:>7.1f} {r.generator_cpu_seconds:>7.1f} {r.machine_busy:>5.0%}  {r.stored}"
        )


def verdict(results: list[Result]) -> list[str]:
    lines = []
    for processes in sorted({r.processes for r in results}):
        kring = {r.clients: r for r in results if r.room == "kring" and r.processes == processes}
        bare = {r.clients: r for r in results if r.room == "bare" and r.processes == processes}
        top = max(kring) if kring else None
        if top is None or top not in bare:
            continue
        ratio = kring[top].deliveries_per_second / bare[top].deliveries_per_second
        p99 = kring[top].p99_ms
        lost = sum(r.lost for r in results if r.processes == processes)
        lines.append(
            f"{processes} process(es), {top} clients: ratio {ratio:.2f} (bar >= 0.5: {_met(ratio >= 0.5)}); "
            f"paced p99 {p99:.1f} ms (bar <= 50: {_met(p99 <= 50)}); lost {lost} (bar 0: {_met(lost == 0)})"
        )
    return lines


def _met(condition: bool) -> str:
    return "met" if condition else "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="50,200", help="room sizes, comma-separated (default 50,200)")
    parser.add_argument("--processes", default="1,2", help="server processes per run (default 1,2)")
    parser.add_argument("--flood-messages", type=int, default=300, help="messages per flood round (default 300)")
    parser.add_argument("--repeat", type=int, default=3, help="flood rounds; the table shows the median (default 3)")
    parser.add_argument("--paced-seconds", type=float, default=6.0)
    parser.add_argument("--rate", type=float, default=10.0, help="paced messages per second (default 10)")
    parser.add_argument("--rooms", default="bare,kring")
    parser.add_argument(
        "--profile", metavar="DIR", help="cProfile each Kring worker into DIR (bench/profile_gunicorn.py)"
    )
    parser.add_argument(
        "--no-deflate",
        action="store_true",
        help="do not offer permessage-deflate (browsers always offer it, and the server then compresses every frame)",
    )
    parser.add_argument("--database-url", default=None, help="PostgreSQL server (default TEST_DATABASE_URL)")
    parser.add_argument("--redis-url", default=os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/0")
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="extra Kring setting (repeatable)"
    )
    args = parser.parse_args()
    # A SIGTERM (`timeout`, a closed terminal) unwinds like Ctrl+C, so the servers started below are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sizes = [int(size) for size in args.clients.split(",")]
    process_counts = [int(count) for count in args.processes.split(",")]
    rooms = args.rooms.split(",")
    extra = dict(item.split("=", 1) for item in args.set)

    results: list[Result] = []
    runs = itertools.count(int(time.time()))
    with tempfile.TemporaryDirectory(prefix="kring-bench-") as folder, bench_database(args.database_url) as db_url:
        instance = Path(folder)
        members = max(sizes)
        print(f"seeding {members} members on a fresh PostgreSQL database...", flush=True)
        world = prepare_world(db_url, members=members, outsiders=0)
        secret_key = new_secret_key()
        cookies = mint_cookies(db_url, secret_key, world.members)
        kring_cookies = [cookies[name] for name in world.members]
        for processes in process_counts:
            for size in sizes:
                if "bare" in rooms:
                    with bare_servers(instance, processes, args.redis_url) as servers:
                        print(f"bare room, {processes} process(es), {size} clients...", flush=True)
                        room = bare_room(servers, size)
                        results.append(asyncio.run(measure(room, size, next(runs), **_load(args))))
                if "kring" in rooms:
                    with kring_servers(
                        instance, processes, db_url, secret_key, args.redis_url, extra, args.profile
                    ) as servers:
                        print(f"kring room, {processes} process(es), {size} clients...", flush=True)
                        room = kring_room(servers, kring_cookies[:size], world.conversation_id, db_url)
                        results.append(asyncio.run(measure(room, size, next(runs), **_load(args))))
    print()
    deflate = "not offered (--no-deflate)" if args.no_deflate else "offered, as browsers do"
    print(
        f"clients: {args.clients}; permessage-deflate {deflate}; flood: {args.repeat} x {args.flood_messages} messages"
    )
    print_table(results)
    print()
    for line in verdict(results):
        print(line)


def _load(args: argparse.Namespace) -> dict:
    return {
        "flood_messages": args.flood_messages,
        "repeat": args.repeat,
        "paced_seconds": args.paced_seconds,
        "rate": args.rate,
        "compress": 0 if args.no_deflate else 15,
    }


if __name__ == "__main__":
    main()
