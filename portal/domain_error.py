"""The one base of every refusal the domain can give: a stable `code`, and the `field` at fault if any.

Services raise a subclass (CaseError, EventError, PinError, ...); each audience turns the code into words in
exactly one place: her pages in portal/public/messages.py (her language), the staff console in
portal/console/labels.py, the API in portal/api/routes.py (JSON `{error, message, field}`). The text of the
exception itself is never shown to her. It derives from ValueError so that older `except ValueError` callers
keep working.
"""

from __future__ import annotations


class DomainError(ValueError):
    """A refused domain action: `code` says why (stable, for machines and message maps), `field` names the
    input at fault (or None). `message` is an optional plain English text for logs, the CLI and the API."""

    def __init__(self, code: str, field: str | None = None, message: str | None = None) -> None:
        super().__init__(message or code)
        self.code = code
        self.field = field
