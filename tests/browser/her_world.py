"""Arrange her, her worker and his programme in the live server's database for browser tests."""

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
