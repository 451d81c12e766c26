"""Her worker assesses her risk in the console: the checklist form (clear refusals, nothing typed lost), the
result, the dated history and trend on her case page, the prompts to re-assess, her words encrypted at rest,
and nobody but her own service's workers reaching any of it."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from portal.crypto import DecryptionError
from portal.i18n import LOCALES
from portal.models import AuditEvent, RiskAssessment, Severity, Task, TaskKind
from portal.services.admin import deployment
from portal.services.casework import risk_assessment
from portal.services.casework.erasure import erase_partner
from portal.services.casework.risk_checklist import STARTER_PATH, load_checklist
from portal.services.casework.tasks import create_task
from tests.factories import context, login_as, make_world
from tests.staff_console import csrf_from
from tests.support import BACKEND

CHECKLIST = load_checklist(STARTER_PATH, LOCALES)
FEARS = "Qz9fear that he will find the new flat"
REASON = "Qz9reason he bought a knife last week"


def case_url(world) -> str:  # type: ignore[no-untyped-def]
    return f"/staff/cases/{world.partner.id}"


def form(yes: int = 0, not_known: int = 0, **extra: str) -> dict[str, str]:
    """Every item answered: the first `yes` yes, the next `not_known` not known, the rest no."""
    data = {f"answer_{code}": "yes" if i < yes else "not_known" if i < yes + not_known else "no"
            for i, code in enumerate(CHECKLIST.codes)}
    data.update({"checklist": CHECKLIST.stamp, **extra})
    return data


def send(client, world, data: dict[str, str]):  # type: ignore[no-untyped-def]
    """Her worker sends the form (signed in afresh: the tests move the clock past the staff session's life)."""
    login_as(client, world.worker)
    page = client.get(case_url(world) + "/risk/new").get_data(as_text=True)
    return client.post(case_url(world) + "/risk", data={"csrf_token": csrf_from(page), **data})


def see(client, world, path: str) -> str:  # type: ignore[no-untyped-def]
    """A page as her worker sees it now (signed in afresh, as in `send`)."""
    login_as(client, world.worker)
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


@pytest.fixture
def worker(client, world):  # type: ignore[no-untyped-def]
    login_as(client, world.worker)
    return client


def assessments(dbs) -> list[RiskAssessment]:  # type: ignore[no-untyped-def]
    dbs.expire_all()
    return list(dbs.scalars(select(RiskAssessment).order_by(RiskAssessment.assessed_at)))


def test_assess_from_her_case_page_to_the_result(worker, dbs, world, clock):
    case = see(worker, world, case_url(world))
    assert 'id="assess-risk"' in case and f'href="{case_url(world)}/risk/new"' in case
    assert "She has no risk assessment yet." in case  # intake: assess her
    page = see(worker, world, case_url(world) + "/risk/new")
    assert page.count('<fieldset class="risk-item"') == 24 and "<script" not in page
    for code in CHECKLIST.codes:
        assert len(re.findall(rf'type="radio" name="answer_{code}" value="(yes|no|not_known)"', page)) == 3
    response = send(worker, world, form(14, not_known=3, fears=FEARS, incident_date_0="2025-12-24",
                                        incident_date_1="2026-02-01", undated_incidents="1"))
    assert response.status_code == 303
    [row] = assessments(dbs)
    assert response.headers["Location"].endswith(f"{case_url(world)}/risk/{row.id}")
    assert (row.yes_count, row.not_known_count, row.item_count, row.scored_level, row.level) == (14, 3, 24, "high",
                                                                                                 "high")
    assert (row.incidents_12m, row.escalation, row.assessed_by_id, row.assessed_at) == (3, True, world.worker.id,
                                                                                         clock.now())
    assert (row.checklist_id, row.checklist_version, row.judgement_level) == ("starter", "1", None)
    result = see(worker, world, response.headers["Location"])
    assert "Risk assessment: High risk" in result and "14 of 24" in result and "(3 not known" in result
    assert 'id="escalation"' in result and FEARS in result and 'id="next-steps"' in result
    actions = list(dbs.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(row.id))
                               .order_by(AuditEvent.seq)))
    assert actions == ["risk_assessment.create", "risk_assessment.read"]
    assert FEARS not in "".join(dbs.scalars(select(AuditEvent.details)))


def test_judgement_raises_the_level_with_a_reason_and_the_result_says_so(worker, dbs, world):
    response = send(worker, world, form(4, judgement="high", judgement_reason=REASON))
    assert response.status_code == 303
    [row] = assessments(dbs)
    assert (row.scored_level, row.judgement_level, row.level) == ("standard", "high", "high")
    result = see(worker, world, response.headers["Location"])
    assert "Raised to: High risk" in result and REASON in result
    case = see(worker, world, case_url(world))
    assert "(raised by judgement)" in case


