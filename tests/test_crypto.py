"""Encryption at rest: values open only in their own table, column and row; blind indexes; sealing."""

import base64
import secrets
import uuid

import pytest

from portal.crypto import (
    BlindIndex,
    DecryptionError,
    InvalidPhoneNumber,
    KdfParams,
    Keyring,
    Vault,
    associated_data,
    normalise_phone,
    owasp_minimum,
    passphrase_key,
    unwrap_key,
    wrap_key,
)
from portal.models import PartnerContact, Preferences


def key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


@pytest.fixture
def vault_() -> Vault:
    return Vault.from_settings(f"1:{key()}", key())


def test_round_trip_and_key_id_recorded(vault_):
    row = PartnerContact(id=uuid.uuid4())
    vault_.put(row, "phone_ct", "+447400123456")
    assert b"447400123456" not in row.phone_ct
    assert Keyring.key_id_of(row.phone_ct) == 1
    assert vault_.get(row, "phone_ct") == "+447400123456"


def test_ciphertext_copied_to_another_row_fails(vault_):
    mine, other = PartnerContact(id=uuid.uuid4()), PartnerContact(id=uuid.uuid4())
    vault_.put(mine, "phone_ct", "+447400123456")
    other.phone_ct = mine.phone_ct
    with pytest.raises(DecryptionError):
        vault_.get(other, "phone_ct")


def test_ciphertext_copied_to_another_column_fails(vault_):
    row = PartnerContact(id=uuid.uuid4())
    vault_.put(row, "name_ct", "Sam")
    row.email_ct = row.name_ct
    with pytest.raises(DecryptionError):
        vault_.get(row, "email_ct")


def test_ciphertext_copied_to_another_table_fails(vault_):
    shared_id = uuid.uuid4()
    partner, prefs = PartnerContact(id=shared_id), Preferences(id=shared_id)
    vault_.put(prefs, "code_word_ct", "bluebell")
    partner.name_ct = prefs.code_word_ct
    with pytest.raises(DecryptionError):
        vault_.keyring.decrypt(partner.name_ct, associated_data("partner_contact", "code_word_ct", shared_id))


def test_tampered_ciphertext_fails(vault_):
    row = PartnerContact(id=uuid.uuid4())
    vault_.put(row, "name_ct", "Sam")
    blob = bytearray(row.name_ct)
    blob[-1] ^= 1
    row.name_ct = bytes(blob)
    with pytest.raises(DecryptionError):
        vault_.get(row, "name_ct")


def test_old_keys_still_decrypt_after_a_new_key_is_added():
    first = key()
    old = Keyring.parse(f"1:{first}")
    aad = associated_data("t", "c", 1)
    blob = old.encrypt("secret", aad)
    new = Keyring.parse(f"1:{first},2:{key()}")
    assert new.current_id == 2
    assert new.decrypt(blob, aad) == "secret"
    assert new.needs_rotation(blob)
    assert Keyring.key_id_of(new.encrypt("secret", aad)) == 2


@pytest.mark.parametrize("spec", ["", "x:abc", "1:notbase64!", f"1:{base64.b64encode(b'short').decode()}"])
def test_bad_keyring_specs_are_refused(spec):
    with pytest.raises(ValueError):
        Keyring.parse(spec)


def test_blind_index_is_keyed_and_normalised():
    k = key()
    index, other = BlindIndex.from_setting(k), BlindIndex.from_setting(key())
    e164 = normalise_phone("07400 123456", "GB")
    assert e164 == "+447400123456"
    assert index.phone(e164) == index.phone(normalise_phone("+44 7400 123456"))
    assert index.phone(e164) != other.phone(e164)
    assert index.email(" Sam@Example.ORG ") == index.email("sam@example.org")
    assert "447400123456" not in index.phone(e164)


@pytest.mark.parametrize("text", ["", "hello", "123", "+44 1"])
def test_invalid_phone_numbers_are_refused(text):
    with pytest.raises(InvalidPhoneNumber):
        normalise_phone(text)


def test_a_data_key_wrapped_under_her_passphrase_opens_only_with_it_and_only_in_its_record():
    params = owasp_minimum()
    salt, data_key = secrets.token_bytes(16), secrets.token_bytes(32)
    aad = b"pcp:safety_plan:1:0:wrap"
    wrapped = wrap_key(passphrase_key("river stones at dawn", salt, params), data_key, aad)
    assert data_key not in wrapped
    assert unwrap_key(passphrase_key("river stones at dawn", salt, params), wrapped, aad) == data_key
    assert unwrap_key(passphrase_key("river stones at dusk", salt, params), wrapped, aad) is None
    assert unwrap_key(passphrase_key("river stones at dawn", salt, params), wrapped, b"pcp:safety_plan:2:0:wrap") is None


@pytest.mark.parametrize("memory, time_cost, lanes", [(19455, 2, 1), (19456, 1, 1), (19456, 2, 0), (8192, 1, 1)])
def test_argon2id_below_owasps_minimum_is_refused(memory, time_cost, lanes):
    with pytest.raises(ValueError, match="OWASP"):
        KdfParams(memory, time_cost, lanes)
    assert KdfParams() == KdfParams(65536, 3, 2)  # RFC 9106's second recommendation, two lanes
