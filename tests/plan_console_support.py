"""Helpers for the console-side and duress-session tests of her plan (on top of tests/plan_support.py): a plan
full of canary text, opened with either passphrase, shared, and her test client put into the session that an
opening leaves behind."""

from __future__ import annotations

from typing import Any

from flask import session

from portal.public import plan_session
from portal.services.her import safety_plan
from tests import plan_support
from tests.plan_support import her_ctx

REAL, SECOND = plan_support.PASSPHRASE, plan_support.DURESS
CANARY_PLAN = plan_support.CANARY_PLAN
CANARY_DECOY = plan_support.CANARY_DECOY
CANARY_CODE = "CANARY-PLAN-pineapple-signal"
PLAN = safety_plan.PlanContent(priorities=("children", "safety"),
                               fields={"people.contacts": CANARY_PLAN, "people.code_word": CANARY_CODE,
                                       "children.school": "CANARY-PLAN-school-elm", "support.notes": "CANARY-PLAN-n"})
DECOY = safety_plan.PlanContent(priorities=("feelings",), fields={"support.notes": CANARY_DECOY})
CANARIES = [CANARY_PLAN, CANARY_CODE, CANARY_DECOY, "CANARY-PLAN-school-elm", "CANARY-PLAN-n", REAL, SECOND]


def make_plan(ctx_for: Any, dbs: Any, partner: Any, *, duress: bool = True) -> safety_plan.Unlocked:
    """Her plan (canary content), with a second passphrase opening the decoy when `duress`; committed."""
    return plan_support.make_plan(her_ctx(ctx_for, partner), partner, duress=SECOND if duress else None,
                                  mine=PLAN, decoy=DECOY)


def open_with(ctx_for: Any, dbs: Any, partner: Any, passphrase: str) -> safety_plan.Unlocked:
    """Open her plan through the service (the second passphrase: the task, the hold); committed."""
    outcome = safety_plan.open_plan(her_ctx(ctx_for, partner), partner, passphrase)
    dbs.commit()
    assert outcome.unlocked is not None
    return outcome.unlocked


def share(ctx_for: Any, dbs: Any, partner: Any, unlocked: safety_plan.Unlocked) -> None:
    safety_plan.share(her_ctx(ctx_for, partner), partner, unlocked)
    dbs.commit()


def hold_in_session(app: Any, client: Any, unlocked: safety_plan.Unlocked) -> None:
    """Put this open plan into her test client's session exactly as her plan page does after an opening."""
    with client.session_transaction() as sess:
        sid = sess.sid
    assert sid, "her client needs a session (her_client) first"
    with app.test_request_context(headers={"Cookie": f"__Host-sid={sid}"}):
        plan_session.remember(unlocked)
        stored = dict(session[plan_session.PLAN])
    with client.session_transaction() as sess:
        sess[plan_session.PLAN] = stored
