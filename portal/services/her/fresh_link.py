"""Sending her a fresh discreet link by text: the one way, whether her worker sends it or she texted START."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.models import Notification, NotificationKind, NotificationState, PartnerContact, Preferences
from portal.services.context import DomainContext
from portal.services.her.invites import Invite, issue_invite, revoke_invites
from portal.services.messaging.outbox import enqueue
from portal.services.messaging.sms_permission import HELD, why_not

LINK = NotificationKind.INVITE


def link_blocked(db: Session, partner: PartnerContact) -> str | None:
    """Why a link cannot be texted to her now, or None ("held": it would be queued and wait, see texts_hold)."""
    prefs = db.scalar(select(Preferences).where(Preferences.partner_id == partner.id))
    return why_not(partner, prefs, LINK)


def send_fresh_link(ctx: DomainContext, partner: PartnerContact, *, public_url: str, ttl: timedelta,
                    created_by: uuid.UUID | None = None) -> Invite | None:
    """Older unused links (and link texts not yet sent) stop; one new link is queued for her next safe time.

    None (and nothing changed) when she cannot be texted now; the caller says so in its own words. While texts
    to her are held (services/messaging/texts_hold.py) the link is queued and waits like every other text.
    """
    db, now = ctx.db, ctx.now
    if link_blocked(db, partner) not in (None, HELD):
        return None
    revoke_invites(db, partner.id, now)
    db.execute(update(Notification)  # an earlier link still waiting to be sent would carry a dead token
               .where(Notification.partner_id == partner.id,
                      Notification.kind.in_((LINK, NotificationKind.EVALUATION)),
                      Notification.state == NotificationState.PENDING)
               .values(state=NotificationState.CANCELLED, finished_at=now, updated_at=now))
    invite = issue_invite(db, partner.id, now=now, ttl=ttl, created_by=created_by)
    enqueue(db, ctx.vault, partner, kind=LINK, template=LINK, now=now, params={"url": invite.url(public_url)},
            stale_at=invite.expires_at)
    ctx.audit("invite.send", "partner_contact", partner.id)
    return invite
