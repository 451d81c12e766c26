"""Facilitators never learn anything about her: a canary walk over every route, and byte-identical answers
with and without a linked partner (pages and API).

The one exception (DESIGN 8): a risk note her worker sent with her agreement is shown on his participant page,
in one element (`<section class="partner-notes">`). The walks exempt exactly that element: its text appears
nowhere else, nothing else on any page differs with it, and without a note every page is byte-identical with
and without a linked partner."""

from __future__ import annotations

import itertools
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.models import (
    ConsentEvent,
    ContactLogEntry,
    InboundMessage,
    Notification,
    PartnerLink,
    Preferences,
    ProgrammeEvent,
    RiskAssessment,
    RiskConferenceReferral,
    RiskNote,
    SafeWindow,
    SharingConsentEvent,
    StaffUser,
    Task,
    Tell,
)
from portal.services.audit import Actor
from portal.services.casework import risk_note, sharing_consent
from portal.services.her.invites import issue_invite
from portal.services.programme.events import register_participant
from tests.api_support import make_token, post_event
from tests.factories import context, login_as, make_world, set_prefs, set_wording, told_of_everything
from tests.fanout_support import fan_out
from tests.route_walk import pool_for, walk
from tests.staff_console import csrf_from

CANARY_PHONE = "+447400987654"
WORDS = ["Qx7Canary Name", "qx7canary@example.org", "qx7codeword", "qx7 agreed wording", "qx7 contact note",
         "qx7 next step", "qx7 task detail", "qx7 inbound text", "Qx7Worker Display", "qx7worker@example.org",
         "qx7 what she fears", "qx7 judgement reason", "qx7 conference name", "qx7 conference reason"]
PHONE_FORMS = [CANARY_PHONE, "07400 987654", "07400987654", "7400987654", "987654"]


@pytest.fixture
def seeded(app, dbs, vault, audit_key, clock):
    """Her record full of canary values, her worker, his programme, and everything reports create."""
    app.config["EVENT_RESPONSE_FLOOR_SECONDS"] = 0
    world = make_world(dbs, vault, audit_key, partner_phone=CANARY_PHONE)
    her = world.partner
    vault.put(her, "name_ct", WORDS[0])
    vault.put(her, "email_ct", WORDS[1])
    her.email_bidx = vault.index.email(WORDS[1])
    worker = dbs.get(StaffUser, world.worker.id)
    worker.display_name, worker.email = WORDS[8], WORDS[9]
    prefs = set_prefs(dbs, her.id, **told_of_everything(Tell.BOTH))
    vault.put(prefs, "code_word_ct", WORDS[2])
    set_wording(dbs, vault, her.id, "dropout", own_words=WORDS[3])
    entry = ContactLogEntry(id=uuid.uuid4(), partner_id=her.id, worker_id=worker.id, method="call", reached=True,
                            safe_to_talk="yes", outcome="talked", occurred_at=clock.now())
    vault.put(entry, "notes_ct", WORDS[4])
    vault.put(entry, "next_step_ct", WORDS[5])
    dbs.add(entry)
    task = Task(id=uuid.uuid4(), service_id=world.service.id, partner_id=her.id, assignee_id=worker.id,
                kind="her_less_safe", severity="urgent", due_at=clock.now(), created_at=clock.now())
    vault.put(task, "detail_ct", WORDS[6])
    dbs.add(task)
    inbound = InboundMessage(id=uuid.uuid4(), message_sid="SM" + "7" * 32, partner_id=her.id,
                             received_at=clock.now())
    vault.put(inbound, "body_ct", WORDS[7])
    dbs.add(inbound)
    assessment = RiskAssessment(id=uuid.uuid4(), partner_id=her.id, assessed_by_id=worker.id, assessed_at=clock.now(),
                                checklist_id="starter", checklist_version="1", item_count=24, yes_count=17,
                                not_known_count=2, scored_level="high", judgement_level="high", level="high",
                                incidents_12m=4, escalation=True)
    vault.put(assessment, "fears_ct", WORDS[10])
    vault.put(assessment, "judgement_ct", WORDS[11])
    dbs.add(assessment)
    dbs.flush()
    conference = RiskConferenceReferral(
        id=uuid.uuid4(), partner_id=her.id, assessment_id=assessment.id, assessed_at=clock.now(), yes_count=17,
        item_count=24, level="high", referred_at=clock.now(), she_knows=False, she_consents=False,
        basis="risk_to_life", status="awaiting_approval", created_by_id=worker.id)
    vault.put(conference, "conference_name_ct", WORDS[12])
    vault.put(conference, "reason_ct", WORDS[13])
    vault.put(conference, "judgement_ct", WORDS[11])
    dbs.add(conference)
    invite = issue_invite(dbs, her.id, now=clock.now(), ttl=timedelta(hours=72))
    lonely = register_participant(context(dbs, vault, audit_key, clock.now()), programme=world.programme,
                                  reference="Q" + world.participant.reference[1:],
                                  created_by=world.facilitator.id)
    dbs.commit()
    return world, lonely, invite


