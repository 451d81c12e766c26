"""Her plan's pages (issue 11, items 1-3): set up before she starts, her priorities, its parts, print, lock, open
with either passphrase (the same answer), share and withdraw a copy, delete at once, and every refusal calm,
clear and in her language."""

from __future__ import annotations

import re
import time
import uuid

import pytest
from sqlalchemy import func, select

from portal.models import (
    AuditEvent,
    Helpline,
    PartnerContact,
    SafetyPlan,
    SafetyPlanShare,
    Task,
    TaskKind,
    WebSession,
)
from portal.services.her import safety_plan
from portal.services.her.safety_plan import FIELD_MAX, FIELDS, PRIORITIES, SECTIONS
from tests.public_helpers import her_client, post

MAIN = "blue kettle on the windowsill"
SECOND = "seven green apples"
CANARY = "Aunt Rosa 07700 900123 canary-71"
DECOY = "Dentist 0161 496 0000 decoy-93"
PLAN_PATHS = ("/plan", "/plan/priorities", "/plan/part/people", "/plan/print", "/plan/delete")


@pytest.fixture(autouse=True)
def quick_open(app):  # type: ignore[no-untyped-def]
    """No minimum time on opening her plan here (test_opening_takes_at_least_the_floor checks it)."""
    app.config["PLAN_OPEN_FLOOR_SECONDS"] = 0
    return app


def form(client, path: str, data: dict[str, str], token_from: str | None = None):  # type: ignore[no-untyped-def]
    """Her form as her browser sends it (multipart, like the page's forms), with her session's CSRF token."""
    return post(client, path, data, token_from=token_from or "/plan", content_type="multipart/form-data")


def set_up(client, *, second: str | None = SECOND, decoy: str = DECOY):  # type: ignore[no-untyped-def]
    data = {"passphrase": MAIN, "passphrase_again": MAIN}
    if second:
        data |= {"second": second, "second_again": second, "decoy-people-contacts": decoy}
    response = form(client, "/plan/new", data)
    assert response.status_code == 303 and response.headers["Location"] == "/plan/priorities", response.status_code
    return response


def lock(client) -> None:  # type: ignore[no-untyped-def]
    assert form(client, "/plan/close", {}).status_code == 303


def open_with(client, passphrase: str):  # type: ignore[no-untyped-def]
    return form(client, "/plan/open", {"passphrase": passphrase})


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def snapshot(dbs) -> tuple:  # type: ignore[no-untyped-def]
    """What a GET must never change: her plan's rows (sealed bytes and counters), copies, tasks, audit entries."""
    dbs.expire_all()
    plans = [(p.id, p.content_0, p.content_1, p.wrapped_key_0, p.wrapped_key_1, p.wrong_tries, p.wait_until,
              p.updated_at) for p in dbs.scalars(select(SafetyPlan))]
    shares = sorted(str(s.id) for s in dbs.scalars(select(SafetyPlanShare)))
    return (plans, shares, dbs.scalar(select(func.count()).select_from(Task)),
            dbs.scalar(select(func.count()).select_from(AuditEvent)))


# -- without her session, before she starts -------------------------------------------------------------------

def test_without_her_session_every_plan_page_goes_to_the_neutral_start(client):
    for path in PLAN_PATHS + ("/plan/part/family",):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["Location"] == "/", path
    for path in ("/plan/new", "/plan/open", "/plan/close", "/plan/share", "/plan/unshare", "/plan/delete",
                 "/plan/priorities", "/plan/part/people"):
        assert client.post(path).status_code in (303, 400), path  # no session: the CSRF check refuses first


def test_before_she_starts_the_page_says_it_is_hers_alone_and_what_a_forgotten_passphrase_means(app, world):
    her = her_client(app, world.partner)
    page = text(her.get("/plan"))
    assert "It is yours alone." in page
    assert "Nobody at the service can open it, not even your worker, unless you choose to share a copy" in page
    forgotten = page.index("If you forget your passphrase, nobody can open your plan again, not even us. You would "
                           "need to start a new plan.")
    assert forgotten < page.index('action="/plan/new"')  # said before she starts
    assert 'name="second"' in page and "<details" in page[:page.index('name="second"')]
    assert "Your plan" in re.search(r"<title>(.*?)</title>", page).group(1)
    assert 'href="/plan"' in text(her.get("/home"))  # her menu leads here


# -- the whole flow ---------------------------------------------------------------------------------------------

