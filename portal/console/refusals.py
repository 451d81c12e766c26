"""The staff console's one map from a refusal's code to the words staff read (Babel, lazily translated).

Services raise portal.domain_error.DomainError subclasses (or return FieldError codes); views look the
code up here and nowhere else. Her case and contact log codes are labels.ERRORS; codes repeat across families
with different words ("too_long"), so each family keeps its own table.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.console import labels

# Programme events and participants (services/events.EventError), in a facilitator's words.
EVENT_ERRORS = {
    "invalid_reference": _l("A reference is 1 to 64 letters, digits or . _ / - and starts with a letter or digit."),
    "duplicate_reference": _l("That reference is registered in this programme already."),
    "invalid_kind": _l("Choose what happened."),
    "risk_to_required": _l("Say who is at risk: partner, children or both."),
    "imminence_required": _l("Say how soon the risk could become harm."),
    "risk_fields_only_for_risk": _l("Who is at risk and how soon belong to a risk concern only."),
    "invalid_factor": _l("Tick only the risk factors listed, each once."),
    "factors_only_for_risk": _l("Risk factors belong to a risk concern only. Choose “Risk concern”, or untick them."),
    "description_too_long": _l("The description is limited to 4000 characters."),
    "occurred_at_in_future": _l("The date cannot be in the future."),
    "invalid_occurred_at": _l("Enter the date as YYYY-MM-DD."),
    "unknown_participant": _l("This participant is not registered in this programme."),
    "idempotency_key_reused": _l("This form was already sent with other answers. Please start again."),
    "invalid_idempotency_key": _l("Please start again from the participant page."),
}

# His programme dates (services/programme/participant_dates.DatesError), in a facilitator's words.
DATES_ERRORS = {
    "date_invalid": _l("Enter the date as YYYY-MM-DD, or leave it empty if it is not known."),
    "date_out_of_range": _l("Enter a date within ten years before and five years after today."),
    "end_before_start": _l("The expected end cannot be before the start."),
}

# Her evaluation questions on her case and asked by phone (services/evaluation/by_phone.py, answers.py).
EVALUATION_ERRORS = {
    "choice": _l("Choose what she told you: yes or no."),
    "evaluation.not_agreed": _l("She has not said yes to evaluation questions, or she said no since: do not ask "
                                "her. Nothing was recorded."),
    "evaluation.no_contact": _l("Contact with her has stopped or her case is closed: do not contact her about "
                                "evaluation questions. Nothing was recorded."),
    "evaluation.offer_closed": _l("This stage is no longer open: it was answered, skipped or cancelled. Nothing "
                                  "was recorded."),
    "evaluation.answer_unknown": _l("Choose one of the answers shown for each question, or leave it unanswered."),
}

# Her risk assessment (services/casework/risk_assessment.AssessmentRefused problems), in her worker's words.
RISK_ERRORS = {
    "answer_required": _l("Choose yes, no or not known."),
    "answer_invalid": _l("Choose yes, no or not known."),
    "text_too_long": _l("This is limited to 4000 characters."),
    "text_invalid": _l("This contains characters that cannot be used."),
    "judgement_invalid": _l("Choose one of the options."),
    "judgement_lowers": _l("Professional judgement can only raise the level. The answers already give a higher "
                           "level: choose “Keep the level the answers give” or a level at or above it."),
    "judgement_reason_required": _l("Say why you are raising the level."),
    "incident_date_invalid": _l("Enter the date as YYYY-MM-DD."),
    "incident_date_future": _l("An incident date cannot be in the future."),
    "incident_dates_too_many": _l("Enter at most 20 dates. Count the others as incidents she cannot date."),
    "incidents_invalid": _l("Enter a whole number from 0 to 999, or leave it empty for none."),
    "checklist_changed": _l("The checklist changed since this form was opened. Please check the answers below "
                            "and send them again."),
}

# What the shared preferences rules (services/preferences) say, in her worker's words.
PREFERENCE_ERRORS = {
    "channels_choose": _l("Choose at least one way to contact her."),
    "channels_exclusive": _l("“Only through her worker” cannot be combined with texts or calls."),
    "tell_choice": _l("Choose one of the options."),
    "tell_needs_sms": _l("To tell her by text message, text messages must be safe for her."),
    "code_word_length": _l("The code word is limited to 40 letters or numbers."),
    "windows_needed": _l("Add at least one safe time before texts or calls (nothing is sent without one)."),
    "timezone_unknown": _l("Choose a time zone from the list."),
    "locale_unknown": _l("Choose a language from the list."),
    "check_after_stop_needs_call": _l("To check once by phone call after a texted STOP, phone calls must be safe for her."),
    "window_days": _l("Tick at least one day for each time range."),
    "window_time": _l("Enter the times as hours and minutes, like 09:30."),
    "window_order": _l("The start must be before the end (00:00 as the end means midnight)."),
    "windows_too_many": _l("She can have at most 6 different time ranges. Remove one first."),
}

# Her children, child-protection referrals, her sharing ledger and never-disclose details
# (services/casework/children.ChildError, sharing_consent.SharingError, never_disclose.NeverDiscloseError).
CHILD_ERRORS = {
    "child_name_required": _l("Enter the child's first name or initials."),
    "child_name_too_long": _l("A first name or initials can be up to 60 characters."),
    "child_name_invalid": _l("The first name contains characters that cannot be used."),
    "child_age_invalid": _l("Enter the age as a whole number of years, from 0 to 30."),
    "child_year_invalid": _l("Enter the year of birth as four digits, such as 2019."),
    "child_age_year_mismatch": _l("The age and the year of birth do not match. Enter one of them, or correct one."),
    "child_school_too_long": _l("The school can be up to 200 characters."),
    "child_school_invalid": _l("The school contains characters that cannot be used."),
    "child_details_too_long": _l("Other details can be up to 2000 characters."),
    "child_details_invalid": _l("Other details contain characters that cannot be used."),
    "child_unknown": _l("That child is not recorded on her case."),
    "child_in_referral": _l("A child-protection referral names this child, so the record stays with the referral."),
    "referral_children_required": _l("Tick the children the referral is about."),
    "referral_child_unknown": _l("Tick only children recorded on her case."),
    "referral_in_future": _l("The referral date cannot be in the future."),
    "referral_unknown": _l("That referral is not recorded on her case."),
    "outcome_invalid": _l("Choose an outcome."),
    "outcome_notes_too_long": _l("Notes are limited to 4000 characters."),
    "outcome_notes_invalid": _l("The notes contain characters that cannot be used."),
    "agency_invalid": _l("Choose an agency from the list."),
    "agency_name_invalid": _l("The agency's name can be up to 200 characters, on one line."),
    "agency_name_required": _l("Enter the agency's name."),
    "information_required": _l("Tick what is shared."),
    "information_unknown": _l("Tick only the listed kinds of information."),
    "sharing_in_future": _l("The date cannot be in the future."),
    "how_invalid": _l("Say how she told you."),
    "nothing_to_withdraw": _l("She has no agreement to sharing with that agency to withdraw."),
    "basis_needed": _l("She has not agreed to share this with this agency. Choose the legal basis for sharing "
                       "without her agreement, and write why."),
    "consent_not_recorded": _l("Her agreement to share this with this agency is not recorded. Record it on her "
                               "sharing page first, or choose the legal basis for sharing without it and write why."),
    "basis_invalid": _l("Choose a legal basis from the list."),
    "reason_required": _l("Write why you share without her agreement (at least a short sentence)."),
    "reason_too_long": _l("The reason is limited to 4000 characters."),
    "reason_invalid": _l("The reason contains characters that cannot be used."),
    "field_unknown": _l("That field cannot be shown here."),
    "address_too_long": _l("The address can be up to 500 characters."),
    "address_invalid": _l("The address contains characters that cannot be used."),
    "new_number_invalid": _l("Enter the new number with the country code if it is not local, for example "
                            "+44 7700 900123."),
    # His programme in her sharing ledger (services/casework/sharing_consent.py).
    "programme_no_name": _l("Leave the name empty for his programme: it is always the programme of the man "
                            "linked to her case."),
    "programme_information": _l("Only information about the risk, and about her children, can go to his programme: "
                                "never her contact details or her case history."),
    "programme_not_told": _l("Tell her first that a note shows his programme that she is in contact with us, "
                             "then tick the box."),
    "programme_needs_agreement": _l("Nothing goes to his programme without her agreement: there is no legal basis "
                                    "to choose here."),
}

# Her risk note to his programme (services/casework/risk_note.RiskNoteError, note_check's codes).
RISK_NOTE_ERRORS = {
    "note_required": _l("Write the note."),
    "note_too_long": _l("A note is limited to 1000 characters."),
    "note_invalid": _l("The note contains characters that cannot be used."),
    "case_erased": _l("Her data is erased: nothing can be sent from this case."),
    "participant_invalid": _l("Choose a man linked to her case from the list."),
    "told_required": _l("Tick the box once she has agreed to this note, knowing it shows his programme that she "
                        "is in contact with us."),
    "agreement_needed": _l("Her agreement to a risk note going to his programme is not recorded, or she withdrew "
                           "it. Nothing was sent."),
    "digit_like": _l("The note contains characters that look like digits. Write numbers with ordinary digits, "
                     "or leave them out. Nothing was sent."),
    "her_phone": _l("The note contains her phone number, or part of it. Remove it: nothing was sent."),
    "her_email": _l("The note contains her email address, or part of it. Remove it: nothing was sent."),
    "her_name": _l("The note contains her name, or a word of it. Remove it: the facilitators must not learn who "
                   "she is. Nothing was sent."),
    "her_code_word": _l("The note contains her code word. Remove it: nothing was sent."),
    "email_address": _l("The note contains an email address. A note to his programme needs none: remove it. "
                        "Nothing was sent."),
    "phone_number": _l("The note contains a phone number. A note to his programme needs none: remove it. "
                       "Nothing was sent."),
    "note_unknown": _l("That note is not one sent from her case."),
    "note_already_withdrawn": _l("That note is withdrawn already."),
}


def risk_note_problem(code: str, field: str | None = None) -> object:
    if code == "never_disclose":
        what = labels.CASE_FIELD.get(field or "", _l("a never-disclose detail"))
        return _("The note contains a never-disclose detail (%(what)s). Remove it: nothing was sent.", what=what)
    return RISK_NOTE_ERRORS.get(code) or _l("That did not work. Please check and try again.")

# Admin pages (services/admin_users.AdminError and the settings form's codes).
# Her risk-conference referral (services/casework/risk_conference.ConferenceError).
CONFERENCE_ERRORS = {
    "assessment_unknown": _l("Choose one of her risk assessments."),
    "conference_name_required": _l("Enter the name of the risk conference, for example the local Marac."),
    "conference_name_invalid": _l("The conference's name can be up to 200 characters, on one line."),
    "referral_in_future": _l("The referral date cannot be in the future."),
    "referral_before_assessment": _l("The referral date cannot be before the assessment it is built from."),
    "knows_required": _l("Say whether she knows of the referral."),
    "consents_required": _l("Say whether she agrees to the referral."),
    "consent_without_knowing": _l("She cannot agree to a referral she does not know of. Correct one of the "
                                  "answers."),
    "how_required": _l("Say how she told you that she agrees."),
    "basis_required": _l("Without her agreement, choose the legal basis for the referral."),
    "basis_invalid": _l("Choose a legal basis from the list."),
    "reason_required": _l("Write why you refer without her agreement (at least a short sentence)."),
    "reason_too_long": _l("The reason is limited to 4000 characters."),
    "reason_invalid": _l("The reason contains characters that cannot be used."),
    "referral_unknown": _l("That referral is not recorded on her case."),
    "not_an_approver": _l("Only an admin or a designated manager can give the second approval."),
    "own_referral": _l("You made this referral: another person must give the second approval."),
    "already_decided": _l("This referral no longer waits for approval: someone else approved or revoked it."),
    "already_revoked": _l("This referral is revoked already."),
    "not_allowed": _l("Only the person who made the referral, her worker or an approver can revoke it."),
}


def conference_problem(code: str) -> object:
    return CONFERENCE_ERRORS.get(code) or _l("That did not work. Please check and try again.")


ADMIN_ERRORS = {
    "email": _l("Enter a work email address, like name@example.org."),
    "email_taken": _l("An account with that email address exists already."),
    "display_name": _l("Enter a name of up to 200 characters."),
    "role": _l("Choose a role."),
    "service": _l("Choose a support service."),
    "self": _l("You cannot do that to your own account. Ask another administrator."),
    "manager_role": _l("Only a support worker of a support service can be a designated manager."),
    "name": _l("Enter a name of up to 200 characters."),
    "member_role": _l("Only active support workers and facilitators can join a programme."),
    "member_service": _l("A support worker can only join programmes of their own support service."),
    "member_exists": _l("That person is in this programme already. Nobody can hold two roles in one programme."),
    "required": _l("This cannot be empty."),
    "too_long": _l("This is too long."),
    "invalid": _l("This contains characters that cannot be used."),
    "number": _l("Enter a whole number."),
    "range": _l("This number is outside the allowed range."),
    "https_url": _l("Enter a full web address starting with https://."),
    "phone": _l("Enter a phone number using digits, spaces and an optional + at the start."),
    "due_order": _l("Due times must not get shorter for less urgent tasks."),
    "locale": _l("Choose a language."),
    "label": _l("Enter a label of up to 100 characters."),
    "programme_inactive": _l("That programme is not active."),
    "anchor": _l("Choose which of his dates the stage counts from."),
    "stages": _l("Send the form again from the page: every stage must be in it once."),
    "blames": _l("This could make her feel responsible for him, or promise more than a course can. Please "
                 "reword it."),
    "names": _l("This would show in her page titles, so it must not name the service, his course or what "
                "happened. Choose a neutral name, like “Appointments”."),
}


def preference_error(code: str) -> object:
    return PREFERENCE_ERRORS.get(code) or labels.ERRORS[code]


def child_problem(code: str) -> object:
    return CHILD_ERRORS.get(code) or labels.ERRORS.get(code) or _l("That did not work. Please check and try again.")


def admin_problem(code: str) -> str:
    return str(ADMIN_ERRORS.get(code) or _("That did not work. Please check and try again."))
