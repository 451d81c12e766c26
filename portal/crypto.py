"""AES-GCM keyring with row-bound associated data, keyed blind indexes, and passphrase sealing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from dataclasses import dataclass

import phonenumbers
from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FORMAT_VERSION = 1
_HEADER = struct.Struct(">BH")  # format version, key id
NONCE_BYTES = 12


def header_for(key_id: int) -> bytes:
    """The first bytes of every ciphertext sealed under key_id (used to find rows needing rotation)."""
    return _HEADER.pack(FORMAT_VERSION, key_id)


class DecryptionError(ValueError):
    """A ciphertext could not be opened: wrong key, wrong row/column, or tampered."""


class InvalidPhoneNumber(ValueError):
    """The text is not a phone number we can send to."""


def associated_data(table: str, column: str, row_id: object) -> bytes:
    """The context a ciphertext is bound to: it opens only in this table, column and row."""
    return f"pcp:{table}:{column}:{row_id}".encode()


def _decode_key(text: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except ValueError as exc:
        raise ValueError("a key is not valid base64") from exc
    if len(key) != 32:
        raise ValueError("every key must be 32 bytes (256 bits) after base64 decoding")
    return key


@dataclass(frozen=True)
class Keyring:
    """Versioned AES-256-GCM keys: the newest encrypts, all of them decrypt."""

    keys: dict[int, bytes]

    @classmethod
    def parse(cls, spec: str) -> Keyring:
        """Parse "1:base64,2:base64" (as in PORTAL_DATA_KEYS)."""
        keys: dict[int, bytes] = {}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            key_id, _, material = part.partition(":")
            if not key_id.isdigit() or not material:
                raise ValueError("PORTAL_DATA_KEYS must look like '1:<base64 key>,2:<base64 key>'")
            if not 0 < int(key_id) < 65536:
                raise ValueError("key ids must be between 1 and 65535")
            keys[int(key_id)] = _decode_key(material)
        if not keys:
            raise ValueError("PORTAL_DATA_KEYS holds no key")
        return cls(keys)

    @property
    def current_id(self) -> int:
        return max(self.keys)

    def encrypt(self, plaintext: str | bytes, aad: bytes) -> bytes:
        data = plaintext.encode() if isinstance(plaintext, str) else plaintext
        nonce = secrets.token_bytes(NONCE_BYTES)
        header = _HEADER.pack(FORMAT_VERSION, self.current_id)
        sealed = AESGCM(self.keys[self.current_id]).encrypt(nonce, data, header + aad)
        return header + nonce + sealed

    def decrypt_bytes(self, blob: bytes, aad: bytes) -> bytes:
        if len(blob) < _HEADER.size + NONCE_BYTES + 16:
            raise DecryptionError("ciphertext too short")
        version, key_id = _HEADER.unpack_from(blob)
        if version != FORMAT_VERSION or key_id not in self.keys:
            raise DecryptionError("unknown format or key id")
        header = blob[: _HEADER.size]
        nonce = blob[_HEADER.size : _HEADER.size + NONCE_BYTES]
        try:
            return AESGCM(self.keys[key_id]).decrypt(nonce, blob[_HEADER.size + NONCE_BYTES :], header + aad)
        except InvalidTag as exc:
            raise DecryptionError("ciphertext does not open in this context") from exc

    def decrypt(self, blob: bytes, aad: bytes) -> str:
        return self.decrypt_bytes(blob, aad).decode()

    @staticmethod
    def key_id_of(blob: bytes) -> int:
        return _HEADER.unpack_from(blob)[1]

    def needs_rotation(self, blob: bytes) -> bool:
        return self.key_id_of(blob) != self.current_id


def derive_subkey(master_b64: str, purpose: str) -> bytes:
    """A separate 256-bit key per purpose from one configured secret (HKDF-SHA256)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(
        _decode_key(master_b64)
    )


@dataclass(frozen=True)
class BlindIndex:
    """Keyed HMAC lookups: find a row by phone or email without storing either in clear."""

    key: bytes

    @classmethod
    def from_setting(cls, index_key_b64: str) -> BlindIndex:
        return cls(derive_subkey(index_key_b64, "blind-index"))

    def digest(self, kind: str, normalised: str) -> str:
        return hmac.new(self.key, f"{kind}:{normalised}".encode(), hashlib.sha256).hexdigest()

    def phone(self, e164: str) -> str:
        return self.digest("phone", e164)

    def email(self, address: str) -> str:
        return self.digest("email", normalise_email(address))