def her_ids(dbs, world) -> list[str]:
    """Every id of a row about her (and of her worker): none may appear to a facilitator."""
    dbs.expire_all()
    pid = world.partner.id
    ids = [pid, world.worker.id]
    for model in (Task, Notification, ConsentEvent, ContactLogEntry, SafeWindow, InboundMessage, PartnerLink,
                  Preferences, RiskAssessment, RiskConferenceReferral, RiskNote, SharingConsentEvent):
        ids += [row.id for row in dbs.scalars(select(model).where(model.partner_id == pid))]
    return [form for value in ids for form in (str(value), uuid.UUID(str(value)).hex)]


NOTE = "Qz9 note marker: he said he will wait outside the school gates on Friday."
_NOTE_ELEMENT = re.compile(r'<section class="partner-notes".*?</section>\n?', re.S)


def send_note(dbs, vault, audit_key, clock, world, text: str = NOTE) -> RiskNote:  # type: ignore[no-untyped-def]
    """Her agreement to a risk note going to his programme (she was told what it shows), and her worker's note."""
    ctx = context(dbs, vault, audit_key, clock.now(), Actor("staff", str(world.worker.id)))
    sharing_consent.record_agreement(ctx, world.partner, agency=risk_note.AGENCY, information=("risk",),
                                     how_given="phone", occurred_at=clock.now(), told_note_shows_contact=True)
    note = risk_note.send(ctx, world.partner, participant_id=world.participant.id, text=text, told=True)
    dbs.commit()
    return note


def without_the_note(text: str) -> str:
    """The page with the one exempt element (the notes from the partner support service) taken out."""
    return _NOTE_ELEMENT.sub("", text)


def leaks(response, canaries: list[str]) -> list[str]:
    text = response.get_data().decode("utf-8", "replace").lower()
    text += "\n" + "\n".join(f"{k}: {v}" for k, v in response.headers.items()).lower()
    return [c for c in canaries if c.lower() in text]


def report_as_facilitator(client, world, participant, data):
    path = f"/staff/my-programmes/{world.programme.id}/participants/{participant.id}"
    page = client.get(path).data.decode()
    key = re.search(r'name="report_key" value="([0-9a-f]+)"', page).group(1)
    return client.post(path + "/events", data={"csrf_token": csrf_from(page), "report_key": key, **data})


