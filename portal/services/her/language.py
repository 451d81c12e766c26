"""Her language: the one owner of choosing it and of which language her pages speak (DESIGN 8 "Language").

Her explicit choice (a POST, saved on her record), then her record, then her browser, then the default. Her
record's `locale` is also the language of her texts; `locale_chosen` says whether she (or her worker, with
her) chose it, so a language nobody chose never outranks her browser. A GET's `?lang=` changes only the
page it asks for, and is read by the web layer, never stored here.
"""

from __future__ import annotations

from collections.abc import Collection

from portal.domain_error import DomainError
from portal.models import PartnerContact
from portal.services.context import DomainContext


class LanguageError(DomainError):
    """A language this deployment does not offer."""


def saved_language(partner: PartnerContact | None, locales: Collection[str]) -> str | None:
    """The language her pages speak because she chose it, or None (then her browser decides)."""
    if partner is None or not partner.locale_chosen or partner.locale not in locales:
        return None
    return partner.locale


def page_language(*, view_choice: str | None, partner: PartnerContact | None, browser: str | None, default: str,
                  locales: Collection[str]) -> str:
    """The language of one page: this view's `?lang=`, her saved choice, her browser, the default."""
    for candidate in (view_choice, saved_language(partner, locales), browser):
        if candidate and candidate in locales:
            return candidate
    return default


def apply_choice(partner: PartnerContact, locale: str) -> bool:
    """Her record now speaks `locale` because she (or her worker, with her) chose it; True when it changed.

    The caller has checked `locale` and audits the change (her top-bar choice below, her choices form).
    """
    changed = partner.locale != locale or not partner.locale_chosen
    partner.locale, partner.locale_chosen = locale, True
    return changed


def choose_language(ctx: DomainContext, partner: PartnerContact, locale: str, locales: Collection[str]) -> bool:
    """Save her language on her record (her pages and her texts follow it); True when anything changed."""
    if locale not in locales:
        raise LanguageError("locale_unknown", "locale")
    if not apply_choice(partner, locale):
        return False
    ctx.audit("partner.language_chosen", "partner_contact", partner.id, {"locale": locale})
    return True
