"""Walk every route of the app (every URL variable from a pool of values, GET and POST) as one signed-in person,
checking each answer and the page a redirect leads to. Used by the canary walks (tests/test_blindness.py,
tests/test_never_disclose.py)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import Any

from tests.staff_console import csrf_from


def pool_for(converter: Any, known: list[str]) -> list[str]:
    """Values to try for one URL variable: the ids given (hers included), or what the converter allows."""
    kind = type(converter).__name__
    if kind == "PathConverter":
        return ["css/site.css", "favicon.svg"]
    if kind == "AnyConverter":
        return sorted(converter.items)
    if kind in ("IntegerConverter", "NumberConverter"):
        return ["0", "1", "2"]
    return known


def walk(app: Any, client: Any, *, sign_in: Callable[[], None], csrf_page: str, form: dict[str, Any],
         known: Callable[[str], list[str]], check: Callable[[str, str, str, Any], None],
         skip: Iterable[str] = ("console.sign_out",)) -> int:
    """Every rule but the `skip` endpoints; `known(variable)` gives the ids to try for a URL variable; `sign_in()`
    runs before each request (a request may have ended the session); POSTs carry a CSRF token from `csrf_page`
    and `form`. `check(endpoint, method, url, response)` is called for each answer and for the page each local
    redirect leads to (method "GET <redirect>"). Returns how many requests were walked."""
    skipped = set(skip)
    walked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in skipped:
            continue
        args = sorted(rule.arguments)
        pools = [pool_for(rule._converters[a], known(a)) for a in args]
        for values in itertools.product(*pools):
            url = rule.build(dict(zip(args, values, strict=True)), append_unknown=False)[1]
            for method in sorted((rule.methods or set()) & {"GET", "POST"}):
                sign_in()
                if method == "GET":
                    response = client.get(url)
                else:
                    response = client.post(url, data={"csrf_token": csrf_from(client.get(csrf_page).data), **form})
                walked += 1
                check(rule.endpoint, method, url, response)
                location = response.headers.get("Location")
                if location and location.startswith("/"):
                    check(rule.endpoint, f"GET {location}", url, client.get(location))
    return walked
