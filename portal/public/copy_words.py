"""Her words for every code her copy shows (services/her/access_export.py), and its dates on her clock.

Used by her copy page and by her worker's copy for handing over, which renders the same body in her language.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from portal.public.checkins import FEELING_LABELS
from portal.public.preferences import CHANNEL_LABELS, DAY_NAMES, NUMBER_LABEL, TELL_LABELS, TOPIC_LABELS
from portal.public.preferences import WORDING_OWN_LABEL as OWN_LABEL

FIELDS = {"name": _l("Name"), "phone": _l("Phone number"), "email": _l("Email"),
          "safe_address": _l("Safe address"), "new_number": _l("New phone number"), "code_word": _l("Code word")}
STATUS = {"invited": _l("Not answered yet"), "active": _l("You said yes to contact"),
          "declined": _l("You said no to contact"), "withdrawn": _l("Contact has stopped"), "closed": _l("Closed"),
          "erased": _l("Closed")}
CONSENT_ACTION = {"given": _l("Yes"), "declined": _l("No"), "withdrawn": _l("Stopped")}
CONSENT_CHANNEL = {"web": _l("on this site"), "sms": _l("by text"), "worker": _l("told to your worker"),
                   "system": _l("by the service")}
CONSENT_SCOPE = {"contact": _l("Contact"), "sms": _l("Text messages")}
SHARING_ACTION = {"agreed": _l("You agreed"), "withdrawn": _l("You took back your agreement"),
                  "without_consent": _l("Shared without your agreement")}
AGENCY = {"childrens_services": _l("Children’s services"), "police": _l("Police"), "health": _l("Health services"),
          "education": _l("A school or nursery"), "housing": _l("Housing"),
          "risk_conference": _l("A meeting of services about safety"), "probation": _l("Probation"),
          "other": _l("Another service")}
INFORMATION = {"risk": _l("What may put you at risk"), "children": _l("About your children"),
               "contact": _l("How to contact you"), "case": _l("Your record here")}
BASIS = {"consent": _l("Your agreement"), "child_protection": _l("To protect a child"),
         "risk_to_life": _l("To prevent serious harm"), "crime_prevention": _l("To prevent a serious crime"),
         "court_order": _l("A court order or the law")}
HOW = {"in_person": _l("In person"), "phone": _l("By phone"), "in_writing": _l("In writing"),
       "other": _l("Another way")}
MESSAGE_KIND = {"invite": _l("A link to this site"), "warning": _l("A message you asked for"),
                "confirmation": _l("A confirmation"), "help": _l("An answer to a text from you")}
MESSAGE_STATE = {"pending": _l("Waiting to be sent"), "sending": _l("Being sent"), "sent": _l("Sent"),
                 "delivered": _l("Delivered"), "failed": _l("Not delivered"), "unknown": _l("Not known"),
                 "cancelled": _l("Cancelled"), "handed_over": _l("Passed to your worker instead")}
TASK_REASON = {
    "programme_news": _l("News from the programme, for your worker"),
    "contact_stopped": _l("You stopped contact"), "texts_stopped": _l("You stopped text messages"),
    "contact_declined": _l("You said no to contact"),
    "less_safe": _l("You told your worker you feel less safe"),
    "separating": _l("You told your worker you are planning to separate"),
    "message_failed": _l("A message could not reach you"), "pin_locked": _l("Too many wrong PINs"),
    "text_from_you": _l("A text from your phone"), "checkin_call": _l("A check-in call from your worker"),
    "safe_times_needed": _l("Safe times were needed"), "checkin_concern": _l("One of your check-ins"),
    "checkin_missed": _l("An agreed check-in day passed without a check-in"),
    "plan_second_passphrase": _l("Your plan was opened with your second passphrase"),
    "other": _l("Something else"),
}
CONTACT_METHOD = {"call": _l("Phone call"), "sms": _l("Text message"), "in_person": _l("In person"),
                  "other": _l("Another way")}
CONTACT_OUTCOME = {"talked": _l("You talked"), "no_answer": _l("No answer"), "not_safe_now": _l("Not a safe time"),
                   "voicemail_left": _l("A voicemail was left"),
                   "someone_else_answered": _l("Someone else answered"), "other": _l("Something else")}
SAFE_TO_TALK = {"yes": _l("Yes"), "no": _l("No"), "unknown": _l("Not known")}
TOPIC = {"contact_voluntary": _l("That contact is your choice"),
         "programme_limits": _l("What the programme can and cannot do"),
         "manipulation": _l("How the course can be used against you"),
         "what_is_shared": _l("What is shared, and with whom"),
         "confidentiality_limits": _l("When your worker may have to share"),
         "support_and_helplines": _l("Help and useful numbers"), "safety_planning": _l("Making a plan")}
ANSWER = {"yes": _l("Yes"), "no": _l("No"), "not_known": _l("Not known")}
LEVEL = {"standard": _l("Standard"), "medium": _l("Medium"), "high": _l("High")}
OUTCOME = {"awaiting": _l("No answer yet"), "assessment": _l("They are looking into it"),
           "plan": _l("A plan is in place"), "advice_only": _l("Advice only"),
           "no_further_action": _l("No further action"), "other": _l("Something else")}
CONFERENCE_STATUS = {"awaiting_approval": _l("Waiting for a second person in the service to agree"),
                     "referred": _l("Referred"), "revoked": _l("Withdrawn")}
WORDING = {"neutral_1": _l("The first plain text"), "neutral_2": _l("The second plain text"),
           "neutral_3": _l("The third plain text"), "own": OWN_LABEL}


def words() -> dict[str, object]:
    """Every table of words, for the copy's template."""
    return {"fields": FIELDS, "status": STATUS, "consent_action": CONSENT_ACTION, "consent_channel": CONSENT_CHANNEL,
            "consent_scope": CONSENT_SCOPE, "sharing_action": SHARING_ACTION, "agency": AGENCY,
            "information": INFORMATION, "basis": BASIS, "how": HOW, "message_kind": MESSAGE_KIND,
            "message_state": MESSAGE_STATE, "task_reason": TASK_REASON, "contact_method": CONTACT_METHOD,
            "contact_outcome": CONTACT_OUTCOME, "safe_to_talk": SAFE_TO_TALK, "topic": TOPIC, "answer": ANSWER,
            "level": LEVEL, "outcome": OUTCOME, "conference_status": CONFERENCE_STATUS, "wording": WORDING, "feeling": FEELING_LABELS,
            "channel": CHANNEL_LABELS, "tell": TELL_LABELS, "news": TOPIC_LABELS, "day": DAY_NAMES,
            "number": NUMBER_LABEL}


def her_time(timezone: str) -> object:
    """For the copy's template: a moment on her clock, in the page's language, isolated for right-to-left."""
    try:
        zone = ZoneInfo(timezone)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")

    def shown(value: datetime | None) -> Markup:
        if value is None:
            return Markup("")
        text = format_datetime(value.astimezone(zone), format="medium", locale=str(get_locale()))
        return Markup("<bdi>{}</bdi>").format(text)

    return shown


def clock(minute: int) -> Markup:
    """A safe time's minute of the day as hh:mm (left to right)."""
    return Markup('<bdi dir="ltr">{:02d}:{:02d}</bdi>').format(minute // 60, minute % 60)
