def test_start_page_is_neutral_and_hardened(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("no-store")
    assert b"<title>Appointments</title>" in response.data


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok", "fanout": {"waiting": 0, "oldest_seconds": 0}}
