"""Server-side sessions: the cookie carries a random id; the store keeps only its hash and the data.

Why not Flask-Session: it keeps the raw session id in the store and creates its table when the app is
built. Here the database (or Redis, when PORTAL_REDIS_URL is set) holds only SHA-256(id), timeouts differ
by audience (her pages are short-lived), and a staff member's sessions can be ended all at once.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, cast

from flask import Flask, Request, Response
from flask import session as current_session
from flask.sessions import SessionInterface, SessionMixin
from redis.exceptions import RedisError
from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session as DbSession
from werkzeug.datastructures import CallbackDict

from portal.crypto import hash_token
from portal.models import SessionAudience, WebSession

HER = SessionAudience.HER
STAFF = SessionAudience.STAFF
# Keys that alone never justify storing a new session: the language of the page being shown (DESIGN 8: a GET
# changes the language of the current view only). An anonymous visit stores nothing and sets no cookie.
VIEW_ONLY_KEYS = frozenset({"locale"})
# A request that changes nothing in the session refreshes its idle timeout in the store at most this often (it
# was one write and commit on every page, about a fifth of her main page's time). The store's last_seen_at is
# then at most this much older than her last request, so an idle session ends between (idle - REFRESH_EVERY)
# and idle after her last request: a little early at worst, never late. The absolute timeout is unchanged.
REFRESH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Timeouts:
    idle: timedelta
    absolute: timedelta


@dataclass
class StoredSession:
    audience: str
    data: dict[str, Any]
    created_at: datetime
    last_seen_at: datetime
    staff_id: str | None = None
    partner_id: str | None = None


class SessionStore(Protocol):
    def load(self, id_hash: str) -> StoredSession | None: ...
    def save(self, id_hash: str, record: StoredSession, expires_at: datetime, *, new: bool = True) -> None: ...
    def touch(self, id_hash: str, last_seen_at: datetime, expires_at: datetime) -> None: ...
    def delete(self, id_hash: str) -> None: ...


class DatabaseStore:
    """Sessions in the web_session table, on their own short transactions."""

    def __init__(self, engine_factory: Any) -> None:
        self._engine_factory = engine_factory

    def _db(self) -> DbSession:
        return DbSession(self._engine_factory())

    def load(self, id_hash: str) -> StoredSession | None:
        # One plain SELECT on a pooled connection (no ORM unit of work: every page of hers pays for this read).
        columns = (WebSession.audience, WebSession.data, WebSession.created_at, WebSession.last_seen_at,
                   WebSession.staff_id, WebSession.partner_id)
        with self._engine_factory().connect() as conn:
            row = conn.execute(select(*columns).where(WebSession.id_hash == id_hash)).first()
        if row is None:
            return None
        return StoredSession(row.audience, json.loads(row.data), row.created_at, row.last_seen_at,
                             str(row.staff_id) if row.staff_id else None,
                             str(row.partner_id) if row.partner_id else None)

    def save(self, id_hash: str, record: StoredSession, expires_at: datetime, *, new: bool = True) -> None:
        """Insert a new session; update an existing one only if it still exists (a concurrent request may have
        ended it: the quick exit, a PIN lock), so a late save never brings an ended session back."""
        values = {
            "audience": record.audience, "data": json.dumps(record.data, separators=(",", ":")),
            "staff_id": uuid.UUID(record.staff_id) if record.staff_id else None,
            "partner_id": uuid.UUID(record.partner_id) if record.partner_id else None,
            "last_seen_at": record.last_seen_at, "expires_at": expires_at,
        }
        with self._db() as db, db.begin():
            if new:
                db.add(WebSession(id_hash=id_hash, created_at=record.created_at, **values))
            else:
                db.execute(update(WebSession).where(WebSession.id_hash == id_hash).values(**values))

    def touch(self, id_hash: str, last_seen_at: datetime, expires_at: datetime) -> None:
        """Refresh an existing session's timeouts only: its data is left as the latest write made it."""
        with self._db() as db, db.begin():
            db.execute(update(WebSession).where(WebSession.id_hash == id_hash)
                       .values(last_seen_at=last_seen_at, expires_at=expires_at))

    def delete(self, id_hash: str) -> None:
        with self._db() as db, db.begin():
            db.execute(delete(WebSession).where(WebSession.id_hash == id_hash))

    def purge_expired(self, now: datetime) -> int:
        return purge_expired_sessions(self._db, now)

    def ids_for_partner(self, partner_id: str) -> list[str]:
        with self._db() as db:
            return list(db.scalars(select(WebSession.id_hash).where(WebSession.partner_id == uuid.UUID(partner_id))))


