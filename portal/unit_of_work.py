"""One unit of work per request: the request's writes are committed or rolled back here, never in a view.

- A response with status < 400 commits; anything else (a refused form, a 404, a 500) rolls back.
- An exception that escapes the request rolls back at teardown.
- `refuse()`: the view answers with a redirect (< 400) but what it wrote must not stand (a refusal shown as a
  flash message on the page it goes back to).
- `after_commit(action)`: work that may only run once the request's writes are committed (erasure's storage
  clean-up); it runs after a successful commit and never after a rollback.
- `commit_now()`: the one deliberate exception, for DESIGN.md section 8 "failure counters and the audit of
  refusals commit even when the request fails": a staff sign-in step commits its failure count and audit
  entry at once, so that neither a 4xx answer nor a later error can undo them. (Her PIN failures are counted
  by portal.services.her_access in their own transaction.) The request goes on in a new transaction.

The API's idempotency race (portal/api/routes.py) rolls back inside the request before it reads the winner's
receipt; that rollback is explicit there and documented. The CLI and the dispatcher use the same convention
per unit of work: `with Session(engine) as db, db.begin():` commits when the block ends normally and rolls
back on an exception.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, g

from portal.extensions import db

_AFTER = "unit_of_work_after_commit"
_REFUSED = "unit_of_work_refused"


def refuse() -> None:
    """Roll this request's writes back even though its answer is a success status (a redirect)."""
    setattr(g, _REFUSED, True)


def after_commit(action: Callable[[], object]) -> None:
    """Run `action` once this request's writes are committed (not at all if they are rolled back)."""
    g.setdefault(_AFTER, []).append(action)


def commit_now() -> None:
    """Commit what this request has written so far: only for failure counters and the audit of refusals."""
    db.session.commit()


def _finish(response: Response) -> Response:
    if response.status_code >= 400 or g.get(_REFUSED):
        db.session.rollback()
        return response
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    for action in g.pop(_AFTER, []):
        action()
    return response


def _discard(error: BaseException | None) -> None:
    if error is not None:
        db.session.rollback()


def configure_unit_of_work(app: Flask) -> None:
    """Register after configure_database: Flask runs after_request hooks in reverse, so this commit runs
    before the request's connection is handed back (portal.database._release_request_session)."""
    app.after_request(_finish)
    app.teardown_request(_discard)
