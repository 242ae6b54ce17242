"""gunicorn settings that profile the worker (``bench/chat.py --profile DIR``): cProfile from the fork until the
worker exits, written to DIR/worker-<pid>.prof. The clock is the process's CPU time, so time spent waiting
(for PostgreSQL, for a socket) counts nowhere; under gevent the profiler sees every greenlet of the worker in
one thread, so ``cumtime`` of a function that switches greenlets is unreliable: read ``tottime`` first.

    .venv/bin/python -m pstats DIR/worker-<pid>.prof   (then: sort tottime / stats 40)
"""

from __future__ import annotations

import cProfile
import os
import time

profiler = cProfile.Profile(time.process_time)


def post_fork(server, worker) -> None:
    profiler.enable()


def worker_exit(server, worker) -> None:
    profiler.disable()
    folder = os.environ.get("KRING_PROFILE_DIR", ".")
    profiler.dump_stats(os.path.join(folder, f"worker-{os.getpid()}.prof"))
