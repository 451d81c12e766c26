"""Whether she may be texted now: the one rule every sender asks (warnings, her links, the dispatcher)."""

from __future__ import annotations

from portal.models import NotificationKind, PartnerContact, PartnerStatus, Preferences

WARNING = NotificationKind.WARNING
# A warning needs her yes to contact; her link may also reach her after she stopped or said no (START).
WARNING_STATUSES = (PartnerStatus.ACTIVE,)
LINK_STATUSES = (PartnerStatus.INVITED, PartnerStatus.ACTIVE, PartnerStatus.WITHDRAWN, PartnerStatus.DECLINED)


def why_not(partner: PartnerContact, prefs: Preferences | None, kind: str = WARNING) -> str | None:
    """The reason a text of this kind must not go to her now, or None when it may."""
    if partner.erased_at is not None or partner.status in (PartnerStatus.ERASED, PartnerStatus.CLOSED):
        return "closed"
    if partner.phone_ct is None:
        return "no_phone"
    if partner.sms_opted_out:
        return "opted_out"
    if partner.sms_unusable:
        return "number_unusable"
    if kind == WARNING:
        if partner.status not in WARNING_STATUSES:
            return "no_consent"
        if prefs is None or not prefs.channel_sms:
            return "no_sms_channel"
    elif partner.status not in LINK_STATUSES:
        return "no_consent"
    return None


def can_text(partner: PartnerContact, prefs: Preferences | None, kind: str = WARNING) -> bool:
    return why_not(partner, prefs, kind) is None
