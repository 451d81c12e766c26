"""Helpers for tests of her sealed plan from the console side and of duress sessions: a plan with canary text,
opened with either passphrase, and her test client put into the session that opening leaves behind."""

from __future__ import annotations

from typing import Any

from flask import session

from portal.crypto import owasp_minimum
from portal.public import plan_session
from portal.services.her import safety_plan
from portal.services.her.her_access import partner_actor

REAL = "blue kettle on the hill"
SECOND = "seven quiet herons"
KDF = owasp_minimum()
CANARY_PLAN = "qx9 plan canary: aunt Rosa on Elm Street"
CANARY_CODE = "qx9 pineapple signal"
CANARY_DECOY = "qx9 decoy: call the dentist"
PLAN = safety_plan.PlanContent(priorities=("children", "safety"),
                               fields={"people.contacts": CANARY_PLAN, "people.code_word": CANARY_CODE,
                                       "children.school": "qx9 school canary", "support.notes": "qx9 notes"})
DECOY = safety_plan.PlanContent(priorities=("feelings",), fields={"support.notes": CANARY_DECOY})
CANARIES = [CANARY_PLAN, CANARY_CODE, CANARY_DECOY, "qx9 school canary", "qx9 notes"]


def make_plan(ctx_for: Any, dbs: Any, partner: Any, *, duress: bool = True) -> safety_plan.Unlocked:
    """Her plan (canary content), with a second passphrase opening the decoy when `duress`; committed."""
    ctx = ctx_for(partner_actor(partner.id))
    unlocked = safety_plan.create(ctx, partner, REAL, duress_passphrase=SECOND if duress else None, decoy=DECOY,
                                  kdf=KDF, content=PLAN)
    dbs.commit()
    return unlocked


def open_with(ctx_for: Any, dbs: Any, partner: Any, passphrase: str) -> safety_plan.Unlocked:
    """Open her plan with a passphrase through the service (the duress one: the task, the hold); committed."""
    outcome = safety_plan.open_plan(ctx_for(partner_actor(partner.id)), partner, passphrase)
    dbs.commit()
    assert outcome.unlocked is not None
    return outcome.unlocked


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


def share(ctx_for: Any, dbs: Any, partner: Any, unlocked: safety_plan.Unlocked) -> None:
    safety_plan.share(ctx_for(partner_actor(partner.id)), partner, unlocked)
    dbs.commit()
