"""flask commands: db, create-staff, demo, worker, rotate-keys, audit-verify, purge, lint-content."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import migrate
from portal.content_lint import Flagged
from portal.extensions import db
from portal.models import Role
from portal.runtime import audit_key, evaluation_items, now, settings, unit_contexts, vault

DEMO_FILE = "demo-credentials.json"


def _session() -> Session:
    return Session(db.engine)


@click.group("db", help="Database migrations (Alembic).")
def db_group() -> None:
    pass


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Migrate the database up to REVISION (default: the newest)."""
    migrate.upgrade(db.engine, revision)
    click.echo(f"Database at revision {migrate.current_revision(db.engine)}.")


@db_group.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION (e.g. -1 or base)."""
    migrate.downgrade(db.engine, revision)
    click.echo(f"Database at revision {migrate.current_revision(db.engine)}.")


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    click.echo(migrate.current_revision(db.engine) or "empty (no migration applied)")


@db_group.command("check")
@with_appcontext
def db_check() -> None:
    """Fail when the models and the migrated database differ."""
    differences = migrate.drift(db.engine)
    for diff in differences:
        click.echo(repr(diff))
    if differences:
        sys.exit(1)
    click.echo("Models and migrations agree.")


@click.command("create-staff")
@click.option("--email", required=True)
@click.option("--name", "display_name", default="")
@click.option("--role", type=click.Choice([role.value for role in Role.ALL]), required=True)
@click.option("--service", "service_name", default=None, help="Support service name (created if new).")
@click.password_option(help="Prompted for when not given; 12 to 128 characters.")
@with_appcontext
def create_staff_command(email: str, display_name: str, role: str, service_name: str | None, password: str) -> None:
    """Create a staff account; they set up their authenticator at first sign-in."""
    import uuid

    from portal.models import SupportService
    from portal.services.admin.staff_accounts import AccountError, create_staff
    from portal.services.audit import SYSTEM

    with _session() as session, session.begin():
        service_id = None
        if service_name:
            service = session.scalar(select(SupportService).where(SupportService.name == service_name))
            if service is None:
                service = SupportService(id=uuid.uuid4(), name=service_name)
                session.add(service)
                session.flush()
            service_id = service.id
        try:
            made = create_staff(unit_contexts(SYSTEM)(session), email=email, display_name=display_name, role=role,
                                password=password, service_id=service_id)
        except AccountError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {made.role} account {made.email}. They set up their authenticator at first sign-in.")


def staff_url(public_url: str) -> str:
    """The staff sign-in page's full address (the console lives under /staff; /console leads there too)."""
    from flask import current_app, url_for

    with current_app.test_request_context(base_url=public_url):
        return url_for("console.sign_in", _external=True)


@click.command("demo")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object for scripts.")
@with_appcontext
def demo_command(as_json: bool) -> None:
    """Migrate, seed demo data if the database is empty, and print a fresh link for the demo partner."""
    from datetime import timedelta

    from portal.services.admin import demo
    from portal.services.her.invites import issue_invite

    cfg = settings()
    if cfg.production:
        raise click.ClickException("The demo is not available in production.")
    migrate.upgrade(db.engine)
    path = Path(cfg.instance_path) / DEMO_FILE
    with _session() as session, session.begin():
        if not demo.is_seeded(session):
            creds = demo.seed(unit_contexts()(session))
            Path(cfg.instance_path).mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                json.dump({"api_token": creds.api_token, "staff": creds.staff}, handle)
        elif not path.exists():
            raise click.ClickException(
                f"The database has data but {path} is missing; use a fresh database to reseed the demo.")
        saved = json.loads(path.read_text())
        partner = demo.demo_partner(session, vault())
        if partner is None:
            raise click.ClickException("The demo partner is missing from this database.")
        invite = issue_invite(session, partner.id, now=now(), ttl=timedelta(hours=cfg.invite_ttl_hours))
        programme_ref = demo.DEMO_PARTICIPANT_REF
    out = {
        "invite_url": invite.url(cfg.public_url),
        "api_token": saved["api_token"],
        "participant_ref": programme_ref,
        "partner_phone": demo.DEMO_PARTNER_PHONE,
        "partner_name": demo.DEMO_PARTNER_NAME,
        "staff": saved["staff"],
        "staff_url": staff_url(cfg.public_url),
    }
    if as_json:
        click.echo(json.dumps(out))
        return
    click.echo(f"Her link (single use): {out['invite_url']}")
    click.echo(f"Staff console: {out['staff_url']}")
    click.echo(f"Programme API token: {out['api_token']}   participant: {out['participant_ref']}")
    for person in out["staff"]:
        click.echo(f"{person['role']:>15}: {person['email']}  password {person['password']}  "
                   f"TOTP secret {person['totp_secret']}")


