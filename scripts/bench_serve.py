"""Under the production server: her main page (`/home`, her signed-in session) and `POST /sms/inbound` (signed by
Twilio's rule), served by gunicorn with portal/gunicorn_conf.py on PostgreSQL in production mode behind a
(simulated) TLS proxy, loaded by wrk at 1, 16 and 64 concurrent connections; each figure beside a bare Flask
"hello" app (scripts/hello_app.py) served by the same gunicorn settings in the same run. Then the peak memory
(RSS high-water mark) of each gunicorn web worker. Creates and drops its own database; needs wrk (`make bench`
installs it).
"""

from __future__ import annotations

import base64
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess  # nosec B404 - our own fixed commands
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scratch_pg import drop_pg, pg_database  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402

from portal import create_app, migrate  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.services.admin import demo  # noqa: E402
from portal.services.audit import SYSTEM  # noqa: E402
from portal.services.context import DomainContext  # noqa: E402
from portal.services.her.invites import issue_invite  # noqa: E402

PUBLIC = "https://portal.bench"
TOKEN = secrets.token_urlsafe(24)
KEYS = {"PORTAL_SECRET_KEY": secrets.token_urlsafe(48),
        "PORTAL_DATA_KEYS": "1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "PORTAL_INDEX_KEY": base64.b64encode(secrets.token_bytes(32)).decode()}
WORKERS = int(os.environ.get("WEB_CONCURRENCY", "2"))
THREADS = int(os.environ.get("WEB_THREADS", "4"))
CLIENTS = (1, 16, 64)
SECONDS = int(os.environ.get("BENCH_SECONDS", "6"))
SIGNED_BODIES = 40_000
# What the TLS proxy in front adds (docs/deployment.md); 203.0.113.0/24 is a documentation range, only a header.
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9", "X-Forwarded-Host": "portal.bench",
                 "Accept-Encoding": "gzip"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def environment(database_url: str, instance: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "WEB_", "TWILIO_"))}
    env.update(KEYS)
    env.update({
        "PYTHONPATH": str(ROOT), "PORT": str(port), "WEB_CONCURRENCY": str(WORKERS), "WEB_THREADS": str(THREADS),
        "PORTAL_ENV": "production", "PORTAL_DATABASE_URL": database_url, "PORTAL_INSTANCE_PATH": str(instance),
        "PORTAL_PUBLIC_URL": PUBLIC, "PORTAL_TRUSTED_PROXIES": "127.0.0.1", "PORTAL_SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": "AC" + "b" * 32, "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_MESSAGING_SERVICE_SID": "MG" + "b" * 32, "PORTAL_TWILIO_API_BASE": "http://127.0.0.1:9",
    })
    return env


class Gunicorn:
    """gunicorn with the portal's settings file, serving `app` (an import string) on a loopback port."""

    def __init__(self, env: dict[str, str], app: str, *extra: str) -> None:
        self.port = int(env["PORT"])
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(  # noqa: S603  # nosec B603
            [sys.executable, "-m", "gunicorn", "--config", "python:portal.gunicorn_conf", *extra, app],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url + "/", timeout=2)
                return
            except httpx.TransportError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not start for {app}")

    def workers(self) -> list[int]:
        found = []
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            found += [int(pid) for pid in (task / "children").read_text().split()]
        return found

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def her_session(database_url: str, instance: Path, portal: Gunicorn) -> tuple[str, str]:
    """The demo world seeded, her link spent through the proxy as she would (a POST): her session id and phone."""
    app = create_app({"database_url": database_url, "instance_path": str(instance),
                      "secret_key": KEYS["PORTAL_SECRET_KEY"], "data_keys": KEYS["PORTAL_DATA_KEYS"],
                      "index_key": KEYS["PORTAL_INDEX_KEY"], "public_url": PUBLIC})
    vault, clock = app.extensions["portal.vault"], app.extensions["portal.clock"]
    with app.app_context():
        with Session(db.engine) as session, session.begin():
            demo.seed(DomainContext(session, vault, app.extensions["portal.audit_key"], clock.now(), SYSTEM))
        with Session(db.engine) as session, session.begin():
            partner = demo.demo_partner(session, vault)
            assert partner is not None
            token = issue_invite(session, partner.id, now=clock.now(), ttl=timedelta(hours=1)).token
        db.engine.dispose()
    spent = httpx.post(portal.url + "/v/" + token, headers=PROXY_HEADERS, timeout=10)
    match = re.search(r"__Host-sid=([^;]+)", spent.headers.get("set-cookie", ""))
    assert spent.status_code == 303 and match, spent.status_code
    sid = match.group(1)
    home = httpx.get(portal.url + "/home", headers={**PROXY_HEADERS, "Cookie": f"__Host-sid={sid}"}, timeout=10)
    assert home.status_code == 200 and 'id="menu"' in home.text, "her main page in her session"
    return sid, demo.DEMO_PARTNER_PHONE


