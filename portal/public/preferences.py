"""Her choices page: parse the form, let the preferences service validate and apply it, explain any problem."""

from __future__ import annotations

import dataclasses
from functools import lru_cache

from babel.dates import get_timezone_location
from flask import redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from portal.digits import ascii_digits, parse_digits
from portal.i18n import LOCALES
from portal.models import PartnerContact, Tell
from portal.public import bp, duress_view
from portal.public.context import her_context, her_required
from portal.public.messages import message
from portal.runtime import db_session, vault
from portal.services.her import duress_requests
from portal.services.her import preferences as prefs_service
from portal.sms.segments import GSM7_SINGLE
from portal.sms.templates import NEUTRAL_WORDINGS, WORDING_CHOICES

NEUTRAL_CHOICES = {topic: tuple(zip(WORDING_CHOICES, texts, strict=True)) for topic, texts in NEUTRAL_WORDINGS.items()}
OWN_WORDS_FIELD_MAX = GSM7_SINGLE  # the browser stops at one segment of plain letters; the service counts exactly

NOTICE = "notice"  # session key: a confirmation shown once on the next page (templates/public/_notice.html)
AGAIN = "said_yes_again"  # session key: she said yes after stopping or saying no; her choices page explains

FIELD_ANCHORS = {"channels": "channels", "timezone": "timezone", "locale": "locale", "code_word": "code_word",
                 "windows": "windows"}
DAY_NAMES = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"),
             _l("Sunday"))
CHANNEL_LABELS = {
    "sms": _l("Text messages (SMS)"),
    "call": _l("Phone calls from my support worker"),
    "worker_only": _l("Only when I contact my worker"),
    "none": _l("No contact for now"),
}
TOPIC_LABELS = {
    "dropout": _l("If he stops going or drops out"),
    "suspended": _l("If he is suspended or asked to leave"),
    "completed": _l("When he finishes, or the course ends"),
    "risk": _l("If the staff there are worried about your safety or your children’s safety"),
}
WORDING_OWN_LABEL = _l("My own words")
NUMBER_LABEL = _l("Add my worker’s number at the end")
TELL_LABELS = {
    Tell.MESSAGE: _l("A text message"),
    Tell.CALL: _l("A call from my worker"),
    Tell.BOTH: _l("Both"),
    Tell.NONE: _l("I do not want to be told"),
}


@lru_cache(maxsize=16)
def zone_choices(locale: str, extra: str) -> tuple[tuple[str, str], ...]:
    """The offered time zones with names in her language, sorted by that name."""
    zones = set(prefs_service.SUGGESTED_ZONES) | ({extra} if prefs_service.is_valid_zone(extra) else set())
    return tuple(sorted(((zone, get_timezone_location(zone, locale=locale)) for zone in zones),
                        key=lambda item: item[1]))


def _flag(form: MultiDict[str, str], name: str) -> bool:
    return form.get(name) == "1"


def ticked_days(values: list[str]) -> tuple[int, ...]:
    """Weekday numbers; anything that is not one decimal digit (a superscript '²', say) becomes -1, refused."""
    days = []
    for value in values[:7]:
        digits = parse_digits(value[:8])
        days.append(int(digits) if digits is not None and len(digits) == 1 else -1)
    return tuple(sorted(set(days)))


def _time(form: MultiDict[str, str], name: str) -> str:
    """A typed time with any script's decimal digits as ASCII; digit-like characters stay, and are refused."""
    return ascii_digits(form.get(name, "")[:8])


def parse_form(form: MultiDict[str, str]) -> prefs_service.PreferencesInput:
    """Read the posted form without trusting any of it; the service decides what is valid."""
    windows = tuple(
        prefs_service.WindowInput(ticked_days(form.getlist(f"w{i}-day")), _time(form, f"w{i}-start"),
                                  _time(form, f"w{i}-end"))
        for i in range(prefs_service.MAX_WINDOWS + 1)
    )
    return prefs_service.PreferencesInput(
        channels=frozenset(value[:20] for value in form.getlist("channel")[:8]),
        windows=windows,
        timezone=form.get("timezone", "")[:64],
        voicemail_ok=_flag(form, "voicemail_ok"),
        shared_phone=_flag(form, "shared_phone"),
        tell={topic: form.get(f"tell-{topic}", "")[:10] for topic in prefs_service.TOPICS},
        serious_risk_any_time=_flag(form, "serious_risk_any_time"),
        locale=form.get("locale", "")[:16],
        code_word=form.get("code_word", "")[:200],
        clear_code_word=_flag(form, "clear_code_word"),
        check_after_stop=_flag(form, "check_after_stop"),
        wordings=_wordings(form),
    )


