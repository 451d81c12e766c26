"""The deployment's information-sharing policy shown to her: per locale, plain text, checked for blame.

An admin may replace the built-in text (portal/public/sharing_text.py) in any locale. Her page shows her
locale's text, else the deployment's default locale's text (marked with its language), else the built-in
text in her language. The text is plain: a blank line starts a paragraph, a line starting with "- " is a
list item, a line starting with "# " is a heading. It is never read as HTML (the page escapes every
character), and it must pass the no-blame check (portal/content_rules.py) in its own language.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from portal.content_rules import check
from portal.domain_error import DomainError
from portal.models import ActorKind, DeploymentSetting
from portal.services.admin import deployment
from portal.services.admin.printable import printable
from portal.services.context import DomainContext

KEY = "sharing_policy"
MAX_CHARS = 4000


@dataclass(frozen=True)
class Block:
    kind: str  # "heading" | "paragraph" | "list"
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Shown:
    """What her page shows: the blocks, in which language, and whether it is the deployment's own text."""
    blocks: tuple[Block, ...]
    locale: str
    configured: bool


class PolicyError(DomainError):
    """A refused policy text: `field` is the locale, `phrases` what the no-blame check flagged (if that is why)."""

    def __init__(self, code: str, field: str, phrases: tuple[str, ...] = ()) -> None:
        super().__init__(code, field)
        self.phrases = phrases


def clean(text: str) -> str:
    """The text as stored: newlines normalised, spaces at line ends and around the whole text removed."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def parse(text: str) -> tuple[Block, ...]:
    """Plain text as blocks: headings ("# "), list items ("- "), paragraphs (lines joined by a space)."""
    blocks: list[Block] = []
    para: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(Block("paragraph", (" ".join(para),)))
            para.clear()
        if items:
            blocks.append(Block("list", tuple(items)))
            items.clear()

    for raw in clean(text).split("\n"):
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("# ") and line[2:].strip():
            flush()
            blocks.append(Block("heading", (line[2:].strip(),)))
        elif line[:2] in ("- ", "• ") and line[2:].strip():
            if para:
                flush()
            items.append(line[2:].strip())
        elif items:  # a line under a list item continues it
            items[-1] = f"{items[-1]} {line}"
        else:
            para.append(line)
    flush()
    return tuple(blocks)


def flagged(text: str, locale: str) -> tuple[str, ...]:
    """The words of the text that the no-blame check flags in this locale (empty: the text passes)."""
    phrases: list[str] = []
    for finding in check(text, locale):
        phrase = finding.detail or finding.rule  # detail: her words that the rule matched
        if phrase not in phrases:
            phrases.append(phrase)
    return tuple(phrases)


def validate(text: str, locale: str) -> PolicyError | None:
    if len(text) > MAX_CHARS:
        return PolicyError("too_long", locale)
    if not printable(text, newlines=True):
        return PolicyError("invalid", locale)
    phrases = flagged(text, locale)
    if phrases:
        return PolicyError("blames", locale, phrases)
    return None


def parse_texts(form: Mapping[str, str], locales: Iterable[str]) -> tuple[dict[str, str], dict[str, PolicyError]]:
    """Each locale's text from the form (`<locale>` keys; empty means "use the built-in text"), and the
    refusal for each locale whose text fails the checks."""
    texts: dict[str, str] = {}
    errors: dict[str, PolicyError] = {}
    for locale in locales:
        text = clean(form.get(locale, ""))
        problem = validate(text, locale) if text else None
        if problem is not None:
            errors[locale] = problem
        texts[locale] = text
    return texts, errors


def stored_texts(view: deployment.DeploymentView) -> dict[str, str]:
    return dict(view.sharing_policy)


def save(ctx: DomainContext, texts: Mapping[str, str], *, locales: Iterable[str], env_site_name: str,
         env_exit_url: str) -> list[str]:
    """Store every locale's text (refused if any fails the checks); returns the locales that changed.

    Audited by locale, never by value."""
    known = list(locales)
    wanted = {locale: clean(texts.get(locale, "")) for locale in known}
    for locale, text in wanted.items():
        problem = validate(text, locale) if text else None
        if problem is not None:
            raise problem
    current = stored_texts(deployment.load(ctx.db, env_site_name, env_exit_url))
    new = {locale: text for locale, text in wanted.items() if text}
    # Texts of locales no longer shipped are kept as they were.
    new.update({locale: text for locale, text in current.items() if locale not in known})
    changed = sorted(locale for locale in known if current.get(locale, "") != wanted[locale])
    if changed:
        actor = ctx.actor
        staff_id = uuid.UUID(actor.id) if actor.kind == ActorKind.STAFF and actor.id else None
        deployment.save(ctx.db, KEY, new, updated_by=staff_id)
        row = ctx.db.get(DeploymentSetting, KEY)
        if row is not None:
            row.updated_at = ctx.now
        ctx.audit("deployment.update", "deployment_setting", None, {"keys": [KEY], "locales": changed})
    return changed


def shown(stored: Mapping[str, str], locale: str, default_locale: str, built_in: str) -> Shown:
    """Her locale's text, else the default locale's, else the built-in text (already in her language)."""
    for candidate in (locale, default_locale):
        text = stored.get(candidate, "")
        if text:
            return Shown(parse(text), candidate, True)
    return Shown(parse(built_in), locale, False)
