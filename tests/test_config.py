"""Settings: development generates secrets once; production refuses to start without them."""

import json
import stat

import pytest

from portal import create_app
from portal.config import ConfigError, load_settings

PROD_OK = {
    "PORTAL_ENV": "production",
    "PORTAL_SECRET_KEY": "s" * 48,
    "PORTAL_DATA_KEYS": "1:" + "A" * 43 + "=",
    "PORTAL_INDEX_KEY": "B" * 43 + "=",
    "PORTAL_PUBLIC_URL": "https://contact.example.org",
    "PORTAL_DATABASE_URL": "postgresql://portal@db/portal",
    "PORTAL_SMS_BACKEND": "twilio",
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "TWILIO_AUTH_TOKEN": "t" * 32,
    "TWILIO_MESSAGING_SERVICE_SID": "MG" + "0" * 32,
}


def test_development_generates_secrets_once_with_a_warning(tmp_path, caplog):
    first = load_settings(environ={}, instance_path=str(tmp_path))
    assert set(first.generated) == {"secret_key", "data_keys", "index_key"}
    assert "Never use them in production" in caplog.text
    secrets_file = tmp_path / "dev-secrets.json"
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    second = load_settings(environ={}, instance_path=str(tmp_path))
    assert (second.secret_key, second.data_keys) == (first.secret_key, first.data_keys)
    assert json.loads(secrets_file.read_text())["index_key"] == second.index_key
    assert first.database_url == f"sqlite:///{tmp_path / 'portal.sqlite3'}"


def test_production_with_everything_set_starts(tmp_path):
    settings = load_settings(environ=PROD_OK, instance_path=str(tmp_path))
    assert settings.production and not settings.generated
    assert not (tmp_path / "dev-secrets.json").exists()


@pytest.mark.parametrize("missing, named", [
    ("PORTAL_SECRET_KEY", "PORTAL_SECRET_KEY is not set"),
    ("PORTAL_DATA_KEYS", "PORTAL_DATA_KEYS is not set"),
    ("PORTAL_INDEX_KEY", "PORTAL_INDEX_KEY is not set"),
    ("PORTAL_PUBLIC_URL", "PORTAL_PUBLIC_URL is not set"),
    ("TWILIO_AUTH_TOKEN", "TWILIO_AUTH_TOKEN is not set"),
])
def test_production_names_exactly_what_is_missing(tmp_path, missing, named):
    env = {k: v for k, v in PROD_OK.items() if k != missing}
    with pytest.raises(ConfigError) as excinfo:
        load_settings(environ=env, instance_path=str(tmp_path))
    assert named in str(excinfo.value)
    assert not (tmp_path / "dev-secrets.json").exists()


def test_production_refuses_plain_http_and_console_sms(tmp_path):
    env = dict(PROD_OK, PORTAL_PUBLIC_URL="http://contact.example.org", PORTAL_SMS_BACKEND="console")
    with pytest.raises(ConfigError) as excinfo:
        load_settings(environ=env, instance_path=str(tmp_path))
    assert "must start with https://" in str(excinfo.value)
    assert "PORTAL_SMS_BACKEND=console" in str(excinfo.value)


def test_production_refuses_a_public_url_longer_than_30_characters(tmp_path):
    """DESIGN §8 "One segment": her link must fit one text with its words, so the base URL is short."""
    thirty = "https://" + "c" * 18 + ".org"
    assert len(thirty) == 30
    assert load_settings(environ=dict(PROD_OK, PORTAL_PUBLIC_URL=thirty + "/"), instance_path=str(tmp_path))
    env = dict(PROD_OK, PORTAL_PUBLIC_URL="https://" + "c" * 19 + ".org")
    with pytest.raises(ConfigError) as excinfo:
        load_settings(environ=env, instance_path=str(tmp_path))
    assert "PORTAL_PUBLIC_URL must be at most 30 characters (it has 31)" in str(excinfo.value)
    assert "one SMS segment" in str(excinfo.value)


def test_bad_numbers_are_named(tmp_path):
    with pytest.raises(ConfigError, match="PORTAL_INVITE_TTL_HOURS must be a whole number"):
        load_settings(environ={"PORTAL_INVITE_TTL_HOURS": "three days"}, instance_path=str(tmp_path))


def test_create_app_touches_no_database(tmp_path):
    db_file = tmp_path / "never.sqlite3"
    app = create_app({"database_url": f"sqlite:///{db_file}", "instance_path": str(tmp_path)})
    assert app.name == "portal"
    assert not db_file.exists()
