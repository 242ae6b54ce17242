"""The table and the verdicts of ``bench/forum.py``."""

from __future__ import annotations

import os
import platform
import re
import statistics
from dataclasses import dataclass
from pathlib import Path

BAR_RATIO, BAR_P99_MS, BAR_GROWTH = 0.3, 100.0, 1.2


@dataclass
class Run:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    app_cpu_ms: float = 0.0  # CPU time of the app's processes per request
    db_cpu_ms: float = 0.0  # CPU time of PostgreSQL's processes per request


@dataclass
class Result:
    phase: str
    page: str
    path: str
    runs: list[Run]

    @property
    def rps(self) -> float:
        return statistics.median(run.rps for run in self.runs)

    @property
    def p50_ms(self) -> float:
        return statistics.median(run.p50_ms for run in self.runs)

    @property
    def p99_ms(self) -> float:
        return statistics.median(run.p99_ms for run in self.runs)

    @property
    def app_cpu_ms(self) -> float:
        return statistics.median(run.app_cpu_ms for run in self.runs)

    @property
    def db_cpu_ms(self) -> float:
        return statistics.median(run.db_cpu_ms for run in self.runs)

    @property
    def cpu_ms(self) -> float:
        return self.app_cpu_ms + self.db_cpu_ms


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        model = found[1].strip() if found else model
    return f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}, {platform.platform(terse=True)}"


def table(results: list[Result]) -> str:
    bare = {result.phase: result for result in results if result.page.startswith("bare")}
    lines = [
        "| Posts | Page | Requests/s | p50 (ms) | p99 (ms) | Kring ÷ bare (req/s) "
        "| CPU ms per request: app + PostgreSQL | Kring ÷ bare (CPU) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        ceiling = bare[result.phase]
        own = result is ceiling
        ratio = "" if own else f"{result.rps / ceiling.rps:.2f}×"
        cpu_ratio = "" if own else f"{ceiling.cpu_ms / result.cpu_ms:.2f}×"
        lines.append(f"| {result.phase} | {result.page} | {result.rps:,.0f} | {result.p50_ms:.1f} "
                     f"| {result.p99_ms:.1f} | {ratio} | {result.app_cpu_ms:.2f} + {result.db_cpu_ms:.2f} "
                     f"| {cpu_ratio} |")  # fmt: skip
    return "\n".join(lines)


def verdicts(results: list[Result]) -> list[str]:
    by = {(result.phase, result.page): result for result in results}
    phases = list(dict.fromkeys(result.phase for result in results))
    out = []
    for phase in phases:
        kring, bare = by[(phase, "Kring topic page")], by[(phase, "bare topic page")]
        ratio = kring.rps / bare.rps
        ok = ratio >= BAR_RATIO and kring.p99_ms <= BAR_P99_MS
        out.append(f"{'PASS' if ok else 'FAIL'}  {phase} posts: topic page {ratio:.2f}× the bare page's requests/s "
                   f"(bar ≥ {BAR_RATIO}×; by CPU per request {bare.cpu_ms / kring.cpu_ms:.2f}×), "
                   f"p99 {kring.p99_ms:.1f} ms (bar ≤ {BAR_P99_MS:.0f} ms)")  # fmt: skip
    if len(phases) == 2:
        for page in ("Kring topic list", "Kring topic page"):
            small, big = by[(phases[0], page)], by[(phases[1], page)]
            growth = big.p99_ms / small.p99_ms
            verdict = "PASS" if growth <= BAR_GROWTH else "FAIL"
            out.append(f"{verdict}  {page}: p99 {small.p99_ms:.1f} → {big.p99_ms:.1f} ms from {phases[0]} to "
                       f"{phases[1]} posts = {growth:.2f}× (bar ≤ {BAR_GROWTH}×; CPU per request "
                       f"{small.cpu_ms:.2f} → {big.cpu_ms:.2f} ms)")  # fmt: skip
    return out