@click.command("worker")
@click.option("--once", is_flag=True, help="Send what is due now, then exit.")
@click.option("--poll", "poll_seconds", default=2.0, show_default=True, type=click.FloatRange(0.05, 300),
              help="Seconds between passes when idle.")
@click.option("--lease", "lease_seconds", default=120, show_default=True, type=click.IntRange(1, 3600),
              help="A claim older than this is treated as unknown and reconciled, never resent blindly.")
@click.option("--reconcile-after", "reconcile_after_seconds", default=600, show_default=True,
              type=click.IntRange(0, 86400), help="Wait this long for a status report before asking Twilio.")
@click.option("--batch", default=20, show_default=True, type=click.IntRange(1, 500))
@click.option("--retry-after", "retry_after_seconds", default=30, show_default=True, type=click.IntRange(1, 3600),
              help="Wait before the first retry of a transient failure; each later retry waits twice as long.")
@with_appcontext
def worker_command(once: bool, poll_seconds: float, lease_seconds: int, reconcile_after_seconds: int,
                   batch: int, retry_after_seconds: int) -> None:
    """Run the SMS dispatcher (stops cleanly on SIGTERM)."""
    from flask import current_app

    from portal.worker import build_dispatcher, checkin_rules, run, service_zone

    try:
        dispatcher = build_dispatcher(current_app, lease_seconds=lease_seconds,
                                      reconcile_after_seconds=reconcile_after_seconds, batch=batch,
                                      retry_after_seconds=retry_after_seconds)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    run(dispatcher, once=once, poll_seconds=poll_seconds, echo=click.echo, rules=checkin_rules(current_app),
        zone=service_zone(current_app), app=current_app._get_current_object())  # type: ignore[attr-defined]


@click.command("rotate-keys")
@click.option("--batch", default=200, show_default=True)
@with_appcontext
def rotate_keys_command(batch: int) -> None:
    """Re-encrypt every row under the newest key in PORTAL_DATA_KEYS. Safe to interrupt and run again."""
    from portal.services.admin.key_rotation import count_stale, rotate

    keyring = vault().keyring
    with _session() as session:
        remaining = count_stale(session, keyring)
    if not remaining:
        click.echo(f"Every row already uses key {keyring.current_id}.")
        return
    with click.progressbar(length=remaining, label=f"Re-encrypting under key {keyring.current_id}") as bar:
        for done in rotate(_session, keyring, batch):
            bar.update(done)
    with _session() as session:
        left = count_stale(session, keyring)
    if left:
        raise click.ClickException(f"{left} rows still use an older key; run rotate-keys again.")
    click.echo(f"Done: every row uses key {keyring.current_id}. Older keys can now be removed.")


