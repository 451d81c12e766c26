"""The duress task's words can be set by the deployment (issue 11 item 3: "… or what the deployment sets"): an
admin sets them per staff language; her worker reads them on the task page and in the inbox line, in her own
language, else English, else the built-in words; too long or garbage gets a 400; the change is audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.models import AuditEvent, Task, TaskKind
from tests import plan_console_support as plans
from tests.children_support import post_page
from tests.factories import signed_in

SETTINGS = "/staff/admin/settings"
BASE = {"site_name": "Appointments", "exit_url": "https://neutral.example/weather", "emergency_number": "999",
        "child_protection_steps": "", "retention_days": "365", "escalate_after_minutes": "60",
        "due_immediate": "30", "due_urgent": "240", "due_soon": "1440", "due_routine": "4320",
        "risk_reassess_days": "90", "never_disclose_fields": ["code_word"]}
OURS_EN = "Pressure alert: wait for her to call the duty line first"
OURS_DE = "Druck-Hinweis: warten, bis sie sich selbst meldet"
BUILT_IN = "She may be under pressure: do not call unless she contacts you"


@pytest.fixture
def duress_task(dbs, world, ctx_for):  # type: ignore[no-untyped-def]
    plans.make_plan(ctx_for, dbs, world.partner)
    plans.open_with(ctx_for, dbs, world.partner, plans.SECOND)
    dbs.expire_all()
    task = dbs.scalar(select(Task).where(Task.partner_id == world.partner.id, Task.kind == TaskKind.PLAN_DURESS))
    assert task is not None
    return task


def worker_pages(app, world, task, locale: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    worker = signed_in(app, world.worker)
    headers = {"Accept-Language": locale}
    return (worker.get(f"/staff/tasks/{task.id}", headers=headers).get_data(as_text=True),
            worker.get("/staff/tasks", headers=headers).get_data(as_text=True))


def test_without_a_setting_her_worker_reads_the_built_in_words(app, world, duress_task):
    task_page, inbox = worker_pages(app, world, duress_task, "en")
    assert BUILT_IN in task_page and BUILT_IN in inbox
    assert "perhaps with someone beside her" in task_page


def test_the_deployments_words_in_her_workers_language_then_english(app, dbs, world, duress_task):
    admin = signed_in(app, world.admin)
    saved = post_page(admin, SETTINGS, BASE | {"duress_guidance_en": OURS_EN, "duress_guidance_de": OURS_DE})
    assert saved.status_code == 303
    assert f'value="{OURS_EN}"' in admin.get(SETTINGS).get_data(as_text=True)
    for locale, words in (("en", OURS_EN), ("de", OURS_DE), ("ar", OURS_EN), ("fr", OURS_EN)):
        task_page, inbox = worker_pages(app, world, duress_task, locale)
        assert words in task_page and words in inbox, locale
        assert BUILT_IN not in task_page and f'<p id="duress-words">{words}</p>' in task_page
    dbs.expire_all()
    [details] = [e.details for e in dbs.scalars(select(AuditEvent).where(AuditEvent.action == "deployment.update"))]
    assert "duress_guidance" in str(details) and OURS_EN not in str(details)  # audited by key, never by value
    emptied = post_page(admin, SETTINGS, BASE | {"duress_guidance_en": "", "duress_guidance_de": ""})
    assert emptied.status_code == 303
    task_page, _inbox = worker_pages(app, world, duress_task, "de")
    assert OURS_DE not in task_page and OURS_EN not in task_page


@pytest.mark.parametrize("value", ["x" * 301, "bad\x00byte", "bell\x07"])
def test_too_long_or_garbage_is_a_400_that_keeps_the_rest(app, dbs, world, value):
    admin = signed_in(app, world.admin)
    refused = post_page(admin, SETTINGS, BASE | {"duress_guidance_de": value, "duress_guidance_en": OURS_EN})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert 'id="duress_guidance_de-error"' in page and f'value="{OURS_EN}"' in page
    dbs.expire_all()
    assert list(dbs.scalars(select(AuditEvent).where(AuditEvent.action == "deployment.update"))) == []


def test_her_pages_never_show_the_deployments_words(app, dbs, world, duress_task):
    from tests.public_helpers import her_client

    post_page(signed_in(app, world.admin), SETTINGS, BASE | {"duress_guidance_en": OURS_EN})
    her = her_client(app, world.partner)
    for path in ("/", "/plan", "/choices"):
        assert OURS_EN not in her.get(path).get_data(as_text=True)