def test_the_form_cannot_lower_the_level_and_the_service_refuses_it(worker, dbs, world, ctx_for, clock):
    page = see(worker, world, case_url(world) + "/risk/new")
    offered = re.findall(r'name="judgement" value="([a-z_]*)"', page)
    assert offered == ["", "medium", "high"]  # keep, or raise: nothing lower is offered
    response = send(worker, world, form(15, judgement="medium", judgement_reason="She seems calmer"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Professional judgement can only raise the level." in html
    assert 'value="medium" checked' in html and "She seems calmer" in html
    assert assessments(dbs) == []
    entry = risk_assessment.AssessmentInput({code: "yes" for code in CHECKLIST.codes}, judgement="medium",
                                            judgement_reason="x")
    with pytest.raises(risk_assessment.AssessmentRefused) as refused:
        risk_assessment.record_assessment(ctx_for(), world.partner, world.worker, CHECKLIST, entry,
                                          today=clock.now().date())
    assert refused.value.problems == {"judgement": "judgement_lowers"}


def test_garbage_is_a_clear_400_and_nothing_typed_is_lost(worker, dbs, world):
    data = form(6, fears=FEARS, incident_date_0="2026-02-30", incident_date_1="2025-11-05", undated_incidents="lots",
                judgement="high")
    data.pop(f"answer_{CHECKLIST.codes[0]}")
    data[f"answer_{CHECKLIST.codes[5]}"] = "perhaps"
    response = send(worker, world, data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'role="alert"' in html and "nothing you entered is lost" in html
    assert html.count("Choose yes, no or not known.") == 2
    assert 'id="incident_date_0-error"' in html and "Enter the date as YYYY-MM-DD." in html
    assert "Enter a whole number from 0 to 999" in html and "Say why you are raising the level." in html
    assert FEARS in html and 'value="2026-02-30"' in html and 'value="2025-11-05"' in html and 'value="lots"' in html
    for code in CHECKLIST.codes[1:5]:
        assert f'name="answer_{code}" value="yes" checked' in html
    assert 'name="judgement" value="high" checked' in html
    assert f'aria-describedby="answer_{CHECKLIST.codes[0]}-error"' in html
    assert assessments(dbs) == []


@pytest.mark.parametrize("garbage", ["\x00", "٣" * 5000, "' OR 1=1 --", "<script>x</script>"])
def test_hostile_text_never_fails(worker, dbs, world, garbage):
    response = send(worker, world, form(2, fears=garbage, undated_incidents=garbage[:20],
                                        incident_date_0=garbage[:40], **{f"answer_{CHECKLIST.codes[0]}": garbage}))
    assert response.status_code == 400
    assert "<script>x</script>" not in response.get_data(as_text=True)


def test_a_re_assessment_is_a_new_row_and_the_history_is_a_dated_trend(worker, dbs, world, clock):
    for yes in (6, 11, 16):
        assert send(worker, world, form(yes)).status_code == 303
        clock.advance(days=30)
    rows = assessments(dbs)
    assert [r.yes_count for r in rows] == [6, 11, 16] and [r.level for r in rows] == ["standard", "medium", "high"]
    assert len({r.id for r in rows}) == 3 and rows[0].assessed_at < rows[1].assessed_at < rows[2].assessed_at
    case = see(worker, world, case_url(world))
    section = case[case.index('id="risk"'):case.index("</section>", case.index('id="risk"'))]
    assert '<svg role="img" aria-labelledby="risk-trend-title risk-trend-desc"' in section
    assert "Yes answers: 6, 11, 16." in section and "High risk from 14." in section
    assert section.count("<rect ") == 3 and 'class="bar-high"' in section
    table = section[section.index("<tbody>"):]
    assert table.index(">16 of 24<") < table.index(">11 of 24<") < table.index(">6 of 24<")  # newest first
    for row in rows:
        assert f"/risk/{row.id}" in table


def test_no_route_changes_an_assessment(app):
    # The assessment's own path segment (/risk-note, her note to his programme, is another resource).
    risk_rules = [rule for rule in app.url_map.iter_rules() if re.search(r"/risk(/|$)", rule.rule)]
    assert {(rule.rule, tuple(sorted(rule.methods & {"GET", "POST", "PUT", "PATCH", "DELETE"})))
            for rule in risk_rules} == {("/staff/cases/<partner_id>/risk/new", ("GET",)),
                                        ("/staff/cases/<partner_id>/risk", ("POST",)),
                                        ("/staff/cases/<partner_id>/risk/<assessment_id>", ("GET",))}


# -- prompts to re-assess ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", risk_assessment.REASSESS_AFTER)
def test_each_change_prompts_a_re_assessment_until_a_newer_one_exists(worker, dbs, world, clock, kind):
    assert send(worker, world, form(3)).status_code == 303
    case = see(worker, world, case_url(world))
    assert 'id="reassess"' not in case
    clock.advance(hours=2)
    task = create_task(dbs, world.partner, kind=kind, severity=Severity.URGENT, now=clock.now())
    dbs.commit()
    case = see(worker, world, case_url(world))
    assert 'id="reassess"' in case and f"/staff/tasks/{task.id}" in case[case.index('id="reassess"'):]
    task_page = see(worker, world, f"/staff/tasks/{task.id}")
    assert 'id="reassess"' in task_page and f"{case_url(world)}/risk/new" in task_page
    clock.advance(hours=1)
    assert send(worker, world, form(5)).status_code == 303
    assert 'id="reassess"' not in see(worker, world, case_url(world))
    assert 'id="reassess"' not in see(worker, world, f"/staff/tasks/{task.id}")


def test_other_tasks_do_not_prompt(worker, dbs, world, clock):
    assert send(worker, world, form(3)).status_code == 303
    clock.advance(hours=1)
    for kind in (TaskKind.EVENT_COMPLETED, TaskKind.SMS_HELP, TaskKind.PIN_LOCKED):
        task = create_task(dbs, world.partner, kind=kind, severity=Severity.SOON, now=clock.now())
        dbs.commit()
        assert 'id="reassess"' not in see(worker, world, f"/staff/tasks/{task.id}")
    assert 'id="reassess"' not in see(worker, world, case_url(world))


def test_an_old_assessment_prompts_after_the_interval_the_admin_sets(worker, dbs, world, clock):
    assert send(worker, world, form(3)).status_code == 303
    clock.advance(days=89, hours=23)
    assert 'id="reassess"' not in see(worker, world, case_url(world))
    clock.advance(hours=1)  # 90 days: the default
    case = see(worker, world, case_url(world))
    assert "Her last assessment is more than 90 days old." in case
    deployment.save(dbs, "risk_reassess_days", 120)
    dbs.commit()
    assert 'id="reassess"' not in see(worker, world, case_url(world))
    clock.advance(days=30)
    assert "more than 120 days old" in see(worker, world, case_url(world))
    assert send(worker, world, form(3)).status_code == 303
    assert 'id="reassess"' not in see(worker, world, case_url(world))


def test_the_admin_sets_the_interval_within_bounds(client, dbs, world):
    from tests.test_admin import settings_form

    login_as(client, world.admin)
    page = client.get("/staff/admin/settings").get_data(as_text=True)
    assert 'id="risk_reassess_days"' in page and 'value="90"' in page
    for value, status in (("6", 400), ("366", 400), ("x", 400), ("30", 303)):
        token = csrf_from(client.get("/staff/admin/settings").data)
        response = client.post("/staff/admin/settings",
                               data={"csrf_token": token, **settings_form(risk_reassess_days=value)})
        assert response.status_code == status, value
    assert deployment.load(dbs, "", "").risk_reassess_days == 30


def test_the_prompt_counts_only_tasks_after_the_last_assessment(dbs, world, clock):
    early = create_task(dbs, world.partner, kind=TaskKind.HER_LESS_SAFE, severity=Severity.URGENT, now=clock.now())
    dbs.commit()
    prompt = risk_assessment.prompt(dbs, world.partner.id, now=clock.now(), every_days=90)
    assert [r.kind for r in prompt.reasons] == ["none", "task"] and prompt.reasons[1].task_id == early.id
    assert risk_assessment.task_asks_for_reassessment(dbs, early)
    dbs.add(RiskAssessment(id=uuid.uuid4(), partner_id=world.partner.id, assessed_by_id=world.worker.id,
                           assessed_at=clock.now() + timedelta(minutes=1), checklist_id="starter",
                           checklist_version="1", item_count=24, yes_count=2, not_known_count=0,
                           scored_level="standard", level="standard", incidents_12m=0))
    dbs.commit()
    later = clock.now() + timedelta(minutes=2)
    assert risk_assessment.prompt(dbs, world.partner.id, now=later, every_days=90).reasons == ()
    assert not risk_assessment.task_asks_for_reassessment(dbs, early)


# -- her words at rest, and who can reach them ---------------------------------------------------------------


def test_what_she_said_is_encrypted_and_bound_to_its_row(worker, dbs, world, vault, database_url, app):
    assert send(worker, world, form(14, fears=FEARS, judgement="high", judgement_reason=REASON,
                                    incident_date_0="2026-01-17")).status_code == 303
    assert send(worker, world, form(2)).status_code == 303
    first, second = assessments(dbs)
    for column in ("answers_ct", "fears_ct", "judgement_ct"):
        assert FEARS.encode() not in (getattr(first, column) or b"")
    assert vault.get(first, "fears_ct") == FEARS and vault.get(first, "judgement_ct") == REASON
    assert '"2026-01-17"' in vault.get(first, "answers_ct")
    second.fears_ct = first.fears_ct  # moved to another row, it does not open
    with pytest.raises(DecryptionError):
        vault.get(second, "fears_ct")
    if BACKEND == "sqlite":
        dbs.rollback()
        dbs.close()
        from portal.extensions import db

        with app.app_context():
            db.engine.dispose()
        path = Path(make_url(database_url).database)
        raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        for needle in (FEARS, REASON, "2026-01-17", "strangulation"):  # an item code, in the answers
            assert needle.encode() not in raw, needle


def test_a_worker_of_another_service_and_a_facilitator_reach_nothing(app, client, dbs, vault, audit_key, world):
    login_as(client, world.worker)
    assert send(client, world, form(9, fears=FEARS)).status_code == 303
    [row] = assessments(dbs)
    other = make_world(dbs, vault, audit_key, partner_phone="+447400555777")
    dbs.commit()
    paths = [f"{case_url(world)}/risk/new", f"{case_url(world)}/risk/{row.id}",
             f"/staff/cases/{other.partner.id}/risk/{row.id}"]  # her assessment under their own case: not found
    for who in (other.worker, world.facilitator, world.admin):
        visitor = app.test_client()
        login_as(visitor, who)
        token = csrf_from(visitor.get("/staff/").data)
        for path in paths:
            response = visitor.get(path)
            assert response.status_code == 404, (who.role, path)
            assert FEARS not in response.get_data(as_text=True)
        posted = visitor.post(f"{case_url(world)}/risk", data={"csrf_token": token, **form(20)})
        assert posted.status_code == 404, who.role
    assert len(assessments(dbs)) == 1
    reads = dbs.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "risk_assessment.read"))
    assert reads == 0  # nothing of hers was even decrypted
    for garbage in ("not-a-uuid", "0", str(uuid.uuid4())):
        assert client.get(f"{case_url(world)}/risk/{garbage}").status_code == 404


def test_erasing_her_erases_her_assessments(worker, dbs, world, ctx_for):
    assert send(worker, world, form(9, fears=FEARS)).status_code == 303
    erase_partner(ctx_for(), dbs.get(type(world.partner), world.partner.id), reason="request")
    dbs.commit()
    assert assessments(dbs) == []


def test_a_task_of_the_programme_about_her_case_shows_no_prompt_once_she_is_assessed_after(worker, dbs, world,
                                                                                             clock):
    task = create_task(dbs, world.partner, kind=TaskKind.EVENT_DROPOUT, severity=Severity.URGENT, now=clock.now())
    dbs.commit()
    assert 'id="reassess"' in see(worker, world, f"/staff/tasks/{task.id}")
    clock.advance(minutes=5)
    assert send(worker, world, form(1)).status_code == 303
    assert 'id="reassess"' not in see(worker, world, f"/staff/tasks/{task.id}")
    assert dbs.scalar(select(Task.done_at).where(Task.id == task.id)) is None  # a prompt, not a task change


def test_context_built_record_is_audited_as_the_worker(dbs, world, vault, audit_key, clock):
    from portal.services.audit import Actor

    ctx = context(dbs, vault, audit_key, clock.now(), Actor("staff", str(world.worker.id)))
    entry = risk_assessment.AssessmentInput({code: "no" for code in CHECKLIST.codes})
    row = risk_assessment.record_assessment(ctx, world.partner, world.worker, CHECKLIST, entry,
                                            today=clock.now().date())
    dbs.commit()
    audit = dbs.scalar(select(AuditEvent).where(AuditEvent.object_id == str(row.id)))
    assert (audit.action, audit.actor_id, audit.details) == ("risk_assessment.create", str(world.worker.id),
                                                             '{"checklist":"starter:1"}')
