"""What her worker does about each kind of task, as data (kind -> what to do), and how she may be reached.

Every TaskKind has an entry (tests/test_task_guidance.py). The task page shows the kind's words first, then
one line on how to reach her, decided from the task and her choices: "do not contact her" outranks everything.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from portal.models import Severity, Task, TaskKind

GUIDANCE: dict[str, object] = {
    TaskKind.EVENT_DROPOUT: _l(
        "He has stopped attending the programme. Risk to her often rises when a man leaves a programme: review "
        "her risk assessment and safety plan, and tell her in the way she chose."),
    TaskKind.EVENT_SUSPENDED: _l(
        "He has been suspended or excluded from the programme. Review her risk assessment and safety plan, "
        "and tell her in the way she chose."),
    TaskKind.EVENT_COMPLETED: _l(
        "He has completed the programme. Completing it does not mean she is safe: tell her in the way she "
        "chose, and review her safety plan with her. Her case stays open until you close it."),
    TaskKind.EVENT_PROGRAMME_ENDED: _l(
        "His programme has ended. Tell her in the way she chose, and review her safety plan with her. Her case "
        "stays open until you close it."),
    TaskKind.EVENT_ATTENDANCE_CONCERN: _l(
        "The facilitators are concerned about his attendance. Decide whether this changes the risk to her, "
        "and whether to contact her."),
    TaskKind.EVENT_RISK: _l(
        "The facilitators see a risk. Read what they observed, assess the risk with your service's procedure "
        "now, and review safety planning with her. If anyone is in danger now, call the police."),
    TaskKind.CONSENT_WITHDRAWN_CONTACT: _l(
        "She stopped contact. Do not contact her: no calls, no texts, no messages through other people. Act "
        "only on your service's safeguarding duties (a serious risk to her or to children). If she agrees to "
        "contact again, this task closes itself."),
    TaskKind.CONSENT_WITHDRAWN_SMS: _l(
        "Texts to her have stopped (she texted STOP, or her phone refuses them). Do not text her. Check below "
        "whether she may still be called."),
    TaskKind.CONSENT_DECLINED_WEB: _l(
        "She said no to contact on the site. Do not contact her. Act only on your service's safeguarding "
        "duties. If she agrees to contact later, this task closes itself."),
    TaskKind.HER_LESS_SAFE: _l(
        "She told us she feels less safe. Reach her as soon as it is safe, use her code word, and review her "
        "safety plan. If she may be in danger now, follow your emergency procedure."),
    TaskKind.HER_SEPARATION: _l(
        "She told us she is separating or has separated. Risk is often highest around separation: reach her "
        "soon, use her code word, and review safety planning with her."),
    TaskKind.MESSAGE_NOT_DELIVERED: _l(
        "A warning she asked for could not reach her by text (the reason is below). Tell her by phone instead, "
        "using her code word."),
    TaskKind.MESSAGE_NOT_SENT: _l(
        "A message to her could not be sent (the reason is below). Check her number and her choices; send a new "
        "link only if she still wants one."),
    TaskKind.PIN_LOCKED: _l(
        "Someone typed a wrong PIN too many times on her link, so her links no longer work. It may not have been "
        "her. When it is safe, ask her; send a new link only if she wants one."),
    TaskKind.SMS_HELP: _l(
        "She asked for help by text. Answer her in a way she chose, in her safe times."),
    TaskKind.SMS_FREE_TEXT: _l(
        "She sent us a text message (below). Read it and answer her in a way she chose, in her safe times."),
    TaskKind.SMS_STOP_LIKE: _l(
        "Her text looks as if she may want texts to stop, but it was not a STOP keyword. Do not text her until "
        "you have checked with her in another way she chose."),
    TaskKind.SMS_OPT_IN: _l(
        "She texted START: texts are allowed again and one fresh link was sent to her. Contact itself is agreed "
        "only on her pages."),
    # Kinds that other branches of this issue add (her safe times still to set; her high-risk check-ins).
    "safe_times_needed": _l(
        "She has no safe times yet, so nothing is texted to her. Agree safe times with her, or ask her to set "
        "them on her pages, and record them on her case."),
    "high_risk_checkin": _l(
        "A scheduled check-in during her high-risk period. Ask how she is and review her "
        "safety plan with her, in a way she chose."),
    TaskKind.PLAN_DURESS: _l(
        "Her safety plan was opened with her second passphrase: she may be under pressure, perhaps with someone "
        "beside her. Do not call or text her unless she contacts you. Nothing is texted to her while this task "
        "is open, unless you release texts below."),
    TaskKind.HER_CHECKIN_CONCERN: _l(
        "Her own check-in says she feels less safe, or that something has changed for the worse. Reach her as "
        "soon as it is safe, use her code word, and review her safety plan with her."),
    TaskKind.AGREED_CHECKIN_MISSED: _l(
        "She did not check in on a day you agreed. It may mean nothing, or that she cannot. Try to reach her in "
        "a way she chose, in her safe times; do not text her about it unless she asked for that."),
    TaskKind.EVALUATION_BY_PHONE: _l(
        "A stage of her evaluation questions is due and cannot be texted to her. If she wants to, ask her the "
        "questions by phone in her safe times, reading them as written; every question may be skipped, and so may "
        "the whole stage. Nothing is followed up if she says no."),
    TaskKind.ESCALATION: _l(
        "A task was not acknowledged in time. Open the case's tasks, acknowledge the late one, or pass it to "
        "someone who can act now."),
}

DO_NOT_CONTACT, CHECK_ONCE, CALL_NOW_ANY_TIME, CALL_IN_SAFE_TIMES, CONTACT_AS_CHOSEN = (
    "do_not_contact", "check_once", "call_now_any_time", "call_in_safe_times", "contact_as_chosen")

REACH = {
    DO_NOT_CONTACT: _l("Do not contact her."),
    CHECK_ONCE: _l("Check once, by a phone call, that it was her (see below). Otherwise do not contact her."),
    CALL_NOW_ANY_TIME: _l("Call her now: she agreed to be reached about a serious risk at any time, even outside "
                          "her safe times. Use her code word."),
    CALL_IN_SAFE_TIMES: _l("Call her in her safe times and use her code word."),
    CONTACT_AS_CHOSEN: _l("If you contact her, do it in a way she chose, in her safe times, with her code word."),
}


@dataclass(frozen=True)
class TaskGuidance:
    what_to_do: object  # a lazy string
    reach: str  # a REACH key
    reach_words: object


def reach_for(task: Task, *, any_time: bool) -> str:
    """How she may be reached about this task: never when contact is off; now, at any hour, only for an
    immediate task when she agreed to hear about a serious risk at any time (`any_time`); else in her safe times."""
    if not task.contact_allowed:
        # A texted STOP that she agreed in advance may be checked once (the task's check_once_allowed, where kept).
        return CHECK_ONCE if getattr(task, "check_once_allowed", False) else DO_NOT_CONTACT
    if task.severity == Severity.IMMEDIATE and any_time:
        return CALL_NOW_ANY_TIME
    if task.call_requested or task.kind == TaskKind.MESSAGE_NOT_DELIVERED:
        return CALL_IN_SAFE_TIMES
    return CONTACT_AS_CHOSEN


def guidance_for(task: Task, *, any_time: bool) -> TaskGuidance:
    reach = reach_for(task, any_time=any_time)
    return TaskGuidance(GUIDANCE[task.kind], reach, REACH[reach])