def lua_get(path: Path, headers: dict[str, str]) -> Path:
    lines = [f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def lua_inbound(path: Path, bodies: Path, headers: dict[str, str]) -> Path:
    """Each request a different text (a fresh MessageSid), each signed as Twilio signs (precomputed here)."""
    heads = ", ".join(f'["{k}"] = "{v}"' for k, v in headers.items())
    path.write_text(f"""
local signed = {{}}
for line in io.lines("{bodies}") do
  local sig, body = line:match("([^\\t]+)\\t(.*)")
  signed[#signed + 1] = {{sig, body}}
end
local count = 0
function setup(thread) thread:set("tid", count); count = count + 1 end
local i = nil
function request()
  if i == nil then i = (tid or 0) * 7919 end
  i = i + 1
  local entry = signed[(i % #signed) + 1]
  local headers = {{{heads}, ["Content-Type"] = "application/x-www-form-urlencoded",
                   ["X-Twilio-Signature"] = entry[1]}}
  return wrk.format("POST", "/sms/inbound", headers, entry[2])
end
""")
    return path


def signed_bodies(path: Path, sender: str) -> Path:
    validator = RequestValidator(TOKEN)
    with path.open("w") as out:
        for n in range(SIGNED_BODIES):
            params = {"MessageSid": "SM" + uuid.uuid4().hex, "From": sender, "To": "+15005550006",
                      "Body": f"Call me later {n % 7}"}
            signature = validator.compute_signature(PUBLIC + "/sms/inbound", params)
            out.write(f"{signature}\t{urlencode(params)}\n")
    return path


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip()).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def wrk(url: str, script: Path, clients: int, seconds: int = SECONDS) -> dict[str, float]:
    """One wrk run: requests/s, p50 and p99 in ms, and the count of answers that were not 2xx/3xx."""
    threads = 1 if clients == 1 else 2
    done = subprocess.run(["wrk", f"-t{threads}", f"-c{clients}", f"-d{seconds}s", "--latency", "-s", str(script),  # noqa: S603,S607  # nosec
                           url], capture_output=True, text=True, check=True, timeout=seconds + 60)
    out = done.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rate": rate, "p50": p50, "p99": p99, "bad": float(bad.group(1)) if bad else 0.0,
            "socket_errors": 0.0 if not errors else float(sum(int(n) for n in re.findall(r"\d+", errors.group(1))))}


