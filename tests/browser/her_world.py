"""Arrange her, her worker and his programme in the live server's database for browser tests; open her link."""

from __future__ import annotations

from typing import Any

from portal.models import PartnerContact, PartnerStatus
from portal.services.her.her_access import partner_actor, set_pin
from tests.factories import World, context, served_world


def arrange_world(live: Any, status: str = PartnerStatus.INVITED, phone: str = "+447400123456",
                  pin: str | None = None) -> World:
    """The common cast in the live server's database; her PIN set as she sets it, if given."""
    world = served_world(live, partner_phone=phone, status=status)
    if pin is not None:
        with live.db() as db:
            partner = db.get(PartnerContact, world.partner.id)
            set_pin(context(db, live.vault, live.audit_key, live.now(), partner_actor(partner.id)), partner, pin, pin)
            db.commit()
    return world


def open_her_link(page: Any, url: str) -> None:
    """Open her link as she does, with JavaScript on or off: the neutral page, then its one button."""
    page.goto(url)
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_load_state()