def test_canary_walk_over_every_route_as_facilitator_and_api(app, client, dbs, vault, audit_key, seeded, clock):
    world, lonely, invite = seeded
    send_note(dbs, vault, audit_key, clock, world)  # the one exception is there, and exempt as one element only
    shown_on: set[str] = set()
    fac_id = world.facilitator.id
    login_as(client, world.facilitator)
    token = make_token(dbs, world.programme, clock.now())
    first = [
        report_as_facilitator(client, world, world.participant, {"kind": "dropout", "description": "walk"}),
        report_as_facilitator(client, world, world.participant,
                              {"kind": "risk", "risk_to": ["partner", "children"], "imminence": "imminent"}),
        report_as_facilitator(client, world, world.participant,
                              {"kind": "risk", "risk_to": "partner", "imminence": "low",
                               "factors": ["suicidal_ideation", "threats_to_kill", "weapons", "stalking",
                                           "separation"]}),
        post_event(client, token, {"participant_ref": world.participant.reference, "kind": "suspended"}),
        post_event(client, token, {"participant_ref": world.participant.reference, "kind": "risk",
                                   "risk_to": "children", "imminence": "high"}, key="walk-1"),
        post_event(client, token, {"participant_ref": world.participant.reference, "kind": "risk",
                                   "risk_to": "partner", "imminence": "low"}, key="walk-1"),
        post_event(client, token, {"participant_ref": world.participant.reference, "kind": "risk",
                                   "risk_to": "partner", "imminence": "medium", "factors": ["separation"]}),
        client.get("/api/v1/openapi.json"),
    ]
    assert fan_out(app) == 6  # the dispatcher process tells her side (the replayed key made no entry)
    canaries = WORDS + PHONE_FORMS + her_ids(dbs, world)
    assert dbs.scalar(select(Notification).where(Notification.kind == "warning")) is not None  # she was told
    for response in first:
        assert leaks(response, canaries) == []

    event_ids = [str(e) for e in dbs.scalars(select(ProgrammeEvent.id))]
    known = [str(world.programme.id), str(world.participant.id), str(lonely.id), *event_ids[:2], "nope",
             str(dbs.scalar(select(RiskAssessment.id))), str(dbs.scalar(select(RiskConferenceReferral.id))),
             str(world.partner.id), str(dbs.scalar(select(Task.id).where(Task.partner_id == world.partner.id))),
             str(dbs.scalar(select(Notification.id))), str(dbs.scalar(select(SafeWindow.id))),
             str(dbs.scalar(select(PartnerLink.id)))]
    form = {"kind": "attendance_concern", "reference": "WALK-REF-1", "description": "walk", "imminence": "",
            "report_key": uuid.uuid4().hex, "confirm": "ERASE", "reason": "other", "outcome": "talked",
            "method": "call", "safe_to_talk": "yes", "weekday": "1", "start": "09:00", "end": "10:00",
            "programme": str(world.programme.id), "answer": "yes", "choice": "yes", "factors": "stalking",
            "fears": "walk", "judgement": "high", "judgement_reason": "walk", "checklist": "starter:1"}
    def sign_in() -> None:
        user = dbs.get(StaffUser, fac_id)
        dbs.refresh(user)
        login_as(client, user)

    def check(endpoint, method, url, response) -> None:  # type: ignore[no-untyped-def]
        assert response.status_code < 500, (method, url, response.status_code)
        assert leaks(response, canaries) == [], (method, url)
        body = response.get_data(as_text=True)
        assert "Qz9 note marker" not in without_the_note(body), (method, url)
        if "Qz9 note marker" in body:
            shown_on.add(url if method == "GET" else f"{method} {url}")
        location = response.headers.get("Location")
        if location and location.startswith("/"):
            after = client.get(location)
            assert leaks(after, canaries) == [], (method, url, location)
            assert "Qz9 note marker" not in without_the_note(after.get_data(as_text=True)), (method, url, location)

    walked = walk(app, client, sign_in=sign_in, csrf_page=f"/staff/my-programmes/{world.programme.id}", form=form,
                  known=lambda _variable: known, check=check)
    assert walked > 100
    # The note is on his page (and on the answers that render it again: a refused report), nowhere else.
    his_page = f"/staff/my-programmes/{world.programme.id}/participants/{world.participant.id}"
    assert his_page in shown_on and all(his_page in url for url in shown_on), shown_on
    # The detector works: her own worker's view of her case shows the canaries.
    login_as(client, dbs.get(StaffUser, world.worker.id))
    seen = leaks(client.get(f"/staff/cases/{world.partner.id}"), canaries)
    assert WORDS[0] in seen and CANARY_PHONE in seen and WORDS[4] in seen
    assessment = dbs.scalar(select(RiskAssessment.id))
    seen = leaks(client.get(f"/staff/cases/{world.partner.id}/risk/{assessment}"), canaries)
    assert WORDS[10] in seen and WORDS[11] in seen  # what she fears: her worker's page only
    referral = dbs.scalar(select(RiskConferenceReferral.id))
    assert WORDS[12] in leaks(client.get(f"/staff/cases/{world.partner.id}"), canaries)
    seen = leaks(client.get(f"/staff/cases/{world.partner.id}/conference/{referral}"), canaries)
    assert WORDS[12] in seen and WORDS[13] in seen  # the conference and the reason: her worker's pages only
    # The bearer link is hers: without it nothing of hers opens, and the walk above never had it.
    assert invite.token not in "".join(str(v) for v in known)