class RedisStore:
    """Sessions in Redis with a TTL, for deployments running several web processes."""

    PREFIX = "pcp:session:"

    def __init__(self, client: Any) -> None:
        self._redis = client

    def load(self, id_hash: str) -> StoredSession | None:
        raw = self._redis.get(self.PREFIX + id_hash)
        if raw is None:
            return None
        doc = json.loads(raw)
        return StoredSession(doc["audience"], doc["data"], datetime.fromisoformat(doc["created_at"]),
                             datetime.fromisoformat(doc["last_seen_at"]), doc.get("staff_id"), doc.get("partner_id"))

    def save(self, id_hash: str, record: StoredSession, expires_at: datetime, *, new: bool = True) -> None:
        ttl = max(1, int((expires_at - record.last_seen_at).total_seconds()))
        doc = {"audience": record.audience, "data": record.data, "created_at": record.created_at.isoformat(),
               "last_seen_at": record.last_seen_at.isoformat(), "staff_id": record.staff_id,
               "partner_id": record.partner_id}
        self._redis.set(self.PREFIX + id_hash, json.dumps(doc), ex=ttl, xx=not new)  # never revive an ended one

    def touch(self, id_hash: str, last_seen_at: datetime, expires_at: datetime) -> None:
        """Refresh the timeouts of an existing session, leaving its data as the latest write made it: the
        document is rewritten only if nobody changed it meanwhile (WATCH); a refresh that loses that race is
        dropped, which only means the other request's own refresh counts."""
        import redis

        key = self.PREFIX + id_hash
        ttl = max(1, int((expires_at - last_seen_at).total_seconds()))
        with self._redis.pipeline() as pipe:
            try:
                pipe.watch(key)
                raw = pipe.get(key)
                if raw is None:
                    return
                doc = json.loads(raw)
                doc["last_seen_at"] = last_seen_at.isoformat()
                pipe.multi()
                pipe.set(key, json.dumps(doc), ex=ttl, xx=True)
                pipe.execute()
            except redis.WatchError:
                return

    def delete(self, id_hash: str) -> None:
        self._redis.delete(self.PREFIX + id_hash)


class ServerSession(CallbackDict[str, Any], SessionMixin):
    """The session object views see. Bind it to her or to a staff member with bind_her / bind_staff."""

    def __init__(self, initial: dict[str, Any] | None = None, sid: str | None = None,
                 stored: StoredSession | None = None) -> None:
        def on_update(this: ServerSession) -> None:
            this.modified = True

        super().__init__(initial or {}, on_update)
        self.sid = sid
        self.stored = stored
        self.modified = False
        self.destroyed = False
        self.rotate = False
        self.untouched = False
        self.unavailable = False  # the store could not be read (the database is down): the request gets a 503
        self._next_sid: str | None = None
        self.audience = stored.audience if stored else HER
        self.staff_id = stored.staff_id if stored else None
        self.partner_id = stored.partner_id if stored else None

    @property
    def new(self) -> bool:  # type: ignore[override]
        return self.stored is None

    def upcoming_sid(self) -> str:
        """The raw id this session carries after this response: its own, or the fresh one a new or rotating
        session will get (drawn now, once, and used by save_session). Keys derived from it (her open plan,
        portal/public/plan_session.py) stay valid exactly as long as the session keeps this id."""
        if self.sid is not None and not self.rotate:
            return self.sid
        if self._next_sid is None:
            self._next_sid = secrets.token_urlsafe(32)
        return self._next_sid

    def regenerate(self) -> None:
        """Issue a fresh id on the next response (call at every privilege change)."""
        self.rotate = True
        self.modified = True

    def destroy(self) -> None:
        """End this session: the store forgets it and the cookie is removed."""
        self.clear()
        self.destroyed = True
        self.modified = True

    def leave_untouched(self) -> None:
        """This response neither saves nor refreshes the session and sets no cookie (GET/HEAD of her link)."""
        self.untouched = True

    def bind_her(self, partner_id: str) -> None:
        self.audience, self.partner_id, self.staff_id = HER, partner_id, None
        self.regenerate()

    def bind_staff(self, staff_id: str) -> None:
        self.audience, self.staff_id, self.partner_id = STAFF, staff_id, None
        self.regenerate()


def server_session() -> ServerSession:
    """This request's session, typed: open_session gives every page (all but the machine endpoints) one."""
    if not isinstance(current_session, ServerSession):
        raise TypeError("this request has no server session (a machine endpoint?)")
    return current_session


