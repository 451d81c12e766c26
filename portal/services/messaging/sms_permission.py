"""Whether she may be texted now, and what a text may carry: the one rule every sender asks (warnings, her
links, the dispatcher, the composer in services/messaging/outbox.py)."""

from __future__ import annotations

from dataclasses import dataclass

from portal.models import NotificationKind, PartnerContact, PartnerStatus, Preferences

WARNING = NotificationKind.WARNING
LINK = NotificationKind.INVITE
EVALUATION = NotificationKind.EVALUATION  # her evaluation link: a link, and only while she chose texts


@dataclass(frozen=True)
class TextLimits:
    """What a text to her may carry."""

    link: bool  # her link to the site may be texted
    own_words: bool  # her own words may stand in for the neutral text she chose
    number: bool  # her worker's number may be added to a warning


SHARED_PHONE = TextLimits(link=False, own_words=False, number=False)
EVERYTHING = TextLimits(link=True, own_words=True, number=True)


def text_limits(prefs: Preferences | None) -> TextLimits:
    """Someone else checks her phone: no text holds a link or a number, and a warning uses only a neutral text
    (the one she chose; the first if she chose her own words). Her choices page says exactly this."""
    return SHARED_PHONE if prefs is not None and prefs.shared_phone else EVERYTHING
# A warning needs her yes to contact; her link may also reach her after she stopped or said no (START).
WARNING_STATUSES = (PartnerStatus.ACTIVE,)
LINK_STATUSES = (PartnerStatus.INVITED, PartnerStatus.ACTIVE, PartnerStatus.WITHDRAWN, PartnerStatus.DECLINED)


def why_not(partner: PartnerContact, prefs: Preferences | None, kind: str = WARNING) -> str | None:
    """The reason a text of this kind must not go to her now, or None when it may. "held" comes last: only a
    text that could otherwise go is held (it is queued and waits); every other reason stops it."""
    if partner.erased_at is not None or partner.status in (PartnerStatus.ERASED, PartnerStatus.CLOSED):
        return "closed"
    if partner.phone_ct is None:
        return "no_phone"
    if partner.sms_opted_out:
        return "opted_out"
    if partner.sms_unusable:
        return "number_unusable"
    if kind in (WARNING, EVALUATION):
        if partner.status not in WARNING_STATUSES:
            return "no_consent"
        if prefs is None or not prefs.channel_sms:
            return "no_sms_channel"
    elif partner.status not in LINK_STATUSES:
        return "no_consent"
    if kind in (LINK, EVALUATION) and not text_limits(prefs).link:
        return "shared_phone"
    if partner.texts_held_since is not None:
        return HELD
    return None


# Her plan was opened with her second passphrase (services/messaging/texts_hold.py): a text may be queued but
# waits, neither sent nor cancelled, until her worker releases texts or closes that task.
HELD = "held"


def can_text(partner: PartnerContact, prefs: Preferences | None, kind: str = WARNING) -> bool:
    """She may be texted now."""
    return why_not(partner, prefs, kind) is None


def may_queue(partner: PartnerContact, prefs: Preferences | None, kind: str = WARNING) -> bool:
    """A text of this kind may be queued for her: she may be texted, or may once the hold on texts is lifted."""
    return why_not(partner, prefs, kind) in (None, HELD)
