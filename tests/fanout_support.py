"""Run the dispatcher process's fan-out pass in a test: what `flask --app portal worker` (and `--once`) does
before it sends, turning reported programme events into her worker's tasks and her messages."""

from __future__ import annotations

import io

from sqlalchemy.orm import Session, sessionmaker

from portal.services.context import UnitContexts
from portal.services.programme.fanout import run_pass


def fan_out(app) -> int:  # type: ignore[no-untyped-def]
    """The worker's own fan-out function, on a dispatcher built as the worker builds it; entries processed."""
    from portal.worker import build_dispatcher
    from portal.worker import fan_out as worker_fan_out

    with app.app_context():
        dispatcher = build_dispatcher(app, out=io.StringIO())
    return worker_fan_out(dispatcher).processed


def fan_out_now(dbs: Session, vault, audit_key: bytes, clock) -> int:  # type: ignore[no-untyped-def]
    """The same pass on the test session's database, for service-level tests without an app at hand."""
    done = run_pass(sessionmaker(dbs.get_bind(), expire_on_commit=False),
                    UnitContexts(vault, audit_key, clock.now)).processed
    dbs.expire_all()
    return done
