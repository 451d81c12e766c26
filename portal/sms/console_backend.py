"""Development backend: prints one line per message, records it, and reports its progress.

By default the line is redacted (no text, two digits of her number). In development (`show_text`, set by
sms/factory only when PORTAL_ENV=development; production refuses this backend) it also prints the text with
her link, clearly marked, so a person can follow a message to her phone in the `make run` output.
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TextIO

from portal.models import utcnow
from portal.sms.gateway import Accepted, OutboundSms, ProviderMessage
from portal.sms.segments import measure


@dataclass
class StatusReport:
    """A status callback, as Twilio would post it to /sms/status."""

    sid: str
    status: str
    error_code: str | None
    callback_url: str | None


def masked(number: str) -> str:
    return "…" + number[-2:] if len(number) > 2 else "…"


def dev_masked(number: str) -> str:
    """Enough of a development number to tell the demo phones apart: '+44…1234'."""
    return f"{number[:3]}…{number[-4:]}" if len(number) > 8 else "…"


@dataclass
class ConsoleGateway:
    """Never leaves the machine. Each send is followed by simulated `sent` and `delivered` reports."""

    out: TextIO = field(default_factory=lambda: sys.stdout)
    clock: Callable[[], datetime] = utcnow
    name: str = "console"
    messages: dict[str, ProviderMessage] = field(default_factory=dict)
    reports: list[StatusReport] = field(default_factory=list)
    show_text: bool = False  # development only: print the text and her link (sms/factory decides)

    def send(self, message: OutboundSms) -> Accepted:
        sid = "SM" + secrets.token_hex(16)
        self.messages[sid] = ProviderMessage(sid, "delivered", None, message.to, message.body, self.clock())
        info = measure(message.body)
        print(f"[sms console] {sid} to {masked(message.to)}: {info.units} {info.encoding} units, "
              f"{info.segments} segment(s), valid {message.validity_seconds}s (text not shown)",
              file=self.out, flush=True)
        if self.show_text:
            print(f"[development SMS to {dev_masked(message.to)}] {message.body}  "
                  "(development only: not sent to any phone)", file=self.out, flush=True)
        for status in ("sent", "delivered"):
            self.reports.append(StatusReport(sid, status, None, message.status_callback))
        return Accepted(sid, "queued")

    def take_reports(self) -> list[StatusReport]:
        taken, self.reports = self.reports, []
        return taken

    def fetch(self, sid: str) -> ProviderMessage | None:
        return self.messages.get(sid)

    def find(self, to: str, since: datetime) -> list[ProviderMessage]:
        return [m for m in self.messages.values()
                if m.to == to and (m.created_at is None or m.created_at >= since)]

    def delete(self, sid: str) -> None:
        """Nothing leaves the machine: forget it here, and the job is done."""
        self.messages.pop(sid, None)
