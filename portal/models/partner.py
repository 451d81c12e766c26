"""Her: encrypted contact details, her link to a participant, preferences, windows and consent ledger."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import ClassVar

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UUIDKey, encrypted, one_of, utcnow


class PartnerStatus(enum.StrEnum):
    INVITED = "invited"      # recorded by her worker, not yet answered on the portal
    ACTIVE = "active"        # contact agreed
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"
    ERASED = "erased"


class ClosureReason(enum.StrEnum):
    HER_REQUEST = "her_request"
    NO_CONTACT_POSSIBLE = "no_contact_possible"
    NO_LONGER_NEEDED = "no_longer_needed"
    MOVED_AWAY = "moved_away"
    OTHER = "other"


class PartnerContact(UUIDKey, Base):
    __tablename__ = "partner_contact"
    __table_args__ = (one_of("status", PartnerStatus), one_of("closure_reason", ClosureReason))
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("support_service.id"), index=True)
    worker_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"), index=True)
    name_ct: Mapped[bytes | None] = encrypted()
    phone_ct: Mapped[bytes | None] = encrypted()
    email_ct: Mapped[bytes | None] = encrypted()
    # Never disclosed (services/casework/never_disclose.py): shown only on her case page after "Show".
    safe_address_ct: Mapped[bytes | None] = encrypted()
    new_number_ct: Mapped[bytes | None] = encrypted()
    phone_bidx: Mapped[str | None] = mapped_column(String(64), index=True)
    email_bidx: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(20), default=PartnerStatus.INVITED)
    locale: Mapped[str] = mapped_column(String(16), default="en")
    # True once she chose her language (on her pages) or her worker set it with her: her pages then follow
    # `locale`; until then they follow her browser (DESIGN 8 "Language"). Her texts always use `locale`.
    locale_chosen: Mapped[bool] = mapped_column(default=False)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    pin_hash: Mapped[str | None] = mapped_column(String(255))
    pin_failures: Mapped[int] = mapped_column(default=0)
    # Her signed-in sessions carry the epoch they were opened in; a stop raises it, which ends every other one
    # whatever store holds them (the database table or Redis): public/context.current_partner compares.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    sms_opted_out: Mapped[bool] = mapped_column(default=False)
    # Her yes to evaluation questions stands (the ledger's latest word, scope evaluation; off by default).
    evaluation_yes: Mapped[bool] = mapped_column(default=False)
    sms_unusable: Mapped[bool] = mapped_column(default=False)
    high_risk_until: Mapped[datetime | None]
    # Her high-risk period after separating (services/casework/high_risk.py): from, and check-ins every N days
    # (None: the deployment's PORTAL_CHECKIN_EVERY_DAYS; her worker can set her own).
    high_risk_from: Mapped[datetime | None]
    checkin_every_days: Mapped[int | None]
    # Set when her plan was opened with her duress passphrase: nothing is texted to her until her worker
    # releases texts or closes that task (services/messaging/sms_permission.why_not: "held").
    texts_held_since: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    closure_reason: Mapped[str | None] = mapped_column(String(40))
    erased_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PartnerLink(UUIDKey, Base):
    """She is (or was) the partner of this participant."""

    __tablename__ = "partner_link"
    __table_args__ = (UniqueConstraint("partner_id", "participant_id"),)
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner_contact.id"))
    participant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("participant.id"), index=True)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]


class Tell(enum.StrEnum):
    """How she wants to hear about one kind of event."""

    NONE = "none"
    MESSAGE = "message"
    CALL = "call"
    BOTH = "both"
    ALL: ClassVar[tuple[Tell, ...]]


Tell.ALL = tuple(Tell)

TELL_COLUMNS = ("tell_dropout", "tell_suspended", "tell_completed", "tell_risk")


class Preferences(UUIDKey, Base):
    __tablename__ = "preferences"
    __table_args__ = tuple(one_of(column, Tell) for column in TELL_COLUMNS)
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner_contact.id"), unique=True)
    channel_sms: Mapped[bool] = mapped_column(default=False)
    channel_call: Mapped[bool] = mapped_column(default=False)
    channel_worker_only: Mapped[bool] = mapped_column(default=False)
    voicemail_ok: Mapped[bool] = mapped_column(default=False)
    shared_phone: Mapped[bool] = mapped_column(default=False)
    tell_dropout: Mapped[str] = mapped_column(String(10), default=Tell.CALL)
    tell_suspended: Mapped[str] = mapped_column(String(10), default=Tell.CALL)
    tell_completed: Mapped[str] = mapped_column(String(10), default=Tell.CALL)
    tell_risk: Mapped[str] = mapped_column(String(10), default=Tell.CALL)
    serious_risk_any_time: Mapped[bool] = mapped_column(default=False)
    code_word_ct: Mapped[bytes | None] = encrypted()
    # Said in advance: if STOP is texted from her phone (maybe not by her), her worker may check once by call.
    check_after_stop: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))


class NewsKind(enum.StrEnum):
    """A kind of news about him she can ask to be told (her `tell_<kind>` choices)."""

    DROPOUT = "dropout"
    SUSPENDED = "suspended"
    COMPLETED = "completed"
    RISK = "risk"


class Wording(enum.StrEnum):
    """Which words a warning of one kind uses: one of three neutral texts in her language, or her own."""

    NEUTRAL_1 = "neutral_1"
    NEUTRAL_2 = "neutral_2"
    NEUTRAL_3 = "neutral_3"
    OWN = "own"


class WarningWording(UUIDKey, Base):
    """How a warning of one kind reads on her phone (no row: the first neutral text, no number).

    Chosen by her on her choices page or by her worker with her; validated by services/her/preferences.py.
    """

    __tablename__ = "warning_wording"
    __table_args__ = (UniqueConstraint("partner_id", "kind"), one_of("kind", NewsKind), one_of("wording", Wording))
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner_contact.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    wording: Mapped[str] = mapped_column(String(20), default=Wording.NEUTRAL_1)
    own_words_ct: Mapped[bytes | None] = encrypted()  # her own words, when wording is "own"
    with_number: Mapped[bool] = mapped_column(default=False)  # add her worker's number at the end
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SafeWindow(UUIDKey, Base):
    """A weekly time range, in her own time zone, when contact is safe."""

    __tablename__ = "safe_window"
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner_contact.id"), index=True)
    weekday: Mapped[int]  # 0 = Monday
    start_minute: Mapped[int]  # minutes after local midnight
    end_minute: Mapped[int]  # exclusive; 1440 = midnight


class ConsentAction(enum.StrEnum):
    GIVEN = "given"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class ConsentChannel(enum.StrEnum):
    """Where her yes, no or stop came from."""

    WEB = "web"
    SMS = "sms"
    WORKER = "worker"
    SYSTEM = "system"  # the portal itself, e.g. an erasure not made by her worker


class ConsentScope(enum.StrEnum):
    CONTACT = "contact"
    SMS = "sms"
    EVALUATION = "evaluation"  # her own yes to evaluation questionnaires (off until she says yes)


class ConsentEvent(UUIDKey, Base):
    """Append-only ledger of her yes, no and withdrawals."""

    __tablename__ = "consent_event"
    __table_args__ = (one_of("action", ConsentAction), one_of("channel", ConsentChannel),
                      one_of("scope", ConsentScope))
    partner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner_contact.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20))
    scope: Mapped[str] = mapped_column(String(20), default=ConsentScope.CONTACT)
    text_version: Mapped[str | None] = mapped_column(String(40))
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
