"""Words staff see for the codes stored in the database (translatable; the codes never change)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

STATUS = {
    "invited": _l("Recorded, not yet confirmed by her"), "active": _l("Contact agreed"),
    "declined": _l("Declined contact"), "withdrawn": _l("Withdrew from contact"), "closed": _l("Case closed"),
    "erased": _l("Erased"),
}
SEVERITY = {"immediate": _l("Immediate"), "urgent": _l("Urgent"), "soon": _l("Soon"), "routine": _l("Routine")}
EVENT_KIND = {
    "dropout": _l("Dropped out"), "suspended": _l("Suspended or excluded"), "completed": _l("Completed"),
    "programme_ended": _l("Programme ended"), "attendance_concern": _l("Attendance concern"),
    "risk": _l("Risk concern"),
}
TASK_KIND = {f"event_{kind}": label for kind, label in EVENT_KIND.items()}
TASK_KIND.update({
    "consent_withdrawn_contact": _l("She stopped contact"), "consent_withdrawn_sms": _l("She stopped text messages"),
    "consent_declined_web": _l("She declined contact on the site"),
    "her_less_safe": _l("She said she feels less safe"), "her_separation": _l("She said she is separating"),
    "message_not_delivered": _l("A warning could not be delivered: call her"),
    "message_not_sent": _l("A message could not be sent"),
    "pin_locked": _l("Too many wrong PIN attempts on her link"),
    "sms_help": _l("She asked for help by text"), "sms_free_text": _l("She sent a text message"),
    "sms_stop_like": _l("She may have meant to stop texts"), "sms_opt_in": _l("She restarted text messages"),
    "escalation": _l("Escalated: a task was not acknowledged in time"),
    "high_risk_checkin": _l("Check in with her (high-risk period)"),
    "safe_times_needed": _l("Set her safe times: nothing is texted to her until they are set"),
    "plan_duress": _l("She may be under pressure: do not call unless she contacts you"),
    "her_checkin_concern": _l("Her check-in says she feels less safe"),
    "agreed_checkin_missed": _l("She missed an agreed check-in"),
    "evaluation_by_phone": _l("Ask her the evaluation questions by phone, if she wants to answer"),
})
IMMINENCE = {"low": _l("Low"), "medium": _l("Medium"), "high": _l("High"), "imminent": _l("Imminent")}
# A facilitator's risk factors (models.RiskFactor): short words for lists and her worker's task, and the
# fuller words of the facilitator's form.
RISK_FACTOR = {"suicidal_ideation": _l("His suicidal thoughts"), "threats_to_kill": _l("Threats to kill"),
               "weapons": _l("Weapons (access or use)"), "stalking": _l("Stalking or harassment"),
               "separation": _l("He knows she is separating or has separated")}
RISK_FACTOR_REPORT = {
    "suicidal_ideation": _l("He has spoken of suicide or shows suicidal thoughts"),
    "threats_to_kill": _l("He has threatened to kill someone"),
    "weapons": _l("He has access to weapons, or has used or threatened someone with one"),
    "stalking": _l("He follows, watches or harasses his partner or ex-partner (stalking)"),
    "separation": _l("He knows his partner is separating from him, or has separated"),
}
# Her risk assessment (models.RiskLevel, RiskAnswer).
RISK_LEVEL = {"standard": _l("Standard risk"), "medium": _l("Medium risk"), "high": _l("High risk")}
RISK_ANSWER = {"yes": _l("Yes"), "no": _l("No"), "not_known": _l("Not known")}
TELL = {"none": _l("Do not tell her"), "message": _l("Text message"), "call": _l("Phone call"),
        "both": _l("Text message and phone call")}
TELL_FIELDS = {"tell_dropout": _l("If he drops out"), "tell_suspended": _l("If he is suspended or excluded"),
               "tell_completed": _l("If he completes or the programme ends"),
               "tell_risk": _l("If the facilitators see a risk")}
NEWS_KIND = {kind.removeprefix("tell_"): label for kind, label in TELL_FIELDS.items()}
WORDING = {"neutral_1": _l("Neutral text 1"), "neutral_2": _l("Neutral text 2"), "neutral_3": _l("Neutral text 3"),
           "own": _l("Her own words")}
FLAGS = {
    "channel_sms": _l("Text messages are safe"), "channel_call": _l("Phone calls are safe"),
    "channel_worker_only": _l("Only through her worker"), "voicemail_ok": _l("Voicemail is safe"),
    "shared_phone": _l("Someone else may use her phone"),
    "serious_risk_any_time": _l("Serious risk warnings at any time, even outside her safe times"),
    "check_after_stop": _l("If STOP is texted from her phone, her worker may check once by phone call that it was her"),
}
MESSAGE_STATE = {
    "pending": _l("Waiting for her safe time"), "sending": _l("Sending"), "sent": _l("Sent"),
    "delivered": _l("Delivered"), "failed": _l("Not delivered"), "unknown": _l("Being checked"),
    "cancelled": _l("Cancelled"), "handed_over": _l("Passed to her worker to call"),
}
MESSAGE_KIND = {"invite": _l("Link to the site"), "warning": _l("Warning"), "confirmation": _l("Confirmation"),
                "help": _l("Help reply"), "evaluation": _l("Link to the evaluation questions")}
CONSENT_ACTION = {"given": _l("Agreed"), "declined": _l("Declined"), "withdrawn": _l("Withdrew")}
CONSENT_CHANNEL = {"web": _l("On the site"), "sms": _l("By text message"), "worker": _l("Told her worker"),
                   "system": _l("By the portal (erasure)")}
CONSENT_SCOPE = {"contact": _l("Contact"), "sms": _l("Text messages"), "evaluation": _l("Evaluation questions")}
# Her optional evaluation (services/evaluation/): the stages, what a stage counts from, an offer's state.
EVALUATION_STAGE = {"intake": _l("Start of his programme"), "middle": _l("Middle of his programme"),
                    "end": _l("End of his programme"), "after_6": _l("Six months after"),
                    "after_12": _l("Twelve months after")}
STAGE_ANCHOR = {"start": _l("His start date"), "middle": _l("Halfway through"), "end": _l("His end date")}
OFFER_STATE = {"pending": _l("Not offered yet"), "offered": _l("Offered"), "answered": _l("Answered"),
               "skipped": _l("Skipped"), "cancelled": _l("Cancelled"), "expired": _l("No answer")}
RECORDED_BY = {"her": _l("By her, on the site"), "worker_phone": _l("By her worker, on the phone")}
METHOD = {"call": _l("Phone call"), "sms": _l("Text message"), "in_person": _l("In person"), "other": _l("Other")}
SAFE_TO_TALK = {"yes": _l("Yes, she said it was safe"), "no": _l("No, not safe now"),
                "unknown": _l("Could not check")}
OUTCOME = {"talked": _l("We talked"), "no_answer": _l("No answer"), "not_safe_now": _l("Not safe to talk now"),
           "voicemail_left": _l("Voicemail left"), "someone_else_answered": _l("Someone else answered"),
           "other": _l("Other")}
INFORMATION = {
    "contact_voluntary": _l("Contact is her choice, and how to stop it"),
    "programme_limits": _l("What the programme is and its limits"),
    "manipulation": _l("How attendance can be used against her"),
    "what_is_shared": _l("What is shared, and with whom"),
    "confidentiality_limits": _l("Limits of confidentiality (children, danger to life)"),
    "support_and_helplines": _l("Support services and helplines"),
    "safety_planning": _l("Safety planning"),
}
PARTICIPANT_STATUS = {"active": _l("On the programme"), "dropped_out": _l("Dropped out"),
                      "suspended": _l("Suspended or excluded"), "completed": _l("Completed"),
                      "ended": _l("Programme ended")}
CLOSURE = {"her_request": _l("She asked to close"), "no_contact_possible": _l("No safe way to reach her"),
           "no_longer_needed": _l("Contact no longer needed"), "moved_away": _l("She moved away"),
           "other": _l("Other")}
# Her children, child-protection referrals and her information-sharing ledger (services/casework/children.py,
# sharing_consent.py).
AGENCY = {"childrens_services": _l("Children's social care (child protection)"), "police": _l("Police"),
          "health": _l("Health (GP, health visitor, hospital)"), "education": _l("School or nursery"),
          "housing": _l("Housing"), "risk_conference": _l("Multi-agency risk conference (Marac)"),
          "probation": _l("Probation"), "programme": _l("His programme (the staff of his course)"),
          "other": _l("Another agency")}
SHARING_ACTION = {"agreed": _l("She agreed"), "withdrawn": _l("She withdrew her agreement"),
                  "without_consent": _l("Shared without her agreement")}
SHARING_BASIS = {"consent": _l("Her agreement"),
                 "child_protection": _l("Without her agreement: to protect a child from significant harm"),
                 "risk_to_life": _l("Without her agreement: to prevent serious harm or a risk to life"),
                 "crime_prevention": _l("Without her agreement: to prevent or detect a serious crime"),
                 "court_order": _l("Without her agreement: a court order or another legal duty")}
# The legal bases where the sentence already says "without her agreement".
LEGAL_BASIS = {"child_protection": _l("to protect a child from significant harm"),
               "risk_to_life": _l("to prevent serious harm or a risk to life"),
               "crime_prevention": _l("to prevent or detect a serious crime"),
               "court_order": _l("a court order or another legal duty")}
SHARING_HOW = {"in_person": _l("In person"), "phone": _l("On the phone"), "in_writing": _l("In writing"),
               "other": _l("Another way")}
SHARING_INFORMATION = {"risk": _l("Information about the risk to her and the children"),
                       "children": _l("Information about her children"),
                       "contact": _l("Her contact details"), "case": _l("Her case history and notes")}
REFERRAL_OUTCOME = {"awaiting": _l("Waiting for an answer"),
                    "assessment": _l("Accepted: an assessment or enquiry is under way"),
                    "plan": _l("A child-protection or child-in-need plan is in place"),
                    "advice_only": _l("Advice given, no further involvement"),
                    "no_further_action": _l("No further action"), "other": _l("Other")}
CONFERENCE_STATUS = {"awaiting_approval": _l("Waiting for a second approver"), "referred": _l("Referred"),
                     "revoked": _l("Revoked")}
# Her case's fields by name (what never-disclose settings and the audit log name).
CASE_FIELD = {"name": _l("Her name"), "phone": _l("Her mobile number"), "email": _l("Her email address"),
              "code_word": _l("Her code word"), "safe_address": _l("Her safe address"),
              "new_number": _l("Her new number"), "school": _l("School or nursery"),
              "details": _l("Other details"), "child_school": _l("A child's school or nursery"),
              "child_details": _l("A child's other details")}
URGENCY = {"immediate": _l("Immediate"), "overdue": _l("Overdue"), "on_time": _l("On time")}
# Why a message to her was not sent or delivered (Notification.error_code and the task it became). Exact codes
# first (services/messaging/sms_permission.why_not and the dispatcher's hand-overs), then code families
# ("unsafe_<rule>", "gave_up_<code>", ...), then the provider's numeric error codes.
MESSAGE_REASON = {
    "closed": _l("Her case is closed or erased."), "no_phone": _l("No mobile number is recorded."),
    "opted_out": _l("She stopped text messages."), "number_unusable": _l("Her number cannot receive texts."),
    "no_consent": _l("She has not agreed to contact (or stopped it)."),
    "no_sms_channel": _l("She did not choose text messages."),
    "stale": _l("It could not reach her in time."), "unreadable": _l("The message could not be prepared."),
    "bad_timezone": _l("Her time zone is not valid: check it on her case."),
    "no_window": _l("She has no safe times yet, so nothing is texted to her."),
    "stale_before_window": _l("Her next safe time comes too late for this message."),
    "ambiguous": _l("The provider's records do not show whether it was sent."),
    "no_answer": _l("The provider did not answer: being checked."),
    "not_found": _l("The provider never received it: it will be sent again."),
    "held": _l("Texts to her are held: her plan was opened with her second passphrase."),
}
MESSAGE_REASON_FAMILY = {
    "unsafe_": _l("It failed the discretion check, so it was not sent."),
    "gave_up_": _l("Sending failed too many times."),
    "unusable_": _l("Her number cannot receive texts."),
    "call_instead_": _l("It was not delivered to her phone."),
    "rejected_": _l("The text provider refused it."),
}


def message_reason(code: str | None) -> str:
    """Words for why a message did not go (never the raw code); empty for no code."""
    if not code:
        return ""
    if code in MESSAGE_REASON:
        return str(MESSAGE_REASON[code])
    for prefix, words in MESSAGE_REASON_FAMILY.items():
        if code.startswith(prefix):
            return str(words)
    if code.isdigit():
        return _("The text provider reported error %(code)s.", code=code)
    return _("Another reason.")


def language(code: str | None) -> str:
    """Her language by its own name (English, Deutsch, العربية), never the code."""
    from portal.i18n import LOCALES

    info = LOCALES.get(code or "")
    return info.native_name if info else _("Not set")


# How safe she feels, her answer on her check-in's five-step scale (models/checkins.Feeling), in staff words.
FEELING = {"not_at_all": _l("Not safe at all"), "not_very": _l("Not very safe"),
           "in_between": _l("Somewhere in between"), "mostly": _l("Mostly safe"), "safe": _l("Safe")}

# Why her worker starts, extends or ends her high-risk period (services/casework/high_risk.py START/END_REASONS).
HIGH_RISK_START_REASON = {
    "risk_assessment": _l("A risk assessment"),
    "she_told_me_separating": _l("She told me she is separating or has separated"),
    "facilitator_report": _l("A facilitator's report"),
    "other": _l("Another reason (write it in her contact log)"),
}
HIGH_RISK_END_REASON = {
    "risk_lowered": _l("A new assessment found the risk lower"),
    "started_in_error": _l("It was started by mistake"),
    "she_asked": _l("She asked for fewer check-ins"),
    "other": _l("Another reason (write it in her contact log)"),
}

WEEKDAYS = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"),
            _l("Sunday"))

ERRORS = {
    "name_required": _l("Enter her name."),
    "phone_invalid": _l("Enter a phone number we can reach her on, with the country code if it is not local."),
    "email_invalid": _l("That email address does not look right."),
    "locale_invalid": _l("Choose a language from the list."),
    "timezone_invalid": _l("Choose a time zone from the list."),
    "consent_required": _l("Contact needs her consent: confirm that she agreed on the phone."),
    "consent_in_future": _l("The date she agreed cannot be in the future."),
    "date_invalid": _l("Enter the date as YYYY-MM-DD."),
    "phone_exists": _l("Someone with this number is already recorded in your service."),
    "no_service": _l("Your account belongs to no support service. Ask an admin."),
    "not_open": _l("This is not possible while contact is stopped or the case is closed."),
    "no_sms": _l("She cannot receive text messages from us (no number, stopped or undeliverable)."),
    "no_safe_times": _l("She has no safe times yet, so nothing can be texted to her, not even her link. "
                        "Set them with her first, on her preferences page."),
    "tell_invalid": _l("Choose one of the options."),
    "code_word_too_long": _l("The code word is limited to 60 characters."),
    "weekday_invalid": _l("Choose a day."),
    "window_invalid": _l("The start must be before the end (times as HH:MM)."),
    "programme_unknown": _l("Choose a programme of your service."),
    "participant_unknown": _l("No participant with that reference in that programme."),
    "already_linked": _l("She is already linked to that participant."),
    "reason_invalid": _l("Choose a reason."),
    "already_closed": _l("The case is already closed."),
    "not_closed": _l("The case is not closed."),
    "method_invalid": _l("Choose how you made contact."),
    "safe_invalid": _l("Say whether it was safe to talk."),
    "outcome_invalid": _l("Choose an outcome."),
    "in_future": _l("The time cannot be in the future."),
    "information_invalid": _l("Choose from the listed topics."),
    "information_needs_safe_talk": _l("Information can only be recorded for a conversation she said was safe."),
    "talked_needs_reached": _l("'We talked' needs 'reached her'."),
    "too_long": _l("Notes are limited to 4000 characters."),
    "confirm_required": _l("Type ERASE to confirm."),
    "checkin_every_invalid": _l("Enter a whole number of days from 1 to 28."),
    "high_risk_months_invalid": _l("Enter a whole number of months from 1 to 24."),
    "high_risk_reason_required": _l("Choose a reason from the list."),
    "high_risk_already": _l("She is already in a high-risk period: extend it instead."),
    "high_risk_none": _l("She is not in a high-risk period now."),
    "high_risk_too_long": _l("A period can reach at most 24 months from today."),
    "high_risk_confirm_end": _l("Tick the box to confirm that the period ends now."),
    "agreed_days_invalid": _l("Choose days from the list."),
    "agreed_days_none": _l("Tick at least one day, or stop the agreed days."),
    "agreed_days_contact_off": _l("Agreed check-in days need her yes to contact: not while contact is stopped, "
                                  "not yet agreed, or the case is closed."),
    "agreed_days_not_offered": _l("Only you can agree check-in days outside her high-risk period."),
    "link_shared_phone": _l("She said someone else checks her phone, so no link is texted to her. If she asks "
                            "for one now, untick “Someone else may use her phone” with her first."),
    "wording_choice": _l("Choose one of the wordings."),
    "own_words_empty": _l("Write her own words, or choose one of the neutral texts."),
    "own_words_characters": _l("Her own words can only hold letters, numbers, spaces and punctuation."),
    "own_words_too_long": _l("Her own words do not fit in one text message. Up to 160 letters fit (70 with "
                             "letters outside the basic Latin alphabet, such as Arabic, or emoji), 17 fewer "
                             "with your number (19 in right-to-left text)."),
    "own_words_link": _l("Her own words cannot hold a link or a web address."),
    "own_words_name": _l("Her own words cannot hold her name or the service’s name."),
    "own_words_telling": _l("Her own words hold a word that could give her away (about him, the programme, "
                            "violence or safety). Choose other words."),
    "phone_invalid_staff": _l("Enter your number with the country code, for example +44 7700 900123."),
}

# Her safety plan's shared copy, in her worker's words (codes: services/her/safety_plan.py).
PLAN_PRIORITY = {
    "safety": _l("Her safety"), "children": _l("The children"), "privacy": _l("Her privacy"),
    "money_housing": _l("Money and housing"), "feelings": _l("Her feelings for him"),
    "staying_leaving": _l("Staying or leaving"),
}
PLAN_SECTION = {
    "people": _l("People she can contact"), "places": _l("Safe places"),
    "documents": _l("Documents and an emergency bag"), "children": _l("Children"),
    "emergency": _l("Getting out in an emergency"), "after_separation": _l("After separation"),
    "technology": _l("Technology and phone safety"), "support": _l("Support services"),
}
PLAN_FIELD = {
    "people.contacts": _l("Who she can contact"), "people.code_word": _l("Code word with them"),
    "people.signal": _l("Signal that she needs help"),
    "places.safe_places": _l("Where she can go"), "places.routes": _l("How she gets there"),
    "documents.papers": _l("Documents and papers"), "documents.bag": _l("What is in her emergency bag"),
    "documents.bag_kept": _l("Where the bag is kept"),
    "children.what_they_do": _l("What the children know to do"), "children.school": _l("School or nursery"),
    "children.who_collects": _l("Who may collect them"),
    "emergency.way_out": _l("Her way out"), "emergency.transport": _l("Transport"),
    "emergency.money": _l("Money"),
    "after_separation.home": _l("Her home"), "after_separation.routines": _l("Changing routines"),
    "after_separation.legal": _l("Legal protection"),
    "technology.phone": _l("Her phone"), "technology.accounts": _l("Accounts and passwords"),
    "technology.location": _l("Location sharing"),
    "support.services": _l("Support services"), "support.notes": _l("Notes"),
}

# What was asked in a session opened with her second passphrase (services/her/duress_requests.py).
DURESS_ASKED = {
    "stop_contact": _l("stop all contact"), "say_no": _l("say no to contact"), "say_yes": _l("say yes to contact"),
    "change_choices": _l("change her choices"), "set_pin": _l("set a new PIN for her links"),
    "remove_pin": _l("remove the PIN from her links"),
    "change_language": _l("change the language of her pages"),
    "sent_note": _l("send you a note (it reached you as usual, as its own task)"),
    "edit_plan": _l("change the harmless plan (only it was changed)"),
    "delete_plan": _l("delete her safety plan (it was deleted, as her page said)"),
    "new_plan": _l("make a new plan after that (it was made)"),
    "share_plan": _l("share the plan shown with you (the harmless plan's copy, marked)"),
    "withdraw_share": _l("withdraw the copy of the plan shown (only that copy)"), "check_in": _l("check in"),
}
DURESS_PARTS = {
    "channels": _l("how she may be contacted"), "safe_times": _l("her safe times"), "time_zone": _l("her time zone"),
    "voicemail": _l("voicemail"), "shared_phone": _l("whether someone else checks her phone"),
    "told": _l("what she is told, and how"), "wording": _l("the words of her texts"),
    "any_time": _l("contact outside her safe times about a serious risk"),
    "check_after_stop": _l("a check after a texted STOP"), "code_word": _l("her code word"),
    "language": _l("her language"), "less_safe": _l("she feels less safe"),
    "separating": _l("she is separating"),
    "checkin_days": _l("her check-in days"),
}
