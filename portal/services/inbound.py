"""Texts from her: claimed once per MessageSid, keywords acted on, everything else passed to her worker."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from portal.crypto import InvalidPhoneNumber, Vault, normalise_phone
from portal.models import ConsentEvent, InboundMessage, PartnerContact, PartnerStatus, Severity
from portal.services.audit import Actor, record
from portal.services.consent import give, withdraw
from portal.services.invites import issue_invite, revoke_invites
from portal.services.outbox import cancel_pending, enqueue
from portal.services.partners import find_by_phone
from portal.services.tasks import create_task
from portal.sms.keywords import Action, Keyword, match, reads_like_stop
from portal.sms.templates import Catalogs, render

SMS_ACTOR = Actor("sms")
MAX_BODY = 1600  # Twilio's own limit for one inbound message
STOPPED = (PartnerStatus.WITHDRAWN, PartnerStatus.DECLINED, PartnerStatus.CLOSED, PartnerStatus.ERASED)


@dataclass(frozen=True)
class InboundContext:
    vault: Vault
    audit_key: bytes
    catalogs: Catalogs
    public_url: str
    region: str
    invite_ttl: timedelta


@dataclass(frozen=True)
class InboundResult:
    outcome: str  # duplicate | unknown_sender | opt_out | opt_in | help | free_text | stop_like
    reply: str | None  # what to answer in TwiML (None: an empty response)


def claim(db: Session, message_sid: str, now: datetime) -> uuid.UUID | None:
    """Insert the MessageSid once; None when another request already holds it (a duplicate webhook)."""
    row_id = uuid.uuid4()
    values = {"id": row_id, "message_sid": message_sid, "received_at": now}
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(InboundMessage).values(**values).on_conflict_do_nothing().returning(InboundMessage.id)
    return db.execute(stmt).scalar()


def receive(db: Session, ctx: InboundContext, *, message_sid: str, sender: str, body: str,
            now: datetime) -> InboundResult:
    """Handle one inbound text inside the caller's transaction (a failure rolls the claim back too)."""
    row_id = claim(db, message_sid, now)
    if row_id is None:
        return InboundResult("duplicate", None)
    row = db.get(InboundMessage, row_id)
    assert row is not None
    try:
        partner = find_by_phone(db, ctx.vault, normalise_phone(sender, ctx.region))
    except InvalidPhoneNumber:
        partner = None
    if partner is None:
        row.keyword = "unknown_sender"  # nothing of the text is kept, and nothing is said back
        return InboundResult("unknown_sender", None)
    row.partner_id = partner.id
    keyword = match(body)
    if keyword is None:
        return _free_text(db, ctx, partner, row, body, now)
    row.keyword = keyword.action.value
    if keyword.action is Action.OPT_OUT:
        _opt_out(db, ctx, partner, now)
    elif keyword.action is Action.OPT_IN:
        _opt_in(db, ctx, partner, now)
    else:
        create_task(db, partner, kind="sms_help", severity=Severity.URGENT, now=now)
        record(db, ctx.audit_key, SMS_ACTOR, "sms.inbound.help", "partner_contact", partner.id, now=now)
    return InboundResult(keyword.action.value, _reply(ctx, partner, keyword))


def _reply(ctx: InboundContext, partner: PartnerContact, keyword: Keyword) -> str | None:
    """Our own confirmation, only where the provider does not already send one."""
    if keyword.provider_replies:
        return None
    template = {Action.OPT_OUT: "opted_out", Action.OPT_IN: "opted_in", Action.HELP: "help"}[keyword.action]
    return render(ctx.catalogs, template, partner.locale)


def _opt_out(db: Session, ctx: InboundContext, partner: PartnerContact, now: datetime) -> None:
    """STOP in any language: contact withdrawn, texts off, everything pending cancelled, her worker told."""
    contact_was_off = partner.status in STOPPED
    if not contact_was_off:
        withdraw(db, ctx.audit_key, partner, channel="sms", now=now, actor=SMS_ACTOR, scope="contact")
    if not partner.sms_opted_out:
        db.add(ConsentEvent(id=uuid.uuid4(), partner_id=partner.id, action="withdrawn", channel="sms",
                            scope="sms", occurred_at=now))
        partner.sms_opted_out = True
        cancel_pending(db, partner.id, now)
        revoke_invites(db, partner.id, now)
        if contact_was_off:  # contact was already off: tell her worker about the texts too
            create_task(db, partner, kind="consent_withdrawn_sms", severity=Severity.SOON, now=now)
        record(db, ctx.audit_key, SMS_ACTOR, "consent.withdrawn.sms", "partner_contact", partner.id,
               {"channel": "sms"}, now=now)


def _opt_in(db: Session, ctx: InboundContext, partner: PartnerContact, now: datetime) -> None:
    """START in any language: texts on again; if contact is not agreed yet, she gets a fresh link."""
    give(db, ctx.audit_key, partner, channel="sms", now=now, text_version=None, actor=SMS_ACTOR, scope="sms")
    partner.sms_unusable = False  # she just texted from it
    if partner.status in (PartnerStatus.INVITED, PartnerStatus.WITHDRAWN, PartnerStatus.DECLINED):
        revoke_invites(db, partner.id, now)
        invite = issue_invite(db, partner.id, now=now, ttl=ctx.invite_ttl)
        enqueue(db, ctx.vault, partner, kind="invite", template="invite", now=now,
                params={"url": invite.url(ctx.public_url)}, stale_at=invite.expires_at)
    create_task(db, partner, kind="sms_opt_in", severity=Severity.ROUTINE, now=now)


def _free_text(db: Session, ctx: InboundContext, partner: PartnerContact, row: InboundMessage, body: str,
               now: datetime) -> InboundResult:
    """Anything else she writes reaches her worker (encrypted); stop-like words make it urgent."""
    text = body[:MAX_BODY]
    stop_like = reads_like_stop(text)
    row.keyword = "stop_like" if stop_like else "free_text"
    ctx.vault.put(row, "body_ct", text)
    create_task(db, partner, kind="sms_stop_like" if stop_like else "sms_free_text",
                severity=Severity.URGENT if stop_like else Severity.SOON, now=now, detail=text, vault=ctx.vault)
    record(db, ctx.audit_key, SMS_ACTOR, f"sms.inbound.{row.keyword}", "partner_contact", partner.id, now=now)
    return InboundResult(row.keyword, None)
