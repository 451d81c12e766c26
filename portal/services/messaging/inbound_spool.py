"""Her texts that arrived while the database was down: kept on disk, sealed, until the worker hands them on.

DESIGN 8: a STOP that arrives while the database is down is not lost. The webhook cannot record it, and
Twilio does not send an inbound message again after an error, so the web process writes it here instead
(one file per message, sealed with the data keys and bound to its file name, written atomically, readable by
this user only) and answers Twilio normally. The worker beside it (`make serve` starts both, on one instance
directory) replays the files through the same inbound handling once the database answers, at the time she
sent the text, and deletes each file after its transaction commits. A replayed duplicate is harmless: inbound
handling claims each MessageSid once. Nothing of hers is ever written in clear.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from portal.crypto import DecryptionError, Vault

log = logging.getLogger("portal.sms.spool")
SUFFIX = ".sealed"
NAME = re.compile(r"^\d{8}T\d{12}-(SM|MM|SS)[0-9a-f]{32}\.sealed$")


@dataclass(frozen=True)
class SpooledText:
    message_sid: str
    sender: str
    body: str
    received_at: datetime


def _aad(name: str) -> bytes:
    return b"inbound-spool:" + name.encode()


def spool(directory: Path, vault: Vault, text: SpooledText) -> Path:
    """Keep one text for the worker: sealed, written atomically (a crash leaves no half file)."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"{text.received_at:%Y%m%dT%H%M%S%f}-{text.message_sid}{SUFFIX}"
    doc = {"sid": text.message_sid, "from": text.sender, "body": text.body, "at": text.received_at.isoformat()}
    sealed = vault.keyring.encrypt(json.dumps(doc), _aad(name))
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".incoming-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(sealed)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, directory / name)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return directory / name


def waiting(directory: Path) -> list[Path]:
    """The spooled texts, oldest first."""
    if not directory.is_dir():
        return []
    return sorted(path for path in directory.iterdir() if NAME.match(path.name))


def replay(directory: Path, vault: Vault, handle: Callable[[SpooledText], None]) -> int:
    """Hand each spooled text to `handle` (which commits it), oldest first, deleting each file after. A file
    that cannot be opened (another key, damaged) is left in place and skipped; an error from `handle` (the
    database down again) stops the replay, the rest waiting for the next pass. Returns how many were handed on."""
    done = 0
    for path in waiting(directory):
        try:
            doc = json.loads(vault.keyring.decrypt(path.read_bytes(), _aad(path.name)))
        except (OSError, DecryptionError, ValueError):
            log.error("a spooled text cannot be opened (another key, or damaged): %s is left in place", path.name)
            continue
        handle(SpooledText(doc["sid"], doc["from"], doc["body"], datetime.fromisoformat(doc["at"])))
        path.unlink(missing_ok=True)
        done += 1
    return done
