"""Security headers on every response (404 and 500 included), generic errors, hardened cookies."""

import pytest

REQUIRED = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def boom():
    raise RuntimeError("secret internal detail /srv/portal/db.py line 42")


@pytest.fixture
def crashing_app(app):
    app.add_url_rule("/boom-test", "boom_test", boom)
    app.add_url_rule("/api/v1/boom-test", "api_boom_test", boom)
    return app


def assert_hardened(response):
    for name, value in REQUIRED.items():
        assert value in response.headers.get(name, ""), (name, response.headers.get(name))
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert directives["default-src"] == "'none'"
    for name in ("script-src", "style-src", "img-src", "font-src", "form-action"):
        assert directives[name] == "'self'", name
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe" not in csp
    hsts = response.headers["Strict-Transport-Security"]
    assert "includeSubDomains" in hsts
    assert int(hsts.split("max-age=")[1].split(";")[0]) >= 31536000
    policy = response.headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in policy


@pytest.mark.parametrize("path", ["/", "/healthz", "/no-such-page", "/api/v1/no-such", "/sms/no-such",
                                  "/assets/css/site.css"])
def test_every_response_is_hardened(client, path):
    assert_hardened(client.get(path))


def test_500_is_generic_and_hardened(crashing_app):
    client = crashing_app.test_client()
    response = client.get("/boom-test")
    assert response.status_code == 500
    assert_hardened(response)
    body = response.get_data(as_text=True)
    assert "secret internal detail" not in body and "Traceback" not in body and "db.py" not in body
    api = client.get("/api/v1/boom-test")
    assert api.status_code == 500
    assert api.get_json() == {"error": "internal_server_error", "message": "internal error", "field": None}
    assert_hardened(api)


def test_404_page_reveals_nothing(client):
    response = client.get("/v/not-a-real-link/../../etc/passwd")
    assert response.status_code == 404
    assert b"Traceback" not in response.data


def test_session_cookie_is_host_prefixed_secure_httponly_strict_and_opaque(app, client):
    @app.get("/touch-session-test")
    def touch():
        from flask import session

        session["probe"] = "de"  # a key worth a session (the view language alone is not)
        return "ok"

    response = client.get("/touch-session-test")
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 1
    cookie = cookies[0]
    name, _, rest = cookie.partition("=")
    value = rest.split(";")[0]
    attrs = [a.strip().lower() for a in cookie.split(";")[1:]]
    assert name == "__Host-sid"
    assert "secure" in attrs and "httponly" in attrs and "samesite=strict" in attrs and "path=/" in attrs
    assert not any(a.startswith(("domain", "expires", "max-age")) for a in attrs), "session cookies only"
    assert "de" not in value and len(value) >= 40  # an opaque random id, not the data


def test_csrf_is_enforced_on_forms(app, client):
    @app.post("/form-test")
    def form():
        return "accepted"

    response = client.post("/form-test", data={"x": "1"})
    assert response.status_code == 400
    assert b"accepted" not in response.data


def test_oversized_bodies_are_refused(app, client):
    from portal.extensions import csrf

    @app.post("/upload-test")
    @csrf.exempt
    def upload():
        from flask import request

        return str(len(request.form.get("Body", "")))

    response = client.post("/upload-test", data={"Body": "x" * 100_000})
    assert response.status_code == 413
    assert client.post("/upload-test", data={"Body": "x" * 1000}).get_data(as_text=True) == "1000"


@pytest.mark.parametrize(("path", "isolated"), [("/", False), ("/help", False), ("/assets/css/site.css", False),
                                                ("/staff/sign-in", True), ("/api/v1/programme-events", True),
                                                ("/healthz/live", True)])
def test_only_the_staff_side_is_cross_origin_isolated(client, path, isolated):
    """Her pages and their assets leave out Cross-Origin-Embedder-Policy so her quick exit is not slowed by a
    process swap; the console, the API, webhooks, probes and errors elsewhere keep it. Every response keeps COOP."""
    response = client.get(path)
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert (response.headers.get("Cross-Origin-Embedder-Policy") == "require-corp") is isolated, path
