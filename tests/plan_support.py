"""Helpers for the tests of her sealed plan: her context, a plan made the way her pages make one."""

from __future__ import annotations

from typing import Any

from portal.crypto import owasp_minimum
from portal.services.context import DomainContext
from portal.services.her import safety_plan
from portal.services.her.her_access import partner_actor

KDF = owasp_minimum()
PASSPHRASE = "blue kettle on the hill"
DURESS = "seven swans at noon"
CANARY_PLAN = "CANARY-PLAN-Aunt-Mirela-0789"  # a text only her real plan holds
CANARY_DECOY = "CANARY-DECOY-library-hours"  # a text only the harmless plan holds
CANARY_PASSPHRASE = "CANARY-PASS-quietmoonriver"
CANARY_DURESS = "CANARY-DURESS-greenlanterns"


def her_ctx(ctx_for: Any, partner: Any, **kwargs: Any) -> DomainContext:
    """The context her pages give the service: acting as her."""
    return ctx_for(partner_actor(partner.id), **kwargs)


def content(**fields: str) -> safety_plan.PlanContent:
    """Plan content from keyword fields written section__field (e.g. people__contacts="...")."""
    return safety_plan.PlanContent(("safety", "children"),
                                   {name.replace("__", "."): text for name, text in fields.items()})


def make_plan(ctx: DomainContext, partner: Any, *, passphrase: str = PASSPHRASE, duress: str | None = DURESS,
              mine: safety_plan.PlanContent | None = None,
              decoy: safety_plan.PlanContent | None = None) -> safety_plan.Unlocked:
    """Her plan with her content (and a second passphrase opening `decoy`, unless duress=None), committed."""
    opened = safety_plan.create(ctx, partner, passphrase, duress_passphrase=duress, decoy=decoy, kdf=KDF,
                                content=mine)
    ctx.db.commit()
    return opened