def _normalise(text: str, swaps: dict[str, str]) -> str:
    for old, new in swaps.items():
        text = text.replace(old, new)
    text = re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token" value="CSRF"', text)
    text = re.sub(r'name="report_key" value="[0-9a-f]+"', 'name="report_key" value="KEY"', text)
    return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "UUID", text)


def _shape(response, swaps, exempt: list[str] | None = None):
    """Status, headers and body, normalised; with `exempt`, the note element is taken out (and kept there)."""
    dropped = ("Set-Cookie",) if exempt is None else ("Set-Cookie", "Content-Length")  # the element's length
    headers = {k: v for k, v in response.headers.items() if k not in dropped}
    if "Location" in headers:
        headers["Location"] = _normalise(headers["Location"], swaps)
    body = response.get_data(as_text=True)
    if exempt is not None:
        exempt += _NOTE_ELEMENT.findall(body)
        body = without_the_note(body)
    return response.status_code, headers, _normalise(body, swaps)


def _scenario(client, world, participant, token, swaps, exempt: list[str] | None = None):
    base = f"/staff/my-programmes/{world.programme.id}/participants/{participant.id}"
    shapes = [_shape(client.get(base), swaps, exempt)]
    for data in ({"kind": "dropout", "description": "same"},
                 {"kind": "risk", "risk_to": ["partner", "children"], "imminence": "imminent"},
                 {"kind": "risk", "imminence": "high"},  # invalid: the error page must not differ either
                 # The risk factors (issue 12 item 6): accepted, and refused, alike with or without her.
                 {"kind": "risk", "risk_to": "partner", "imminence": "low",
                  "factors": ["suicidal_ideation", "threats_to_kill", "weapons", "stalking", "separation"]},
                 {"kind": "dropout", "factors": ["stalking"]},
                 {"kind": "risk", "risk_to": "partner", "imminence": "low", "factors": ["jealousy"]},
                 {"kind": "completed"}):
        response = report_as_facilitator(client, world, participant, data)
        shapes.append(_shape(response, swaps, exempt))
        if response.status_code == 303:
            shapes.append(_shape(client.get(response.headers["Location"]), swaps, exempt))
    for body in ({"kind": "dropout"}, {"kind": "risk", "risk_to": ["children"], "imminence": "medium"},
                 {"kind": "risk"}, {"kind": "risk", "risk_to": "partner", "imminence": "high",
                                    "factors": ["weapons", "separation"]},
                 {"kind": "completed", "factors": ["weapons"]}):
        api = post_event(client, token, {"participant_ref": participant.reference, **body})
        shapes.append(_shape(api, swaps, exempt))
    return shapes


