"""Bar charts drawn on the server as SVG: geometry here, markup in templates/insight/_chart.html. Each chart has a
title and a description for screen readers, and the page shows the same numbers in a table."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 640, 220, 40, 30, 10


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    description: str
    bars: list[Bar]
    maximum: int
    width: int = WIDTH
    height: int = HEIGHT
    baseline: float = HEIGHT - PAD_BOTTOM
    left: int = PAD_LEFT


def bar_chart(key: str, title: str, labels: list[str], values: list[int]) -> Chart:
    maximum = max(values, default=0)
    inner_w, inner_h = WIDTH - PAD_LEFT - 10, HEIGHT - PAD_BOTTOM - PAD_TOP
    slot = inner_w / max(len(values), 1)
    bars = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        height = (value / maximum) * inner_h if maximum else 0
        bars.append(Bar(round(PAD_LEFT + index * slot + slot * 0.15, 1), round(HEIGHT - PAD_BOTTOM - height, 1),
                        round(slot * 0.7, 1), round(height, 1), label, value))  # fmt: skip
    described = ", ".join(f"{label}: {value}" for label, value in zip(labels, values, strict=True))
    description = str(_l("Per week, starting on: %(list)s.", list=described)) if values else str(_l("No data."))
    return Chart(key, title, description, bars, maximum)


def activity_charts(board) -> list[Chart]:
    labels = [week.isoformat() for week in board.weeks]
    titles = {"topics": _l("New topics per week"), "replies": _l("Replies per week"),
              "messages": _l("Chat messages per week")}  # fmt: skip
    return [
        bar_chart(key, str(titles[key]), labels, board.series.get(key, [])) for key in ("topics", "replies", "messages")
    ]
