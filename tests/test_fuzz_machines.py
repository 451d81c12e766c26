"""Fuzz the Twilio webhooks (correctly signed, and unsigned garbage) and the programme-event API: no 5xx, and a
refused request changes nothing."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.api_support import URL, make_token
from tests.fuzz_support import (
    SQLITE_ONLY_IN_SUITE,
    assert_refusal_changed_nothing,
    encode_form,
    form_pairs,
    fuzz_settings,
    hostile_text,
)
from tests.fuzz_support import snapshot as take_snapshot
from tests.sms_support import twilio_signature

FORM = "application/x-www-form-urlencoded"
pytestmark = SQLITE_ONLY_IN_SUITE
PHONE = "+447400123456"


@pytest.fixture
def world(sms_world, no_event_floor):  # type: ignore[no-untyped-def]
    return sms_world


INBOUND = {"MessageSid": ["SM" + "a" * 32, "SM1"], "AccountSid": ["AC" + "1" * 32], "From": [PHONE, "+١٤٤", "x"],
           "To": ["+15005550006"], "Body": ["STOP", "START", "HELP", "hello", "ＳＴＯＰ", "stop\x00"],
           "NumMedia": ["0", "²", "99999999999999999999"]}
STATUS = {"MessageSid": ["SM" + "b" * 32], "MessageStatus": ["delivered", "failed", "undelivered", "sent", "weird"],
          "ErrorCode": ["21610", "30003", "²", "9" * 40], "AccountSid": ["AC" + "1" * 32], "To": [PHONE]}
QUERIES = ["", "?n=" + "0" * 32 + "&a=1", "?n=zz&a=1", "?n=" + "0" * 32 + "&a=99999999999999999999999",
           "?n=" + "0" * 32 + "&a=²", "?a=1"]


def _unique(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Twilio signs a dict: keep the first value of each name, with text a client could encode."""
    seen: dict[str, str] = {}
    for name, value in pairs:
        seen.setdefault(name, value)
    return [(k, v) for k, v in seen.items() if _encodable(k) and _encodable(v)]


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def test_signed_webhooks_never_fail_and_refusals_change_nothing(client, world, engine):
    @fuzz_settings(300)
    @given(path=st.sampled_from(["/sms/inbound", "/sms/status"]), data=st.data(), query=st.sampled_from(QUERIES))
    def run(path, data, query):  # type: ignore[no-untyped-def]
        pairs = _unique(data.draw(form_pairs(INBOUND if path == "/sms/inbound" else STATUS)))
        url = path + (query if path == "/sms/status" else "")
        signature = twilio_signature(url, dict(pairs))
        before = take_snapshot(engine)
        response = client.post(url, data=encode_form(pairs), content_type=FORM,
                               headers={"X-Twilio-Signature": signature})
        assert_refusal_changed_nothing(response.status_code, before, take_snapshot(engine), f"{url} {pairs!r:.300}")

    run()


def test_unsigned_garbage_at_the_webhooks_is_refused_and_changes_nothing(client, world, engine):
    @fuzz_settings(200)
    @given(path=st.sampled_from(["/sms/inbound", "/sms/status"]), body=st.binary(max_size=2000),
           signature=st.one_of(st.none(), st.text(st.characters(codec="latin-1", exclude_categories=["Cc"]), max_size=60)),
           content_type=st.sampled_from([FORM, "application/json", "text/plain", "multipart/form-data; boundary=x"]))
    def run(path, body, signature, content_type):  # type: ignore[no-untyped-def]
        headers = {"X-Twilio-Signature": signature} if signature is not None else {}
        before = take_snapshot(engine)
        response = client.post(path, data=body, content_type=content_type, headers=headers)
        assert response.status_code in (400, 403, 413, 415), (path, response.status_code, body[:80])
        assert_refusal_changed_nothing(response.status_code, before, take_snapshot(engine), path)

    run()


json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), hostile_text)
json_values = st.recursive(json_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                                 st.dictionaries(hostile_text, inner, max_size=4)),
                           max_leaves=12)
KNOWN = {"participant_ref": st.none(), "kind": st.sampled_from(["dropout", "risk", "suspended", "completed", "x"]),
         "risk_to": st.one_of(st.sampled_from(["partner", "children"]),
                              st.lists(st.sampled_from(["partner", "children", "dog"]), max_size=3)),
         "imminence": st.sampled_from(["low", "medium", "high", "imminent", "later"]),
         "description": hostile_text,
         "occurred_at": st.one_of(st.sampled_from(["2026-03-01T10:00:00Z", "0001-01-01T00:00:00+01:00",
                                                   "9999-12-31T23:59:59-12:00", "2026-03-01T10:00:00",
                                                   "２０２６-03-01T10:00:00Z", "2026-03-01T10:00:00+24:00"]),
                                  hostile_text)}


def _report(reference: str):  # type: ignore[no-untyped-def]
    fields = {name: st.one_of(strategy, json_values) for name, strategy in KNOWN.items()}
    fields["participant_ref"] = st.one_of(st.just(reference), st.just(reference), json_values)
    return st.fixed_dictionaries({}, optional=fields).flatmap(
        lambda doc: st.dictionaries(hostile_text, json_values, max_size=1).map(lambda extra: {**doc, **extra})
        if len(doc) % 3 == 0 else st.just(doc))


def test_the_event_api_never_fails_and_refusals_change_nothing(client, dbs, world, engine, clock):
    token = make_token(dbs, world.programme, clock.now())
    reference = world.participant.reference

    @fuzz_settings(300)
    @given(doc=st.one_of(_report(reference), _report(reference), json_values),
           raw=st.one_of(st.none(), st.binary(max_size=300)),
           key=st.one_of(st.none(), st.text(st.characters(codec="latin-1", exclude_categories=["Cc"]), max_size=300)))
    def run(doc, raw, key):  # type: ignore[no-untyped-def]
        body = raw if raw is not None else json.dumps(doc, ensure_ascii=False).encode("utf-8", "surrogatepass")
        headers = {"Authorization": f"Bearer {token}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        before = take_snapshot(engine)
        response = client.post(URL, data=body, content_type="application/json", headers=headers)
        what = f"{response.status_code} {body[:300]!r}"
        assert_refusal_changed_nothing(response.status_code, before, take_snapshot(engine), what)
        if response.status_code >= 400:
            assert set(response.get_json()) >= {"error", "message", "field"}, what

    run()
