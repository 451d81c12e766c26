"""The API's words for a refused report come from one map by code (portal/api/messages.py), not from the
text of the domain's exceptions (issue 8, items 3 and 4)."""

from __future__ import annotations

import ast
from pathlib import Path

from portal.api.messages import EVENT_MESSAGES, FALLBACK, message
from portal.services.programme.events import EventError
from tests.api_support import post_event

EVENTS = Path(__file__).resolve().parent.parent / "portal" / "services" / "programme" / "events.py"


def raised_codes() -> set[str]:
    """Every code services/events.py raises an EventError (or a subclass) with."""
    codes = set()
    for node in ast.walk(ast.parse(EVENTS.read_text())):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in {"EventError", "IdempotencyConflict"} and node.args
                and isinstance(node.args[0], ast.Constant)):
            codes.add(node.args[0].value)
    return codes


def test_every_code_the_domain_raises_has_api_words_and_no_text_of_its_own() -> None:
    codes = raised_codes()
    assert len(codes) >= 10
    assert codes <= EVENT_MESSAGES.keys(), sorted(codes - EVENT_MESSAGES.keys())
    for node in ast.walk(ast.parse(EVENTS.read_text())):  # the domain raises codes, never sentences
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "EventError":
            assert len(node.args) == 1, f"line {node.lineno}: words belong in portal/api/messages.py"


def test_the_answer_says_the_map_s_words(no_event_floor, client, dbs, world, clock) -> None:  # type: ignore[no-untyped-def]
    from tests.api_support import make_token

    token = make_token(dbs, world.programme, clock.now())
    response = post_event(client, token, {"participant_ref": "NOBODY-1", "kind": "dropout"})
    assert response.status_code == 422
    body = response.get_json()
    assert body == {"error": "unknown_participant", "message": EVENT_MESSAGES["unknown_participant"],
                    "field": "participant_ref"}


def test_an_unmapped_code_still_gets_plain_words() -> None:
    assert message(EventError("something_new")) == FALLBACK
