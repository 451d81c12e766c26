"""Horizontal bar charts of shares (0–100 %) for the evaluation report: geometry for a server-drawn SVG.

A hidden share (its count or its denominator suppressed) has no bar; the chart says "hidden" in its place, and
the text table after each chart gives the same figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

LABEL, PLOT, ROW, GAP, PAD = 190, 300, 22, 8, 44  # label column, full bar, bar height, between bars, room right


@dataclass(frozen=True)
class Bar:
    label: str
    y: int
    width: int | None  # None: hidden
    percent: int | None

    @property
    def text_y(self) -> int:
        return self.y + ROW // 2 + 4


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    plot_x: int
    plot_width: int
    bars: tuple[Bar, ...]


def percent(share: Fraction | None) -> int | None:
    return None if share is None else int(share * 100 + Fraction(1, 2))  # rounded half up


def bar_chart(rows: Sequence[tuple[str, Fraction | None]]) -> Chart:
    bars = []
    for index, (label, share) in enumerate(rows):
        value = percent(share)
        bars.append(Bar(label, GAP + index * (ROW + GAP), None if share is None else round(PLOT * share), value))
    return Chart(LABEL + PLOT + PAD, GAP + len(bars) * (ROW + GAP), LABEL, PLOT, tuple(bars))
