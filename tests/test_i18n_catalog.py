"""The message catalog template must match the strings in the code and templates."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def extract(target: Path) -> str:
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
         "-k", "lazy_gettext", "--no-location", "--sort-output", "--omit-header", "-o", str(target), "."],
        cwd=ROOT, check=True,
    )
    return target.read_text()


def test_messages_pot_is_up_to_date(tmp_path):
    fresh = extract(tmp_path / "messages.pot")
    committed = (ROOT / "translations" / "messages.pot").read_text()
    assert fresh == committed, "translations/messages.pot is out of date: run `make messages`"
