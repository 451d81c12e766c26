"""Texts from her: claimed once per MessageSid, keywords acted on, everything else passed to her worker."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from portal.crypto import InvalidPhoneNumber, normalise_phone
from portal.models import (
    ActorKind,
    ConsentChannel,
    InboundMessage,
    PartnerContact,
    PartnerStatus,
    Severity,
    TaskKind,
)
from portal.services.audit import Actor
from portal.services.casework.tasks import create_task
from portal.services.context import DomainContext
from portal.services.her import consent
from portal.services.her.fresh_link import send_fresh_link
from portal.services.her.partners import live_records_with_phone, records_sharing_number
from portal.sms.keywords import Action, Keyword, match, reads_like_stop
from portal.sms.templates import Catalogs, render

SMS_ACTOR = Actor(ActorKind.SMS)
MAX_BODY = 1600  # Twilio's own limit for one inbound message


@dataclass(frozen=True)
class InboundSettings:
    """What a text from her needs besides the domain context: the reply catalogs, links and her region."""

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


def receive(ctx: DomainContext, settings: InboundSettings, *, message_sid: str, sender: str,
            body: str) -> InboundResult:
    """Handle one inbound text inside the caller's transaction (a failure rolls the claim back too).

    The context's actor is her texts (SMS_ACTOR). The text acts on every live record with her number, in
    every service, each on its own: each service gets its own task, and none is told of the other. The reply
    (if any) is sent once.
    """
    db, now = ctx.db, ctx.now
    row_id = claim(db, message_sid, now)
    if row_id is None:
        return InboundResult("duplicate", None)
    row = db.get(InboundMessage, row_id)
    assert row is not None
    try:
        partners = live_records_with_phone(db, ctx.vault, normalise_phone(sender, settings.region))
    except InvalidPhoneNumber:
        partners = []
    if not partners:
        row.keyword = "unknown_sender"  # nothing of the text is kept, and nothing is said back
        return InboundResult("unknown_sender", None)
    newest = partners[0]
    row.partner_id = newest.id
    keyword = match(body)
    if keyword is None:
        return _free_text(ctx, partners, row, body)
    row.keyword = keyword.action.value
    if keyword.action is Action.OPT_OUT:
        _opt_out(ctx, newest)
    else:
        for partner in partners:
            if keyword.action is Action.OPT_IN:
                _opt_in(ctx, settings, partner)
            else:
                create_task(db, partner, kind=TaskKind.SMS_HELP, severity=Severity.URGENT, now=now)
                ctx.audit("sms.inbound.help", "partner_contact", partner.id)
    return InboundResult(keyword.action.value, _reply(settings, newest, keyword))


def _reply(settings: InboundSettings, partner: PartnerContact, keyword: Keyword) -> str | None:
    """Our own confirmation, only where the provider does not already send one."""
    if keyword.provider_replies:
        return None
    template = {Action.OPT_OUT: "opted_out", Action.OPT_IN: "opted_in", Action.HELP: "help"}[keyword.action]
    return render(settings.catalogs, template, partner.locale)


def _opt_out(ctx: DomainContext, partner: PartnerContact) -> None:
    """STOP in any language, for every record with her number: contact stopped and texts off on each live
    one (each service's worker told on its own); a closed record just has texts turned off, quietly, so
    that reopening it later cannot text her."""
    for record_ in records_sharing_number(ctx.db, partner, include_closed=True):
        if record_.status != PartnerStatus.CLOSED:
            stopped = consent.stop_contact(ctx, record_, channel=ConsentChannel.SMS)
            consent.stop_texts(ctx, record_, tell_worker=stopped.task_id is None)
        else:  # closed: nothing is sent to it; keep it that way if it is ever reopened
            consent.stop_texts(ctx, record_, tell_worker=False)


def _opt_in(ctx: DomainContext, settings: InboundSettings, partner: PartnerContact) -> None:
    """START in any language: texts on again and one fresh link (contact consent only on her pages)."""
    consent.restart_texts(ctx, partner)
    send_fresh_link(ctx, partner, public_url=settings.public_url, ttl=settings.invite_ttl)
    create_task(ctx.db, partner, kind=TaskKind.SMS_OPT_IN, severity=Severity.ROUTINE, now=ctx.now)


def _free_text(ctx: DomainContext, partners: list[PartnerContact], row: InboundMessage, body: str) -> InboundResult:
    """Anything else she writes reaches each of her workers (encrypted); stop-like words make it urgent."""
    text = body[:MAX_BODY]
    stop_like = reads_like_stop(text)
    row.keyword = "stop_like" if stop_like else "free_text"
    ctx.vault.put(row, "body_ct", text)
    for partner in partners:
        create_task(ctx.db, partner, kind=TaskKind.SMS_STOP_LIKE if stop_like else TaskKind.SMS_FREE_TEXT,
                    severity=Severity.URGENT if stop_like else Severity.SOON, now=ctx.now, detail=text,
                    vault=ctx.vault)
        ctx.audit(f"sms.inbound.{row.keyword}", "partner_contact", partner.id)
    return InboundResult(row.keyword, None)
