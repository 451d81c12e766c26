"""The admin's evaluation report page and its CSV (console/admin_evaluation.py): who may see it, what it shows."""

from __future__ import annotations

import csv
import io

from portal.console.report_csv import safe_cell
from portal.models import Role
from tests.factories import make_programme, make_service, make_staff, signed_in
from tests.test_evaluation_reports import seeded  # noqa: F401 - the seeded programme (fixture)


def page(programme_id: object) -> str:
    return f"/staff/admin/evaluation?programme={programme_id}"


def csv_path(programme_id: object) -> str:
    return f"/staff/admin/evaluation/{programme_id}/report.csv"


def test_the_admin_sees_the_report(app, seeded) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    world, _women = seeded
    client = signed_in(app, world.admin)
    chooser = client.get("/staff/admin/evaluation")
    assert chooser.status_code == 200
    assert world.programme.name in chooser.get_data(as_text=True)
    response = client.get(page(world.programme.id))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Start of his programme" in html and "End of his programme" in html
    assert "Women who answered this stage: <strong>12</strong>" in html
    assert "&lt;5" in html  # small counts, as "<5"
    assert "not the official items of the WWP EN Impact Toolkit" in html
    assert "Figures under 5 are hidden" in html
    assert html.count('<svg role="img"') >= 3 and "<title id=" in html
    assert "<script" not in html
    # 12 of 23 answers in the two better options at intake: 52%.
    assert "<td>12</td><td>52%</td><td>11</td><td>48%</td><td>23</td>" in html
    # No woman's name or number anywhere.
    for n in range(1, 15):
        assert f"+4474001234{n:02d}" not in html
    assert "Sam Example" not in html


def test_the_csv_holds_the_same_suppressed_figures(app, seeded) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    world, _women = seeded
    response = signed_in(app, world.admin).get(csv_path(world.programme.id))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="evaluation-report.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["section", "stage_or_month", "domain", "item", "answer", "count", "percent"]
    assert ["respondents", "intake", "", "", "", "12", ""] in rows
    assert ["domain", "intake", "respect_communication", "", "better_two", "12", "52%"] in rows
    assert ["item", "intake", "respect_communication", "puts_down", "often", "5", "45%"] in rows  # 5 of 11
    assert ["item", "intake", "respect_communication", "puts_down", "rarely", "<5", ""] in rows
    assert ["paired_change", "end", "respect_communication", "", "improved", "5", "63%"] in rows  # 5 of 8
    assert ["other_item_set_left_out", "", "", "starter", "0", "<5", ""] in rows
    text = response.get_data(as_text=True)
    assert "W1" not in text and "+447400" not in text


def test_csv_cells_cannot_run_as_formulas() -> None:
    assert safe_cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert [safe_cell(v) for v in ("+1", "-2", "@a", "\tb", "12", "<5", None)] == [
        "'+1", "'-2", "'@a", "'\tb", "12", "<5", ""]


def test_nobody_else_reaches_it(app, client, world, dbs, vault, audit_key) -> None:  # type: ignore[no-untyped-def]
    for path in (page(world.programme.id), csv_path(world.programme.id), "/staff/admin/evaluation"):
        signed_out = client.get(path)
        assert signed_out.status_code == 303 and "/staff/sign-in" in signed_out.headers["Location"]
        for user in (world.worker, world.facilitator):
            assert signed_in(app, user).get(path).status_code == 404
    # An admin of another service: the programme is not found, and not offered.
    other = make_service(dbs)
    theirs = make_programme(dbs, other, "Theirs")
    admin, _totp = make_staff(dbs, vault, audit_key, Role.ADMIN, other.id)
    dbs.commit()
    client_other = signed_in(app, admin)
    assert client_other.get(page(world.programme.id)).status_code == 404
    assert client_other.get(csv_path(world.programme.id)).status_code == 404
    listing = client_other.get("/staff/admin/evaluation").get_data(as_text=True)
    assert f'value="{world.programme.id}"' not in listing and f'value="{theirs.id}"' in listing
    # Garbage is simply not found.
    mine = signed_in(app, world.admin)
    assert mine.get(page("not-a-programme")).status_code == 404
    assert mine.get(csv_path("0")).status_code == 404


def test_no_route_but_the_admin_pages_reaches_a_report(app) -> None:  # type: ignore[no-untyped-def]
    reports = {rule.rule for rule in app.url_map.iter_rules()
               if app.view_functions[rule.endpoint].__module__ == "portal.console.admin_evaluation"}
    assert reports == {"/staff/admin/evaluation", "/staff/admin/evaluation/<programme_id>/report.csv"}
    assert not any(rule.rule.startswith("/api") and "evaluation" in rule.rule for rule in app.url_map.iter_rules())
