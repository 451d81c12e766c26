"""Her risk assessment is scored by the checklist's rules (services/casework/risk_assessment.py): 14 or more
"yes" is high risk, not known never counts as yes, judgement raises and never lowers, and potential
escalation is three or more incidents within twelve months (dated ones inside the window, plus undated)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from portal.i18n import LOCALES
from portal.models import RiskLevel
from portal.services.casework import risk_assessment as ra
from portal.services.casework.risk_checklist import STARTER_PATH, ScoringRules, load_checklist

TODAY = date(2026, 3, 2)
CHECKLIST = load_checklist(STARTER_PATH, LOCALES)
RULES = CHECKLIST.rules


def answers(yes: int, not_known: int = 0) -> dict[str, str]:
    """`yes` items answered yes, the next `not_known` not known, the rest no."""
    codes = CHECKLIST.codes
    return {code: "yes" if i < yes else "not_known" if i < yes + not_known else "no" for i, code in enumerate(codes)}


def score(yes: int = 0, not_known: int = 0, **fields: object) -> ra.Score:
    entry = ra.AssessmentInput(answers(yes, not_known), **fields)  # type: ignore[arg-type]
    checked, problems = ra.check(CHECKLIST, entry, today=TODAY)
    assert problems == {} and checked is not None, problems
    return checked.score


def test_the_starter_checklist_scores_as_dash_does_with_this_projects_middle_band():
    assert RULES == ScoringRules(high_from_yes=14, medium_from_yes=10, escalation_incidents=3, escalation_months=12)
    assert len(CHECKLIST.items) == 24


@pytest.mark.parametrize(("yes", "level"), [(0, "standard"), (9, "standard"), (10, "medium"), (13, "medium"),
                                            (14, "high"), (24, "high")])
def test_fourteen_yes_is_high_risk_and_thirteen_is_not(yes, level):
    result = score(yes)
    assert (result.yes, result.scored_level, result.level) == (yes, level, level)


def test_not_known_never_counts_as_yes():
    result = score(13, not_known=11)  # every other answer "not known": still 13 yes
    assert (result.yes, result.not_known, result.level) == (13, 11, RiskLevel.MEDIUM)
    assert score(0, not_known=24).level == RiskLevel.STANDARD


def test_without_a_middle_band_a_checklist_scores_standard_or_high():
    rules = replace(RULES, medium_from_yes=None)
    assert [ra.level_for(yes, rules) for yes in (0, 10, 13, 14)] == ["standard", "standard", "standard", "high"]


@pytest.mark.parametrize(("yes", "judgement", "level"), [(3, "medium", "medium"), (3, "high", "high"),
                                                         (11, "high", "high"), (11, "medium", "medium"),
                                                         (14, "high", "high"), (14, "", "high")])
def test_judgement_raises_the_level(yes, judgement, level):
    result = score(yes, judgement=judgement, judgement_reason="He has bought a knife." if judgement else "")
    assert result.level == level and result.scored_level == ra.level_for(yes, RULES)
    assert result.judgement_level == (judgement or None)


@pytest.mark.parametrize(("yes", "judgement"), [(14, "medium"), (14, "standard"), (10, "standard")])
def test_judgement_never_lowers_the_level(yes, judgement):
    checked, problems = ra.check(CHECKLIST, ra.AssessmentInput(answers(yes), judgement=judgement,
                                                               judgement_reason="She seems calmer."), today=TODAY)
    assert checked is None
    # "standard" is never offered (it raises nothing), so it is not a judgement at all; a lower level is refused.
    assert problems == {"judgement": "judgement_invalid" if judgement == "standard" else "judgement_lowers"}
    with pytest.raises(ra.AssessmentRefused) as refused:
        ra.judged_level(RiskLevel.HIGH, RiskLevel.MEDIUM)
    assert refused.value.code == "judgement_lowers"
    assert ra.judged_level(RiskLevel.MEDIUM, RiskLevel.MEDIUM) == RiskLevel.MEDIUM


def test_raising_the_level_needs_a_reason():
    checked, problems = ra.check(CHECKLIST, ra.AssessmentInput(answers(2), judgement="high"), today=TODAY)
    assert checked is None and problems == {"judgement_reason": "judgement_reason_required"}


def incidents(dates: list[date], undated: str = "") -> ra.Score:
    return score(0, incident_dates=tuple(dates), undated_incidents=undated)


def test_three_incidents_in_twelve_months_is_potential_escalation():
    result = incidents([date(2025, 4, 1), date(2025, 11, 20), date(2026, 3, 1)])
    assert (result.incidents, result.escalation) == (3, True)


def test_two_incidents_are_not():
    result = incidents([date(2025, 11, 20), date(2026, 3, 1)])
    assert (result.incidents, result.escalation) == (2, False)


def test_three_incidents_spread_over_thirteen_months_are_not():
    result = incidents([date(2025, 2, 1), date(2025, 9, 1), date(2026, 3, 1)])  # the first is 13 months back
    assert (result.incidents, result.escalation) == (2, False)


def test_the_window_is_twelve_months_to_the_day():
    assert ra.window_start(TODAY, RULES) == date(2025, 3, 3)
    assert incidents([date(2025, 3, 2), date(2025, 12, 1), TODAY]).escalation is False   # a year ago: outside
    assert incidents([date(2025, 3, 3), date(2025, 12, 1), TODAY]).escalation is True    # the day after: inside
    assert ra.window_start(date(2024, 2, 29), RULES) == date(2023, 3, 1)  # a leap day: the month's last day + 1


def test_incidents_she_cannot_date_count_too():
    assert incidents([], "3").escalation is True
    assert incidents([date(2026, 1, 5)], "2").incidents == 3
    assert incidents([date(2024, 1, 5)], "2").escalation is False  # the dated one is too old to count
    assert incidents([], "٣").incidents == 3  # any script's digits


@pytest.mark.parametrize(("field", "value", "code"), [
    ("undated_incidents", "many", "incidents_invalid"), ("undated_incidents", "-1", "incidents_invalid"),
    ("undated_incidents", "1000", "incidents_invalid"), ("undated_incidents", "²", "incidents_invalid"),
    ("incident_dates", (date(2026, 3, 3),), "incident_date_future"),
    ("incident_dates", (date(1850, 1, 1),), "incident_date_invalid"),
    ("incident_dates", tuple(date(2026, 1, d) for d in range(1, 22)), "incident_dates_too_many"),
    ("fears", "x" * 4001, "text_too_long"), ("fears", "bad\x00byte", "text_invalid"),
    ("judgement", "extreme", "judgement_invalid"),
])
def test_garbage_is_refused_with_its_field(field, value, code):
    checked, problems = ra.check(CHECKLIST, ra.AssessmentInput(answers(1), **{field: value}), today=TODAY)
    assert checked is None and problems == {field: code}


def test_every_item_needs_an_answer_and_only_the_three_answers_count():
    given = answers(5)
    given.pop(CHECKLIST.codes[0])
    given[CHECKLIST.codes[1]] = "maybe"
    checked, problems = ra.check(CHECKLIST, ra.AssessmentInput(given), today=TODAY)
    assert checked is None
    assert problems == {ra.answer_field(CHECKLIST.codes[0]): "answer_required",
                        ra.answer_field(CHECKLIST.codes[1]): "answer_invalid"}


def test_a_form_drawn_from_another_checklist_is_refused():
    checked, problems = ra.check(CHECKLIST, ra.AssessmentInput(answers(1), checklist_stamp="dash:2015"),
                                 today=TODAY)
    assert checked is None and problems == {"form": "checklist_changed"}