def test_identical_responses_with_and_without_a_linked_partner(app, client, dbs, seeded, clock):
    world, lonely, _invite = seeded
    login_as(client, world.facilitator)
    token = make_token(dbs, world.programme, clock.now())
    linked = _scenario(client, world, world.participant, token,
                       {str(world.participant.id): "HIM", world.participant.reference: "REF"})
    unlinked = _scenario(client, world, lonely, token, {str(lonely.id): "HIM", lonely.reference: "REF"})
    assert fan_out(app) == 14  # every accepted report, linked or not, has one entry for the dispatcher
    dbs.expire_all()
    assert dbs.scalar(select(Task.id).where(Task.source_event_id.is_not(None))) is not None  # work was done
    assert dbs.scalar(select(Task.id).where(Task.source_event_id.is_not(None), Task.severity == "immediate"))
    assert len(linked) == len(unlinked)
    for a, b in zip(linked, unlinked, strict=True):
        assert a == b


def test_with_her_risk_note_only_the_note_element_differs_and_it_carries_nothing_else_of_her(
        app, client, dbs, vault, audit_key, seeded, clock):
    world, lonely, _invite = seeded
    send_note(dbs, vault, audit_key, clock, world)
    login_as(client, world.facilitator)
    token = make_token(dbs, world.programme, clock.now())
    exempt: list[str] = []
    linked = _scenario(client, world, world.participant, token,
                       {str(world.participant.id): "HIM", world.participant.reference: "REF"}, exempt)
    unlinked_exempt: list[str] = []
    unlinked = _scenario(client, world, lonely, token, {str(lonely.id): "HIM", lonely.reference: "REF"},
                         unlinked_exempt)
    assert unlinked_exempt == []  # nobody linked, no note
    assert linked == unlinked  # with the element taken out, nothing differs
    assert len(exempt) >= 3  # his page, and each page a report leads back to
    canaries = WORDS + PHONE_FORMS + her_ids(dbs, world)
    for element in exempt:
        assert NOTE in element and "From the partner support service" in element
        assert "href" not in element and "<form" not in element and "<a" not in element
        assert re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", element) is None  # no id of hers, her case or the note
        assert [c for c in canaries if c.lower() in element.lower()] == []  # no name, number, worker
        text = re.sub(r"<[^>]+>", "", element.replace(NOTE, ""))
        assert "Sent" in text and "@" not in text
    # Withdrawn, the page is byte-identical to a participant's with nobody linked again.
    note = dbs.scalar(select(RiskNote))
    risk_note.withdraw(context(dbs, vault, audit_key, clock.now(), Actor("staff", str(world.worker.id))),
                       world.partner, note.id)
    dbs.commit()
    base = f"/staff/my-programmes/{world.programme.id}/participants/"
    assert _shape(client.get(base + str(world.participant.id)), {str(world.participant.id): "HIM",
                                                                 world.participant.reference: "REF"}) \
        == _shape(client.get(base + str(lonely.id)), {str(lonely.id): "HIM", lonely.reference: "REF"})


# -- her sealed plan (issue 11): nothing of it reaches a facilitator, the API, or any staff page but one ------------

def _her_plan_everywhere(dbs, vault, ctx_for, world, clock):  # type: ignore[no-untyped-def]
    """Her plan, a shared copy of it and of the harmless one, a duress opening (its task, what was asked in that
    session, held texts) and a message waiting because texts are held."""
    from portal.services.her import duress_requests
    from portal.services.messaging.outbox import enqueue
    from tests.plan_console_support import SECOND, make_plan, open_with, share

    her = world.partner
    share(ctx_for, dbs, her, make_plan(ctx_for, dbs, her))
    share(ctx_for, dbs, her, open_with(ctx_for, dbs, her, SECOND))
    dbs.refresh(her)
    duress_requests.record(ctx_for(), her, duress_requests.STOP_CONTACT)
    enqueue(dbs, vault, her, kind="warning", template="warning", now=clock.now())
    dbs.commit()
    dbs.refresh(her)
    assert her.texts_held_since is not None


