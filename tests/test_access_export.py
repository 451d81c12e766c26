"""Her right of access (issue 12 item 8; DESIGN 8 "Her access export"): her copy holds everything held about her,
in her language, printable, with other people's data left out; never-disclose values only when ticked; her plan as
"exists, sealed"; no link token. Her worker can print the same copy for her. A duress session gets a fresh record's
copy. Every table with a key to her record is covered by the copy, or left out with a reason."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import ForeignKey, select

from portal.models import AuditEvent, Base, PartnerContact
from portal.services.her import access_export
from tests.access_support import NEVER, PRIVATE, SHOWN, seed_everything
from tests.factories import login_as
from tests.plan_console_support import SECOND, hold_in_session, make_plan, open_with
from tests.public_helpers import her_client, post
from tests.staff_console import csrf_from


@pytest.fixture
def seeded(app, dbs, vault, audit_key, clock, ctx_for):  # type: ignore[no-untyped-def]
    return seed_everything(dbs, vault, audit_key, clock, ctx_for)


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def found(html: str, values: dict[str, str]) -> set[str]:
    lowered = html.lower()
    return {key for key, value in values.items() if value.lower() in lowered}


def test_every_table_with_a_key_to_her_record_is_covered_or_left_out_with_a_reason() -> None:
    keyed = {table.name for table in Base.metadata.tables.values()
             if any(isinstance(fk, ForeignKey) and fk.column.table.name == "partner_contact"
                    for column in table.columns for fk in column.foreign_keys)}
    keyed.add("partner_contact")
    accounted = set(access_export.COVERED) | set(access_export.LEFT_OUT)
    assert keyed - accounted == set(), "a table holds rows about her: add it to her copy, or say why it is left out"
    assert accounted - keyed == set()
    assert set(access_export.COVERED) & set(access_export.LEFT_OUT) == set()
    assert all(reason.strip() for reason in (*access_export.COVERED.values(), *access_export.LEFT_OUT.values()))
    # Her plan's shared copy and a referral's children hang off covered tables: named with their parent.
    assert set(access_export.THROUGH) == {"safety_plan_share", "referral_child"}


def test_her_copy_holds_every_area_and_nothing_of_anyone_else(app, dbs, seeded):
    world, made = seeded
    client = her_client(app, world.partner, check_home=True)
    response = client.get("/copy")
    assert response.status_code == 200
    html = text_of(response)
    assert found(html, SHOWN) == set(SHOWN), set(SHOWN) - found(html, SHOWN)
    assert found(html, PRIVATE) == set()  # not ticked: only "recorded"
    assert found(html, NEVER) == set()
    assert made["invite"].token not in html
    for words in ("You told your worker you feel less safe", "News from the programme, for your worker",
                  "Were you hurt or injured", "It is sealed with your passphrase", "You shared a copy with your worker",
                  "Police", "Phone call", "Making a plan", "Recorded, not shown here"):
        assert words in html, words
    assert "Nothing about him is shown here" in html  # linked, but nothing of him


def test_ticking_shows_her_private_details_on_that_one_response_and_both_are_audited(app, dbs, seeded):
    world, _made = seeded
    client = her_client(app, world.partner, check_home=True)
    shown = post(client, "/copy", {"private": "1"}, token_from="/copy")
    assert shown.status_code == 200
    assert found(text_of(shown), PRIVATE) == set(PRIVATE)
    assert found(text_of(shown), NEVER) == set()
    assert 'id="private" name="private" value="1" checked' in text_of(shown)
    assert found(text_of(client.get("/copy")), PRIVATE) == set()  # a reload: hidden again
    unticked = post(client, "/copy", {}, token_from="/copy")
    assert found(text_of(unticked), PRIVATE) == set()
    assert client.post("/copy", data={"private": "1"}).status_code == 400  # no CSRF token: refused
    dbs.expire_all()
    entries = list(dbs.scalars(select(AuditEvent).where(AuditEvent.action == "access_copy.view")
                               .order_by(AuditEvent.seq)))
    said = [json.loads(entry.details) for entry in entries]
    # Each page is audited (the token's GET before each POST included), with whether the values were in it.
    assert [entry["never_disclose"] for entry in said] == [False, True, False, False, False]
    assert {entry["purpose"] for entry in said} == {"her_page"}
    assert {entry.actor_type for entry in entries} == {"partner"}


def test_an_admin_marked_field_is_private_on_her_copy_too(app, dbs, seeded):
    from portal.services.admin import deployment
    from portal.services.casework import never_disclose

    world, _made = seeded
    deployment.save(dbs, never_disclose.SETTING, ["email"])
    dbs.commit()
    client = her_client(app, world.partner)
    assert SHOWN["email"] not in text_of(client.get("/copy"))
    assert SHOWN["email"] in text_of(post(client, "/copy", {"private": "1"}, token_from="/copy"))


@pytest.mark.parametrize("locale", ["de", "ar"])
def test_her_copy_speaks_her_language(app, dbs, seeded, locale):
    world, _made = seeded
    her = dbs.get(PartnerContact, world.partner.id)
    her.locale, her.locale_chosen = locale, True
    dbs.commit()
    html = text_of(her_client(app, her).get("/copy"))
    assert f'lang="{locale}"' in html
    title = {"de": "Eine Kopie Ihrer Daten", "ar": "نسخة من معلوماتكِ"}[locale]
    assert f"<title>{title}</title>" in html
    assert found(html, SHOWN) == set(SHOWN)
    if locale == "ar":
        assert 'dir="rtl"' in html
        assert '<bdi dir="ltr">07:15</bdi>' in html  # numbers isolated, left to right
        assert re.search(r"<bdi>[^<]*٢٠٢٦|<bdi>[^<]*2026", html)  # dates isolated


def test_without_her_session_the_copy_is_the_neutral_start(app, client, seeded):
    assert client.get("/copy").status_code == 303
    assert client.get("/copy").headers["Location"].endswith("/")
    assert client.post("/copy", data={"private": "1"}).status_code in (303, 400)
    assert found(text_of(client.get("/copy", follow_redirects=True)), SHOWN | PRIVATE) == set()


def test_a_duress_session_gets_a_fresh_records_copy(app, dbs, vault, ctx_for, world):
    from tests.factories import set_prefs, set_wording

    her = world.partner

    prefs = set_prefs(dbs, her.id, channel_sms=True, voicemail_ok=True)
    vault.put(prefs, "code_word_ct", PRIVATE["code_word"])
    vault.put(her, "safe_address_ct", PRIVATE["safe_address"])
    vault.put(her, "email_ct", SHOWN["email"])
    set_wording(dbs, vault, her.id, "dropout", own_words=SHOWN["own_words"])
    dbs.commit()
    make_plan(ctx_for, dbs, her)
    client = her_client(app, her, check_home=True)
    hold_in_session(app, client, open_with(ctx_for, dbs, her, SECOND))
    own = her_client(app, her)
    fresh = text_of(client.get("/copy"))
    ticked = text_of(post(client, "/copy", {"private": "1"}, token_from="/copy"))
    for html in (fresh, ticked):
        assert SHOWN["own_words"] not in html and SHOWN["email"] not in html
        assert PRIVATE["code_word"] not in html and PRIVATE["safe_address"] not in html
        assert "Sam Example" in html  # her name as recorded, as a fresh record holds it
        assert "07:15" not in html and "Text messages (SMS)" not in html  # no choices
        assert "It is sealed with your passphrase" in html and "You shared a copy" not in html
        assert "Recorded, not shown here" not in html  # a fresh record has no safe address, number or code word
        assert html.count("<dt>") == text_of(own.get("/copy")).count("<dt>")  # the same rows as her own copy
    # Her own session shows her real copy.
    assert SHOWN["own_words"] in text_of(own.get("/copy"))


def test_her_home_links_to_her_copy_under_a_neutral_heading(app, seeded):
    world, _made = seeded
    home = text_of(her_client(app, world.partner).get("/home"))
    assert "<h2>Your information</h2>" in home and 'href="/copy"' in home


# -- her worker's copy, to print and hand over ----------------------------------------------------------------

def test_her_worker_prints_the_same_copy_in_her_language_and_ticks_for_private_details(app, dbs, seeded):
    world, made = seeded
    her = dbs.get(PartnerContact, world.partner.id)
    her.locale = "de"
    dbs.commit()
    client = app.test_client()
    login_as(client, world.worker)
    case = text_of(client.get(f"/staff/cases/{her.id}"))
    assert f'href="/staff/cases/{her.id}/copy"' in case
    page = client.get(f"/staff/cases/{her.id}/copy")
    html = text_of(page)
    assert page.status_code == 200
    assert 'lang="de"' in html and "Eine Kopie Ihrer Daten" in html
    assert found(html, SHOWN) == set(SHOWN) and found(html, PRIVATE) == set()
    assert found(html, {k: v for k, v in NEVER.items() if k not in ("worker_name",)}) == set()
    assert html.count(NEVER["worker_name"]) == 1  # only in the console's own top bar, never in her copy
    ticked = client.post(f"/staff/cases/{her.id}/copy", data={"csrf_token": csrf_from(html), "private": "1"})
    assert ticked.status_code == 200 and found(text_of(ticked), PRIVATE) == set(PRIVATE)
    assert made["invite"].token not in text_of(ticked)
    dbs.expire_all()
    said = [(e.actor_type, json.loads(e.details)) for e in dbs.scalars(
        select(AuditEvent).where(AuditEvent.action == "access_copy.view").order_by(AuditEvent.seq))]
    assert said == [("staff", {"never_disclose": False, "purpose": "handed_over"}),
                    ("staff", {"never_disclose": True, "purpose": "handed_over"})]


def test_only_her_own_services_workers_reach_her_copy(app, dbs, vault, audit_key, seeded):
    from tests.factories import make_world

    world, _made = seeded
    other = make_world(dbs, vault, audit_key, partner_phone="+447400111333")
    dbs.commit()
    for user in (world.facilitator, world.admin, other.worker):
        client = app.test_client()
        login_as(client, user)
        assert client.get(f"/staff/cases/{world.partner.id}/copy").status_code == 404
    assert app.test_client().get(f"/staff/cases/{world.partner.id}/copy").status_code == 303  # sign in first
