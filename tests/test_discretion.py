"""Nothing on a glance gives her away (issue 10, items 2 and 3): her paths are neutral words, the old telling
paths are gone, and every page without her session (error pages included) looks like an ordinary appointments
site, while the same pages inside her session keep her exit bar and emergency line. Also the giveaway lists
and `flask --app portal lint-content`, which reads them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import abort
from sqlalchemy import select

from portal.content_lint import first_screen_msgids, lint_catalogs
from portal.content_rules import giveaway_locales, giveaway_words, giveaways
from portal.i18n import LOCALES
from portal.models import PartnerContact, PartnerStatus, Task
from tests.public_helpers import follow_link, new_link, open_link, post

EMERGENCY_WORDS = re.compile(r"emergency|notfall|notdienst|طوارئ", re.IGNORECASE)
OLD_PATHS = ("/alert", "/told", "/stop", "/patterns", "/sharing", "/support")


def her_marks(html: str) -> list[str]:
    """What only her pages show: the exit bar (and its script), an emergency line, her menu."""
    marks = []
    if 'id="exit"' in html or 'href="/exit"' in html or "exit-bar" in html or "exit.js" in html:
        marks.append("exit bar")
    if "tel:" in html or 'class="urgent"' in html or EMERGENCY_WORDS.search(html):
        marks.append("emergency line")
    if 'id="menu"' in html:
        marks.append("menu")
    return marks


def public_rules(app):  # type: ignore[no-untyped-def]
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("public.")]


def example_path(rule) -> str:  # type: ignore[no-untyped-def]
    return rule.rule.replace("<token>", "Q" * 22)


# --- the lists ---------------------------------------------------------------------------------------------

def test_every_locale_has_a_giveaway_list():
    assert set(LOCALES) <= set(giveaway_locales())
    for locale in LOCALES:
        assert len(giveaway_words(locale)) >= 20, locale


@pytest.mark.parametrize("text, locale, word", [
    ("About his course and its limits", "en", "his"),
    ("If you are in danger now", "en", "danger*"),
    ("I am planning to separate", "en", "separat*"),
    ("Domestic ABUSE helpline", "en", "abus*"),
    ("Wie der Kurs gegen Sie verwendet werden kann", "de", "kurs"),
    ("Hilfe bei häuslicher Gewalt", "de", "gewalt*"),
    ("Ich plane eine Trennung", "de", "trennung*"),
    ("Die Täterarbeit", "de", "tater*"),
    ("خطة للتعامل مع العنف", "ar", "*عنف*"),
    ("أخطط للانفصال", "ar", "*انفصال*"),
    ("كيف يمكن استخدام الدورة ضدكِ", "ar", "*دوره*"),
])
def test_the_lists_find_giveaway_words_in_any_case_and_form(text, locale, word):
    assert word in giveaways(text, locale)


@pytest.mark.parametrize("text, locale", [
    ("Your choices: how and when we contact you", "en"),
    ("The help page, then the other pages", "en"),  # "he" is a whole word only
    ("In an emergency, call 999.", "en"),
    ("Ihre Auswahl: wie und wann wir Sie kontaktieren", "de"),
    ("Im Notfall rufen Sie 999 an.", "de"),
    ("اختياراتكِ: كيف ومتى نتواصل معكِ", "ar"),
])
def test_the_lists_leave_neutral_words_alone(text, locale):
    assert giveaways(text, locale) == []


# --- her paths ---------------------------------------------------------------------------------------------

def test_every_path_of_hers_is_a_neutral_word(app):
    rules = public_rules(app)
    assert {"public.tell", "public.alert", "public.told", "public.stop"} <= {rule.endpoint for rule in rules}
    for rule in rules:
        words = " ".join(part for part in re.split(r"[/_\-.]", rule.rule) if part and not part.startswith("<"))
        for locale in giveaway_locales():
            assert giveaways(words, locale) == [], (rule.rule, locale)
    stable = {rule.rule for rule in rules}
    assert {"/exit", "/v/<token>"} <= stable  # DESIGN §5


def test_the_old_telling_paths_are_gone_not_redirected(client, dbs, world, clock):
    for signed_in in (False, True):
        if signed_in:
            open_link(client, dbs, world.partner, clock)
        for path in OLD_PATHS:
            for response in (client.get(path), client.post(path, data={"kind": "less_safe", "confirm": "yes"})):
                assert response.status_code == 404, (path, signed_in)
                assert "Location" not in response.headers, path
    assert dbs.scalar(select(Task).where(Task.partner_id == world.partner.id)) is None  # nothing was sent
    dbs.expire_all()
    assert dbs.get(PartnerContact, world.partner.id).status == PartnerStatus.ACTIVE  # nothing was stopped


# --- pages without her session are plain, by session ------------------------------------------------------

@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_no_page_without_her_session_shows_the_exit_bar_or_an_emergency_line(app, client, locale):
    seen = 0
    for rule in public_rules(app):
        if "GET" not in (rule.methods or ()) or rule.endpoint == "public.quick_exit":
            continue
        response = client.get(example_path(rule) + f"?lang={locale}", follow_redirects=True)
        assert response.status_code in (200, 404), rule.rule
        assert her_marks(response.get_data(as_text=True)) == [], (rule.rule, locale)
        seen += 1
    assert seen >= 15


@pytest.fixture
def failing_app(app):  # type: ignore[no-untyped-def]
    """The app with two pages that fail (added before its first request) and a small body limit."""

    def broken() -> str:
        raise RuntimeError("boom")

    def refused() -> str:
        abort(400)

    app.add_url_rule("/broken-for-test", "broken_for_test", broken)
    app.add_url_rule("/refused-for-test", "refused_for_test", refused)
    app.config["MAX_CONTENT_LENGTH"] = 1024
    return app


def _error_responses(client):  # type: ignore[no-untyped-def]
    """One response of each error status a page of hers can answer, on her paths."""
    responses = {
        400: client.get("/refused-for-test"),
        404: client.get("/no-such-page"),
        405: client.put("/home"),
        413: client.post("/choices", data={"code_word": "x" * 4096}),
        500: client.get("/broken-for-test"),
    }
    for _ in range(31):
        last = client.get("/v/" + "R" * 22)
    responses[429] = last
    return responses


def test_error_pages_without_her_session_are_plain(failing_app, client):
    for status, response in _error_responses(client).items():
        assert response.status_code == status
        html = response.get_data(as_text=True)
        assert her_marks(html) == [], (status, her_marks(html))
        assert "<title>" in html and 'name="robots" content="noindex, nofollow"' in html


def test_the_same_error_pages_inside_her_session_keep_her_exit_bar_and_emergency_line(failing_app, client, dbs,
                                                                                        world, clock):
    open_link(client, dbs, world.partner, clock)
    for status, response in _error_responses(client).items():
        assert response.status_code == status
        marks = her_marks(response.get_data(as_text=True))
        assert {"exit bar", "emergency line"} <= set(marks), (status, marks)


def test_her_link_page_is_plain_for_everyone_and_the_pin_page_is_hers(client, dbs, world, clock):
    assert her_marks(client.get("/v/" + "S" * 22).get_data(as_text=True)) == []
    world.partner.pin_hash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"
    dbs.commit()
    follow_link(client, new_link(dbs, world.partner, clock))
    pin_page = client.get("/check").get_data(as_text=True)
    assert {"exit bar", "emergency line"} <= set(her_marks(pin_page))
    assert "menu" not in her_marks(pin_page)  # nothing of hers before her PIN
    assert her_marks(client.get("/v/" + "S" * 22).get_data(as_text=True)) == []  # the same for a session


def test_her_pages_say_in_an_emergency_call_the_deployment_number(client, dbs, world, clock):
    open_link(client, dbs, world.partner, clock)
    for path in ("/home", "/message", "/choices", "/help"):
        html = client.get(path).get_data(as_text=True)
        assert 'In an emergency, call <a href="tel:999" dir="ltr">999</a>.' in html, path
        assert "danger" not in html.split("<main")[0], path  # the line is worded as any service would


def test_sending_a_note_is_a_post_from_the_confirm_page_only(client, dbs, world, clock):
    open_link(client, dbs, world.partner, clock)
    assert client.get("/message").status_code == 200
    assert dbs.scalar(select(Task).where(Task.partner_id == world.partner.id)) is None
    sent = post(client, "/message", {"kind": "less_safe"}, token_from="/message")
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/message/sent")
    assert client.post("/message", data={"kind": "less_safe"}).status_code == 400  # no CSRF token, no note
    [task] = dbs.scalars(select(Task).where(Task.partner_id == world.partner.id))
    assert task.kind == "her_less_safe"


# --- lint-content ------------------------------------------------------------------------------------------

def test_lint_content_passes_on_the_shipped_texts(app):
    result = app.test_cli_runner().invoke(args=["lint-content"])
    assert result.exit_code == 0, result.output
    assert "No finding" in result.output


def test_lint_content_reads_lines_and_flags_blame_and_overstatement(app):
    """DESIGN §8: lines counted from 1 with blank ones, `N: <rule> <text>` with the original text, exit 0/1/2."""
    runner = app.test_cli_runner()
    lines = "Your choices\n\nMake sure he goes.\nIt is not your job to make sure he goes.\n" \
            "  A 95% success rate!  \nAre you safe now?\n\n"
    result = runner.invoke(args=["lint-content", "--locale", "en", "-"], input=lines)
    assert result.exit_code == 1
    assert result.output.splitlines() == ["3: blame.ensure-attendance Make sure he goes.",
                                          "5: overstatement.success-rate   A 95% success rate!  "]
    for line in result.output.splitlines():
        assert re.fullmatch(r"\d+: [a-z0-9_.-]+ .*", line)
    clean = runner.invoke(args=["lint-content", "--locale", "de", "-"], input="Ihre Auswahl\nHilfe\n")
    assert (clean.exit_code, clean.output) == (0, "")
    assert runner.invoke(args=["lint-content", "--locale", "xx", "-"], input="x\n").exit_code == 2
    flagged = runner.invoke(args=["lint-content", "--locale", "ar", "-"], input="مرحبا\nنجاحُه يعتمـــد عليكِ\n")
    assert (flagged.exit_code, flagged.output) == (1, "2: blame.depends-on-you نجاحُه يعتمـــد عليكِ\n")
    empty = runner.invoke(args=["lint-content", "--locale", "en", "-"], input="")
    assert (empty.exit_code, empty.output) == (0, "")


def test_lint_content_reads_sms_and_title_lines_with_naming_rules(app):
    runner = app.test_cli_runner()
    lines = "Hello, please call back.\nAbout his course\nNews from the domestic abuse service\n"
    assert runner.invoke(args=["lint-content", "--locale", "en", "-"], input=lines).exit_code == 0
    result = runner.invoke(args=["lint-content", "--locale", "en", "--context", "title", "-"], input=lines)
    assert result.exit_code == 1
    assert result.output.splitlines() == ["2: naming.programme About his course",
                                          "3: naming.violence-abuse News from the domestic abuse service"]
    arabic = runner.invoke(args=["lint-content", "--locale", "ar", "--context", "sms", "-"], input="العنف\n")
    assert (arabic.exit_code, arabic.output) == (1, "1: naming.violence-abuse العنف\n")


def test_lint_content_without_rules_for_a_shipped_locale_exits_2(app, monkeypatch, tmp_path):
    from portal import content_ruleset
    monkeypatch.setattr(content_ruleset, "RULES_DIR", tmp_path)
    content_ruleset.rule_set.cache_clear()
    try:
        runner = app.test_cli_runner()
        result = runner.invoke(args=["lint-content", "--locale", "en", "-"], input="Hello\n")
        assert result.exit_code == 2
        whole = runner.invoke(args=["lint-content"])
        assert whole.exit_code == 1 and "rules.missing" in whole.output
    finally:
        content_ruleset.rule_set.cache_clear()


def test_lint_content_checks_what_admins_entered_for_her(app, dbs):
    from portal.services.admin import deployment
    deployment.save(dbs, "sharing_policy", {"en": "Your support is essential to his progress."}, updated_by=None)
    deployment.save(dbs, "site_name", "Domestic Abuse Programme", updated_by=None)
    dbs.commit()
    result = app.test_cli_runner().invoke(args=["lint-content"])
    assert result.exit_code == 1
    assert "en: blame.support-his-change (Your support is essential to his) in admin: sharing policy" in result.output
    assert "naming.violence-abuse (Abuse) in admin: site name (page titles)" in result.output


def test_lint_content_finds_giveaways_in_first_screen_parts_of_her_templates(tmp_path: Path):
    (tmp_path / "templates" / "public").mkdir(parents=True)
    (tmp_path / "translations").mkdir()
    (tmp_path / "templates" / "public" / "page.html").write_text(
        '{% block title %}{{ _("Bookings") }}{% endblock %}<h1>{{ _("About his course") }}</h1>'
        '<p>{{ _("Below the fold, he may say") }}</p><details><summary>{{ _("What it is") }}</summary>'
        '<p>{{ _("Violence is never your fault") }}</p></details>'
        '{# first-screen #}<p>{{ _("Safety first") }}</p>{# end first-screen #}')
    (tmp_path / "translations" / "messages.pot").write_text(
        "".join(f'msgid "{text}"\nmsgstr ""\n\n' for text in ("Bookings", "About his course",
                "Below the fold, he may say", "What it is", "Violence is never your fault", "Safety first")))
    assert set(first_screen_msgids(tmp_path)) == {"Bookings", "About his course", "What it is", "Safety first"}
    found = {(item.finding.text, item.finding.detail) for item in lint_catalogs(["en"], tmp_path)}
    assert found == {("About his course", "his"), ("About his course", "course"), ("Safety first", "safety")}


def test_her_real_first_screen_texts_are_found_by_lint_content():
    found = first_screen_msgids()
    for text in ("Send a note to your worker", "Information", "In an emergency, call %(number)s.",
                 "Note 1: please get in touch soon", "Stop all contact", "Help and useful numbers"):
        assert text in found, text
