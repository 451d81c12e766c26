"""Her open plan in her session: the data key kept only sealed under a key derived from the raw session id.

The session store keeps only the hash of her session id, so a database (or Redis) reader finds in
session["plan"] a ciphertext nobody can open, and nothing that says which slot she opened or whether it was
with her second passphrase (the slot and that flag are sealed with the key). When her session gets a new id
(a privilege change) or ends, the key is gone: unlocked() answers None and she types her passphrase again.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Any

from portal.crypto import KEY_BYTES, DecryptionError, open_with, seal_with, session_key
from portal.services.her.safety_plan import SLOTS, Unlocked
from portal.sessions import server_session

PLAN = "plan"  # session key: {"plan": "<plan id>", "key": "<base64 of the sealed slot, flag and data key>"}
# Session key kept when she locks her plan: whether it was open under her second passphrase, sealed the same
# way (always written on locking, 0 or 1, so its presence says nothing). Her pages stay as they were under
# pressure after she locks the harmless plan (in_duress), until she opens her plan again or her session ends.
LOCKED = "plan_locked"
PURPOSE = "plan-session"
LOCKED_AAD = b"pcp:plan-session:locked"


def _aad(plan_id: uuid.UUID) -> bytes:
    return f"pcp:plan-session:{plan_id}".encode()


def remember(unlocked: Unlocked) -> None:
    """Keep her open plan for the rest of this session (under the id the session will carry after this
    response, so it also holds when this response gives the session a new id)."""
    session = server_session()
    key = session_key(session.upcoming_sid(), PURPOSE)
    sealed = seal_with(key, bytes((unlocked.slot, int(unlocked.duress))) + unlocked.data_key,
                       _aad(unlocked.plan_id))
    session[PLAN] = {"plan": str(unlocked.plan_id), "key": base64.b64encode(sealed).decode()}
    session.pop(LOCKED, None)  # the latest opening says whether she is under pressure


def _stored() -> dict[str, Any] | None:
    stored = server_session().get(PLAN)
    return stored if isinstance(stored, dict) else None


def unlocked() -> Unlocked | None:
    """Her open plan, or None: none opened, the session's id changed since, or the stored key does not open."""
    stored = _stored()
    if stored is None:
        return None
    try:
        plan_id = uuid.UUID(str(stored.get("plan")))
        sealed = base64.b64decode(str(stored.get("key")), validate=True)
        opened = open_with(session_key(server_session().upcoming_sid(), PURPOSE), sealed, _aad(plan_id))
    except (ValueError, binascii.Error, DecryptionError):
        return None
    slot, duress, data_key = opened[0], opened[1], opened[2:]
    if slot not in SLOTS or duress not in (0, 1) or len(data_key) != KEY_BYTES:
        return None
    return Unlocked(plan_id, slot, data_key, bool(duress))


def forget() -> None:
    """Close her plan in this session (she locks it, deletes it, or leaves); whether it was open under her
    second passphrase is kept, sealed (see LOCKED)."""
    session = server_session()
    duress = in_duress()
    session.pop(PLAN, None)
    sealed = seal_with(session_key(session.upcoming_sid(), PURPOSE), bytes((int(duress),)), LOCKED_AAD)
    session[LOCKED] = base64.b64encode(sealed).decode()


def _locked_in_duress() -> bool:
    kept = server_session().get(LOCKED)
    if not isinstance(kept, str):
        return False
    try:
        opened = open_with(session_key(server_session().upcoming_sid(), PURPOSE),
                           base64.b64decode(kept, validate=True), LOCKED_AAD)
    except (ValueError, binascii.Error, DecryptionError):
        return False
    return opened == b"\x01"


def in_duress() -> bool:
    """Whether her plan was last opened in this session with her second passphrase (open now, or locked since)."""
    opened = unlocked()
    if opened is not None:
        return opened.duress
    return _locked_in_duress()
