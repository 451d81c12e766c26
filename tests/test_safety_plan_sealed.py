"""Her safety plan is sealed by her passphrase (issue 11 item 2): no database reader, file reader or staff member
opens it; each ciphertext opens only in its own plan and slot; both slots always look alike, so nobody can tell
whether she set a second passphrase; sharing and withdrawing are audited; deleting destroys the ciphertext."""

from __future__ import annotations

import base64
import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import MetaData, func, select
from sqlalchemy.engine import make_url

from portal.config import ConfigError, load_settings
from portal.crypto import KdfParams
from portal.models import AuditEvent, SafetyPlan, SafetyPlanShare, WebSession
from portal.public import plan_session
from portal.services.audit import Actor, verify_database
from portal.services.casework.erasure import erase_partner
from portal.services.casework.erasure_storage import StorageCleanup, clean_storage
from portal.services.her import safety_plan
from portal.services.her.safety_plan import PlanContent, PlanError
from tests.factories import make_partner, reloaded
from tests.plan_support import (
    CANARY_DECOY,
    CANARY_DURESS,
    CANARY_PASSPHRASE,
    CANARY_PLAN,
    DURESS,
    KDF,
    PASSPHRASE,
    content,
    her_ctx,
    make_plan,
)
from tests.support import BACKEND

SLOT_COLUMNS = ("salt_0", "wrapped_key_0", "content_0", "salt_1", "wrapped_key_1", "content_1")
CANARIES = (CANARY_PLAN, CANARY_DECOY, CANARY_PASSPHRASE, CANARY_DURESS)


