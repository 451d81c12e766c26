"""`make bench`: run every scripts/bench_*.py in turn, print their tables, and write them to docs/benchmarks.md.

`python scripts/bench.py duress pages` runs only those (bench_duress.py, bench_pages.py) and replaces only their
sections of docs/benchmarks.md, keeping the others as they were last measured.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPORT = HERE.parent / "docs" / "benchmarks.md"
HEADER = """# Measured figures

Written by `make bench` (`scripts/bench.py`), one section per `scripts/bench_*.py`, each with the machine it
ran on and when. The README's "Measured figures" summarises them.
"""
_SECTION = re.compile(r"^## (\S+)\n(.*?)(?=^## |\Z)", re.S | re.M)


def machine() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"load {load:.1f} at the start")


def sections(text: str) -> dict[str, str]:
    return {match.group(1): match.group(2).rstrip() + "\n" for match in _SECTION.finditer(text)}


def write(results: dict[str, str]) -> None:
    kept = sections(REPORT.read_text(encoding="utf-8")) if REPORT.exists() else {}
    kept.update(results)
    body = "".join(f"\n## {name}\n{text}" for name, text in sorted(kept.items()))
    REPORT.write_text(HEADER + body, encoding="utf-8")


def main(names: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if names:
        scripts = [script for script in scripts if script.stem.removeprefix("bench_") in names]
        if len(scripts) != len(set(names)):
            print(f"unknown bench name among {names}", file=sys.stderr)
            return 2
    failures = 0
    results: dict[str, str] = {}
    for script in scripts:
        name = script.stem.removeprefix("bench_")
        print(f"\n== {name} ==", flush=True)
        started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        where = machine()
        lines = []
        with subprocess.Popen([sys.executable, str(script)], cwd=HERE.parent, stdout=subprocess.PIPE,
                              text=True) as run:  # printed as it comes (some take minutes), kept for the file
            assert run.stdout is not None
            for line in run.stdout:
                print(line, end="", flush=True)
                lines.append(line)
        failures += run.returncode != 0
        verdict = "" if run.returncode == 0 else f"\n**The run failed (exit {run.returncode}).**\n"
        output = "".join(lines).rstrip()
        results[name] = f"\n{started}; {where}.\n{verdict}\n```text\n{output}\n```\n"
    write(results)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