def _facilitator_views(client, world, participant, token, swaps):  # type: ignore[no-untyped-def]
    """What a facilitator and the API can read without reporting anything (GETs change nothing)."""
    base = f"/staff/my-programmes/{world.programme.id}"
    paths = ["/staff/", "/staff/my-programmes", base, f"{base}/participants/{participant.id}"]
    shapes = [_shape(client.get(path), swaps) for path in paths]
    shapes.append(_shape(client.get("/api/v1/openapi.json"), swaps))
    shapes.append(_shape(post_event(client, token, {"participant_ref": "NOT-" + participant.reference,
                                                    "kind": "dropout"}), swaps))
    return shapes


def test_her_plan_a_shared_copy_a_duress_task_and_held_texts_change_nothing_a_facilitator_sees(
        app, client, dbs, vault, seeded, clock, ctx_for):
    world, lonely, _invite = seeded
    login_as(client, world.facilitator)
    token = make_token(dbs, world.programme, clock.now())
    swaps = {str(world.participant.id): "HIM", world.participant.reference: "REF"}
    before = _facilitator_views(client, world, world.participant, token, swaps)
    _her_plan_everywhere(dbs, vault, ctx_for, world, clock)
    login_as(client, dbs.get(StaffUser, world.facilitator.id))
    assert _facilitator_views(client, world, world.participant, token, swaps) == before
    # And reporting about him answers exactly as for a participant with nobody linked.
    linked = _scenario(client, world, world.participant, token, swaps)
    unlinked = _scenario(client, world, lonely, token, {str(lonely.id): "HIM", lonely.reference: "REF"})
    assert linked == unlinked


def _plan_ids(dbs, world) -> list[str]:  # type: ignore[no-untyped-def]
    from portal.models import SafetyPlan, SafetyPlanShare

    plans = list(dbs.scalars(select(SafetyPlan.id).where(SafetyPlan.partner_id == world.partner.id)))
    shares = list(dbs.scalars(select(SafetyPlanShare.id).where(SafetyPlanShare.plan_id.in_(plans))))
    tasks = list(dbs.scalars(select(Task.id).where(Task.partner_id == world.partner.id)))
    return [str(value) for value in (*plans, *shares, *tasks)]


def _console_gets(app, client, known: list[str]):  # type: ignore[no-untyped-def]
    """Every console page (GET) with every id we know filled in, and where a redirect leads."""
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("console.") or "GET" not in (rule.methods or set()) \
                or rule.endpoint == "console.sign_out":
            continue
        args = sorted(rule.arguments)
        for values in itertools.product(*[pool_for(rule._converters[a], known) for a in args]):
            url = rule.build(dict(zip(args, values, strict=True)), append_unknown=False)[1]
            response = client.get(url)
            assert response.status_code < 500, url
            yield url, response
            location = response.headers.get("Location")
            if location and location.startswith("/") and not location.startswith("/staff/sign-in"):
                yield location, client.get(location)


def test_nothing_of_her_plan_is_on_any_staff_page_but_her_workers_copy_page(app, dbs, vault, audit_key, seeded,
                                                                          clock, ctx_for):
    from tests.plan_console_support import CANARIES

    world, _lonely, _invite = seeded
    _her_plan_everywhere(dbs, vault, ctx_for, world, clock)
    other = make_world(dbs, vault, audit_key, partner_phone="+447400111222")
    dbs.commit()
    known = [str(world.partner.id), *_plan_ids(dbs, world), str(world.programme.id), str(world.participant.id),
             str(other.partner.id)]
    copy_page = f"/staff/cases/{world.partner.id}/plan"
    pages = 0
    for user in (world.admin, world.facilitator, other.worker, other.admin, world.worker):
        client = app.test_client()
        login_as(client, dbs.get(StaffUser, user.id))
        for url, response in _console_gets(app, client, known):
            pages += 1
            if user.id == world.worker.id and url == copy_page:
                assert set(leaks(response, CANARIES)) >= {CANARIES[0], CANARIES[2]}  # both copies, marked
                continue
            assert leaks(response, CANARIES) == [], (user.role, url)
    assert pages > 100


