"""Which catalog entries she can see (issue 14): her pages, her texts, and what her worker hands her are complete in
every shipped locale; the staff console's own words only in the console's locales (portal.i18n.CONSOLE_LOCALES).

An entry is the staff's when every place it is used is a staff-only file; one use anywhere else makes it hers.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent

STAFF_ONLY = ("templates/console/", "portal/console/", "portal/api/", "portal/cli.py")
# Console files rendered in her language for her (her copy, handed over by her worker: console/worker_copy.py).
HERS_IN_THE_CONSOLE = ("templates/console/worker/_copy_title.html",)


def extract_with_locations(target: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
         "-k", "lazy_gettext", "--sort-output", "--omit-header", "-o", str(target), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    return target


def staff_only(path: str) -> bool:
    return path.startswith(STAFF_ONLY) and path not in HERS_IN_THE_CONSOLE


def her_message_ids(template: Path) -> set[str]:
    """The msgids of the template (extracted with locations) that she can see."""
    with template.open("rb") as handle:
        catalog = read_po(handle)
    return {message.id for message in catalog
            if message.id and not all(staff_only(path) for path, _line in message.locations)}
