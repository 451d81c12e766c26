"""Which locales a locale sweep (her pages in the browser, axe-core, first screens) covers (DESIGN 8).

`make test` covers English, German and Arabic and one more locale that rotates by the day, so every locale is swept
within two weeks of runs; `make test-locales` sets PORTAL_TEST_LOCALES=all and sweeps all of them. A comma list
(`PORTAL_TEST_LOCALES=fr,fa`) sweeps those only.
"""

from __future__ import annotations

import datetime
import os

from portal.i18n import LOCALES

ALWAYS = ("en", "de", "ar")


def rotating_locale(day: datetime.date | None = None) -> str:
    others = [code for code in LOCALES if code not in ALWAYS]
    if not others:
        return ALWAYS[0]
    return others[(day or datetime.date.today()).toordinal() % len(others)]


def sweep_locales(always: tuple[str, ...] = ALWAYS) -> list[str]:
    wanted = os.environ.get("PORTAL_TEST_LOCALES", "").strip()
    if wanted == "all":
        return list(LOCALES)
    if wanted:
        return [code for code in wanted.split(",") if code in LOCALES]
    return list(dict.fromkeys([*always, rotating_locale()]))


def console_sweep_locales() -> list[str]:
    """The console's locales within this run's sweep (the console speaks fewer languages than her pages)."""
    from portal.i18n import CONSOLE_LOCALES

    return [code for code in sweep_locales() if code in CONSOLE_LOCALES]