# -- her right of access (issue 12 item 8): nothing of hers, her copy included, reaches the programme side ---------

def test_nothing_of_her_copy_reaches_a_facilitator_or_the_api(app, client, dbs, vault, audit_key, clock, ctx_for):
    """A canary in every area her copy covers (and her copy shown, to her and to her worker, with its private
    details): a walk of every route as his facilitator, and the programme API, finds none of them."""
    from tests.access_support import NEVER, every_canary, seed_everything
    from tests.public_helpers import her_client
    from tests.public_helpers import post as her_post

    app.config["EVENT_RESPONSE_FLOOR_SECONDS"] = 0
    world, made = seed_everything(dbs, vault, audit_key, clock, ctx_for)
    her = her_client(app, world.partner)
    assert her_post(her, "/copy", {"private": "1"}, token_from="/copy").status_code == 200
    worker = app.test_client()
    login_as(worker, world.worker)
    page = worker.get(f"/staff/cases/{world.partner.id}/copy")
    assert worker.post(f"/staff/cases/{world.partner.id}/copy",
                       data={"csrf_token": csrf_from(page.data), "private": "1"}).status_code == 200
    his = {NEVER["his_reference"].lower(), NEVER["programme"].lower()}  # about him: his facilitator may see these
    canaries = [c for c in every_canary() if c.lower() not in his] + [made["invite"].token, str(world.partner.id)]
    token = make_token(dbs, world.programme, clock.now())
    api = app.test_client()
    for body in ({"kind": "dropout"}, {"kind": "risk", "risk_to": ["partner", "children"], "imminence": "imminent"},
                 {"kind": "risk"}, {"kind": "completed", "factors": ["weapons"]}):
        assert leaks(post_event(api, token, {"participant_ref": NEVER["his_reference"], **body}), canaries) == []
    assert leaks(api.get("/api/v1/openapi.json"), canaries) == []
    assert fan_out(app) == 2  # her side of each accepted report was made (tasks, messages); nothing of it shows
    fac_id = world.facilitator.id

    def sign_in() -> None:
        user = dbs.get(StaffUser, fac_id)
        dbs.refresh(user)
        login_as(client, user)

    problems: list[tuple[str, str, int]] = []

    def check(endpoint, method, url, response) -> None:  # type: ignore[no-untyped-def]
        if response.status_code >= 500 or leaks(response, canaries):
            problems.append((method, url, response.status_code))

    event_ids = [str(e) for e in dbs.scalars(select(ProgrammeEvent.id))]
    known = [str(world.programme.id), str(world.participant.id), str(world.partner.id), *event_ids[:2], "nope",
             str(made["child"].id), str(dbs.scalar(select(Task.id).where(Task.partner_id == world.partner.id)))]
    form = {"kind": "attendance_concern", "reference": "WALK-REF-2", "description": "walk", "private": "1",
            "report_key": uuid.uuid4().hex, "confirm": "no", "answer": "yes", "choice": "yes"}
    walked = walk(app, client, sign_in=sign_in, csrf_page=f"/staff/my-programmes/{world.programme.id}", form=form,
                  known=lambda _variable: known, check=check)
    assert problems == []
    assert walked > 100
    # The detector works: her worker's copy (with the tick) holds her canaries.
    ticked = worker.post(f"/staff/cases/{world.partner.id}/copy",
                         data={"csrf_token": csrf_from(page.data), "private": "1"})
    assert len(leaks(ticked, canaries)) > 10
