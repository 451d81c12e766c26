"""The risk checklist is data: the project's starter items (every staff language, marked as not the official
wording), a deployment's own file named by PORTAL_RISK_CHECKLIST, and a broken file refused at start-up with
what is wrong and where."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from portal import create_app
from portal.config import ConfigError
from portal.i18n import CONSOLE_LOCALES
from portal.services.casework.risk_checklist import (
    STARTER_PATH,
    ChecklistError,
    load_checklist,
    parse_checklist,
)
from tests.factories import login_as
from tests.support import make_config

STAFF_LOCALES = CONSOLE_LOCALES  # the checklist is her worker's: in the console's languages


def deployment_doc() -> dict:
    """A deployment's own checklist: English and German only, four items, no middle band."""
    return {
        "format": "portal-risk-checklist/1", "id": "county-tool", "version": "2025.2", "official": True,
        "title": {"en": "County risk tool", "de": "Kreis-Risikoinstrument"},
        "source": "County Council 2025, used under licence.",
        "rules": {"high_from_yes": 3, "escalation_incidents": 2, "escalation_months": 6},
        "items": [{"code": f"q{n}", "text": {"en": f"County question {n}?", "de": f"Kreisfrage {n}?"}}
                  for n in range(1, 5)],
    }


def write(tmp_path: Path, doc: object, name: str = "checklist.json") -> Path:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return path


def test_the_starter_items_cover_the_dash_ground_in_every_staff_language_and_say_they_are_not_official():
    checklist = load_checklist(STARTER_PATH, STAFF_LOCALES)
    assert (checklist.id, checklist.official, len(checklist.items)) == ("starter", False, 24)
    assert set(checklist.locales) == set(STAFF_LOCALES)
    for item in checklist.items:
        assert set(item.texts) == set(STAFF_LOCALES), item.code
        assert all(text.strip() for text in item.texts.values())
        assert len(set(item.texts.values())) == len(STAFF_LOCALES), f"{item.code}: a text left untranslated"
    for topic in ("injury", "fear", "isolation", "low_mood", "separation", "child_contact_conflict", "stalking",
                  "pregnancy", "child_not_his", "children_hurt", "children_threatened", "more_often",
                  "getting_worse", "threats_to_kill", "strangulation", "sexual_abuse", "others_threatened", "animals",
                  "money", "substances", "his_suicidal_thoughts", "orders_broken", "police_record",
                  "violent_to_others"):
        assert topic in checklist.codes
    raw = json.loads(STARTER_PATH.read_text(encoding="utf-8"))
    assert raw["about"].startswith("STARTER ITEMS - NOT THE OFFICIAL WORDING")
    assert "not the official wording" in raw["source"]
    arabic = " ".join(item.texts["ar"] for item in checklist.items)
    assert "كِ" in arabic  # she is addressed (feminine singular), as her worker asks her


def test_a_deployment_file_is_used_in_its_own_languages(tmp_path):
    checklist = load_checklist(write(tmp_path, deployment_doc()), STAFF_LOCALES)
    assert (checklist.stamp, checklist.official, checklist.rules.medium_from_yes) == ("county-tool:2025.2", True, None)
    assert checklist.title("de") == "Kreis-Risikoinstrument"
    assert checklist.text(checklist.items[0], "ar") == "County question 1?"  # no Arabic: English, not nothing


def test_the_app_uses_the_file_portal_risk_checklist_names_and_the_form_shows_it(tmp_path, database_url,
                                                                                  instance_dir, world, clock):
    path = write(tmp_path, deployment_doc())
    app = create_app({**make_config(database_url, instance_dir), "risk_checklist": str(path)})
    app.extensions["portal.clock"] = clock
    try:
        client = app.test_client()
        login_as(client, world.worker)
        html = client.get(f"/staff/cases/{world.partner.id}/risk/new").get_data(as_text=True)
    finally:
        from portal.extensions import db

        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    assert "County question 4?" in html and "County Council 2025, used under licence." in html
    assert html.count('type="radio" name="answer_') == 4 * 3
    assert "Starter items" not in html


