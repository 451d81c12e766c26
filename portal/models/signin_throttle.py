"""Failed staff sign-ins per (account, client address): the lock an attacker's address earns is its own."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base


class SignInThrottle(Base):
    """One row per staff account and client address (an HMAC of the address, never the address itself)."""

    __tablename__ = "sign_in_throttle"
    staff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), primary_key=True)
    client_key: Mapped[str] = mapped_column(String(32), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_failure_at: Mapped[datetime | None]
    # Set when this account completed a sign-in from this address: the account-wide lock does not apply here.
    last_success_at: Mapped[datetime | None]