def test_the_whole_flow_set_up_priorities_parts_print_lock_and_open_with_either_passphrase(app, world, dbs):
    her = her_client(app, world.partner)
    set_up(her)
    assert "What matters most to you now?" in text(her.get("/plan/priorities"))
    response = form(her, "/plan/priorities", {"rank-children": "1", "rank-privacy": "2"}, token_from="/plan/priorities")
    assert response.status_code == 303 and response.headers["Location"] == "/plan"
    page = text(her.get("/plan"))
    order = [slug for slug in re.findall(r'href="/plan/part/(\w+)"', page)]
    assert order[:2] == ["family", "phone"]  # children first, then privacy's part
    assert len(order) == len(SECTIONS)
    assert form(her, "/plan/part/people", {"contacts": CANARY, "code_word": "sunflower"},
                token_from="/plan/part/people").status_code == 303
    assert form(her, "/plan/part/family", {"who_collects": "My sister, after school"},
                token_from="/plan/part/family").status_code == 303
    page = text(her.get("/plan/part/people"))
    assert CANARY in page and "sunflower" in page
    printed = text(her.get("/plan/print"))
    assert CANARY in printed and "My sister, after school" in printed
    assert printed.index("My sister") < printed.index(CANARY)  # her order
    lock(her)
    locked = text(her.get("/plan"))
    assert "Your plan is locked." in locked and CANARY not in locked
    assert her.get("/plan/print").headers["Location"] == "/plan"

    assert open_with(her, SECOND).status_code == 303
    decoy_page = text(her.get("/plan"))
    assert CANARY not in decoy_page
    assert DECOY in text(her.get("/plan/part/people"))
    dbs.expire_all()
    task = dbs.scalar(select(Task).where(Task.partner_id == world.partner.id, Task.kind == TaskKind.PLAN_DURESS))
    assert task is not None and task.contact_allowed is False
    assert dbs.get(PartnerContact, world.partner.id).texts_held_since is not None

    lock(her)
    assert open_with(her, MAIN).status_code == 303
    page = text(her.get("/plan/part/people"))
    assert CANARY in page and DECOY not in page


def test_the_useful_numbers_part_starts_with_the_deployment_numbers_in_her_language(app, world, dbs):
    dbs.add(Helpline(id=uuid.uuid4(), locale="de", name="Hilfetelefon", phone="116 016",
                     hours="rund um die Uhr"))
    dbs.add(Helpline(id=uuid.uuid4(), locale="en", name="Night line", phone="0808 000 0000", hours=""))
    world.partner.locale, world.partner.locale_chosen = "de", True
    dbs.commit()
    her = her_client(app, world.partner)
    set_up(her, second=None)
    page = text(her.get("/plan/part/numbers"))
    assert "Hilfetelefon: 116 016 (rund um die Uhr)" in page and "Night line" not in page
    assert "999" in page
    printed = text(her.get("/plan/print"))
    assert "Hilfetelefon" in printed and 'href="tel:999"' in printed


# -- GET and HEAD change nothing; her session is needed; CSRF -------------------------------------------------

def test_get_and_head_change_nothing_open_or_locked(app, world, dbs):
    her = her_client(app, world.partner)
    set_up(her)
    form(her, "/plan/share", {})
    for state in ("open", "locked"):
        before = snapshot(dbs)
        for path in PLAN_PATHS + ("/plan/part/numbers", "/plan/part/unknown"):
            for method in (her.get, her.head):
                assert method(path).status_code in (200, 303, 404), path
        assert snapshot(dbs) == before, state
        lock(her)


def test_every_form_needs_the_csrf_token(app, world, dbs):
    her = her_client(app, world.partner)
    set_up(her)
    before = snapshot(dbs)
    for path, data in (("/plan/part/people", {"contacts": "x"}), ("/plan/priorities", {"rank-safety": "1"}),
                       ("/plan/share", {}), ("/plan/delete", {}), ("/plan/close", {}),
                       ("/plan/open", {"passphrase": MAIN}), ("/plan/new", {"passphrase": MAIN})):
        response = her.post(path, data=data, headers={"Referer": "https://localhost" + path})
        assert response.status_code == 400, path
        assert "Something in that request was not right" in text(response)
    assert snapshot(dbs) == before
    assert CANARY not in text(her.get("/plan"))  # still open: the refused close did nothing
    assert 'href="/plan/part/people"' in text(her.get("/plan"))


# -- refusals: calm, clear, in her language, nothing lost but passphrases ----------------------------------------

