"""SQLAlchemy 2 typed models, one module per aggregate; importing this registers them all."""

from portal.models.access import AccessToken, SessionAudience, TokenPurpose, WebSession
from portal.models.audit import ActorKind, AuditEvent
from portal.models.base import Base, utcnow
from portal.models.casework import (
    CheckIn,
    ContactLogEntry,
    ContactMethod,
    ContactOutcome,
    SafeToTalk,
    Severity,
    Task,
    TaskKind,
)
from portal.models.checkins import AgreedCheckin, Feeling, HerCheckin, MissedCheckin
from portal.models.children import ChildProtectionReferral, ChildRecord, ReferralChild, ReferralOutcome
from portal.models.deployment import DeploymentSetting, Helpline
from portal.models.evaluation import (
    EvaluationOffer,
    EvaluationStage,
    OfferState,
    RecordedBy,
    StageAnchor,
    StagePlan,
)
from portal.models.outbox import (
    DeliveryReceipt,
    InboundMessage,
    Notification,
    NotificationKind,
    NotificationState,
    ProviderDeletion,
)
from portal.models.participant import Participant, ParticipantStatus
from portal.models.partner import (
    ClosureReason,
    ConsentAction,
    ConsentChannel,
    ConsentEvent,
    ConsentScope,
    NewsKind,
    PartnerContact,
    PartnerLink,
    PartnerStatus,
    Preferences,
    SafeWindow,
    Tell,
    WarningWording,
    Wording,
)
from portal.models.private import QuestionnaireResponse, SafetyPlan, SafetyPlanShare
from portal.models.programme_event import (
    EventKind,
    Imminence,
    ProgrammeEvent,
    ProgrammeEventFactor,
    RiskFactor,
)
from portal.models.risk import RiskAnswer, RiskAssessment, RiskLevel
from portal.models.risk_conference import ConferenceStatus, RiskConferenceReferral
from portal.models.risk_note import RiskNote
from portal.models.sharing import AgencyKind, SharingAction, SharingBasis, SharingConsentEvent, SharingHow
from portal.models.signin_throttle import SignInThrottle
from portal.models.staff import Programme, ProgrammeMembership, Role, StaffUser, SupportService

__all__ = [
    "EvaluationOffer", "EvaluationStage", "OfferState", "RecordedBy", "StageAnchor", "StagePlan",
    "ConferenceStatus", "RiskConferenceReferral",
    "AgencyKind", "ChildProtectionReferral", "ChildRecord", "ReferralChild", "ReferralOutcome", "SharingAction",
    "SharingBasis", "SharingConsentEvent", "SharingHow",
    "ActorKind", "ClosureReason", "ConsentAction", "ConsentChannel", "ConsentScope", "ContactMethod",
    "ContactOutcome", "Imminence", "NewsKind", "NotificationKind", "ParticipantStatus", "SafeToTalk", "SessionAudience",
    "TaskKind",
    "AgreedCheckin", "Feeling", "HerCheckin", "MissedCheckin",
    "AccessToken", "AuditEvent", "Base", "CheckIn", "ConsentEvent", "ContactLogEntry", "DeliveryReceipt",
    "DeploymentSetting", "EventKind", "Helpline", "InboundMessage", "Notification", "NotificationState",
    "Participant", "PartnerContact", "PartnerLink", "PartnerStatus", "Preferences", "Programme",
    "ProgrammeEvent", "ProgrammeEventFactor", "ProgrammeMembership", "ProviderDeletion", "QuestionnaireResponse",
    "RiskAnswer", "RiskAssessment", "RiskFactor", "RiskLevel", "RiskNote", "Role", "SafeWindow",
    "SafetyPlan", "SafetyPlanShare", "Severity", "SignInThrottle", "StaffUser", "SupportService", "Task", "Tell", "TokenPurpose",
    "WarningWording", "WebSession", "Wording", "utcnow",
]
