"""Template globals shared by every audience: the neutral site name, the quick-exit target, and the filters
that keep numbers readable in right-to-left pages."""

from __future__ import annotations

import re

from flask import Flask
from markupsafe import Markup

from portal.deployment_context import current_deployment
from portal.digits import ascii_digits

_DIALLABLE = re.compile(r"[^0-9+*#]")


def ltr(value: object) -> Markup:
    """A number, phone number, code or address shown left to right, isolated from the text around it.

    In Arabic (or any right-to-left) text "+44 808 2000" would otherwise read "2000 808 44+": the bidi
    algorithm reorders runs of digits split by spaces. `<bdi dir="ltr">` isolates it (HTML bidi isolation).
    """
    return Markup('<bdi dir="ltr">%s</bdi>') % (value,)


def tel(number: object) -> Markup:
    """A phone number she can tap, shown left to right and isolated; the link holds only what can be dialled."""
    shown = str(number)
    return Markup('<a href="tel:%s" dir="ltr">%s</a>') % (_DIALLABLE.sub("", ascii_digits(shown)), shown)


def configure_templating(app: Flask) -> None:
    app.jinja_env.autoescape = True
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["ltr"] = ltr
    app.jinja_env.filters["tel"] = tel

    @app.context_processor
    def deployment_context() -> dict[str, object]:
        view = current_deployment()
        return {"site_name": view.site_name, "exit_url": view.exit_url}
