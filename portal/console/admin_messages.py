"""Words for the admin pages' problem codes (services return codes; people read sentences)."""

from __future__ import annotations

from flask_babel import gettext as _


def problem(code: str) -> str:
    messages = {
        "email": _("Enter a work email address, like name@example.org."),
        "email_taken": _("An account with that email address exists already."),
        "display_name": _("Enter a name of up to 200 characters."),
        "role": _("Choose a role."),
        "service": _("Choose a support service."),
        "self": _("You cannot do that to your own account. Ask another administrator."),
        "name": _("Enter a name of up to 200 characters."),
        "member_role": _("Only active support workers and facilitators can join a programme."),
        "member_service": _("A support worker can only join programmes of their own support service."),
        "member_exists": _("That person is in this programme already. Nobody can hold two roles in one programme."),
        "required": _("This cannot be empty."),
        "too_long": _("This is too long."),
        "invalid": _("This contains characters that cannot be used."),
        "number": _("Enter a whole number."),
        "range": _("This number is outside the allowed range."),
        "https_url": _("Enter a full web address starting with https://."),
        "phone": _("Enter a phone number using digits, spaces and an optional + at the start."),
        "due_order": _("Due times must not get shorter for less urgent tasks."),
        "locale": _("Choose a language."),
        "label": _("Enter a label of up to 100 characters."),
        "programme_inactive": _("That programme is not active."),
    }
    return messages.get(code, _("That did not work. Please check and try again."))
