"""`make bench`: run every scripts/bench_*.py in turn and print their tables."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    failures = 0
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"\n== {script.stem.removeprefix('bench_')} ==", flush=True)
        run = subprocess.run([sys.executable, str(script)], cwd=HERE.parent)
        failures += run.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
