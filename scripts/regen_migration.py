"""Regenerate migrations/versions/0001_initial_schema.py from the models (pre-release only: once a
release is deployed, add new revisions instead of rewriting this one)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine

from portal.migrate import alembic_config

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "migrations" / "versions" / "0001_initial_schema.py"


def main() -> None:
    if TARGET.exists():
        TARGET.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{tmp}/empty.sqlite3")
        command.revision(alembic_config(engine), message="initial schema", autogenerate=True, rev_id="0001")
        engine.dispose()
    text = TARGET.read_text()
    lines = [ln for ln in text.splitlines() if not ln.startswith("Create Date:")]
    TARGET.write_text("\n".join(lines) + "\n")
    print(f"wrote {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
