"""Her one map from a refusal's code to the words she reads, in her language (Babel).

Every code a service gives her pages (her choices: services/preferences.FieldError; her PIN:
services/her_access.PinError) is explained here and nowhere else; an unknown code gets a neutral "try again".
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

MESSAGES = {
    "channels_choose": _l("Choose at least one way, or “No contact for now”."),
    "channels_exclusive": _l("“Only when I contact my worker” and “No contact for now” cannot be combined "
                             "with other ways. Please choose again."),
    "tell_choice": _l("Please choose one answer."),
    "tell_needs_sms": _l("To be told by text message, please also choose text messages as a way to reach you."),
    "timezone_unknown": _l("Please choose your time zone from the list."),
    "locale_unknown": _l("Please choose a language from the list."),
    "code_word_length": _l("A code word can be up to 40 letters or numbers."),
    "windows_too_many": _l("There are too many time ranges. Please remove one."),
    "window_days": _l("Choose at least one day for this time range."),
    "window_time": _l("Please enter both times, like 09:30."),
    "window_order": _l("The end time must be after the start time. For a time past midnight, add another "
                       "range that starts at 00:00."),
    "windows_needed": _l("Please choose at least one time when contact is safe, or choose “No contact for now”."),
    "check_after_stop_needs_call": _l("To let your worker check by phone call, please also choose phone calls "
                                      "as a way to reach you."),
    "pin_shape": _l("A PIN is 4 to 8 numbers."),
    "pin_mismatch": _l("The two PINs are not the same. Please type it again."),
    "pin_digits": _l("Please type your PIN with the number keys only."),
    "wording_choice": _l("Please choose one of the texts."),
    "own_words_empty": _l("Please write your own words, or choose one of the ready-made texts."),
    "own_words_characters": _l("Please use only letters, numbers, spaces and punctuation."),
    "own_words_too_long": _l("Your own words do not fit in one text message. Please make them shorter."),
    "own_words_link": _l("Your own words cannot hold a link or a web address."),
    "own_words_name": _l("Please leave out your name and the name of the service, so the text gives nothing "
                         "away."),
    "own_words_telling": _l("One of these words could give you away to someone who sees your phone. Please "
                            "choose other words."),
    # Her plan (services/her/safety_plan.PlanError, and the page's own checks in portal/public/plan.py).
    "passphrase_short": _l("A passphrase needs at least 8 characters. A few words you will remember work well."),
    "passphrase_long": _l("A passphrase can be up to 200 characters. Please choose a shorter one."),
    "passphrase_mismatch": _l("The two passphrases are not the same. Please type them again."),
    "passphrases_same": _l("Your second passphrase must be different from your main one."),
    "second_needed": _l("To set up the second plan, please also choose a second passphrase, or leave its "
                        "boxes empty."),
    "passphrase_empty": _l("Please type your passphrase."),
    "too_long": _l("Each answer can be up to %(count)s characters. Please make this one shorter."),
    "unknown_field": _l("Something in that form was not right. Please try again."),
    "unknown_priority": _l("Please choose from the list."),
    "rank_choice": _l("Please choose a number from the list, or “Not now”."),
    "checkin_step": _l("Please choose one answer."),
    "checkin_too_long": _l("This can be up to 1000 letters. Please make it a little shorter."),
    "checkin_contact_off": _l("While contact is stopped, check-ins do not go to your worker."),
    "agreed_days_invalid": _l("Please choose days from the list."),
    "agreed_days_none": _l("Please tick at least one day."),
    "agreed_days_not_offered": _l("Check-in days are agreed with your worker. If you would like some, you can ask "
                                  "them."),
    "agreed_days_contact_off": _l("While contact is stopped, there are no check-in days."),
    "evaluation.answer_unknown": _l("Please choose one of the answers, or leave this question blank."),
}
FALLBACK = _l("Please try again.")


def message(code: str, **values: object) -> str:
    """Her words for `code` (a DomainError's code or a FieldError's), in the language of this request, with
    `values` put in its placeholders."""
    text = str(MESSAGES.get(code, FALLBACK))
    return text % values if values else text
