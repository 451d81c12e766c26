"""`make bench`: run every scripts/bench_*.py in turn, print their tables, and write them to docs/benchmarks.md.

`python scripts/bench.py duress pages` runs only those (bench_duress.py, bench_pages.py) and replaces only their
sections of docs/benchmarks.md, keeping the others as they were last measured.

A line a script prints as `summary: what | figure` is also a row of the one table printed at the end and kept at
the top of docs/benchmarks.md (built from every section in the file, so a partial run keeps the others' rows).
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
_SUMMARY = re.compile(r"^summary: (.+?) \| (.+)$", re.M)


def machine() -> str:
    one, five, fifteen = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"load {one:.1f} / {five:.1f} / {fifteen:.1f} (1 / 5 / 15 min) at the start")


def sections(text: str) -> dict[str, str]:
    return {match.group(1): match.group(2).rstrip() + "\n" for match in _SECTION.finditer(text)}


def summary_table(kept: dict[str, str]) -> str:
    """One table of every section's `summary:` rows, with the section and the date it was measured."""
    rows = []
    for name, text in sorted(kept.items()):
        when = text.strip().split(";")[0]
        rows += [(name, what, figure, when) for what, figure in _SUMMARY.findall(text)]
    if not rows:
        return ""
    lines = ["| bench | what | figure | measured |", "|---|---|---|---|"]
    lines += [f"| {name} | {what} | {figure} | {when} |" for name, what, figure, when in rows]
    return "\n".join(lines) + "\n"


def write(results: dict[str, str]) -> str:
    kept = sections(REPORT.read_text(encoding="utf-8")) if REPORT.exists() else {}
    kept.update(results)
    table = summary_table(kept)
    body = "".join(f"\n## {name}\n{text}" for name, text in sorted(kept.items()))
    REPORT.write_text(HEADER + (f"\n### Summary\n\n{table}" if table else "") + body, encoding="utf-8")
    return table


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
    table = write(results)
    if table:
        print("\n== summary (docs/benchmarks.md) ==\n" + table, end="")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
