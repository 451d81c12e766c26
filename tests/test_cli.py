"""The command-line interface other tools rely on (DESIGN.md section 5)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pyotp
from argon2 import PasswordHasher
from sqlalchemy import select

from portal.crypto import hash_token
from portal.models import AccessToken, PartnerContact, Preferences, SafeWindow, StaffUser, Tell
from tests.support import BACKEND

ROOT = Path(__file__).resolve().parent.parent


def test_demo_json_prints_the_documented_object(app, dbs, vault):
    result = app.test_cli_runner().invoke(args=["demo", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["invite_url"].startswith("https://portal.test/v/")
    assert out["participant_ref"] == "DEMO-0001"
    assert out["partner_phone"].startswith("+") and out["partner_name"]
    assert {s["role"] for s in out["staff"]} == {"admin", "support_worker", "facilitator"}
    hasher = PasswordHasher()
    for person in out["staff"]:
        user = dbs.scalar(select(StaffUser).where(StaffUser.email == person["email"]))
        assert hasher.verify(user.password_hash, person["password"])
        assert vault.get(user, "totp_secret_ct") == person["totp_secret"]
        assert len(pyotp.TOTP(person["totp_secret"]).now()) == 6
    token = dbs.scalar(select(AccessToken).where(AccessToken.token_hash == hash_token(out["api_token"])))
    assert token is not None and token.purpose == "api"
    invite = out["invite_url"].rsplit("/", 1)[1]
    assert dbs.scalar(select(AccessToken).where(AccessToken.token_hash == hash_token(invite))).purpose == "invite"
    partner = dbs.scalar(select(PartnerContact).where(PartnerContact.phone_bidx == vault.index.phone(out["partner_phone"])))
    prefs = dbs.scalar(select(Preferences).where(Preferences.partner_id == partner.id))
    assert prefs.channel_sms and prefs.tell_dropout == prefs.tell_risk == Tell.BOTH
    windows = dbs.scalars(select(SafeWindow).where(SafeWindow.partner_id == partner.id)).all()
    assert sorted(w.weekday for w in windows) == list(range(7))
    assert all((w.start_minute, w.end_minute) == (0, 1440) for w in windows)
    again = json.loads(app.test_cli_runner().invoke(args=["demo", "--json"]).output)
    assert again["invite_url"] != out["invite_url"]  # a fresh link each time
    assert again["staff"] == out["staff"] and again["api_token"] == out["api_token"]


def test_flask_demo_json_from_a_fresh_checkout(tmp_path):
    """The exact command of DESIGN.md, in a new process, on an empty database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(PORTAL_INSTANCE_PATH=str(tmp_path), PORTAL_DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    if BACKEND == "postgresql":
        from tests.conftest import create_pg_database, drop_pg_database, require_postgres

        require_postgres()
        url = create_pg_database("pcp_cli")
        env["PORTAL_DATABASE_URL"] = url
    try:
        run = subprocess.run([sys.executable, "-m", "flask", "--app", "portal", "demo", "--json"], cwd=ROOT,
                             env=env, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        out = json.loads(run.stdout)
        assert {"invite_url", "api_token", "participant_ref", "partner_phone", "partner_name", "staff"} <= set(out)
        verify = subprocess.run([sys.executable, "-m", "flask", "--app", "portal", "audit-verify"], cwd=ROOT,
                                env=env, capture_output=True, text=True, timeout=120)
        assert verify.returncode == 0 and "Audit chain intact" in verify.stdout
    finally:
        if BACKEND == "postgresql":
            drop_pg_database(url)


def test_create_staff_command(app, dbs):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-staff", "--email", "New.Person@Example.org", "--role", "support_worker",
                                 "--service", "North", "--password", "a long enough passphrase"])
    assert result.exit_code == 0, result.output
    user = dbs.scalar(select(StaffUser).where(StaffUser.email == "new.person@example.org"))
    assert user.role == "support_worker" and user.totp_confirmed_at is None
    short = runner.invoke(args=["create-staff", "--email", "b@example.org", "--role", "admin", "--password", "short"])
    assert short.exit_code != 0 and "12 to 128 characters" in short.output
    dup = runner.invoke(args=["create-staff", "--email", "new.person@example.org", "--role", "admin",
                              "--password", "a long enough passphrase"])
    assert dup.exit_code != 0 and "exists already" in dup.output


def test_db_check_reports_models_match(app):
    result = app.test_cli_runner().invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output
    assert "agree" in result.output