SETUP_REFUSALS = [
    ({"passphrase": MAIN, "passphrase_again": MAIN + "x"}, "passphrase_again",
     {"en": "The two passphrases are not the same.", "de": "Die beiden Passphrasen", "ar": "عبارتا المرور"}),
    ({"passphrase": "short", "passphrase_again": "short"}, "passphrase",
     {"en": "at least 8 characters", "de": "mindestens 8 Zeichen", "ar": "8"}),
    ({"passphrase": "x" * 201, "passphrase_again": "x" * 201}, "passphrase",
     {"en": "up to 200 characters", "de": "200 Zeichen", "ar": "200"}),
    ({"passphrase": MAIN, "passphrase_again": MAIN, "second": MAIN, "second_again": MAIN}, "second",
     {"en": "must be different from your main one", "de": "unterscheiden", "ar": "مختلفة"}),
    ({"passphrase": MAIN, "passphrase_again": MAIN, "decoy-people-contacts": DECOY}, "second",
     {"en": "please also choose a second passphrase", "de": "zweite Passphrase", "ar": "عبارة مرور ثانية"}),
    ({"passphrase": MAIN, "passphrase_again": MAIN, "second": SECOND, "second_again": SECOND,
      "decoy-support-notes": "x" * (FIELD_MAX + 1)}, "decoy-support-notes",
     {"en": "up to 2,000 characters", "de": "2.000 Zeichen", "ar": "2,000 حرف"}),
]


@pytest.mark.parametrize("locale", ["en", "de", "ar"])
@pytest.mark.parametrize("data, anchor, words", SETUP_REFUSALS)
def test_set_up_refusals_are_clear_in_her_language_and_keep_all_but_passphrases(app, world, dbs, locale, data,
                                                                               anchor, words):
    world.partner.locale, world.partner.locale_chosen = locale, True
    dbs.commit()
    her = her_client(app, world.partner)
    if "second" in data:
        data = {**data, "decoy-people-contacts": DECOY}
    response = form(her, "/plan/new", data)
    page = text(response)
    assert response.status_code == 400
    assert words[locale] in page, page[page.find("error-summary"):][:600]
    assert f'href="#{anchor}"' in page and f'id="{anchor}"' in page
    if "decoy-people-contacts" in data:
        assert DECOY in page  # what she wrote for the second plan is kept
    for name in ("passphrase", "passphrase_again", "second", "second_again"):
        if data.get(name):
            assert data[name][:50] not in page, name  # never a passphrase written back
    assert dbs.scalar(select(func.count()).select_from(SafetyPlan)) == 0


@pytest.mark.parametrize("locale", ["en", "de", "ar"])
def test_over_long_and_garbage_input_is_refused_clearly_and_nothing_she_typed_is_lost(app, world, dbs, locale):
    world.partner.locale, world.partner.locale_chosen = locale, True
    dbs.commit()
    her = her_client(app, world.partner)
    set_up(her)
    form(her, "/plan/part/people", {"contacts": CANARY}, token_from="/plan/part/people")
    before = snapshot(dbs)
    too_long = "ü" * (FIELD_MAX + 1)
    response = form(her, "/plan/part/people", {"contacts": "New words of hers", "code_word": too_long},
                    token_from="/plan/part/people")
    page = text(response)
    assert response.status_code == 400
    assert {"en": "Each answer can be up to 2,000 characters", "de": "bis zu 2.000 Zeichen",
            "ar": "2,000 حرف"}[locale] in page
    assert "New words of hers" in page and too_long in page  # both boxes kept as she typed them
    assert 'href="#people-code_word"' in page
    for data in ({"rank-safety": "seven"}, {"rank-safety": "²"}, {"rank-safety": "0"}, {"rank-safety": "99"}):
        response = form(her, "/plan/priorities", data, token_from="/plan/priorities")
        assert response.status_code == 400, data
        assert {"en": "Please choose a number from the list", "de": "Bitte wählen Sie eine Zahl",
                "ar": "يرجى اختيار رقم"}[locale] in text(response)
    assert form(her, "/plan/part/nowhere", {"contacts": "x"}, token_from="/plan").status_code == 404
    assert snapshot(dbs) == before
    assert CANARY in text(her.get("/plan/part/people"))
    # Her own digits count (Arabic-Indic), and two equal numbers keep the list's order.
    assert form(her, "/plan/priorities", {"rank-privacy": "١", "rank-safety": "1"},
                token_from="/plan/priorities").status_code == 303
    dbs.expire_all()
    assert text(her.get("/plan")).index("/plan/part/quick") < text(her.get("/plan")).index("/plan/part/phone")