class ServerSessionInterface(SessionInterface):
    def __init__(self, store: SessionStore, timeouts: dict[str, Timeouts]) -> None:
        self.store = store
        self.timeouts = timeouts

    # __Host- means Secure, Path=/ and no Domain. Browsers accept Secure cookies from http://127.0.0.1 and
    # http://localhost, so `make run` keeps the same cookie as production.
    COOKIE_NAME = "__Host-sid"

    def cookie_name(self) -> str:
        return self.COOKIE_NAME

    # Machine endpoints (programme-event API, Twilio webhooks) never read, refresh or set a session cookie.
    # Her page's stylesheet, script and icon (/assets/) need no session either: a session opened for each of
    # them, fetched alongside her next request, would be saved after it and could undo what it changed.
    COOKIELESS_PREFIXES = ("/api/", "/sms/", "/assets/")

    def open_session(self, app: Flask, request: Request) -> SessionMixin | None:
        if request.path.startswith(self.COOKIELESS_PREFIXES):
            return self.make_null_session(app)
        sid = request.cookies.get(self.cookie_name())
        if not sid or len(sid) > 100:
            return ServerSession()
        id_hash = hash_token(sid)
        try:
            stored = self.store.load(id_hash)
        except (SQLAlchemyError, RedisError) as exc:
            from portal.errors import database_unavailable

            if not database_unavailable(exc):
                raise
            blind = ServerSession()
            blind.unavailable = blind.untouched = True  # answered 503 by refuse_without_store; never saved
            return blind
        if stored is None:
            return ServerSession()
        now = app.extensions["portal.clock"].now()
        limits = self.timeouts[stored.audience]
        if now - stored.last_seen_at > limits.idle or now - stored.created_at > limits.absolute:
            self.store.delete(id_hash)
            return ServerSession()
        return ServerSession(stored.data, sid=sid, stored=stored)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not isinstance(session, ServerSession):  # a null session: opening it failed (the database is down)
            return
        if session.untouched:
            return
        try:
            self._save(app, session, response)
        except (SQLAlchemyError, RedisError) as exc:
            from portal.errors import database_unavailable, replace_with, unavailable

            if not database_unavailable(exc):
                raise
            # The page was made but her (or the staff member's) session could not be kept: a 503, not a page
            # whose next step would fail.
            app.logger.warning("the session could not be saved: the database is unavailable")
            replace_with(response, unavailable())

    def _save(self, app: Flask, session: ServerSession, response: Response) -> None:
        name = self.cookie_name()
        if session.destroyed or (not session and not session.partner_id and not session.staff_id):
            if session.sid:
                self.store.delete(hash_token(session.sid))
                response.delete_cookie(name, path="/", secure=True, httponly=True, samesite="Strict")
            return
        if session.sid is None and not (session.partner_id or session.staff_id) and set(session) <= VIEW_ONLY_KEYS:
            return  # nothing worth keeping: no row, no cookie (link scanners and bots leave nothing behind)
        now = app.extensions["portal.clock"].now()
        new = session.rotate or session.sid is None
        if new:
            if session.sid:
                self.store.delete(hash_token(session.sid))
            session.sid = session.upcoming_sid()
            created = now
        else:
            created = session.stored.created_at if session.stored else now
        assert session.sid is not None  # set just above, or kept (not new means it had one)
        limits = self.timeouts[session.audience]
        expires = min(now + limits.idle, created + limits.absolute)
        if not new and not session.modified:
            # Only a refresh: rewriting the data this request read would undo a concurrent request's change
            # (her plan locked, a notice shown) once this slower request saved after it. Skipped while the
            # stored refresh is under REFRESH_EVERY old (the module's note says why the timeouts hold).
            if session.stored is None or now - session.stored.last_seen_at >= REFRESH_EVERY:
                self.store.touch(hash_token(session.sid), now, expires)
        else:
            record = StoredSession(session.audience, dict(session), created, now, session.staff_id,
                                   session.partner_id)
            self.store.save(hash_token(session.sid), record, expires, new=new)
        response.set_cookie(name, session.sid, path="/", secure=True, httponly=True, samesite="Strict")
        response.vary.add("Cookie")


def purge_expired_sessions(sessions: Callable[[], DbSession], now: datetime) -> int:
    """Delete every stored web session past its expiry (the worker runs this each pass; so does `purge`).

    Redis sessions expire by themselves (a TTL on each key); the table is then simply empty.
    """
    with sessions() as db, db.begin():
        return cast(CursorResult[Any], db.execute(delete(WebSession).where(WebSession.expires_at < now))).rowcount or 0


def configure_sessions(app: Flask) -> None:
    from portal.extensions import db

    settings = app.config["PORTAL"]
    if settings.redis_url:
        import redis

        store: SessionStore = RedisStore(redis.Redis.from_url(settings.redis_url))
    else:
        def engine() -> Any:
            with app.app_context():
                return db.engine

        store = DatabaseStore(engine)
    timeouts: dict[str, Timeouts] = {
        HER: Timeouts(timedelta(minutes=settings.her_session_idle_minutes),
                      timedelta(minutes=settings.her_session_absolute_minutes)),
        STAFF: Timeouts(timedelta(minutes=settings.staff_session_idle_minutes),
                        timedelta(minutes=settings.staff_session_absolute_minutes)),
    }
    app.session_interface = ServerSessionInterface(store, timeouts)
    app.before_request(refuse_without_store)


def refuse_without_store() -> Response | None:
    """Her session (or a staff member's) could not be read because the database is down: a 503 before any view
    runs (a view would take her for a stranger and show her the wrong page)."""
    from flask import session

    if getattr(session, "unavailable", False):
        from portal.errors import unavailable

        return unavailable()
    return None
