"""The risk factors a facilitator can add to a risk report (WWP EN B.4) and how each raises the severity.

The rule table is data: each factor sets a minimum severity, or raises the report's severity by whole steps
(routine < soon < urgent < immediate; immediate is as high as it goes), or both. Factors do not add up: the
task gets the highest severity any one factor gives. One owner for the page, the API and the fan-out:
services/programme/events.severity_for asks here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from portal.models import RiskFactor, Severity


@dataclass(frozen=True)
class FactorRule:
    minimum: Severity | None = None
    steps: int = 0


FACTOR_RULES: dict[RiskFactor, FactorRule] = {
    # A threat to kill, or weapons, is acted on at once whatever the imminence the facilitator chose.
    RiskFactor.THREATS_TO_KILL: FactorRule(minimum=Severity.IMMEDIATE),
    RiskFactor.WEAPONS: FactorRule(minimum=Severity.IMMEDIATE),
    # His suicidal ideation (harm to himself and to others: B.4's "family annihilators"), stalking, and his
    # knowing she is separating (risk is highest around separation) each raise the report one step.
    RiskFactor.SUICIDAL_IDEATION: FactorRule(steps=1),
    RiskFactor.STALKING: FactorRule(steps=1),
    RiskFactor.SEPARATION: FactorRule(steps=1),
}
FACTORS = tuple(RiskFactor)


def _rank(severity: str) -> int:
    return Severity.ALL.index(Severity(severity))


def apply_rule(severity: str, rule: FactorRule) -> Severity:
    rank = max(_rank(severity) + rule.steps, _rank(rule.minimum) if rule.minimum else 0)
    return Severity.ALL[min(rank, len(Severity.ALL) - 1)]


def raised_by(severity: str, factors: Iterable[str]) -> Severity:
    """The severity after the factors (unknown factors raise ValueError: the owner validated them)."""
    result = Severity(severity)
    for factor in factors:
        result = max(result, apply_rule(severity, FACTOR_RULES[RiskFactor(factor)]), key=_rank)
    return result
