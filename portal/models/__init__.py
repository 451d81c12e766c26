"""SQLAlchemy 2 typed models, one module per aggregate; importing this registers them all."""

from portal.models.access import AccessToken, TokenPurpose, WebSession
from portal.models.audit import AuditEvent
from portal.models.base import Base, utcnow
from portal.models.casework import ContactLogEntry, Severity, Task
from portal.models.deployment import DeploymentSetting, Helpline
from portal.models.outbox import (
    DeliveryReceipt,
    InboundMessage,
    Notification,
    NotificationState,
    ProviderDeletion,
)
from portal.models.participant import Participant
from portal.models.partner import (
    ConsentEvent,
    PartnerContact,
    PartnerLink,
    PartnerStatus,
    Preferences,
    SafeWindow,
    Tell,
)
from portal.models.private import QuestionnaireResponse, SafetyPlan
from portal.models.programme_event import EventKind, ProgrammeEvent
from portal.models.signin_throttle import SignInThrottle
from portal.models.staff import Programme, ProgrammeMembership, Role, StaffUser, SupportService

__all__ = [
    "AccessToken", "AuditEvent", "Base", "ConsentEvent", "ContactLogEntry", "DeliveryReceipt",
    "DeploymentSetting", "EventKind", "Helpline", "InboundMessage", "Notification", "NotificationState",
    "Participant", "PartnerContact", "PartnerLink", "PartnerStatus", "Preferences", "Programme",
    "ProgrammeEvent", "ProgrammeMembership", "ProviderDeletion", "QuestionnaireResponse", "Role", "SafeWindow",
    "SafetyPlan", "Severity", "SignInThrottle", "StaffUser", "SupportService", "Task", "Tell", "TokenPurpose",
    "WebSession", "utcnow",
]
