"""Words an admin reads on the audit page for the codes the chain stores (actors, actions, records)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ACTOR = {"staff": _l("Staff"), "partner": _l("She herself (on her pages)"), "api": _l("A programme's system (API)"),
         "system": _l("The portal"), "sms": _l("Her text messages or the SMS gateway")}

OBJECT = {
    "partner_contact": _l("Case"), "staff_user": _l("Staff account"), "task": _l("Task"),
    "notification": _l("Message"), "access_token": _l("API token"), "participant": _l("Participant"),
    "programme": _l("Programme"), "programme_event": _l("Programme report"), "support_service": _l("Support service"),
    "helpline": _l("Helpline"), "deployment_setting": _l("Deployment settings"),
    "risk_assessment": _l("Risk assessment"),
    "evaluation_offer": _l("Evaluation stage"),
}

ACTION = {
    "api_token.create": _l("Created an API token"), "api_token.revoke": _l("Revoked an API token"),
    "audit.verify": _l("Verified the audit chain"),
    "high_risk.checkin_every": _l("Changed her check-in rhythm"),
    "high_risk.start": _l("Started her high-risk period"),
    "high_risk.extend": _l("Extended her high-risk period"),
    "high_risk.end": _l("Ended her high-risk period early"),
    "her_checkin.record": _l("She checked in on her pages"), "her_checkin.read": _l("Viewed her check-ins"),
    "agreed_checkin.set": _l("Agreed check-in days were set"),
    "agreed_checkin.stop": _l("Agreed check-in days were stopped"),
    "agreed_checkin.period_ended": _l("Agreed check-in days ended with her high-risk period"),
    "partner.language_chosen": _l("Her language was chosen"),
    "staff.callback_phone": _l("Changed their number for her texts"),
    "task.done.consent_given": _l("A task closed itself: she agreed to contact again"),
    "child.add": _l("Recorded one of her children"), "child.update": _l("Changed a child's record"),
    "child.remove": _l("Removed a child's record"),
    "child_referral.record": _l("Recorded a child-protection referral"),
    "child_referral.update": _l("Changed a child-protection referral"),
    "risk_conference.refer": _l("Referred her case to a risk conference, with her agreement"),
    "risk_conference.submit": _l("Made a risk-conference referral without her agreement (waits for approval)"),
    "risk_conference.approve": _l("Gave the second approval of a risk-conference referral"),
    "risk_conference.approve_refused": _l("Refused: approving their own risk-conference referral"),
    "risk_conference.revoke": _l("Revoked a risk-conference referral"),
    "risk_conference.required_by_law": _l("Changed whether a risk-conference referral is kept by law"),
    "risk_conference.read": _l("Opened a risk-conference referral"),
    "risk_conference.summary_read": _l("Opened the printable risk-conference referral summary"),
    "staff.manager": _l("Changed whether a support worker is a designated manager"),
    "sharing.agreed": _l("Recorded her agreement to sharing"),
    "sharing.withdrawn": _l("Recorded her withdrawal of an agreement to sharing"),
    "sharing.without_consent": _l("Recorded sharing without her agreement"),
    "never_disclose.show": _l("Showed a never-disclose detail on her case page"),
    "access_copy.view": _l("A copy of her information was shown (by her, or to hand to her)"),
    "never_disclose.update": _l("Changed her safe address or new number"),
    "case.close": _l("Closed the case"), "case.reopen": _l("Reopened the case"),
    "consent.declined": _l("Contact declined"), "consent.given.contact": _l("Contact agreed"),
    "consent.given.sms": _l("Text messages agreed"), "consent.withdrawn.contact": _l("Contact stopped"),
    "consent.withdrawn.sms": _l("Text messages stopped"),
    "consent.given.evaluation": _l("Evaluation questions agreed"),
    "consent.withdrawn.evaluation": _l("Evaluation questions stopped"),
    "evaluation.offered": _l("Offered her a stage of the evaluation questions"),
    "evaluation.reminded": _l("Reminded her once of a stage of the evaluation questions"),
    "evaluation.expired": _l("A stage of the evaluation questions ended unanswered"),
    "evaluation.answered": _l("A stage of the evaluation questions was answered"),
    "evaluation.skipped": _l("A stage of the evaluation questions was skipped"),
    "evaluation.stage_timing_set": _l("Changed when a stage of the evaluation questions falls due"),
    "contact.log": _l("Logged a contact"), "demo.seed": _l("Demo data created"),
    "deployment.update": _l("Changed the deployment settings"),
    "helpline.create": _l("Added a helpline"), "helpline.delete": _l("Removed a helpline"),
    "invite.send": _l("Sent her a discreet link"), "link.opened": _l("Her link was opened"),
    "participant.create": _l("Registered a participant"),
    "participant.dates_set": _l("Set a participant's programme dates"),
    "partner.create": _l("Recorded her"), "partner.erase": _l("Erased her personal data"),
    "partner.link": _l("Linked her to a participant"), "partner.read": _l("Viewed her details"),
    "partner.unlink": _l("Ended her link to a participant"),
    "pin.accepted": _l("Her PIN was accepted"), "pin.changed": _l("She changed her PIN"),
    "pin.locked": _l("Her links were locked after wrong PINs"), "pin.refused": _l("A PIN was refused"),
    "pin.rejected": _l("A wrong PIN was entered"), "pin.removed": _l("She removed her PIN"),
    "pin.set": _l("She set a PIN"),
    "plan.created": _l("She made her safety plan"), "plan.opened": _l("She opened her safety plan"),
    "plan.opened_duress": _l("Her safety plan was opened with her second passphrase"),
    "plan.wrong_passphrase": _l("A wrong passphrase was tried on her safety plan"),
    "plan.saved": _l("She saved her safety plan"), "plan.deleted": _l("She deleted her safety plan"),
    "plan.shared": _l("She shared a copy of her safety plan"),
    "plan.share_withdrawn": _l("She withdrew the copy of her safety plan"),
    "plan.share_read": _l("Read the copy of her safety plan she shared"),
    "texts.released": _l("Texts to her were released after her second passphrase"),
    "preferences.changed": _l("She changed her preferences"),
    "preferences.update_on_behalf": _l("Changed her preferences on her behalf"),
    "programme.activate": _l("Activated a programme"), "programme.deactivate": _l("Deactivated a programme"),
    "programme.create": _l("Created a programme"), "programme.member_add": _l("Added a programme member"),
    "programme.member_remove": _l("Removed a programme member"),
    "programme_event.report": _l("Reported a programme event"),
    "risk_assessment.create": _l("Recorded a risk assessment"),
    "risk_assessment.read": _l("Viewed a risk assessment"),
    "risk_note.send": _l("Sent a risk note to his programme"),
    "risk_note.refused": _l("A risk note to his programme was refused"),
    "risk_note.withdraw": _l("Withdrew a risk note to his programme"),
    "risk_note.list": _l("Viewed the risk notes sent from her case"),
    "risk_note.read": _l("Read the notes from the partner support service on a participant's page"),
    "safe_window.add_on_behalf": _l("Added safe times on her behalf"),
    "safe_window.remove_on_behalf": _l("Removed a safe time on her behalf"),
    "service.create": _l("Created a support service"),
    "sms.handed_over": _l("A message was passed to her worker"), "sms.failed": _l("A message could not be delivered"),
    "sms.number_unusable": _l("Her number cannot receive texts"),
    "sms.inbound.help": _l("She texted for help"),
    "staff.create": _l("Created a staff account"), "staff.disable": _l("Disabled a staff account"),
    "staff.enable": _l("Enabled a staff account"), "staff.password_change": _l("Changed their password"),
    "staff.password_reset": _l("Issued a one-time password"), "staff.sign_in": _l("Signed in"),
    "staff.sign_in_failed": _l("A sign-in failed"), "staff.sign_in_refused": _l("A sign-in was refused"),
    "staff.sign_out": _l("Signed out"), "staff.totp_confirm": _l("Set up their authenticator"),
    "staff.totp_reset": _l("Reset an authenticator"), "staff.timezone": _l("Changed their time zone"),
    "task.acknowledge": _l("Acknowledged a task"), "task.create": _l("A task was created"),
    "task.detail_added": _l("Added to a task's details"), "task.done": _l("Marked a task done"),
    "task.escalate": _l("A task was escalated"),
    "task.read": _l("Read a task's details"), "task.reassign": _l("Handed a task to someone else"),
}

DETAIL = {"purpose": _l("why"), "fields": _l("fields"), "reason": _l("reason"), "participant": _l("participant"),
          "cancelled": _l("messages cancelled"), "entries": _l("entries"), "ok": _l("intact"), "role": _l("role"),
          "channel": _l("how"), "tries": _l("wrong tries in a row"), "wait_seconds": _l("wait (seconds)"),
          "new_task": _l("new task"), "copies": _l("copies"),
          "task_closed": _l("when the task was closed"),
          "task": _l("task for her worker"),

          "field": _l("field"), "child": _l("child"), "referral": _l("referral"),
          "agency": _l("agency"), "basis": _l("basis"), "information": _l("information"),
          "required_by_law": _l("required by law"), "kept_by_law": _l("kept as required by law"),
          "entry": _l("entry"), "children": _l("children"),
          "note": _l("note"), "notes": _l("notes"), "programme": _l("programme"),
          "consent_entry": _l("her agreement (entry)"), "kind": _l("what was found"), "cause": _l("why"),
          "told_note_shows_contact": _l("told her the note shows his programme she is in contact"),
          "period_reason": _l("reason"), "months": _l("months"), "tasks_closed": _l("check-in tasks closed"),
          "agreed_days_stopped": _l("agreed check-in days stopped")}
# Why a risk note was refused, or withdrawn (services/casework/risk_note.py): the kind, never the value.
RISK_NOTE_KIND = {"agreement_needed": _l("her agreement is not recorded"), "her_phone": _l("her phone number"),
                  "her_email": _l("her email address"), "her_name": _l("her name"),
                  "her_code_word": _l("her code word"), "never_disclose": _l("a never-disclose detail"),
                  "email_address": _l("an email address"), "phone_number": _l("a phone number"),
                  "digit_like": _l("characters that look like digits")}
RISK_NOTE_CAUSE = {"worker": _l("withdrawn by her worker"),
                   "agreement_withdrawn": _l("she withdrew her agreement")}
PURPOSE = {"case_view": _l("her case page"), "case_list": _l("the list of cases"),
           "preferences_view": _l("her preferences page")}


ROLE = {"admin": _l("Administrator"), "support_worker": _l("Support worker"),
        "facilitator": _l("Programme facilitator")}


def detail_words(key: str, value: str) -> str:
    """A detail's value in words where it is a code the console already words."""
    from portal.console import labels

    table: dict[str, object] = {"purpose": PURPOSE, "role": ROLE, "channel": labels.CONSENT_CHANNEL,
                                "reason": labels.CLOSURE, "field": labels.CASE_FIELD, "agency": labels.AGENCY,
                                "basis": labels.SHARING_BASIS, "kind": RISK_NOTE_KIND,
                                "cause": RISK_NOTE_CAUSE,
                                "period_reason": {**labels.HIGH_RISK_END_REASON, **labels.HIGH_RISK_START_REASON},
                                }.get(key, {})
    return str(table.get(value, value)) if isinstance(table, dict) else value


def action_words(code: str) -> str:
    """The words for an action; one without words yet (a new keyword or report kind) reads as its parts."""
    known = ACTION.get(code)
    if known is not None:
        return str(known)
    return code.replace(".", " · ").replace("_", " ").capitalize()
