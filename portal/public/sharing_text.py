"""The built-in information-sharing policy, in her language, as the plain text an admin may replace.

It counts the cases correctly: what her worker tells the course (as little as possible) with the one
exception that depends on her (a risk note, only with her yes: DESIGN §8), then the times her worker may have
to share without her agreement (serious risk to her or the children, a court order, a multi-agency risk
meeting, the law). The format is services/admin/sharing_policy.parse's.
"""

from __future__ import annotations

from flask_babel import gettext as _


def built_in_text() -> str:
    """The default policy in the current locale (call under flask_babel.force_locale for another one)."""
    blocks = [
        "# " + _("What your worker tells the course"),
        _("As little as possible, and never how to contact you or where you are. He is not told that you are in "
          "contact with us."),
        _("There is one exception, and only if you agree. If there is a risk to you or your children, your "
          "worker may send the staff of his course a short note about it. The note shows them that you are in "
          "contact with us, so your worker asks you first. Without your yes, nothing is sent."),
        "# " + _("When your worker may have to share without your agreement"),
        _("What you tell your worker stays private. There are only a few times when your worker may have to "
          "pass something on, even if you do not agree:"),
        "\n".join("- " + item for item in (
            _("if you or your children are at serious risk of harm, or someone’s life is in danger: to the "
              "police or to child protection services;"),
            _("if a court orders it;"),
            _("at a meeting where local services, such as the police, health and children’s services, plan "
              "together how to protect someone at high risk of harm;"),
            _("when the law requires it in some other way."),
        )),
    ]
    return "\n\n".join(blocks)
