"""The audit chain: audit-verify detects an edited, deleted or reordered entry."""

import pytest
from sqlalchemy import delete, select, update

from portal.models import AuditEvent, utcnow
from portal.services.audit import Actor, record, verify_database


def seed_chain(dbs, audit_key, n=5):
    for i in range(n):
        record(dbs, audit_key, Actor("staff", f"user-{i}"), "partner.read", "partner_contact", f"row-{i}",
               {"purpose": "case"}, now=utcnow())
    dbs.commit()


def run_verify(app):
    return app.test_cli_runner().invoke(args=["audit-verify"])


def test_intact_chain_verifies(app, dbs, audit_key):
    seed_chain(dbs, audit_key)
    result = run_verify(app)
    assert result.exit_code == 0, result.output
    assert "intact: 5 entries" in result.output


def test_edited_entry_is_detected(app, dbs, audit_key):
    seed_chain(dbs, audit_key)
    dbs.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(actor_id="someone-else"))
    dbs.commit()
    result = run_verify(app)
    assert result.exit_code == 1
    assert "entry 3: content was changed" in result.output


def test_deleted_entry_is_detected(app, dbs, audit_key):
    seed_chain(dbs, audit_key)
    dbs.execute(delete(AuditEvent).where(AuditEvent.seq == 2))
    dbs.commit()
    result = run_verify(app)
    assert result.exit_code == 1
    assert "entry 3" in result.output


def test_reordered_entries_are_detected(app, dbs, audit_key):
    seed_chain(dbs, audit_key)
    rows = {e.seq: e for e in dbs.scalars(select(AuditEvent))}
    a, b = rows[2], rows[4]
    swap = {c: (getattr(a, c), getattr(b, c)) for c in ("actor_id", "object_id", "prev_hash", "hash")}
    dbs.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(hash="x" * 64))
    dbs.flush()
    for col, (va, _vb) in swap.items():
        dbs.execute(update(AuditEvent).where(AuditEvent.seq == 4).values({col: va}))
    dbs.flush()
    for col, (_va, vb) in swap.items():
        dbs.execute(update(AuditEvent).where(AuditEvent.seq == 2).values({col: vb}))
    dbs.commit()
    report = verify_database(dbs, audit_key)
    assert not report.ok
    assert {p.seq for p in report.problems} >= {2, 4}


def test_a_forged_entry_without_the_key_is_detected(app, dbs, audit_key):
    seed_chain(dbs, audit_key, 2)
    record(dbs, b"\x00" * 32, Actor("staff", "intruder"), "partner.read", now=utcnow())
    dbs.commit()
    assert [p.seq for p in verify_database(dbs, audit_key).problems] == [3]


def test_sensitive_values_are_refused_in_details(dbs, audit_key):
    with pytest.raises(ValueError):
        record(dbs, audit_key, Actor("staff", "u"), "partner.update", details={"phone": "+447400123456"},
               now=utcnow())
