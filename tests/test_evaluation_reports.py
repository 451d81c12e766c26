"""Programme reports of her evaluation answers (services/evaluation/reports.py), checked against hand counts.

The seeded programme (starter items; everything not listed is skipped by everyone):

Intake, women W1..W12 (and W14 answered an older item set, "starter" version "0"):
  listens (better high):        W1-W6 rarely, W7-W12 often
  puts_down (better low):       W1-W5 often, W6-W11 never, W12 skipped
  respect_in_front (high, n/a): W1-W5 does not apply, W6-W12 sometimes
End, women W1..W8 and W13:
  listens:          W1-W5 always, W6 sometimes, W7-W8 often, W13 often
  puts_down:        W1-W5 never, W6 sometimes, W7-W8 rarely, W13 never
  respect_in_front: W1-W5 does not apply, W6-W8 often, W13 skipped
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from fractions import Fraction

import pytest
from sqlalchemy.orm import Session

from portal.crypto import Vault
from portal.i18n import LOCALES
from portal.models import QuestionnaireResponse, SupportService
from portal.services.audit import Actor
from portal.services.casework.erasure import erase_partner
from portal.services.evaluation import reports
from portal.services.evaluation.items import configured_items
from portal.services.evaluation.reports import programme_report
from portal.services.evaluation.suppression import Visibility, suppress
from tests.factories import context, make_partner, make_programme
from tests.test_evaluation_suppression import attack

SHOWN, SMALL, HIDDEN = Visibility.SHOWN, Visibility.SMALL, Visibility.HIDDEN
ITEMS = configured_items("", LOCALES)
AT = datetime(2026, 3, 2, 10, tzinfo=UTC)


def intake(n: int) -> dict[str, str]:
    listens = "rarely" if n <= 6 else "often"
    puts_down = "often" if n <= 5 else "never" if n <= 11 else None
    respect = "not_applicable" if n <= 5 else "sometimes"
    answers = {"listens": listens, "respect_in_front": respect}
    return answers | ({"puts_down": puts_down} if puts_down else {})


def end(n: int) -> dict[str, str]:
    if n <= 5:
        return {"listens": "always", "puts_down": "never", "respect_in_front": "not_applicable"}
    if n == 6:
        return {"listens": "sometimes", "puts_down": "sometimes", "respect_in_front": "often"}
    if n in (7, 8):
        return {"listens": "often", "puts_down": "rarely", "respect_in_front": "often"}
    return {"listens": "often", "puts_down": "never"}  # W13


def answer(db: Session, vault: Vault, partner_id: uuid.UUID, programme_id: uuid.UUID, stage: str,
           answers: dict[str, str], items_version: str = "1") -> None:
    row = QuestionnaireResponse(id=uuid.uuid4(), partner_id=partner_id, programme_id=programme_id, stage=stage,
                                items_id="starter", items_version=items_version, submitted_at=AT)
    vault.put(row, "answers_ct", json.dumps(answers))
    db.add(row)


@pytest.fixture
def seeded(world, dbs, vault, audit_key):  # type: ignore[no-untyped-def]
    women = {}
    for n in range(1, 15):
        women[n] = make_partner(dbs, vault, audit_key, world.service, world.worker, phone=f"+4474001234{n:02d}",
                                name=f"W{n}")
    programme = world.programme
    for n in range(1, 13):
        answer(dbs, vault, women[n].id, programme.id, "intake", intake(n))
    for n in (*range(1, 9), 13):
        answer(dbs, vault, women[n].id, programme.id, "end", end(n))
    answer(dbs, vault, women[14].id, programme.id, "intake", {"listens": "often"}, items_version="0")
    # Another programme's answers never reach this report.
    other = make_programme(dbs, world.service, "Other")
    answer(dbs, vault, women[1].id, other.id, "intake", intake(1))
    dbs.commit()
    return world, women


def stage(report: reports.ProgrammeReport, name: str) -> reports.StageReport:
    return next(s for s in report.stages if s.stage == name)


def item(one: reports.StageReport, code: str) -> dict[str, reports.Share]:
    return dict(next(i for i in one.items if i.code == code).answers)


def domain(one: reports.StageReport, code: str) -> reports.DomainFigures:
    return next(d for d in one.domains if d.code == code)


def check_row(shares: dict[str, reports.Share], hand: dict[str, int], answered: int) -> None:
    """Shown counts are the hand counts (and their share of `answered`); every count under 5 is "fewer than 5";
    a count hidden for another's sake is one of 5 or more; a row never hides just one count (the total would give
    it away)."""
    assert set(shares) == set(hand)
    for code, share in shares.items():
        how = share.count.visibility
        if hand[code] < 5:
            assert how == SMALL and share.count.value is None and share.proportion is None, code
        elif how == SHOWN:
            assert share == reports.Share(reports.Count(hand[code], SHOWN), Fraction(hand[code], answered)), code
        else:
            assert how == HIDDEN and share.count.value is None and share.proportion is None, code
    assert sum(1 for share in shares.values() if not share.count.shown) != 1


def test_intake_figures_match_the_hand_count(seeded, dbs, vault) -> None:  # type: ignore[no-untyped-def]
    world, _women = seeded
    report = programme_report(dbs, vault, ITEMS, world.programme.id)
    assert (report.items_id, report.items_version, report.official) == ("starter", "1", False)
    first = stage(report, "intake")
    assert first.respondents == reports.Count(12, SHOWN)  # W1..W12 (W14's older item set is left out)
    answered = {i.code: i.answered for i in first.items}
    assert answered["listens"] == reports.Count(12, SHOWN)
    assert answered["puts_down"] == reports.Count(11, SHOWN)  # W12 skipped it: not counted for the question
    assert answered["respect_in_front"] == reports.Count(12, SHOWN)  # "does not apply" counts as an answer
    assert answered["afraid"].visibility == SMALL  # nobody answered it: 0

    # Hand counts (see the module docstring):
    check_row(item(first, "listens"), {"never": 0, "rarely": 6, "sometimes": 0, "often": 6, "always": 0}, 12)
    check_row(item(first, "puts_down"), {"never": 6, "rarely": 0, "sometimes": 0, "often": 5, "always": 0}, 11)
    check_row(item(first, "respect_in_front"), {"never": 0, "rarely": 0, "sometimes": 7, "often": 0, "always": 0,
                                                "not_applicable": 5}, 12)
    # puts_down in detail: the zeros may rise by one only if a hidden count falls by one; "often" (5) cannot fall
    # (a hidden count is at least 5), "never" (6) can: so "never" is hidden and "often" is shown, 5 of 11.
    assert item(first, "puts_down")["never"].count.visibility == HIDDEN
    assert item(first, "puts_down")["often"] == reports.Share(reports.Count(5, SHOWN), Fraction(5, 11))

    # Respect and communication: better = listens often+always (6+0) + puts_down never+rarely (6+0) = 12;
    # rest = listens never+rarely+sometimes (0+6+0) + puts_down sometimes+often+always (0+5+0) = 11; 23 in all.
    respect = domain(first, "respect_communication")
    assert (respect.better.count, respect.better.proportion) == (reports.Count(12, SHOWN), Fraction(12, 23))
    assert (respect.rest.count, respect.rest.proportion) == (reports.Count(11, SHOWN), Fraction(11, 23))
    assert respect.scored == reports.Count(23, SHOWN)
    # Shared parenting: better 0 (nobody often/always; agree_together skipped by all), rest 7 (sometimes),
    # "does not apply" in neither. 0 is under 5; with 7 and 7 shown it would be 7 - 7: the rest is hidden too.
    parenting = domain(first, "shared_parenting")
    assert parenting.better.count.visibility == SMALL
    assert parenting.better.proportion is None
    assert HIDDEN in (parenting.rest.count.visibility, parenting.scored.visibility)
    assert first.paired_women is None and first.paired == ()
    assert [(o.items_id, o.items_version, o.responses.visibility) for o in report.other_sets] == [
        ("starter", "0", SMALL)]


def test_end_figures_and_paired_change_match_the_hand_count(seeded, dbs, vault) -> None:  # type: ignore[no-untyped-def]
    world, _women = seeded
    last = stage(programme_report(dbs, vault, ITEMS, world.programme.id), "end")
    assert last.respondents == reports.Count(9, SHOWN)  # W1..W8 and W13
    # listens at the end: always 5 (W1-W5), often 3 (W7, W8, W13), sometimes 1 (W6): 9 answered.
    check_row(item(last, "listens"), {"never": 0, "rarely": 0, "sometimes": 1, "often": 3, "always": 5}, 9)
    check_row(item(last, "puts_down"), {"never": 6, "rarely": 2, "sometimes": 1, "often": 0, "always": 0}, 9)
    check_row(item(last, "respect_in_front"), {"never": 0, "rarely": 0, "sometimes": 0, "often": 3, "always": 0,
                                               "not_applicable": 5}, 8)
    # Respect and communication: better = listens often+always 3+5 + puts_down never+rarely 6+2 = 16;
    # rest = listens sometimes 1 + puts_down sometimes 1 = 2 (under 5); scored 18. 18 - 16 would give the 2
    # away, so the better count (a part) is hidden too and the scored total stays.
    respect = domain(last, "respect_communication")
    assert respect.rest.count.visibility == SMALL
    assert respect.better.count.visibility == HIDDEN
    assert respect.scored == reports.Count(18, SHOWN)
    assert respect.better.proportion is None and respect.rest.proportion is None

    # Paired: W1..W8 answered intake and end (W13 did not answer intake; W9..W12 not the end).
    assert last.paired_women == reports.Count(8, SHOWN)
    paired = {p.code: p for p in last.paired}
    # Domain score (sum of oriented scores over listens and puts_down, both answered at both stages; puts_down
    # is "low", so oriented = 4 - score):
    #   W1-W5: intake rarely 1 + (4 - often 3) = 2 -> end always 4 + (4 - never 0) = 8: improved (5 women)
    #   W6:    intake rarely 1 + (4 - never 0) = 5 -> end sometimes 2 + (4 - sometimes 2) = 4: worse
    #   W7-W8: intake often 3 + (4 - never 0) = 7 -> end often 3 + (4 - rarely 1) = 6: worse
    # improved 5, same 0, worse 3, of 8. 0 and 3 are under 5 and can trade with each other: nothing more hidden.
    change = dict(paired["respect_communication"].changes)
    assert paired["respect_communication"].paired == reports.Count(8, SHOWN)
    assert change["improved"] == reports.Share(reports.Count(5, SHOWN), Fraction(5, 8))
    assert change["same"].count.visibility == SMALL and change["worse"].count.visibility == SMALL
    assert change["same"].proportion is None and change["worse"].proportion is None
    # Shared parenting: only W6-W8 answered respect_in_front on the scale both times (sometimes -> often):
    # 3 improved, 3 in all: under 5. W1-W5 said "does not apply" both times: not counted.
    assert paired["shared_parenting"].paired.visibility == SMALL
    # Safety: nobody answered any of its questions at both stages: 0 women.
    assert paired["safety"].paired.visibility == SMALL


def test_no_small_count_of_the_report_can_be_worked_out(seeded, dbs, vault) -> None:  # type: ignore[no-untyped-def]
    """The adversary of test_evaluation_suppression, on the real tables of both stages."""
    for rows in ([intake(n) for n in range(1, 13)], [end(n) for n in (*range(1, 9), 13)]):
        values, sums = reports.stage_counts(ITEMS, rows)
        shown = suppress(values, sums)
        for name, (low, high) in attack(values, sums, shown).items():
            assert low < high, name


def test_change_rule() -> None:
    safety = next(d for d in ITEMS.domains if d.code == "safety").items
    # afraid is "low": often (3) -> rarely (1) is better for her.
    assert reports.change(ITEMS, safety, {"afraid": "often"}, {"afraid": "rarely"}) == "improved"
    assert reports.change(ITEMS, safety, {"afraid": "rarely"}, {"afraid": "often"}) == "worse"
    # Only items answered at both stages count: hurt_or_threat answered once is left out of both.
    assert reports.change(ITEMS, safety, {"afraid": "never", "hurt_or_threat": "always"},
                          {"afraid": "never"}) == "same"
    assert reports.change(ITEMS, safety, {"afraid": "never"}, {"hurt_or_threat": "never"}) is None


def test_an_erasure_takes_her_out_of_the_recomputed_report(seeded, dbs, vault, audit_key,  # type: ignore[no-untyped-def]
                                                            clock) -> None:
    world, women = seeded
    erase_partner(context(dbs, vault, audit_key, clock.now(), Actor("system")), women[12], reason="retention")
    dbs.commit()
    first = stage(programme_report(dbs, vault, ITEMS, world.programme.id), "intake")
    assert first.respondents == reports.Count(11, SHOWN)  # W12 gone
    assert {i.code: i.answered for i in first.items}["listens"] == reports.Count(11, SHOWN)
    # puts_down: W12 had skipped it, so still 11.
    assert {i.code: i.answered for i in first.items}["puts_down"] == reports.Count(11, SHOWN)


def test_fewer_than_five_respondents_hide_the_stage(world, dbs, vault, audit_key) -> None:  # type: ignore[no-untyped-def]
    for n in range(4):
        her = make_partner(dbs, vault, audit_key, world.service, world.worker, phone=f"+4474009999{n:02d}")
        answer(dbs, vault, her.id, world.programme.id, "middle", {"listens": "often"})
    dbs.commit()
    middle = stage(programme_report(dbs, vault, ITEMS, world.programme.id), "middle")
    assert middle.respondents.visibility == SMALL and middle.respondents.value is None
    assert all(i.answered.value is None for i in middle.items)


def test_no_service_sees_into_another(dbs: Session, vault: Vault) -> None:
    """Sanity for the page's scope: a report is of one programme's rows only (by id)."""
    service = SupportService(id=uuid.uuid4(), name="Empty")
    dbs.add(service)
    dbs.flush()
    empty = make_programme(dbs, service, "Empty")
    report = programme_report(dbs, vault, ITEMS, empty.id)
    assert all(s.respondents.visibility == SMALL for s in report.stages)
