"""What she is told (issue 10, items 5 and 6), in every shipped language: finishing the course does not mean she
is safe; sessions together are not part of the work, can put her at risk, and are never a condition; how a
certificate, a "time-out" or couples counselling can be used to pressure her; and that stopping contact does
not stop her worker acting on a serious risk — which the product keeps: a risk reported after she stops still
reaches her worker."""

from __future__ import annotations

import pytest
from flask import url_for
from sqlalchemy import select

from portal.models import PartnerStatus, Severity, Task
from portal.services.programme.events import Reporter, report_event
from tests.factories import context
from tests.fanout_support import fan_out_now
from tests.public_helpers import her_client, post

# endpoint -> {locale: words she must find on that page}
TOLD = {
    "public.about": {
        "en": ["Finishing the course does not mean that you are safe.",
               "Joint sessions or couples counselling with him are not part of his course",
               "Sessions together can put you at risk",
               "It is never a condition for anything"],
        "de": ["Dass er den Kurs abschließt, heißt nicht, dass Sie sicher sind.",
               "Gemeinsame Sitzungen oder eine Paarberatung mit ihm gehören weder zu seinem Kurs",
               "Gemeinsame Sitzungen können Sie gefährden",
               "Eine Teilnahme ist nie eine Bedingung für irgendetwas"],
        "ar": ["إنهاؤه الدورة لا يعني أنكِ في أمان.",
               "الجلسات المشتركة أو الاستشارة الزوجية معه ليست جزءًا من دورته",
               "فالجلسات المشتركة قد تعرّضكِ للخطر",
               "وهي ليست شرطًا لأي شيء أبدًا"],
    },
    "public.patterns": {
        "en": ["show you a certificate from the course as proof that he has changed",
               "use a “time-out” from the course as a way to walk out, then come back angrier",
               "push you to go to couples counselling, saying the course told him to"],
        "de": ["Ihnen eine Bescheinigung vom Kurs als Beweis zeigen",
               "eine im Kurs gelernte „Auszeit“ nutzen",
               "Sie zu einer Paarberatung drängen"],
        "ar": ["يُريكِ شهادة من الدورة دليلًا على أنه تغيّر",
               "يستخدم «مهلة التهدئة» التي تعلّمها في الدورة",
               "يضغط عليكِ للذهاب إلى استشارة زوجية"],
    },
    "public.stop": {
        "en": ["Stopping contact does not stop your worker acting on a serious risk to you or your children."],
        "de": ["kann Ihre Ansprechperson trotzdem handeln, wenn es ein ernstes Risiko für Sie oder Ihre Kinder gibt"],
        "ar": ["إيقاف التواصل لا يمنع الشخص الذي يدعمكِ من التصرّف إذا كان هناك خطر جدّي عليكِ أو على أطفالكِ"],
    },
}


def path_of(app, endpoint: str) -> str:  # type: ignore[no-untyped-def]
    with app.test_request_context():
        return url_for(endpoint)


@pytest.mark.parametrize("locale", ["en", "de", "ar"])
@pytest.mark.parametrize("endpoint", sorted(TOLD))
def test_her_information_pages_tell_her_in_her_language(app, dbs, world, endpoint, locale):
    world.partner.locale, world.partner.locale_chosen = locale, True  # her saved choice
    dbs.commit()
    page = her_client(app, world.partner).get(path_of(app, endpoint))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'lang="{locale}"' in html
    for words in TOLD[endpoint][locale]:
        assert words in html, (endpoint, locale, words)


def test_nothing_new_sits_above_the_fold_of_the_html(app, dbs, world):
    """Each addition comes after what was already there: below the first screen, never before the page's lead."""
    html = her_client(app, world.partner).get(path_of(app, "public.about")).get_data(as_text=True)
    assert html.index("What the course is") < html.index("Finishing the course does not mean")
    assert html.index("You know your own situation best") < html.index("Sessions together")
    html = her_client(app, world.partner).get(path_of(app, "public.patterns")).get_data(as_text=True)
    assert html.index("be on his best behaviour") < html.index("show you a certificate")


def test_a_risk_reported_after_she_stops_contact_still_reaches_her_worker(app, dbs, vault, audit_key, world, clock):
    """The stop page's promise: her stop ends every message and call, not her worker's duty to act on a risk."""
    browser = her_client(app, world.partner)
    stop = path_of(app, "public.stop")
    assert post(browser, stop, {"confirm": "yes"}).status_code == 303
    dbs.expire_all()
    assert dbs.get(type(world.partner), world.partner.id).status == PartnerStatus.WITHDRAWN
    report_event(context(dbs, vault, audit_key, clock.now()), programme=world.programme,
                 reporter=Reporter(staff_id=world.facilitator.id), kind="risk",
                 participant_ref=world.participant.reference, risk_to_children=True, imminence="high")
    dbs.commit()
    fan_out_now(dbs, vault, audit_key, clock)
    [task] = [t for t in dbs.scalars(select(Task).where(Task.partner_id == world.partner.id))
              if t.kind == "event_risk"]
    assert task.assignee_id == world.worker.id and task.severity == Severity.IMMEDIATE
    assert not task.contact_allowed  # her worker acts without contacting her against her wish
