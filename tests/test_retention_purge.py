"""`flask purge`: closed cases past the retention period are erased; a dry run changes nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from portal.models import AuditEvent, PartnerContact, PartnerStatus
from portal.services.admin import deployment
from portal.services.casework.retention import due_for_erasure
from tests.factories import make_partner, make_world


def seed_cases(dbs, vault, audit_key, clock):  # type: ignore[no-untyped-def]
    """Four cases: closed long ago, closed recently, open, and withdrawn long ago but not closed."""
    world = make_world(dbs, vault, audit_key)
    old = make_partner(dbs, vault, audit_key, world.service, world.worker, name="Old Closed", phone="+447400100001")
    old.status, old.closed_at = PartnerStatus.CLOSED, clock.now() - timedelta(days=400)
    recent = make_partner(dbs, vault, audit_key, world.service, world.worker, name="Recent", phone="+447400100002")
    recent.status, recent.closed_at = PartnerStatus.CLOSED, clock.now() - timedelta(days=100)
    withdrawn = make_partner(dbs, vault, audit_key, world.service, world.worker, name="W", phone="+447400100003")
    withdrawn.status = PartnerStatus.WITHDRAWN
    deployment.save(dbs, "retention_days", 365)
    dbs.commit()
    return world, old, recent, withdrawn


def statuses(dbs) -> dict:  # type: ignore[no-untyped-def]
    dbs.expire_all()
    return {row.id: (row.status, row.name_ct is None) for row in dbs.scalars(select(PartnerContact))}


def test_dry_run_counts_and_changes_nothing(app, dbs, vault, audit_key, clock):
    seed_cases(dbs, vault, audit_key, clock)
    before, audit_before = statuses(dbs), dbs.scalar(select(func.count()).select_from(AuditEvent))
    result = app.test_cli_runner().invoke(args=["purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "1 closed case(s) older than 365 days would be erased" in result.output
    assert statuses(dbs) == before
    assert dbs.scalar(select(func.count()).select_from(AuditEvent)) == audit_before


def test_purge_erases_only_cases_closed_longer_than_the_retention(app, dbs, vault, audit_key, clock):
    world, old, recent, withdrawn = seed_cases(dbs, vault, audit_key, clock)
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "Erasing closed cases" in result.output and "Erased 1 closed case(s)" in result.output
    now = statuses(dbs)
    assert now[old.id] == (PartnerStatus.ERASED, True)
    assert now[recent.id] == (PartnerStatus.CLOSED, False)
    assert now[withdrawn.id] == (PartnerStatus.WITHDRAWN, False)
    assert now[world.partner.id] == (PartnerStatus.ACTIVE, False)
    erased = dbs.get(PartnerContact, old.id)
    assert erased.erased_at == clock.now() and erased.phone_bidx is None
    entry = dbs.scalar(select(AuditEvent).where(AuditEvent.action == "partner.erase"))
    assert entry.object_id == str(old.id) and entry.actor_type == "system" and '"reason":"retention"' in entry.details
    again = app.test_cli_runner().invoke(args=["purge"])
    assert "No closed case is older than 365 days" in again.output


def test_retention_follows_the_deployment_setting(app, dbs, vault, audit_key, clock):
    _, old, recent, _ = seed_cases(dbs, vault, audit_key, clock)
    deployment.save(dbs, "retention_days", 90)
    dbs.commit()
    assert due_for_erasure(dbs, clock.now(), 90) == [old.id, recent.id]
    result = app.test_cli_runner().invoke(args=["purge"])
    assert "Erased 2 closed case(s) older than 90 days" in result.output
    clock.advance(days=1)
    assert due_for_erasure(dbs, clock.now(), 90) == []


def test_the_boundary_is_exact(dbs, vault, audit_key, clock):
    _, old, *_ = seed_cases(dbs, vault, audit_key, clock)
    assert due_for_erasure(dbs, clock.now(), 400) == [old.id]
    assert due_for_erasure(dbs, clock.now() - timedelta(seconds=1), 400) == []
