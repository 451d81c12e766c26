"""The support service's own figures, per month, suppressed like the programme reports (suppression.py).

For one support service (the programmes' partner), month by month in the deployment's time zone, each month's
counts forming one table (its parts and its total; no count under 5 shown, none recoverable):

- **First contact after a programme event.** A *case* is a programme event (of one of the service's programmes)
  and a woman of the service who got a task from it (`Task.source_event_id`, any kind, her worker allowed to
  contact her). Counted in the month the event was reported (`ProgrammeEvent.created_at`: when the service could
  know). `contacted`: cases with a contact with her logged by the service (`ContactLogEntry`, any method or
  outcome: an attempt counts) at or after the report; `waiting`: the rest. `median_hours`: the median time from
  the report to that first logged contact, in hours, over the contacted cases, published only when `contacted`
  is shown.
- **Warnings inside her safe window.** Warnings to her (`Notification` kind warning) delivered in the month
  (`finished_at`, the delivery report). `inside`: delivered at an instant inside one of her safe windows as they
  stand now (services/her/safe_windows.is_inside, her time zone), or a serious warning she allowed at any time;
  `outside`: the rest. The share is inside / delivered.
- **Tasks done by their due time.** The service's tasks due in the month (`due_at`) whose outcome is known: done,
  or past due at the time of the report. `on_time`: done at or before `due_at`; `late`: done after it, or not done
  and past due. A task not done and not yet due is not counted.
- **Offers of contact accepted and declined.** Her answers recorded in the consent ledger (scope contact) in the
  month: `given` and `declined` (ledger entries, so a woman who says yes again is counted again).
- **Stops by channel.** Withdrawals of contact in the ledger (scope contact) in the month, by channel (on the
  site, by text, told her worker, by the portal at an erasure).
"""

from __future__ import annotations

import statistics
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from fractions import Fraction
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import (
    ConsentAction,
    ConsentChannel,
    ConsentEvent,
    ConsentScope,
    ContactLogEntry,
    Notification,
    NotificationKind,
    NotificationState,
    PartnerContact,
    Preferences,
    Programme,
    ProgrammeEvent,
    SafeWindow,
    Task,
)
from portal.services.evaluation.reports import Count, Share
from portal.services.evaluation.suppression import Sum, Visibility, suppress
from portal.services.her import safe_windows

CHANNELS = tuple(channel.value for channel in ConsentChannel)


@dataclass(frozen=True)
class Table:
    """One month's row of one figure: its parts (each with its share of the total) and the total."""

    parts: tuple[tuple[str, Share], ...]
    total: Count

    def part(self, name: str) -> Share:
        return dict(self.parts)[name]


@dataclass(frozen=True)
class MonthFigures:
    month: date  # the first day of the month, in the deployment's zone
    first_contact: Table  # contacted, waiting / cases
    median_hours: float | None
    warnings: Table  # inside, outside / delivered
    tasks: Table  # on_time, late / due
    offers: Table  # given, declined / answered
    stops: Table  # by channel / stops


def _table(values: Mapping[str, int], parts: tuple[str, ...]) -> Table:
    counts = {name: values.get(name, 0) for name in parts}
    counts["total"] = sum(counts.values())
    shown = suppress(counts, [Sum("total", parts)])

    def count(name: str) -> Count:
        return Count(counts[name] if shown[name] == Visibility.SHOWN else None, shown[name])

    total = count("total")
    shares = []
    for name in parts:
        one = count(name)
        proportion = Fraction(counts[name], counts["total"]) if one.shown and total.shown and counts["total"] else None
        shares.append((name, Share(one, proportion)))
    return Table(tuple(shares), total)


def months(until: datetime, zone: ZoneInfo, how_many: int) -> list[date]:
    """The `how_many` months up to and including the one `until` falls in (her deployment's zone), oldest first."""
    local = until.astimezone(zone).date()
    year, month = local.year, local.month
    found = []
    for _ in range(how_many):
        found.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found[::-1]


def _month_of(moment: datetime, zone: ZoneInfo) -> date:
    local = moment.astimezone(zone)
    return date(local.year, local.month, 1)