@pytest.mark.parametrize("locale", ["en", "de", "ar"])
def test_a_wrong_passphrase_is_calm_the_same_every_time_then_a_wait_never_a_wipe(app, world, dbs, clock, locale):
    world.partner.locale, world.partner.locale_chosen = locale, True
    dbs.commit()
    her = her_client(app, world.partner)
    set_up(her)
    lock(her)
    wrong = {"en": "That passphrase did not open your plan. Please check it and try again.",
             "de": "Mit dieser Passphrase", "ar": "عبارة المرور هذه"}[locale]
    free = safety_plan.TryLimits().free_tries
    answers = [open_with(her, f"not it {n}") for n in range(free - 1)]
    assert {response.status_code for response in answers} == {400}
    assert all(wrong in text(response) for response in answers)
    waiting = open_with(her, "not it either")  # the try that starts a wait says so
    wait_words = {"en": "You can try again in 1 minute.", "de": "in 1 Minute", "ar": "دقيقة"}[locale]
    assert waiting.status_code == 400 and wait_words in text(waiting)
    still = open_with(her, MAIN)  # while waiting even the right one is not tried
    assert still.status_code == 400 and wait_words in text(still)
    assert 'href="/plan/part/people"' not in text(her.get("/plan"))
    dbs.expire_all()
    assert dbs.scalar(select(func.count()).select_from(SafetyPlan)) == 1  # never a wipe
    clock.advance(seconds=31)
    assert open_with(her, MAIN).status_code == 303
    assert 'href="/plan/part/people"' in text(her.get("/plan"))
    empty = open_with(her, "")
    assert empty.status_code == 400 and "Please type your passphrase." in text(empty) or locale != "en"


def test_forgotten_passphrase_leads_to_delete_which_destroys_the_plan_and_its_copy_at_once(app, world, dbs):
    her = her_client(app, world.partner)
    set_up(her)
    form(her, "/plan/part/people", {"contacts": CANARY}, token_from="/plan/part/people")
    assert form(her, "/plan/share", {}).status_code == 303
    lock(her)
    locked = text(her.get("/plan"))
    assert '<a href="/plan/delete">Forgotten your passphrase? Start a new plan</a>' in locked
    confirm = text(her.get("/plan/delete"))
    assert "Nobody can bring it back, not even your worker." in confirm
    assert "If you shared a copy with your worker, that copy is deleted too." in confirm
    assert dbs.scalar(select(func.count()).select_from(SafetyPlanShare)) == 1
    response = form(her, "/plan/delete", {}, token_from="/plan/delete")
    assert response.status_code == 303 and response.headers["Location"] == "/plan"
    dbs.expire_all()
    assert dbs.scalar(select(func.count()).select_from(SafetyPlan)) == 0
    assert dbs.scalar(select(func.count()).select_from(SafetyPlanShare)) == 0
    page = text(her.get("/plan"))
    assert "Your plan is deleted." in page and 'action="/plan/new"' in page
    assert dbs.scalar(select(AuditEvent).where(AuditEvent.action == "plan.deleted")) is not None
    set_up(her)  # and she can start again


def test_sharing_a_copy_is_shown_clearly_and_withdrawing_destroys_it(app, world, dbs):
    her = her_client(app, world.partner)
    set_up(her)
    page = text(her.get("/plan"))
    assert "A copy of this plan is shared with your worker." not in page
    assert "kept with the service’s own keys, so your worker can read it" in page
    assert "You can withdraw the copy at any time. It is then deleted, and your worker can no longer read it." in page
    assert form(her, "/plan/share", {}).status_code == 303
    page = text(her.get("/plan"))
    first_screen = page[page.index("<h1>"):page.index('class="cards parts"')]
    assert "A copy of this plan is shared with your worker." in first_screen
    assert dbs.scalar(select(func.count()).select_from(SafetyPlanShare)) == 1
    assert form(her, "/plan/unshare", {}).status_code == 303
    dbs.expire_all()
    assert dbs.scalar(select(func.count()).select_from(SafetyPlanShare)) == 0
    page = text(her.get("/plan"))
    assert "The copy is withdrawn and deleted." in page and "A copy of this plan is shared" not in page
    actions = list(dbs.scalars(select(AuditEvent.action).where(AuditEvent.action.like("plan.share%"))))
    assert actions == ["plan.shared", "plan.share_withdrawn"]


