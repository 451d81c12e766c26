"""Deployment settings an admin edits: site name, helplines, exit site, child-protection steps, retention."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UUIDKey, utcnow


class DeploymentSetting(Base):
    __tablename__ = "deployment_setting"
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)  # JSON
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))


class Helpline(UUIDKey, Base):
    __tablename__ = "helpline"
    locale: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(40))
    hours: Mapped[str] = mapped_column(String(200), default="")
    is_emergency: Mapped[bool] = mapped_column(default=False)
    on_every_page: Mapped[bool] = mapped_column(default=False)  # also shown at the foot of every page of hers
    position: Mapped[int] = mapped_column(default=0)