def normalise_phone(text: str, default_region: str = "GB") -> str:
    """E.164 form of a phone number, or InvalidPhoneNumber."""
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(str(exc)) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber("not a valid number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(address: str) -> str:
    return address.strip().lower()


def hash_token(token: str) -> str:
    """Stored form of a high-entropy bearer or link token (never the token itself)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(nbytes: int = 24) -> str:
    """A URL-safe random token; 24 bytes is 192 bits (her link uses 16: 128 bits, 22 characters)."""
    return secrets.token_urlsafe(nbytes)


# Her safety plan: a random data key per slot, wrapped under a key Argon2id derives from her passphrase.
KEY_BYTES = 32
SALT_BYTES = 16
OWASP_MINIMUM_MEMORY_KIB = 19 * 1024  # OWASP Password Storage Cheat Sheet: m=19 MiB, t=2, p=1
OWASP_MINIMUM_TIME_COST = 2


@dataclass(frozen=True)
class KdfParams:
    """Argon2id's cost; never below OWASP's minimum (19 MiB, 2 passes, 1 lane), refused with ValueError."""

    memory_kib: int = 64 * 1024  # RFC 9106's second recommendation: 64 MiB, 3 passes
    time_cost: int = 3
    parallelism: int = 2

    def __post_init__(self) -> None:
        if (self.memory_kib < OWASP_MINIMUM_MEMORY_KIB or self.time_cost < OWASP_MINIMUM_TIME_COST
                or self.parallelism < 1):
            raise ValueError(f"Argon2id parameters must be at least OWASP's minimum: memory "
                             f"{OWASP_MINIMUM_MEMORY_KIB} KiB, time cost {OWASP_MINIMUM_TIME_COST}, parallelism 1")


def owasp_minimum() -> KdfParams:
    """The lowest parameters accepted (the tests run at these for speed)."""
    return KdfParams(OWASP_MINIMUM_MEMORY_KIB, OWASP_MINIMUM_TIME_COST, 1)


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_BYTES)


def new_data_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def passphrase_key(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    """The key-encryption key: Argon2id(passphrase, salt) at these parameters (the slow part, by design)."""
    return hash_secret_raw(passphrase.encode(), salt, time_cost=params.time_cost, memory_cost=params.memory_kib,
                           parallelism=params.parallelism, hash_len=KEY_BYTES, type=Type.ID)


def seal_with(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """AES-256-GCM under `key`, bound to `aad`: nonce followed by ciphertext and tag."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def open_with(key: bytes, blob: bytes, aad: bytes) -> bytes:
    """Open what seal_with sealed; DecryptionError for a wrong key, another context or a tampered blob."""
    if len(key) != KEY_BYTES or len(blob) < NONCE_BYTES + 16:
        raise DecryptionError("wrong key length or ciphertext too short")
    try:
        return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
    except InvalidTag as exc:
        raise DecryptionError("wrong key, wrong context, or tampered") from exc


def wrap_key(kek: bytes, data_key: bytes, aad: bytes) -> bytes:
    """The data key sealed under the key-encryption key, bound to its record."""
    return seal_with(kek, data_key, aad)


def unwrap_key(kek: bytes, wrapped: bytes, aad: bytes) -> bytes | None:
    """The data key, or None when this key-encryption key (this passphrase) does not open the wrap."""
    try:
        return open_with(kek, wrapped, aad)
    except DecryptionError:
        return None


def session_key(raw_session_id: str, purpose: str) -> bytes:
    """A key only the holder of the raw session id can derive (the store keeps only its hash)."""
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=purpose.encode()).derive(
        raw_session_id.encode())


@dataclass(frozen=True)
class Vault:
    """The keyring and blind index together, applied to encrypted columns of mapped rows."""

    keyring: Keyring
    index: BlindIndex

    @classmethod
    def from_settings(cls, data_keys: str, index_key: str) -> Vault:
        return cls(Keyring.parse(data_keys), BlindIndex.from_setting(index_key))

    @staticmethod
    def aad_for(row: object, column: str) -> bytes:
        return associated_data(row.__tablename__, column, row.id)  # type: ignore[attr-defined]

    def put(self, row: object, column: str, value: str | None) -> None:
        """Encrypt value into row.<column> (None clears it); the row's id must already be set."""
        if getattr(row, "id", None) is None:
            raise ValueError("assign the row id before encrypting its fields")
        setattr(row, column, None if value is None else self.keyring.encrypt(value, self.aad_for(row, column)))

    def get(self, row: object, column: str) -> str | None:
        blob = getattr(row, column)
        return None if blob is None else self.keyring.decrypt(blob, self.aad_for(row, column))