def _wordings(form: MultiDict[str, str]) -> dict[str, prefs_service.WordingInput] | None:
    """How each kind of warning should read; None (leave them) when the form has no wording at all."""
    if not any(f"wording-{topic}" in form for topic in prefs_service.TOPICS):
        return None
    return {topic: prefs_service.WordingInput(form.get(f"wording-{topic}", "")[:20],
                                              form.get(f"own-{topic}", "")[:prefs_service.OWN_WORDS_INPUT_MAX],
                                              _flag(form, f"number-{topic}"))
            for topic in prefs_service.TOPICS}


def _as_view(data: prefs_service.PreferencesInput, has_code_word: bool) -> prefs_service.PreferencesView:
    """Show her own answers back after a problem, so nothing she typed is lost."""
    windows = tuple(prefs_service.WindowView(row.days, row.start, row.end) for row in data.windows if not row.blank)
    return prefs_service.PreferencesView(data.channels, windows, data.timezone, data.voicemail_ok,
                                         data.shared_phone, data.tell, data.serious_risk_any_time, data.locale,
                                         has_code_word, data.check_after_stop)


def _render(view: prefs_service.PreferencesView, errors: dict[str, str], status: int = 200,
            notice: str | None = None, said_yes_again: bool = False,
            wordings: dict[str, prefs_service.WordingInput] | None = None) -> ResponseReturnValue:
    rows = list(view.windows)
    if len(rows) < prefs_service.MAX_WINDOWS:
        rows.append(prefs_service.WindowView((), "", ""))
    locale = str(get_locale())
    return render_template(
        "public/choices.html", view=view, rows=rows, errors=errors, day_names=DAY_NAMES,
        channel_labels=CHANNEL_LABELS, topic_labels=TOPIC_LABELS, tell_labels=TELL_LABELS,
        zones=zone_choices(locale, view.timezone), locales=LOCALES,
        anchors={name: FIELD_ANCHORS.get(name, name) for name in errors}, notice=notice,
        errors_list=[(FIELD_ANCHORS.get(name, name), text) for name, text in errors.items()],
        said_yes_again=said_yes_again,
        wordings=wordings or {}, neutral_wordings=NEUTRAL_CHOICES,
        own_label=WORDING_OWN_LABEL, number_label=NUMBER_LABEL, own_max=OWN_WORDS_FIELD_MAX,
    ), status


def _shown(partner: PartnerContact) -> tuple[prefs_service.PreferencesView, dict[str, prefs_service.WordingInput]]:
    """Her choices and wordings as her page shows them (a duress session: a fresh record's, or its own)."""
    if duress_view.active():
        return duress_view.seen_preferences(partner), duress_view.seen_wordings()
    view = prefs_service.current(db_session(), partner)
    if not partner.locale_chosen:  # until she chooses, her pages speak her browser's language: offer that
        view = dataclasses.replace(view, locale=str(get_locale()))
    return view, prefs_service.wordings(db_session(), vault(), partner)


def _answer_duress(partner: PartnerContact, data: prefs_service.PreferencesInput) -> ResponseReturnValue:
    """A duress session's change: checked as hers is, answered as if saved, applied to nothing; her worker
    is told which choices it asked to change."""
    before, wordings_before = _shown(partner)
    problems = prefs_service.check(db_session(), vault(), partner, data, locales=LOCALES)
    if problems:
        errors = {error.field: message(error.code) for error in problems}
        return _render(_as_view(data, before.has_code_word), errors, 400, wordings=data.wordings)
    parts = duress_view.changed_parts(data, before, wordings_before)
    if parts:
        duress_view.remember_choices(data, before)
        duress_view.tell_her_worker(partner, duress_requests.CHANGE_CHOICES, parts=parts)
    session[NOTICE] = "saved" if parts else "unchanged"
    return redirect(url_for("public.home"), code=303)


@bp.route("/choices", methods=["GET", "POST"])
@her_required
def choices(partner: PartnerContact) -> ResponseReturnValue:
    if request.method != "POST":
        view, wordings = _shown(partner)
        return _render(view, {}, notice=session.pop(NOTICE, None), said_yes_again=bool(session.pop(AGAIN, None)),
                       wordings=wordings)
    data = parse_form(request.form)
    if duress_view.active():
        return _answer_duress(partner, data)
    result = prefs_service.update(her_context(partner), partner, data, locales=LOCALES)
    if not result.ok:
        has_code_word = prefs_service.current(db_session(), partner).has_code_word
        errors = {error.field: message(error.code) for error in result.errors}
        return _render(_as_view(data, has_code_word), errors, 400, wordings=data.wordings)
    session[NOTICE] = "saved" if result.changed else "unchanged"
    return redirect(url_for("public.home"), code=303)
