"""Every outbound text is discreet and fits one SMS segment, in every locale, as rendered."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from portal.config import PUBLIC_URL_MAX
from portal.i18n import LOCALES
from portal.services.her.invites import LINK_MAX, Invite
from portal.sms.discretion import problems
from portal.sms.segments import measure
from portal.sms.templates import (
    LONGEST_NUMBER,
    NEUTRAL_WORDINGS,
    PARAMS,
    TEMPLATES,
    Catalogs,
    TemplateError,
    render,
    with_number,
)

ROOT = Path(__file__).resolve().parent.parent
# The longest link production allows: a 30-character public URL (config.py refuses more), "/v/" and the
# 22-character token invites.issue_invite makes (128 bits).
LONGEST_BASE = "https://" + "c" * (PUBLIC_URL_MAX - len("https://") - len(".org")) + ".org"
LONG_LINK = Invite(uuid.uuid4(), "A" * 22, datetime.now(UTC)).url(LONGEST_BASE)
SAMPLE_PARAMS = {"url": LONG_LINK}
WARNING_TEXTS = {text for texts in NEUTRAL_WORDINGS.values() for text in texts}


def po_strings(locale: str) -> dict[str, str]:
    path = ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        return {str(m.id): str(m.string) for m in read_po(handle) if m.id and isinstance(m.string, str)}


@pytest.mark.parametrize("locale", sorted(LOCALES))
@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_every_template_is_one_discreet_segment_in_every_locale(template, locale):
    translated = po_strings(locale).get(TEMPLATES[template]) or TEMPLATES[template]
    params = {k: SAMPLE_PARAMS[k] for k in PARAMS.get(template, ())}
    text = translated % params if params else translated
    info = measure(text)
    assert info.single, f"{template} in {locale} needs {info.segments} segments ({info.units}/{info.limit})"
    assert problems(text, allow_url=params.get("url")) == []
    if TEMPLATES[template] in WARNING_TEXTS:  # a warning may also carry her worker's number, at its longest
        numbered = with_number(text, LONGEST_NUMBER)
        info = measure(numbered)
        assert info.single, f"{template} in {locale} with a number: {info.units}/{info.limit} {info.encoding}"
        assert problems(numbered) == []
    # The rendering path the dispatcher uses agrees with the catalog.
    assert render(Catalogs(str(ROOT / "translations")), template, locale, params or None) == text


def test_the_longest_link_is_55_characters_and_carries_128_bits():
    assert len(LONGEST_BASE) == 30 and len(LONG_LINK) == LINK_MAX == 55
    assert LONG_LINK.startswith(LONGEST_BASE + "/v/")


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_every_locale_translates_every_text_to_her(locale):
    """A text left in English would reach an Arabic reader as English: every shipped locale has them all."""
    if locale == "en":
        return
    strings = po_strings(locale)
    assert [t for t in set(TEMPLATES.values()) if not strings.get(t)] == []


def test_every_template_is_in_the_message_catalog():
    pot = (ROOT / "translations" / "messages.pot").read_text()
    for text in TEMPLATES.values():
        assert text.split("%")[0][:40].replace('"', '\\"') in pot.replace('"\n"', "")


def test_render_refuses_unknown_templates_and_wrong_parameters():
    catalogs = Catalogs(str(ROOT / "translations"))
    with pytest.raises(TemplateError):
        render(catalogs, "no-such-template", "en")
    with pytest.raises(TemplateError):
        render(catalogs, "invite", "en")
    with pytest.raises(TemplateError):
        render(catalogs, "warning", "en", {"url": LONG_LINK})


@pytest.mark.parametrize("text, code", [
    ("Your partner's programme group meets today", "telling_word"),
    ("Die Gruppe trifft sich heute", "telling_word"),
    ("تحذير: اتصلي بنا", "telling_word"),
    ("Call back when you can: www.example.org", "link"),
    ("Please call back https://x.example/a", "link"),
    ("x" * 161, "too_long"),
    ("ê" * 80, "too_long"),  # not GSM-7: 70 UCS-2 units per segment
    ("Hello Sam, please call back", "name"),
])
def test_the_discretion_check_catches_telling_texts(text, code):
    found = {p.code for p in problems(text, names=["Sam Example"])}
    assert code in found


def test_the_discretion_check_accepts_a_neutral_personal_wording():
    assert problems("Hi love, the dentist moved your appointment. Ring me back x", names=["Sam Example"]) == []


@pytest.mark.parametrize("text, encoding, units, segments", [
    ("a" * 160, "GSM-7", 160, 1),
    ("a" * 161, "GSM-7", 161, 2),
    ("€" * 80, "GSM-7", 160, 1),  # extension characters count twice
    ("ا" * 70, "UCS-2", 70, 1),
    ("ا" * 71, "UCS-2", 71, 2),
    ("ok 🙂", "UCS-2", 5, 1),  # outside the BMP: two UTF-16 units
])
def test_segments_are_counted_as_handsets_count_them(text, encoding, units, segments):
    info = measure(text)
    assert (info.encoding, info.units, info.segments) == (encoding, units, segments)
