"""Every kind of response scores A+ by the Mozilla HTTP Observatory's rules (issue 15: security checks in CI).

The scorer below is this project's reading of the Observatory's published scoring (MDN "HTTP Observatory:
tests and scoring"): a baseline of 100, penalties first, bonuses only if the result is 90 or more; A+ is 100 and
above. It scores what a response carries: CSP, cookies, CORS, HSTS, Referrer-Policy, Subresource Integrity (HTML
only), X-Content-Type-Options, X-Frame-Options, Cross-Origin-Resource-Policy. The redirection test (HTTP to HTTPS)
is the reverse proxy's and production's `force_https` (docs/deployment.md), not a response's, so it is left out.

Walked: every route of the app (every GET and POST, every URL variable from a pool), signed out, as her, as her
worker and as an admin; the API with a token and without; the SMS webhooks signed and unsigned; errors (400, 403,
404, 405, 413, 500) and static files. Each must score A+, and the scorer itself is shown to mark down what it
should (a test of the scorer with weakened headers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from portal.models import PartnerContact, StaffUser
from tests.api_support import make_token, post_event
from tests.factories import login_as, make_world
from tests.route_walk import walk
from tests.sms_support import text_in, with_twilio

SIX_MONTHS = 15768000
PRIVATE_REFERRERS = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
UNSAFE_REFERRERS = {"origin", "origin-when-cross-origin", "unsafe-url"}


@dataclass
class Score:
    penalties: list[tuple[str, int]] = field(default_factory=list)
    bonuses: list[tuple[str, int]] = field(default_factory=list)

    def add(self, result: str, modifier: int) -> None:
        (self.penalties if modifier < 0 else self.bonuses).append((result, modifier))

    @property
    def total(self) -> int:
        score = 100 + sum(m for _, m in self.penalties)
        if score >= 90:
            score += sum(m for _, m in self.bonuses)
        return max(score, 0)

    @property
    def grade(self) -> str:
        return "A+" if self.total >= 100 else "A" if self.total >= 90 else "below A"


def csp_directives(header: str) -> dict[str, list[str]] | None:
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if not words:
            continue
        name = words[0].lower()
        if not re.fullmatch(r"[a-z-]+", name) or name in directives:
            return None
        directives[name] = [w.lower() for w in words[1:]]
    return directives


def score_csp(headers, score: Score) -> None:
    header = headers.get("Content-Security-Policy")
    if header is None:
        return score.add("csp-not-implemented", -25)
    directives = csp_directives(header)
    if directives is None:
        return score.add("csp-header-invalid", -25)
    default = directives.get("default-src")

    def sources(name: str) -> list[str] | None:
        return directives.get(name, default)

    broad = {"*", "http:", "https:", "data:", "'unsafe-inline'"}
    script, obj = sources("script-src"), sources("object-src")
    if script is None or obj is None or broad & set(script) or {"*", "http:", "https:", "data:"} & set(obj):
        return score.add("csp-implemented-with-unsafe-inline", -20)
    if any(s.startswith("http:") for values in directives.values() for s in values):
        return score.add("csp-implemented-with-insecure-scheme", -20)
    if "'unsafe-eval'" in set(script):
        return score.add("csp-implemented-with-unsafe-eval", -10)
    if broad & set(sources("style-src") or []):
        return score.add("csp-implemented-with-unsafe-inline-in-style-src-only", 0)
    if default == ["'none'"]:
        return score.add("csp-implemented-with-no-unsafe-default-src-none", 10)
    score.add("csp-implemented-with-no-unsafe", 5)


def score_cookies(headers, score: Score) -> None:
    cookies = headers.getlist("Set-Cookie")
    if not cookies:
        return score.add("cookies-not-found", 0)
    all_samesite = True
    for cookie in cookies:
        attrs = {a.strip().split("=", 1)[0].lower(): (a.strip().split("=", 1) + [""])[1].lower()
                 for a in cookie.split(";")[1:]}
        session = "expires" not in attrs and "max-age" not in attrs
        if "secure" not in attrs:
            return score.add("cookies-session-without-secure-flag" if session else "cookies-without-secure-flag",
                             -40 if session else -20)
        if session and "httponly" not in attrs:
            return score.add("cookies-session-without-httponly-flag", -30)
        if "samesite" in attrs and attrs["samesite"] not in ("strict", "lax"):
            return score.add("cookies-samesite-flag-invalid", -20)
        all_samesite = all_samesite and "samesite" in attrs
    score.add("cookies-secure-with-httponly-sessions-and-samesite" if all_samesite
              else "cookies-secure-with-httponly-sessions", 5 if all_samesite else 0)


def score_cors(headers, score: Score) -> None:
    origin = headers.get("Access-Control-Allow-Origin")
    if origin is None:
        return score.add("cross-origin-resource-sharing-not-implemented", 0)
    if origin == "*" and headers.get("Access-Control-Allow-Credentials", "").lower() != "true":
        return score.add("cross-origin-resource-sharing-implemented-with-public-access", 0)
    score.add("cross-origin-resource-sharing-implemented-with-universal-access", -50)


def score_hsts(headers, score: Score) -> None:
    header = headers.get("Strict-Transport-Security")
    if header is None:
        return score.add("hsts-not-implemented", -20)
    found = re.search(r"(?i)\bmax-age=(\d+)", header)
    if found is None:
        return score.add("hsts-header-invalid", -20)
    if int(found.group(1)) < SIX_MONTHS:
        return score.add("hsts-implemented-max-age-less-than-six-months", -10)
    score.add("hsts-implemented-max-age-at-least-six-months", 0)  # preloading is a list, not a header


def score_referrer(headers, score: Score) -> None:
    header = headers.get("Referrer-Policy")
    if header is None:
        return score.add("referrer-policy-not-implemented", 0)
    last = [p.strip().lower() for p in header.split(",") if p.strip()][-1:]  # the last known one wins
    if last and last[0] in PRIVATE_REFERRERS:
        return score.add("referrer-policy-private", 5)
    score.add("referrer-policy-unsafe" if last and last[0] in UNSAFE_REFERRERS else "referrer-policy-header-invalid",
              -5)


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            found = dict(attrs)
            self.sources.append((found.get("src") or "", bool(found.get("integrity"))))


def score_sri(response, score: Score) -> None:
    if not response.content_type.startswith("text/html"):
        return score.add("sri-not-implemented-response-not-html", 0)
    parser = _Scripts()
    parser.feed(response.get_data(as_text=True))
    external = [(src, sri) for src, sri in parser.sources if re.match(r"(?i)^(https?:)?//", src)]
    if not parser.sources:
        return score.add("sri-not-implemented-but-no-scripts-loaded", 0)
    if not external:
        return score.add("sri-not-implemented-but-all-scripts-loaded-from-secure-origin", 0)
    if any(src.lower().startswith(("http:", "//")) for src, _ in external):
        return score.add("sri-not-implemented-and-external-scripts-not-loaded-securely", -50)
    if all(sri for _, sri in external):
        return score.add("sri-implemented-and-external-scripts-loaded-securely", 5)
    score.add("sri-not-implemented-but-external-scripts-loaded-securely", -5)


def score_simple(headers, score: Score) -> None:
    nosniff = headers.get("X-Content-Type-Options")
    score.add("x-content-type-options-nosniff" if nosniff and nosniff.strip().lower() == "nosniff"
              else "x-content-type-options-not-implemented", 0 if nosniff and nosniff.strip().lower() == "nosniff"
              else -5)
    directives = csp_directives(headers.get("Content-Security-Policy") or "") or {}
    xfo = (headers.get("X-Frame-Options") or "").strip().upper()
    if directives.get("frame-ancestors") in (["'none'"], ["'self'"]):
        score.add("x-frame-options-implemented-via-csp", 5)
    elif xfo in ("DENY", "SAMEORIGIN"):
        score.add("x-frame-options-sameorigin-or-deny", 0)
    else:
        score.add("x-frame-options-not-implemented", -20)
    corp = (headers.get("Cross-Origin-Resource-Policy") or "").strip().lower()
    if corp == "cross-origin":
        score.add("corp-implemented-with-cross-origin", -20)
    elif corp and corp not in ("same-origin", "same-site"):
        score.add("corp-header-invalid", -20)


def observatory(response) -> Score:
    score = Score()
    headers = response.headers
    for rule in (score_csp, score_cookies, score_cors, score_hsts, score_referrer, score_simple):
        rule(headers, score)
    score_sri(response, score)
    return score


def assert_a_plus(where: str, response) -> None:
    score = observatory(response)
    assert score.grade == "A+", (where, response.status_code, score.total, score.penalties)


# -- the scorer marks down what it should -------------------------------------------------------------------

def test_the_scorer_marks_down_weak_headers(app, client):
    response = client.get("/")
    assert observatory(response).total == 120  # CSP none +10, referrer +5, frame-ancestors +5; no cookie here
    weak = [("Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-inline'", -20),
            ("Strict-Transport-Security", "max-age=600", -10), ("X-Content-Type-Options", None, -5),
            ("Access-Control-Allow-Origin", "https://x.example", -50)]
    for name, value, penalty in weak:
        copy = app.response_class(response.get_data(), status=200, headers=dict(response.headers))
        if value is None:
            del copy.headers[name]
        else:
            copy.headers[name] = value
        score = observatory(copy)
        assert sum(m for _, m in score.penalties) == penalty and score.total < 120, name
    insecure = app.response_class("", headers={**dict(response.headers), "Set-Cookie": "sid=1; HttpOnly"})
    assert observatory(insecure).total == 60 and observatory(insecure).grade == "below A"  # -40, no bonus
    page = app.response_class('<script src="http://cdn.example/x.js"></script>', content_type="text/html",
                              headers={k: v for k, v in response.headers.items() if k != "Content-Type"})
    assert ("sri-not-implemented-and-external-scripts-not-loaded-securely", -50) in observatory(page).penalties


# -- every kind of response ---------------------------------------------------------------------------------

@pytest.fixture
def crashing(app):
    def boom():
        raise RuntimeError("boom")

    app.add_url_rule("/boom-observatory", "boom_observatory", boom)
    return app


def test_errors_static_files_webhooks_and_the_api_score_a_plus(crashing, client, dbs, vault, audit_key, clock):
    with_twilio(crashing)
    world = make_world(dbs, vault, audit_key)
    token = make_token(dbs, world.programme, clock.now())
    dbs.commit()
    answers = {
        "404": client.get("/no-such-page"), "405": client.put("/home"), "500": client.get("/boom-observatory"),
        "400 csrf": client.post("/contact", data={"x": "1"}),
        "413": client.post("/contact", data={"x": "y" * 70_000}),
        "static css": client.get("/assets/css/site.css"), "static icon": client.get("/assets/favicon.svg"),
        "healthz": client.get("/healthz"), "exit": client.get("/exit"),
        "webhook unsigned": client.post("/sms/inbound", data={"Body": "STOP"}),
        "webhook signed": text_in(client, "HELP"),
        "api no token": client.get("/api/v1/openapi.json"),
        "api 401": post_event(client, None, {"participant_ref": world.participant.reference, "kind": "dropout"}),
        "api 201": post_event(client, token, {"participant_ref": world.participant.reference, "kind": "dropout"}),
        "api 422": post_event(client, token, {"participant_ref": "nobody", "kind": "dropout"}),
        "api garbage": post_event(client, token, raw=b"\xff{"),
    }
    assert {answers["404"].status_code, answers["405"].status_code, answers["500"].status_code} == {404, 405, 500}
    assert answers["413"].status_code == 413 and answers["api 201"].status_code in (200, 201, 202)
    assert answers["webhook signed"].status_code == 200 and answers["webhook unsigned"].status_code == 403
    for where, response in answers.items():
        assert_a_plus(where, response)


def walk_scoring(app, client, *, sign_in, csrf_page, known) -> int:
    def check(endpoint, method, url, response) -> None:  # type: ignore[no-untyped-def]
        assert_a_plus(f"{method} {url} ({endpoint})", response)

    form = {"kind": "attendance_concern", "reference": "OBS-1", "description": "x", "answer": "yes"}
    return walk(app, client, sign_in=sign_in, csrf_page=csrf_page, form=form, known=lambda _v: known, check=check)


def test_every_route_scores_a_plus_signed_out_as_her_as_her_worker_and_as_an_admin(app, dbs, vault, audit_key):
    world = make_world(dbs, vault, audit_key)
    dbs.commit()
    known = [str(world.programme.id), str(world.participant.id), str(world.partner.id), "nope"]
    signed_out = app.test_client()
    walked = walk_scoring(app, signed_out, sign_in=lambda: None, csrf_page="/staff/sign-in", known=known)
    her = app.test_client()

    def her_signed_in() -> None:  # a route may have ended her session (exit, stop): she comes back
        partner = dbs.get(PartnerContact, world.partner.id)
        dbs.refresh(partner)
        with her.session_transaction() as sess:
            sess.bind_her(str(partner.id))
            sess["epoch"] = partner.session_epoch
            sess["locale"] = partner.locale

    walked += walk_scoring(app, her, sign_in=her_signed_in, csrf_page="/home", known=known)
    for user_id in (world.worker.id, world.admin.id):
        staff = app.test_client()

        def staff_signed_in(user_id=user_id, staff=staff) -> None:  # type: ignore[no-untyped-def]
            user = dbs.get(StaffUser, user_id)
            dbs.refresh(user)
            login_as(staff, user)

        walked += walk_scoring(app, staff, sign_in=staff_signed_in, csrf_page="/staff/account/time-zone", known=known)
    assert walked > 400