def test_a_locked_plan_opens_no_part_and_shares_nothing(app, world, dbs):
    her = her_client(app, world.partner)
    set_up(her)
    lock(her)
    for path in ("/plan/priorities", "/plan/part/people", "/plan/print"):
        assert her.get(path).headers["Location"] == "/plan", path
    for path in ("/plan/share", "/plan/part/people", "/plan/priorities"):
        assert form(her, path, {"contacts": CANARY, "rank-safety": "1"}).headers["Location"] == "/plan", path
    assert dbs.scalar(select(func.count()).select_from(SafetyPlanShare)) == 0


def test_the_quick_exit_and_locking_leave_no_key_in_her_session(app, world, dbs):
    her = her_client(app, world.partner)
    set_up(her)
    dbs.expire_all()
    rows = list(dbs.scalars(select(WebSession).where(WebSession.partner_id == world.partner.id)))
    assert len(rows) == 1 and '"plan"' in rows[0].data
    lock(her)
    dbs.expire_all()
    assert '"plan"' not in dbs.scalar(select(WebSession.data).where(WebSession.partner_id == world.partner.id))
    assert open_with(her, MAIN).status_code == 303
    assert her.get("/exit").status_code == 303
    dbs.expire_all()
    assert dbs.scalar(select(WebSession).where(WebSession.partner_id == world.partner.id)) is None
    assert her.get("/plan").headers["Location"] == "/"  # the next request has no session, and no key


# -- the two passphrases answer exactly the same ------------------------------------------------------------------

RANDOM_BY_DESIGN = {"Date", "Set-Cookie"}
CSRF = re.compile(r'name="csrf_token" value="[^"]+"')


def cookie_attributes(header: str) -> list[str]:
    name_value, *attributes = [part.strip() for part in header.split(";")]
    return [name_value.split("=", 1)[0], *sorted(attributes)]


def test_the_second_passphrase_answers_exactly_as_the_main_one(app, world, dbs):
    """The same status, headers (but Date, and the session cookie's random value), Location and next page, for
    the same content behind both passphrases."""
    first = her_client(app, world.partner)
    set_up(first, decoy=CANARY)
    # Her real plan holds exactly what the harmless one holds (set up put the numbers in hers: cleared here).
    form(first, "/plan/part/numbers", {"services": "", "notes": ""}, token_from="/plan/part/numbers")
    form(first, "/plan/part/people", {"contacts": CANARY}, token_from="/plan/part/people")
    lock(first)
    answers = {}
    for label, passphrase in (("main", MAIN), ("second", SECOND)):
        her = her_client(app, world.partner)
        her.get("/plan")
        response = open_with(her, passphrase)
        following = her.get(response.headers["Location"])
        answers[label] = (response, following)
    (main, main_next), (second, second_next) = answers["main"], answers["second"]
    assert main.status_code == second.status_code == 303
    assert main.headers["Location"] == second.headers["Location"] == "/plan"
    assert main.get_data() == second.get_data()
    assert sorted(name for name, _ in main.headers) == sorted(name for name, _ in second.headers)
    for name in {name for name, _ in main.headers}:
        if name not in RANDOM_BY_DESIGN:
            assert second.headers.get_all(name) == main.headers.get_all(name), name
    assert [cookie_attributes(c) for c in main.headers.get_all("Set-Cookie")] == \
        [cookie_attributes(c) for c in second.headers.get_all("Set-Cookie")]
    assert main_next.status_code == second_next.status_code == 200
    assert CSRF.sub("", text(main_next)) == CSRF.sub("", text(second_next))
    assert [n for n, _ in main_next.headers] == [n for n, _ in second_next.headers]
    dbs.expire_all()
    assert dbs.scalar(select(func.count()).select_from(Task).where(Task.kind == TaskKind.PLAN_DURESS)) == 1


def test_opening_takes_at_least_the_floor_whichever_passphrase(app, world):
    app.config["PLAN_OPEN_FLOOR_SECONDS"] = 0.4
    her = her_client(app, world.partner)
    set_up(her)
    for passphrase in (MAIN, SECOND, "not the one"):
        lock(her)
        started = time.perf_counter()
        open_with(her, passphrase)
        assert time.perf_counter() - started >= 0.4, passphrase


# -- her words ------------------------------------------------------------------------------------------------

