"""rotate-keys: after rotation no row uses the old key; an interrupted run is finished by the next."""

import base64
import secrets

from sqlalchemy.orm import Session

from portal import create_app
from portal.extensions import db
from portal.models import PartnerContact, StaffUser
from portal.services.admin.key_rotation import count_stale, encrypted_tables, rotate
from tests.support import TEST_KEYS, make_config


def rotated_app(database_url, instance_dir, clock):
    new_key = base64.b64encode(secrets.token_bytes(32)).decode()
    app = create_app(make_config(database_url, instance_dir, data_keys=f"{TEST_KEYS['data_keys']},2:{new_key}"))
    app.extensions["portal.clock"] = clock
    return app


def test_every_encrypted_column_is_found():
    names = {(et.table.name, c.name) for et in encrypted_tables() for c in et.columns}
    assert {("partner_contact", "phone_ct"), ("partner_contact", "name_ct"), ("preferences", "code_word_ct"),
            ("staff_user", "totp_secret_ct")} <= names


def test_rotation_reencrypts_everything(app, dbs, world, database_url, instance_dir, clock):
    app2 = rotated_app(database_url, instance_dir, clock)
    keyring2 = app2.extensions["portal.vault"].keyring
    with app2.app_context():
        with Session(db.engine) as s:
            assert count_stale(s, keyring2) > 0
        result = app2.test_cli_runner().invoke(args=["rotate-keys"])
        assert result.exit_code == 0, result.output
        assert "every row uses key 2" in result.output
        with Session(db.engine) as s:
            assert count_stale(s, keyring2) == 0
            partner = s.get(PartnerContact, world.partner.id)
            assert keyring2.key_id_of(partner.phone_ct) == 2
            assert app2.extensions["portal.vault"].get(partner, "phone_ct") == "+447400123456"
            staff = s.get(StaffUser, world.worker.id)
            assert keyring2.key_id_of(staff.totp_secret_ct) == 2
        again = app2.test_cli_runner().invoke(args=["rotate-keys"])
        assert "already uses key 2" in again.output


def test_interrupted_rotation_is_completed_by_a_rerun(app, dbs, world, database_url, instance_dir, clock):
    app2 = rotated_app(database_url, instance_dir, clock)
    keyring2 = app2.extensions["portal.vault"].keyring
    with app2.app_context():
        batches = rotate(lambda: Session(db.engine), keyring2, batch=1)
        next(batches)  # one committed batch, then the process "dies"
        batches.close()
        with Session(db.engine) as s:
            left = count_stale(s, keyring2)
        assert left > 0
        result = app2.test_cli_runner().invoke(args=["rotate-keys"])
        assert result.exit_code == 0, result.output
        with Session(db.engine) as s:
            assert count_stale(s, keyring2) == 0
