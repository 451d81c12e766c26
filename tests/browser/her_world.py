"""Arrange her, her worker and his programme in the live server's database for browser tests; open her link."""

from __future__ import annotations

from typing import Any

from portal.models import PartnerStatus
from tests.factories import World, make_world


def arrange_world(live: Any, status: str = PartnerStatus.INVITED, phone: str = "+447400123456") -> World:
    with live.db() as session:
        world = make_world(session, live.vault, live.audit_key, partner_phone=phone)
        world.partner.status = status
        session.commit()
    return world


def open_her_link(page: Any, url: str) -> None:
    """Open her link as she does, with JavaScript on or off: the neutral page, then its one button."""
    page.goto(url)
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_load_state()
