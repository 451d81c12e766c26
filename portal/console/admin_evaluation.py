"""Admin page: the de-identified evaluation report of one programme of the admin's service, and its CSV.

Admins only (never a facilitator, never the API). An admin of a support service sees that service's programmes;
one with no service (the deployment's admin) sees every programme. Every figure comes suppressed from
services/evaluation/reports.py and service_figures.py; this module only words and draws them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from fractions import Fraction

from flask import Response, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.console import bp, labels
from portal.console.access import not_found, require_role, uuid_or_404
from portal.console.admin import ADMIN
from portal.console.report_charts import bar_chart, percent
from portal.console.report_csv import to_csv
from portal.extensions import db
from portal.models import Programme
from portal.runtime import db_session, evaluation_items, now, settings, vault
from portal.services.evaluation.items import NOT_APPLICABLE, ItemSet
from portal.services.evaluation.reports import Count, ProgrammeReport, programme_report
from portal.services.evaluation.service_figures import MonthFigures, Table, service_figures
from portal.services.evaluation.suppression import Visibility

CHANGE = {"improved": _l("Better"), "same": _l("The same"), "worse": _l("Worse")}
FIRST_CONTACT = {"contacted": _l("Contacted"), "waiting": _l("Not contacted yet")}
WARNINGS = {"inside": _l("Inside her safe times"), "outside": _l("Outside her safe times")}
TASKS = {"on_time": _l("Done by the due time"), "late": _l("Late or not done")}
OFFERS = {"given": _l("Agreed"), "declined": _l("Declined")}


def my_programmes() -> list[Programme]:
    query = select(Programme).order_by(Programme.name)
    if g.staff.service_id is not None:
        query = query.where(Programme.service_id == g.staff.service_id)
    return list(db.session.scalars(query))


def my_programme_or_404(programme_id: str) -> Programme:
    programme = db.session.get(Programme, uuid_or_404(programme_id))
    if programme is None or (g.staff.service_id is not None and programme.service_id != g.staff.service_id):
        not_found()
    return programme


def _locale() -> str:
    return str(get_locale() or "en").split("_")[0]


def option_labels(items: ItemSet) -> dict[str, str]:
    locale = _locale()
    found = {option.code: items.text(option.texts, locale) for option in items.scale}
    found[NOT_APPLICABLE] = items.text(items.not_applicable, locale)
    return found


def figure(count: Count) -> str:
    """A count as the page and the CSV show it: the number, "<5", or "hidden"."""
    if count.visibility == Visibility.SHOWN:
        return str(count.value)
    return "<5" if count.visibility == Visibility.SMALL else str(_l("hidden"))


def share_text(share: Fraction | None) -> str:
    value = percent(share)
    return "" if value is None else f"{value}%"


def _report(programme: Programme) -> tuple[ItemSet, ProgrammeReport, tuple[MonthFigures, ...]]:
    items = evaluation_items()
    report = programme_report(db_session(), vault(), items, programme.id)
    figures = service_figures(db_session(), programme.service_id, now(), settings().default_timezone)
    return items, report, figures


def domain_charts(items: ItemSet, report: ProgrammeReport) -> dict[str, object]:
    locale = _locale()
    titles = {d.code: items.text(d.titles, locale) for d in items.domains}
    return {stage.stage: bar_chart([(titles[d.code], d.better.proportion) for d in stage.domains])
            for stage in report.stages}


def month_chart(figures: Sequence[MonthFigures], pick: str, part: str) -> object:
    return bar_chart([(f"{m.month:%Y-%m}", getattr(m, pick).part(part).proportion) for m in figures])


@bp.get("/admin/evaluation", endpoint="admin_evaluation")
@require_role(ADMIN)
def admin_evaluation() -> ResponseReturnValue:
    programmes = my_programmes()
    chosen = request.args.get("programme", "")
    if not chosen:
        return render_template("console/admin/evaluation.html", programmes=programmes, programme=None)
    programme = my_programme_or_404(chosen)
    items, report, figures = _report(programme)
    locale = _locale()
    return render_template(
        "console/admin/evaluation.html", programmes=programmes, programme=programme, items=items, report=report,
        figures=figures, L=labels, figure=figure, share=share_text, options=option_labels(items),
        item_text={item.code: items.text(item.texts, locale) for item in items.items},
        domain_title={d.code: items.text(d.titles, locale) for d in items.domains},
        change=CHANGE, first_contact=FIRST_CONTACT, warnings=WARNINGS, tasks=TASKS, offers=OFFERS,
        charts=domain_charts(items, report), warnings_chart=month_chart(figures, "warnings", "inside"),
        tasks_chart=month_chart(figures, "tasks", "on_time"))


def _table_rows(section: str, month: str, table: Table) -> Iterator[list[object]]:
    for name, one in table.parts:
        yield [section, month, "", "", name, figure(one.count), share_text(one.proportion)]
    yield [section, month, "", "", "total", figure(table.total), ""]


def report_rows(report: ProgrammeReport, figures: Sequence[MonthFigures]) -> Iterator[list[object]]:
    """The CSV: codes (stable in every language), the figures as the page shows them."""
    yield ["section", "stage_or_month", "domain", "item", "answer", "count", "percent"]
    yield ["item_set", "", "", report.items_id, report.items_version, "official" if report.official else "starter",
           ""]
    for other in report.other_sets:
        yield ["other_item_set_left_out", "", "", other.items_id, other.items_version, figure(other.responses), ""]
    for stage in report.stages:
        yield ["respondents", stage.stage, "", "", "", figure(stage.respondents), ""]
        for item in stage.items:
            yield ["item", stage.stage, item.domain, item.code, "answered", figure(item.answered), ""]
            for code, one in item.answers:
                yield ["item", stage.stage, item.domain, item.code, code, figure(one.count), share_text(one.proportion)]
        for domain in stage.domains:
            yield ["domain", stage.stage, domain.code, "", "better_two", figure(domain.better.count),
                   share_text(domain.better.proportion)]
            yield ["domain", stage.stage, domain.code, "", "rest", figure(domain.rest.count),
                   share_text(domain.rest.proportion)]
            yield ["domain", stage.stage, domain.code, "", "scored", figure(domain.scored), ""]
        if stage.paired_women is not None:
            yield ["paired_women", stage.stage, "", "", "", figure(stage.paired_women), ""]
        for paired in stage.paired:
            for name, one in paired.changes:
                yield ["paired_change", stage.stage, paired.code, "", name, figure(one.count),
                       share_text(one.proportion)]
            yield ["paired_change", stage.stage, paired.code, "", "paired", figure(paired.paired), ""]
    for month in figures:
        key = f"{month.month:%Y-%m}"
        yield from _table_rows("first_contact", key, month.first_contact)
        yield ["first_contact_median_hours", key, "", "", "", "" if month.median_hours is None
               else f"{month.median_hours:.1f}", ""]
        yield from _table_rows("warnings_in_safe_window", key, month.warnings)
        yield from _table_rows("tasks_by_due_time", key, month.tasks)
        yield from _table_rows("contact_offers", key, month.offers)
        yield from _table_rows("stops_by_channel", key, month.stops)


@bp.get("/admin/evaluation/<programme_id>/report.csv", endpoint="admin_evaluation_csv")
@require_role(ADMIN)
def admin_evaluation_csv(programme_id: str) -> ResponseReturnValue:
    programme = my_programme_or_404(programme_id)
    _items, report, figures = _report(programme)
    return Response(to_csv(report_rows(report, figures)), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="evaluation-report.csv"'})
