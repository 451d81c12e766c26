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
  by portal.services.her.her_access in their own transaction.) The request goes on in a new transaction.

The API's idempotency race (portal/api/routes.py) rolls back inside the request before it reads the winner's
receipt; that rollback is explicit there and documented. The CLI and the dispatcher use the same convention
per unit of work: `with Session(engine) as db, db.begin():` commits when the block ends normally and rolls
back on an exception.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, current_app, g, session

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
    try:
        if response.status_code >= 400 or g.get(_REFUSED):
            db.session.rollback()
            return response
        db.session.commit()
    except Exception as exc:  # noqa: BLE001 - the answer becomes the generic error page, never the success
        from portal.errors import database_unavailable

        unreachable = database_unavailable(exc)
        if unreachable:
            current_app.logger.warning("the request's unit of work could not commit: the database is unavailable")
        else:
            current_app.logger.exception("the request's unit of work failed")
        _quiet_rollback()
        return _failed(response, unavailable=unreachable)
    for action in g.pop(_AFTER, []):
        action()
    return response


def _failed(response: Response, *, unavailable: bool = False) -> Response:
    """Turn the answer into the generic error page (its security headers stay; a 503 when the database did not
    answer) and keep her or the staff member's session exactly as it was: nothing this request did stands, not
    even a sign-in."""
    from werkzeug.exceptions import InternalServerError

    from portal.errors import render_error, replace_with
    from portal.errors import unavailable as unavailable_page

    page = unavailable_page() if unavailable else current_app.make_response(render_error(InternalServerError()))
    replace_with(response, page)
    leave_untouched = getattr(session, "leave_untouched", None)
    if leave_untouched is not None:
        leave_untouched()
    return response


def _quiet_rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection may be the very thing that failed
        current_app.logger.warning("rollback after a failed request failed too", exc_info=True)


def _discard(error: BaseException | None) -> None:
    """An exception escaped the request: roll back (a failing rollback never hides that exception; the
    session is closed at teardown in any case)."""
    if error is not None:
        _quiet_rollback()


def configure_unit_of_work(app: Flask) -> None:
    """Register after configure_database: Flask runs after_request hooks in reverse, so this commit runs
    before the request's connection is handed back (portal.database._release_request_session)."""
    app.after_request(_finish)
    app.teardown_request(_discard)