def main() -> int:
    if shutil.which("wrk") is None:
        print("wrk is not installed (make bench installs it: apt-get install wrk)")
        return 2
    database_url = pg_database("pcp_bench_serve")
    failures = 0
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            instance = work / "instance"
            env = environment(database_url, instance, free_port())
            app = create_app({"database_url": database_url, "instance_path": str(instance), **{
                "secret_key": KEYS["PORTAL_SECRET_KEY"], "data_keys": KEYS["PORTAL_DATA_KEYS"],
                "index_key": KEYS["PORTAL_INDEX_KEY"]}})
            with app.app_context():
                migrate.upgrade(db.engine)
                db.engine.dispose()
            portal = Gunicorn(env, "portal:create_app()")
            hello = Gunicorn({**env, "PORT": str(free_port())}, "hello_app:app", "--pythonpath", "scripts")
            try:
                sid, phone = her_session(database_url, instance, portal)
                home_lua = lua_get(work / "home.lua", {**PROXY_HEADERS, "Cookie": f"__Host-sid={sid}"})
                hello_lua = lua_get(work / "hello.lua", {**PROXY_HEADERS, "Cookie": f"__Host-sid={sid}"})
                probe_lua = lua_get(work / "probe.lua", PROXY_HEADERS)  # no cookie: no session to read
                inbound_lua = lua_inbound(work / "inbound.lua", signed_bodies(work / "signed.tsv", phone),
                                          PROXY_HEADERS)
                wrk(hello.url + "/", hello_lua, 4, 2)  # warm both up (imports, connections, template cache)
                wrk(portal.url + "/home", home_lua, 4, 2)
                rows = []
                for clients in CLIENTS:
                    ceiling = wrk(hello.url + "/", hello_lua, clients)
                    rows.append(("bare Flask hello", clients, ceiling, None))
                    for label, path, script in (("portal /healthz/live", "/healthz/live", probe_lua),
                                                ("her /home", "/home", home_lua),
                                                ("POST /sms/inbound", "/sms/inbound", inbound_lua)):
                        rows.append((label, clients, wrk(portal.url + path, script, clients), ceiling))
                print(f"gunicorn {WORKERS} workers x {THREADS} threads (gthread), portal/gunicorn_conf.py, production "
                      f"mode behind a simulated TLS proxy, PostgreSQL; wrk {SECONDS} s per cell, on the same 2 cores")
                print(f"  {'what':<21}{'clients':>8}{'req/s':>9}{'x hello':>9}{'p50 ms':>9}{'x hello':>9}"
                      f"{'p99 ms':>9}{'x hello':>9}{'errors':>8}")
                for label, clients, m, base in rows:
                    def ratio(key: str, m: dict[str, float] = m, base: dict[str, float] | None = base) -> str:
                        return f"{m[key] / base[key]:>9.2f}" if base else f"{'':>9}"
                    errors = int(m["bad"] + m["socket_errors"])
                    failures += errors > 0
                    print(f"  {label:<21}{clients:>8}{m['rate']:>9,.0f}{ratio('rate')}{m['p50']:>9.2f}{ratio('p50')}"
                          f"{m['p99']:>9.2f}{ratio('p99')}{errors:>8}")
                for label, clients, m, base in rows:
                    if base is not None and label != "portal /healthz/live":
                        print(f"summary: {label} under gunicorn, {clients} client{'s' if clients > 1 else ''} | "
                              f"{m['rate']:,.0f} req/s = {m['rate'] / base['rate']:.2f} x bare Flask "
                              f"({base['rate']:,.0f}); p50 {m['p50']:.1f} ms, p99 {m['p99']:.1f} ms")
                target = next(m["rate"] / base["rate"] for label, c, m, base in rows
                              if label == "her /home" and c == 16 and base)
                print("  portal /healthz/live: the portal's own stack (middleware, security headers, access log), no "
                      "database, no session, no template: the floor under any page of hers")
                print(f"\nTarget: her /home at 16 clients >= 0.50 x bare Flask: {target:.2f} "
                      f"({'met' if target >= 0.5 else 'NOT met'})")
                peaks = [peak_rss_mib(pid) for pid in portal.workers()]
                print("Peak memory (VmHWM) of each portal web worker after the load: "
                      + ", ".join(f"{p:.0f} MiB" for p in peaks))
                print(f"summary: target, her /home at 16 clients >= 0.50 x bare Flask | {target:.2f} "
                      f"({'met' if target >= 0.5 else 'not met'})")
                print(f"summary: peak memory (RSS) of a gunicorn web worker | {max(peaks):.0f} MiB")
            finally:
                portal.stop()
                hello.stop()
    finally:
        drop_pg(database_url)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
