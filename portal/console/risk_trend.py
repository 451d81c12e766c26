"""Her risk assessments as a trend: bar geometry for a server-drawn SVG (no script), oldest on the left."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from portal.services.casework.risk_assessment import AssessmentRow
from portal.services.casework.risk_checklist import Checklist

SHOWN = 12          # the most recent assessments drawn (the table lists them all)
BAR, GAP = 28, 12   # bar width and the space between bars
TOP, PLOT = 18, 100  # room for the count above a bar, and the height of a full bar
BOTTOM = 20         # room for the bar's number below it


@dataclass(frozen=True)
class Bar:
    number: int  # as in the table: 1 is the oldest
    x: int
    y: int
    height: int
    yes: int
    level: str
    escalation: bool

    @property
    def middle(self) -> int:
        return self.x + BAR // 2


@dataclass(frozen=True)
class Trend:
    width: int
    height: int
    baseline: int
    bars: tuple[Bar, ...]
    threshold_y: int | None  # the "high risk from" line, when every bar is of the current checklist
    high_from: int
    counts: tuple[int, ...]  # yes answers, oldest first (for the text alternative)


def trend(history: Sequence[AssessmentRow], checklist: Checklist) -> Trend | None:
    """The last SHOWN assessments of `history` (newest first, as services/risk_assessment.history gives it)."""
    if not history:
        return None
    oldest_first = list(reversed(history))
    first_number = len(oldest_first) - min(len(oldest_first), SHOWN) + 1
    shown = oldest_first[-SHOWN:]
    scale = max(max(row.item_count for row in shown), 1)
    baseline = TOP + PLOT
    bars = []
    for index, row in enumerate(shown):
        height = round(PLOT * row.yes_count / scale)
        bars.append(Bar(first_number + index, GAP + index * (BAR + GAP), baseline - height, height, row.yes_count,
                        row.level, row.escalation))
    same = all(row.checklist == checklist.stamp for row in shown)
    threshold = baseline - round(PLOT * checklist.rules.high_from_yes / scale) if same else None
    width = GAP + len(bars) * (BAR + GAP)
    return Trend(max(width, 120), baseline + BOTTOM, baseline, tuple(bars), threshold, checklist.rules.high_from_yes,
                 tuple(row.yes_count for row in shown))