def test_every_priority_part_and_question_has_her_words_and_a_neutral_address(app):
    from portal.content_rules import giveaway_locales, giveaways
    from portal.public.plan_words import FIELD_LABELS, PART_SLUGS, PART_TITLES, PRIORITY_LABELS

    assert set(PRIORITY_LABELS) == set(PRIORITIES)
    assert set(PART_TITLES) == set(PART_SLUGS) == set(SECTIONS)
    assert set(FIELD_LABELS) == {f"{s}.{f}" for s in SECTIONS for f in FIELDS[s]}
    assert len(set(PART_SLUGS.values())) == len(SECTIONS)
    for slug in PART_SLUGS.values():
        for locale in giveaway_locales():
            assert giveaways(slug, locale) == [], (slug, locale)
    with app.test_request_context():
        for locale in ("en", "de", "ar"):
            from flask_babel import force_locale

            with force_locale(locale):
                for title in PART_TITLES.values():
                    assert giveaways(str(title), locale) == [], (title, locale)


def test_her_parts_come_in_the_services_order_of_her_priorities(app, world):
    """The parts' order on her page is the service's section_order of her priorities."""
    her = her_client(app, world.partner)
    set_up(her, second=None)
    form(her, "/plan/priorities", {"rank-feelings": "1"}, token_from="/plan/priorities")
    page = text(her.get("/plan"))
    slugs = re.findall(r'href="/plan/part/(\w+)"', page)
    from portal.public.plan_words import PART_SLUGS

    assert slugs == [PART_SLUGS[s] for s in safety_plan.section_order(("feelings",))]
    assert slugs[0] == "numbers"


def test_a_shared_copy_is_her_plan_as_it_was_and_withdrawing_leaves_her_worker_nothing(app, world, dbs, ctx_for):
    from portal.services.audit import Actor

    her = her_client(app, world.partner)
    set_up(her, second=None)
    form(her, "/plan/part/people", {"contacts": CANARY}, token_from="/plan/part/people")
    assert form(her, "/plan/share", {}).status_code == 303
    form(her, "/plan/part/places", {"safe_places": "Later words"}, token_from="/plan/part/places")
    staff = ctx_for(Actor("staff", str(world.worker.id)))
    copy = safety_plan.shared_copy(staff, world.partner)
    assert copy is not None and copy.fields["people.contacts"] == CANARY
    assert "places.safe_places" not in copy.fields  # the plan as it was when she shared it
    dbs.commit()
    assert form(her, "/plan/share", {}).status_code == 303  # "Update the copy with my changes"
    assert safety_plan.shared_copy(staff, world.partner).fields["places.safe_places"] == "Later words"
    dbs.commit()
    response = form(her, "/plan/unshare", {})
    assert response.status_code == 303
    assert "Your worker can no longer read it." in text(her.get("/plan"))
    dbs.expire_all()
    assert safety_plan.shared_copies(staff, world.partner) == []


def test_a_database_reader_finds_no_word_of_her_plan_from_her_pages(app, world, dbs):
    """Everything her pages write (her plan, the harmless one, her session with the open plan, the audit
    entries of each step) holds no word of her plan or either passphrase."""
    from tests.test_safety_plan_sealed import _every_value

    her = her_client(app, world.partner)
    set_up(her)
    form(her, "/plan/part/people", {"contacts": CANARY}, token_from="/plan/part/people")
    form(her, "/plan/priorities", {"rank-money_housing": "1"}, token_from="/plan/priorities")
    lock(her)
    open_with(her, SECOND)
    lock(her)
    open_with(her, "a wrong try " + MAIN[::-1])
    open_with(her, MAIN)
    assert CANARY in text(her.get("/plan/part/people"))
    dbs.expire_all()
    dump = _every_value(dbs)
    for secret in (CANARY, DECOY, MAIN, SECOND, MAIN[::-1]):
        assert secret.encode() not in dump and secret.encode("utf-16-le") not in dump, secret


def test_locking_the_harmless_plan_keeps_her_session_under_pressure_until_she_opens_hers(app, world):
    """Her other pages ask plan_session.in_duress() (the fresh-record view): locking the harmless plan must not
    bring her real record back while he may still be beside her; opening her own plan again does."""
    from portal.public import plan_session

    seen: list[bool] = []
    app.add_url_rule("/_duress_probe", "duress_probe", lambda: seen.append(plan_session.in_duress()) or "ok")
    her = her_client(app, world.partner)
    set_up(her)
    her.get("/_duress_probe")
    lock(her)
    her.get("/_duress_probe")
    open_with(her, SECOND)
    her.get("/_duress_probe")
    lock(her)
    her.get("/_duress_probe")
    open_with(her, MAIN)
    her.get("/_duress_probe")
    lock(her)
    her.get("/_duress_probe")
    assert seen == [False, False, True, True, False, False]