def _start(month: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(month, time(), zone).astimezone(UTC)


def _end(month: date, zone: ZoneInfo) -> datetime:
    following = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return _start(following, zone)


def _first_contacts(db: Session, service_id: uuid.UUID, since: datetime, until: datetime
                    ) -> Iterable[tuple[datetime, float | None]]:
    """(when reported, hours to her first logged contact or None) for each case (the module's definition)."""
    rows = db.execute(
        select(ProgrammeEvent.id, ProgrammeEvent.created_at, Task.partner_id)
        .join(Programme, Programme.id == ProgrammeEvent.programme_id)
        .join(Task, Task.source_event_id == ProgrammeEvent.id)
        .where(Programme.service_id == service_id, Task.service_id == service_id, Task.partner_id.is_not(None),
               Task.contact_allowed.is_(True), ProgrammeEvent.created_at >= since,
               ProgrammeEvent.created_at < until))
    cases = {(event_id, partner_id): reported for event_id, reported, partner_id in rows}
    contacts: dict[uuid.UUID | None, list[datetime]] = defaultdict(list)
    partners = {partner_id for _event, partner_id in cases}
    if partners:
        for whose, at in db.execute(select(ContactLogEntry.partner_id, ContactLogEntry.occurred_at)
                                    .where(ContactLogEntry.partner_id.in_(partners),
                                           ContactLogEntry.occurred_at >= since)):
            contacts[whose].append(at)
    for (_event, partner_id), reported in cases.items():
        after = [at for at in contacts[partner_id] if at >= reported]
        yield reported, ((min(after) - reported).total_seconds() / 3600 if after else None)


def _inside(db: Session, note: Notification, partner: PartnerContact, prefs: Preferences | None) -> bool:
    if note.serious and prefs is not None and prefs.serious_risk_any_time:
        return True
    windows = safe_windows.windows_from_rows(db.scalars(select(SafeWindow).where(SafeWindow.partner_id == partner.id)))
    try:
        tz = safe_windows.zone(partner.timezone)
    except ValueError:
        return False
    return note.finished_at is not None and safe_windows.is_inside(windows, tz, note.finished_at)


def service_figures(db: Session, service_id: uuid.UUID, now: datetime, zone_name: str,
                    how_many: int = 12) -> tuple[MonthFigures, ...]:
    """The service's figures for the last `how_many` months (the module's definitions), oldest first."""
    zone = ZoneInfo(zone_name)
    wanted = months(now, zone, how_many)
    since, until = _start(wanted[0], zone), _end(wanted[-1], zone)
    tally: dict[date, dict[str, int]] = {m: defaultdict(int) for m in wanted}
    hours: dict[date, list[float]] = defaultdict(list)

    for reported, delay in _first_contacts(db, service_id, since, until):
        month = _month_of(reported, zone)
        tally[month]["waiting" if delay is None else "contacted"] += 1
        if delay is not None:
            hours[month].append(delay)

    warnings = db.execute(
        select(Notification, PartnerContact, Preferences)
        .join(PartnerContact, PartnerContact.id == Notification.partner_id)
        .outerjoin(Preferences, Preferences.partner_id == PartnerContact.id)
        .where(PartnerContact.service_id == service_id, Notification.kind == NotificationKind.WARNING,
               Notification.state == NotificationState.DELIVERED, Notification.finished_at >= since,
               Notification.finished_at < until))
    for note, partner, prefs in warnings:
        if note.finished_at is None:  # the query asks for it; for the type checker
            continue
        tally[_month_of(note.finished_at, zone)]["inside" if _inside(db, note, partner, prefs) else "outside"] += 1

    for due_at, done_at in db.execute(select(Task.due_at, Task.done_at).where(
            Task.service_id == service_id, Task.due_at >= since, Task.due_at < until)):
        if done_at is None and due_at > now:
            continue
        tally[_month_of(due_at, zone)]["on_time" if done_at is not None and done_at <= due_at else "late"] += 1

    for action, channel, at in db.execute(
            select(ConsentEvent.action, ConsentEvent.channel, ConsentEvent.occurred_at)
            .join(PartnerContact, PartnerContact.id == ConsentEvent.partner_id)
            .where(PartnerContact.service_id == service_id, ConsentEvent.scope == ConsentScope.CONTACT,
                   ConsentEvent.occurred_at >= since, ConsentEvent.occurred_at < until)):
        month = _month_of(at, zone)
        if action in (ConsentAction.GIVEN, ConsentAction.DECLINED):
            tally[month][action] += 1
        elif action == ConsentAction.WITHDRAWN:
            tally[month][f"stop.{channel}"] += 1

    result = []
    for month in wanted:
        t = tally[month]
        first_contact = _table(t, ("contacted", "waiting"))
        median = statistics.median(hours[month]) if first_contact.part("contacted").count.shown else None
        stops = _table({c: t[f"stop.{c}"] for c in CHANNELS}, CHANNELS)
        result.append(MonthFigures(month, first_contact, median, _table(t, ("inside", "outside")),
                                   _table(t, ("on_time", "late")), _table(t, ("given", "declined")), stops))
    return tuple(result)
