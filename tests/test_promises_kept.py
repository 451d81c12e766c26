"""Promises of docs/promises.md that no other test proved yet."""

from __future__ import annotations

from flask import url_for

from tests.factories import signed_in
from tests.public_helpers import open_link, post


def test_her_worker_sees_her_code_word_on_her_case(app, client, dbs, world, clock):
    """"Your worker will say this word": the code word she chooses is what her worker reads on her case page."""
    with app.test_request_context():
        choices, case = url_for("public.choices"), url_for("console.worker_case", partner_id=world.partner.id)
    open_link(client, dbs, world.partner, clock)
    form = {"channel": ["call"], "w0-day": ["0"], "w0-start": "09:00", "w0-end": "17:00", "timezone": "Europe/London",
            "tell-dropout": "call", "tell-suspended": "call", "tell-completed": "call", "tell-risk": "call",
            "locale": "en", "code_word": "bluebell"}
    assert post(client, choices, form).status_code == 303
    assert "bluebell" not in client.get(choices).get_data(as_text=True)
    assert "bluebell" in signed_in(app, world.worker).get(case).get_data(as_text=True)