@click.command("audit-verify")
@with_appcontext
def audit_verify_command() -> None:
    """Check the audit chain: exit 1 on any edited, deleted or reordered entry."""
    from portal.services.audit import verify_database

    with _session() as session:
        report = verify_database(session, audit_key())
    for problem in report.problems:
        click.echo(f"entry {problem.seq}: {problem.problem}", err=True)
    if not report.ok:
        raise SystemExit(1)
    click.echo(f"Audit chain intact: {report.entries} entries, head {report.head}.")


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Only count the closed cases that are due; change nothing.")
@with_appcontext
def purge_command(dry_run: bool) -> None:
    """Erase closed cases older than the retention period (deployment setting retention_days); end expired sessions."""
    from portal.services.casework.retention import due_for_erasure, purge, retention_days
    from portal.sessions import purge_expired_sessions

    moment = now()
    if not dry_run:
        click.echo(f"Removed {purge_expired_sessions(_session, moment)} expired web session(s).")
    with _session() as session:
        days = retention_days(session)
        due = due_for_erasure(session, moment, days)
    if dry_run:
        click.echo(f"Dry run: {len(due)} closed case(s) older than {days} days would be erased. Nothing changed.")
        return
    if not due:
        click.echo(f"No closed case is older than {days} days.")
        return
    with click.progressbar(length=len(due), label="Erasing closed cases") as bar:
        for _erased in purge(_session, unit_contexts(), due):
            bar.update(1)
    click.echo(f"Erased {len(due)} closed case(s) older than {days} days; tombstones and the audit log remain.")


def _admin_findings(locales: list[str]) -> list[Flagged]:
    """The admin-entered texts she is shown, from the database (none when it cannot be read: said on stderr)."""
    from sqlalchemy.exc import SQLAlchemyError

    from portal.content_lint import lint_admin_texts
    from portal.services.admin import deployment

    try:
        with _session() as session:
            view = deployment.load(session, settings().site_name, settings().exit_url)
    except SQLAlchemyError as error:
        click.echo(f"admin texts not checked: the database cannot be read ({type(error).__name__})", err=True)
        return []
    helplines = [(line.locale or code, line.name, line.hours) for code, lines in view.helplines.items() for line in lines]
    return list(lint_admin_texts(locales, view.sharing_policy, helplines, view.site_name))


@click.command("lint-content")
@click.option("--locale", "locale", default=None, help="Check only this locale (required with -).")
@click.option("--context", "context", type=click.Choice(["text", "sms", "title"]), default="text",
              help="With -: where the lines are shown (sms and title also refuse naming and giveaway words).")
@click.argument("source", required=False)
@with_appcontext
def lint_content_command(locale: str | None, context: str, source: str | None) -> None:
    """Check her texts: no blame, no overstatement, nothing naming the service in an SMS or a title (exit 1 on a
    finding). Without arguments: every template, catalog, SMS template and admin-entered text, in every locale.

    With `--locale L -`, read one text per line on standard input and print `N: <rule> <text>` for each
    flagged line N (lines counted from 1, blank ones too; exit 0 none flagged, 1 some flagged, 2 unknown locale
    or a locale without rules).
    """
    from portal.content_lint import lint_catalogs, lint_evaluation_items, lint_lines
    from portal.content_rules import RulesError, check_all
    from portal.i18n import LOCALES

    if locale is not None and locale not in LOCALES:
        click.echo(f"unknown locale: {locale}", err=True)
        raise SystemExit(2)
    if source is not None:
        if source != "-" or locale is None:
            raise click.UsageError("use: lint-content --locale L -")
        try:
            check_all("", locale)
        except RulesError as error:
            click.echo(str(error), err=True)
            raise SystemExit(2) from None
        flagged = 0
        for number, finding in lint_lines(sys.stdin, locale, context):
            click.echo(f"{number}: {finding.rule} {finding.text}")
            flagged += 1
        raise SystemExit(1 if flagged else 0)
    locales = [locale] if locale else sorted(LOCALES)
    found = (list(lint_catalogs(locales)) + _admin_findings(locales)
             + list(lint_evaluation_items(evaluation_items(), locales)))
    for item in found:
        click.echo(f"{item.locale}: {item.finding.rule} ({item.finding.detail}) in {item.where}: {item.finding.text}")
    if found:
        raise SystemExit(1)
    click.echo(f"No finding in {', '.join(locales)}.")


def register_commands(app: Flask) -> None:
    for command in (db_group, create_staff_command, demo_command, worker_command, rotate_keys_command,
                    audit_verify_command, purge_command, lint_content_command):
        app.cli.add_command(command)