def test_the_starter_form_is_marked_as_not_the_official_wording(client, world):
    login_as(client, world.worker)
    html = client.get(f"/staff/cases/{world.partner.id}/risk/new").get_data(as_text=True)
    assert 'id="checklist-starter"' in html and "Starter items: not the official wording." in html
    assert html.count('type="radio" name="answer_') == 24 * 3


def broken(change) -> dict:  # type: ignore[no-untyped-def]
    doc = copy.deepcopy(deployment_doc())
    change(doc)
    return doc


BROKEN = [
    ("not json {", "not valid UTF-8 JSON"),
    ([], "expected a JSON object"),
    (broken(lambda d: d.update(format="dash")), 'format: expected "portal-risk-checklist/1"'),
    (broken(lambda d: d.update(colour="red")), "colour: not a field of a checklist"),
    (broken(lambda d: d.update(id="has space")), "id: expected 1 to 40 letters"),
    (broken(lambda d: d.update(official="yes")), "official: expected true"),
    (broken(lambda d: d.update(title={})), "title: expected an object of texts by language"),
    (broken(lambda d: d["title"].update(xx="Outil")), "title: unknown language 'xx'"),
    (broken(lambda d: d["items"][2]["text"].pop("de")), "items[2].text: no 'de' text"),
    (broken(lambda d: d["items"][1]["text"].update(de="  ")), "items[1].text.de: expected a text that is not empty"),
    (broken(lambda d: d["items"][0].update(code="Q 1")), "items[0].code: expected a lower-case code"),
    (broken(lambda d: d["items"][3].update(code="q1")), "items[3].code: 'q1' is used twice"),
    (broken(lambda d: d.update(items=[])), "items: expected a list of 1 to 100 items"),
    (broken(lambda d: d.pop("rules")), "rules: expected an object with high_from_yes"),
    (broken(lambda d: d["rules"].update(high_from_yes=5)), "rules.high_from_yes: expected a whole number from 1 to 4"),
    (broken(lambda d: d["rules"].update(medium_from_yes=4)), "rules.medium_from_yes: expected a whole number from "
                                                             "1 to 3"),
    (broken(lambda d: d["rules"].update(escalation_months=True)), "rules.escalation_months: expected a whole number"),
    (broken(lambda d: d["rules"].update(lowest=1)), "rules.lowest: not a rule this portal knows"),
]


@pytest.mark.parametrize(("doc", "message"), BROKEN, ids=[message for _doc, message in BROKEN])
def test_a_broken_file_is_refused_saying_what_and_where(tmp_path, doc, message):
    path = write(tmp_path, doc)
    with pytest.raises(ChecklistError) as refused:
        load_checklist(path, STAFF_LOCALES)
    assert message in str(refused.value)
    assert str(refused.value).startswith(str(path))


def test_the_app_refuses_to_start_with_a_broken_or_missing_file(tmp_path, database_url, instance_dir):
    bad = write(tmp_path, broken(lambda d: d["items"][2]["text"].pop("de")))
    for path, message in ((bad, "items[2].text: no 'de' text"), (tmp_path / "missing.json", "cannot be read")):
        with pytest.raises(ConfigError) as refused:
            create_app({**make_config(database_url, instance_dir), "risk_checklist": str(path)})
        assert str(refused.value).startswith(f"PORTAL_RISK_CHECKLIST: {path}") and message in str(refused.value)


def test_the_environment_variable_names_the_file(tmp_path, monkeypatch):
    from portal.config import load_settings

    monkeypatch.setenv("PORTAL_RISK_CHECKLIST", str(tmp_path / "dash.json"))
    assert load_settings(instance_path=str(tmp_path)).risk_checklist == str(tmp_path / "dash.json")


def test_a_huge_file_is_refused(tmp_path):
    path = tmp_path / "huge.json"
    path.write_bytes(b" " * 1_000_001)
    with pytest.raises(ChecklistError, match="larger than"):
        load_checklist(path, STAFF_LOCALES)


def test_parse_accepts_exactly_the_staff_languages_it_is_given():
    with pytest.raises(ChecklistError, match="unknown language 'de'"):
        parse_checklist(deployment_doc(), ("en",))