def actions(dbs) -> list[str]:  # type: ignore[no-untyped-def]
    dbs.expire_all()
    return list(dbs.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def test_her_plan_opens_with_her_passphrase_and_with_nothing_else(dbs, world, ctx_for):
    ctx = her_ctx(ctx_for, world.partner)
    make_plan(ctx, world.partner, mine=content(people__contacts=CANARY_PLAN, support__notes="Tuesdays"))
    wrong = safety_plan.open_plan(her_ctx(ctx_for, world.partner), world.partner, "blue kettle on the hil",
                                  kdf=KDF)
    assert wrong.unlocked is None and wrong.wait_seconds == 0 and wrong.tries_left_before_wait == 4
    opened = safety_plan.open_plan(her_ctx(ctx_for, world.partner), world.partner, PASSPHRASE, kdf=KDF).unlocked
    assert opened is not None and not opened.duress
    mine = safety_plan.read(dbs, opened)
    assert mine.fields == {"people.contacts": CANARY_PLAN, "support.notes": "Tuesdays"}
    assert mine.kind == "plan" and mine.priorities == ("safety", "children")
    # A key that is not this slot's opens nothing.
    with pytest.raises(PlanError) as refused:
        safety_plan.read(dbs, safety_plan.Unlocked(opened.plan_id, opened.slot, bytes(32), False))
    assert refused.value.code == "key_invalid"


def test_her_passphrase_opens_however_her_keyboard_composed_it(dbs, world, ctx_for):
    typed = "Café à l'aube, toujours"
    make_plan(her_ctx(ctx_for, world.partner), world.partner, passphrase=unicodedata.normalize("NFC", typed))
    decomposed = unicodedata.normalize("NFD", typed)
    assert decomposed != typed
    outcome = safety_plan.open_plan(her_ctx(ctx_for, world.partner), world.partner, decomposed, kdf=KDF)
    assert outcome.unlocked is not None


@pytest.mark.parametrize("passphrase, duress, code, field", [
    ("short", None, "passphrase_short", "passphrase"),
    ("x" * 201, None, "passphrase_long", "passphrase"),
    (PASSPHRASE, "tiny", "passphrase_short", "duress_passphrase"),
    (PASSPHRASE, unicodedata.normalize("NFD", PASSPHRASE), "passphrases_same", "duress_passphrase"),
])
def test_passphrases_she_cannot_use_are_refused_with_a_reason(dbs, world, ctx_for, passphrase, duress, code, field):
    with pytest.raises(PlanError) as refused:
        safety_plan.create(her_ctx(ctx_for, world.partner), world.partner, passphrase, duress_passphrase=duress,
                           kdf=KDF)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert dbs.scalar(select(func.count()).select_from(SafetyPlan)) == 0


def test_a_second_plan_is_refused_and_content_is_checked(dbs, world, ctx_for):
    ctx = her_ctx(ctx_for, world.partner)
    opened = make_plan(ctx, world.partner)
    with pytest.raises(PlanError, match="plan_exists"):
        safety_plan.create(ctx, world.partner, "another passphrase here", kdf=KDF)
    for bad, code, field in [
        (PlanContent((), {"people.contacts": "x" * 2001}), "too_long", "people.contacts"),
        (PlanContent((), {"people.nonsense": "x"}), "unknown_field", "people.nonsense"),
        (PlanContent(("weather",), {}), "unknown_priority", "priorities"),
    ]:
        with pytest.raises(PlanError) as refused:
            safety_plan.save(ctx, world.partner, opened, bad)
        assert (refused.value.code, refused.value.field) == (code, field)
    # 2000 characters after NFC fit, empty fields are not kept, and the kind stays what the slot is.
    safety_plan.save(ctx, world.partner, opened, PlanContent(("children", "children"), {
        "people.contacts": unicodedata.normalize("NFD", "é" * 2000), "places.routes": "  "}, kind="duress"))
    saved = safety_plan.read(dbs, opened)
    assert saved == PlanContent(("children",), {"people.contacts": "é" * 2000}, "plan")


def test_sections_follow_what_matters_most_to_her():
    assert safety_plan.section_order(()) == safety_plan.SECTIONS
    order = safety_plan.section_order(("children", "privacy"))
    assert order[:2] == ("children", "technology")
    assert sorted(order) == sorted(safety_plan.SECTIONS)
    assert all(safety_plan.FIELDS[section] for section in safety_plan.SECTIONS)
    assert set(safety_plan.PRIORITY_SECTIONS) == set(safety_plan.PRIORITIES)


def _every_value(dbs) -> bytes:  # type: ignore[no-untyped-def]
    """Every column of every row of every table, as a database reader would dump them."""
    meta = MetaData()
    meta.reflect(dbs.get_bind())
    dump = []
    for table in meta.sorted_tables:
        for row in dbs.execute(select(table)):
            for value in row:
                dump.append(value if isinstance(value, bytes) else str(value).encode())
    return b"\x00".join(dump)


def _sealed_and_used(dbs, world, ctx_for, app, box):  # type: ignore[no-untyped-def]
    """Her plan with canaries in it, opened, saved, shared, opened with the second passphrase, kept in a stored
    session: everything that writes a row of it."""
    ctx = her_ctx(ctx_for, world.partner)
    opened = make_plan(ctx, world.partner, passphrase=CANARY_PASSPHRASE, duress=CANARY_DURESS,
                       mine=content(people__contacts=CANARY_PLAN),
                       decoy=content(support__services=CANARY_DECOY))
    safety_plan.save(ctx, world.partner, opened, content(people__contacts=CANARY_PLAN, places__routes=CANARY_PLAN))
    safety_plan.share(ctx, world.partner, opened)
    dbs.commit()
    again = safety_plan.open_plan(her_ctx(ctx_for, world.partner), world.partner, CANARY_PASSPHRASE, kdf=KDF)
    dbs.commit()
    safety_plan.open_plan(her_ctx(ctx_for, world.partner), world.partner, CANARY_DURESS, kdf=KDF)
    dbs.commit()
    assert again.unlocked is not None
    signed_in_with(app, box, again.unlocked, world.partner.id)
    return again.unlocked


def session_routes(app, box: dict):  # type: ignore[no-untyped-def,type-arg]
    """Test-only pages that do what her plan pages do with her session: remember the plan she opened, say what
    is open, give the session a new id (as at a privilege change)."""
    from portal.sessions import server_session

    def remember():  # type: ignore[no-untyped-def]
        server_session().bind_her(box["partner"])  # signed in: her session gets its (new) id now
        plan_session.remember(box["unlocked"])
        return "ok"

    def show():  # type: ignore[no-untyped-def]
        opened = plan_session.unlocked()
        box["seen"] = opened
        return "open" if opened else "closed"

    def rotate():  # type: ignore[no-untyped-def]
        server_session().regenerate()
        return "ok"

    def forget():  # type: ignore[no-untyped-def]
        plan_session.forget()
        return "ok"

    def duress():  # type: ignore[no-untyped-def]
        return "yes" if plan_session.in_duress() else "no"

    views = {"remember": remember, "show": show, "rotate": rotate, "forget": forget, "duress": duress}
    for name, view in views.items():
        app.add_url_rule(f"/_plan_test/{name}", f"plan_test_{name}", view)


@pytest.fixture
def plan_pages(app):  # type: ignore[no-untyped-def]
    """The test-only pages (see session_routes) and what they saw."""
    box: dict = {}  # type: ignore[type-arg]
    session_routes(app, box)
    return box


def signed_in_with(app, box, unlocked, partner_id) -> object:  # type: ignore[no-untyped-def]
    """A browser of hers whose session (saved by the real session interface into the real store) holds the plan."""
    box.update(partner=str(partner_id), unlocked=unlocked)
    client = app.test_client()
    assert client.get("/_plan_test/remember").status_code == 200
    return client


def test_a_database_reader_finds_no_word_of_her_plan_or_her_passphrases(app, dbs, world, ctx_for, plan_pages):
    opened = _sealed_and_used(dbs, world, ctx_for, app, plan_pages)
    dump = _every_value(dbs)
    for canary in CANARIES:
        assert canary.encode() not in dump, canary
        assert canary.encode("utf-16-le") not in dump, canary
    assert opened.data_key not in dump and base64.b64encode(opened.data_key) not in dump
    stored = dbs.scalar(select(WebSession.data).where(WebSession.partner_id == world.partner.id))
    assert '"plan"' in stored and '"slot"' not in stored and "duress" not in stored


@pytest.mark.skipif(BACKEND != "sqlite", reason="reads the SQLite database files (main, -wal, -shm) themselves")
def test_the_sqlite_files_hold_no_word_of_her_plan_or_her_passphrases(app, dbs, world, ctx_for, database_url,
                                                                      plan_pages):
    opened = _sealed_and_used(dbs, world, ctx_for, app, plan_pages)
    dbs.close()
    path = Path(make_url(database_url).database)
    files = {p.name: p.read_bytes() for p in sorted(path.parent.glob(path.name + "*"))}
    assert any(name.endswith("-wal") for name in files)
    for name, raw in files.items():
        for canary in CANARIES:
            assert canary.encode() not in raw, (name, canary)
            assert canary.encode("utf-16-le") not in raw, (name, canary)
        assert opened.data_key not in raw, name


def test_her_session_keeps_the_plan_open_only_under_its_own_id(app, dbs, world, vault, audit_key, ctx_for,
                                                                plan_pages):
    opened = make_plan(her_ctx(ctx_for, world.partner), world.partner)
    client = signed_in_with(app, plan_pages, opened, world.partner.id)
    assert client.get("/_plan_test/show").text == "open" and plan_pages["seen"] == opened
    # What her session stored, moved into another session's row: it opens nothing there (another raw id).
    other = make_partner(dbs, vault, audit_key, world.service, world.worker, phone="+447400555667")
    dbs.commit()
    theirs = signed_in_with(app, plan_pages, make_plan(her_ctx(ctx_for, other), other, passphrase="their words x"),
                            other.id)
    mine = dbs.scalar(select(WebSession).where(WebSession.partner_id == world.partner.id))
    moved = dbs.scalar(select(WebSession).where(WebSession.partner_id == other.id))
    moved.data = mine.data
    dbs.commit()
    assert theirs.get("/_plan_test/show").text == "closed"
    # A new id (a privilege change): the plan closes with the old one.
    assert client.get("/_plan_test/rotate").status_code == 200
    assert client.get("/_plan_test/show").text == "closed"
    # Remembered in the very response that gives the session a new id: it holds under the new one.
    plan_pages["partner"] = str(world.partner.id)
    plan_pages["unlocked"] = opened
    assert client.get("/_plan_test/remember").status_code == 200
    assert client.get("/_plan_test/show").text == "open" and client.get("/_plan_test/duress").text == "no"
    assert client.get("/_plan_test/forget").status_code == 200
    assert client.get("/_plan_test/show").text == "closed"


def test_a_blob_moved_to_another_slot_or_plan_does_not_open(dbs, world, vault, audit_key, ctx_for):
    ctx = her_ctx(ctx_for, world.partner)
    opened = make_plan(ctx, world.partner, duress=None, mine=content(people__contacts=CANARY_PLAN))
    plan = dbs.get(SafetyPlan, opened.plan_id)
    other = 1 - opened.slot
    # Her content moved into the other slot (with its key): the slot's binding refuses it.
    for column in ("salt", "wrapped_key", "content"):
        setattr(plan, f"{column}_{other}", getattr(plan, f"{column}_{opened.slot}"))
    dbs.commit()
    assert safety_plan.open_plan(her_ctx(ctx_for, world.partner), world.partner, PASSPHRASE,
                                 kdf=KDF).unlocked is not None  # her own slot still opens
    with pytest.raises(PlanError, match="key_invalid"):
        safety_plan.read(dbs, safety_plan.Unlocked(plan.id, other, opened.data_key, False))
    # Her slot copied into another woman's plan: her passphrase opens nothing there.
    second = make_partner(dbs, vault, audit_key, world.service, world.worker, phone="+447400555666")
    dbs.commit()
    theirs = make_plan(her_ctx(ctx_for, second), second, passphrase="someone else's words", duress=None)
    target = dbs.get(SafetyPlan, theirs.plan_id)
    for slot in (0, 1):
        for column in ("salt", "wrapped_key", "content"):
            setattr(target, f"{column}_{slot}", getattr(plan, f"{column}_{opened.slot}"))
    dbs.commit()
    moved = safety_plan.open_plan(her_ctx(ctx_for, second), second, PASSPHRASE, kdf=KDF)
    assert moved.unlocked is None


def test_nobody_can_tell_from_the_rows_whether_she_set_a_second_passphrase(dbs, world, vault, audit_key, ctx_for):
    """Both slots always present and the same size: no second passphrase, a blank harmless plan, a long one."""
    shapes = set()
    variants = [dict(duress=None, mine=content(people__contacts="short")),
                dict(duress=DURESS, mine=content(people__contacts="x" * 2000, children__school="y" * 2000)),
                dict(duress=DURESS, decoy=content(support__services="z" * 2000, support__notes="w" * 2000))]
    for number, variant in enumerate(variants):
        her = make_partner(dbs, vault, audit_key, world.service, world.worker, phone=f"+44740055510{number}")
        dbs.commit()
        opened = make_plan(her_ctx(ctx_for, her), her, **variant)  # type: ignore[arg-type]
        plan = dbs.get(SafetyPlan, opened.plan_id)
        shapes.add(tuple(len(getattr(plan, column)) for column in SLOT_COLUMNS))
        shapes.add(tuple(len(getattr(plan, column)) for column in SLOT_COLUMNS[3:] + SLOT_COLUMNS[:3]))
        assert plan.salt_0 != plan.salt_1 and plan.wrapped_key_0 != plan.wrapped_key_1
    assert len(shapes) == 1, shapes  # every slot of every plan: the same sizes
    # Which slot is hers is drawn at random (40 plans: both slots come up; 2^-39 chance of a false failure).
    slots = set()
    for _ in range(40):
        slots.add(safety_plan.create(her_ctx(ctx_for, world.partner), world.partner, PASSPHRASE, kdf=KDF).slot)
        dbs.rollback()
    assert slots == {0, 1}


def test_sharing_and_withdrawing_are_audited_and_withdrawing_destroys_the_copy(dbs, world, ctx_for, vault):
    ctx = her_ctx(ctx_for, world.partner)
    opened = make_plan(ctx, world.partner, mine=content(people__contacts=CANARY_PLAN))
    assert not safety_plan.status(dbs, world.partner.id).shared
    safety_plan.share(ctx, world.partner, opened)
    dbs.commit()
    assert safety_plan.status(dbs, world.partner.id, unlocked=opened).shared
    row = dbs.scalar(select(SafetyPlanShare))
    assert CANARY_PLAN.encode() not in row.content_ct  # under the service's keys, bound to its row
    staff = ctx_for(Actor("staff", str(world.worker.id)))
    copy = safety_plan.shared_copy(staff, world.partner)
    assert copy is not None and copy.fields == {"people.contacts": CANARY_PLAN} and copy.kind == "plan"
    dbs.commit()
    safety_plan.withdraw_share(ctx, world.partner, opened)
    dbs.commit()
    assert dbs.scalar(select(func.count()).select_from(SafetyPlanShare)) == 0  # the row, not a flag
    assert safety_plan.shared_copy(staff, world.partner) is None
    assert not safety_plan.status(dbs, world.partner.id).shared
    assert actions(dbs)[-4:] == ["plan.created", "plan.shared", "plan.share_read", "plan.share_withdrawn"]
    assert verify_database(dbs, ctx.audit_key).ok


def test_a_copy_shared_from_the_harmless_plan_is_marked_and_never_replaces_hers(dbs, world, ctx_for):
    ctx = her_ctx(ctx_for, world.partner)
    real = make_plan(ctx, world.partner, mine=content(people__contacts=CANARY_PLAN),
                     decoy=content(support__services=CANARY_DECOY))
    safety_plan.share(ctx, world.partner, real)
    dbs.commit()
    decoy = safety_plan.open_plan(her_ctx(ctx_for, world.partner), world.partner, DURESS, kdf=KDF).unlocked
    assert decoy is not None and decoy.duress
    assert not safety_plan.status(dbs, world.partner.id, unlocked=decoy).shared  # as her screen shows it
    safety_plan.share(her_ctx(ctx_for, world.partner), world.partner, decoy)
    safety_plan.withdraw_share(her_ctx(ctx_for, world.partner), world.partner, decoy)
    safety_plan.share(her_ctx(ctx_for, world.partner), world.partner, decoy)
    dbs.commit()
    assert safety_plan.status(dbs, world.partner.id, unlocked=decoy).shared
    copies = safety_plan.shared_copies(ctx_for(Actor("staff", str(world.worker.id))), world.partner)
    assert [(c.from_duress, c.content.fields) for c in copies] == [
        (False, {"people.contacts": CANARY_PLAN}), (True, {"support.services": CANARY_DECOY})]


def test_deleting_her_plan_destroys_its_ciphertext(app, dbs, world, ctx_for, database_url):
    ctx = her_ctx(ctx_for, world.partner)
    opened = make_plan(ctx, world.partner, mine=content(people__contacts=CANARY_PLAN))
    safety_plan.share(ctx, world.partner, opened)
    dbs.commit()
    plan = dbs.get(SafetyPlan, opened.plan_id)
    blobs = [bytes(getattr(plan, column)) for column in SLOT_COLUMNS[1:3] + SLOT_COLUMNS[4:]]
    blobs.append(bytes(dbs.scalar(select(SafetyPlanShare.content_ct))))
    assert safety_plan.delete(her_ctx(ctx_for, world.partner), world.partner)
    dbs.commit()
    assert dbs.scalar(select(func.count()).select_from(SafetyPlan)) == 0
    assert dbs.scalar(select(func.count()).select_from(SafetyPlanShare)) == 0
    assert not safety_plan.status(dbs, world.partner.id).exists
    with pytest.raises(PlanError, match="no_plan"):
        safety_plan.read(dbs, opened)
    assert not safety_plan.delete(her_ctx(ctx_for, world.partner), world.partner)  # twice: nothing to do
    assert actions(dbs)[-1] == "plan.deleted"
    dump = _every_value(dbs)
    assert not any(blob[20:84] in dump for blob in blobs)
    if BACKEND == "sqlite":
        dbs.close()
        assert clean_storage(dbs.get_bind(), StorageCleanup(safety_plan.PLAN_TABLES)).done
        path = Path(make_url(database_url).database)
        raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        for number, blob in enumerate(blobs):
            assert blob[20:84] not in raw, f"ciphertext #{number} is still in the files"


def test_erasing_her_deletes_her_plan_and_its_copy_but_stopping_contact_does_not(dbs, world, ctx_for):
    from portal.services.her.consent import stop_contact

    ctx = her_ctx(ctx_for, world.partner)
    opened = make_plan(ctx, world.partner)
    safety_plan.share(ctx, world.partner, opened)
    dbs.commit()
    stop_contact(ctx, world.partner, channel="web")
    dbs.commit()
    assert safety_plan.status(dbs, world.partner.id).exists  # it is hers: stopping contact keeps it
    erase_partner(ctx_for(), reloaded(dbs, world.partner), reason="request")
    dbs.commit()
    assert dbs.scalar(select(func.count()).select_from(SafetyPlan)) == 0
    assert dbs.scalar(select(func.count()).select_from(SafetyPlanShare)) == 0


@pytest.mark.parametrize("env", ["development", "production"])
@pytest.mark.parametrize("setting, value", [("PORTAL_PLAN_KDF_MEMORY_KIB", "19455"),
                                            ("PORTAL_PLAN_KDF_TIME_COST", "1"),
                                            ("PORTAL_PLAN_KDF_PARALLELISM", "0")])
def test_settings_below_owasps_minimum_are_refused_in_every_environment(tmp_path, env, setting, value):
    with pytest.raises(ConfigError, match="OWASP"):
        load_settings(environ={"PORTAL_ENV": env, setting: value}, instance_path=str(tmp_path))


def test_settings_may_raise_the_cost_and_the_default_is_rfc_9106s(tmp_path):
    raised = load_settings(environ={"PORTAL_PLAN_KDF_MEMORY_KIB": "131072", "PORTAL_PLAN_KDF_TIME_COST": "4"},
                           instance_path=str(tmp_path))
    assert raised.plan_kdf == KdfParams(131072, 4, 2)
    assert load_settings(environ={}, instance_path=str(tmp_path)).plan_kdf == KdfParams(65536, 3, 2)
    assert "PORTAL_PLAN_KDF_MEMORY_KIB" in Path("README.md").read_text()


def test_two_simultaneous_creations_make_one_plan_and_a_clear_refusal(dbs, world, vault, audit_key, clock):
    import threading

    from sqlalchemy.orm import Session

    from portal.models import PartnerContact
    from tests.factories import context

    barrier = threading.Barrier(3)
    results: list[str] = []

    def attempt(n: int) -> None:
        with Session(dbs.get_bind(), expire_on_commit=False) as db:
            her = db.get(PartnerContact, world.partner.id)
            ctx = context(db, vault, audit_key, clock.now(), Actor("partner", str(her.id)))
            barrier.wait()
            try:
                safety_plan.create(ctx, her, f"{PASSPHRASE} {n}", kdf=KDF)
                db.commit()
                results.append("made")
            except PlanError as exc:
                db.rollback()
                results.append(exc.code)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["made", "plan_exists", "plan_exists"]
    assert dbs.scalar(select(func.count()).select_from(SafetyPlan)) == 1
