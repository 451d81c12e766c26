"""Audit installed dependencies with pip-audit, and say honestly what that audit was worth.

Three outcomes (plus a partial one), decided by `judge()` from pip-audit's JSON report:

- unreachable: no package could be checked (no vulnerability data reachable from this machine, e.g. a package
  index mirror without PyPI's JSON API). Exit 0, in CI too, but the output says plainly that NOTHING WAS
  AUDITED: this is not a pass.
- clean: every package was checked and none has a known vulnerability. Exit 0.
- vulnerable: data was reachable and at least one package has a known vulnerability. Exit 1.
- partial: some packages were checked; the ones that could not be are named. Exit 1 if a checked one is
  vulnerable, else 0.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

UNREACHABLE, CLEAN, VULNERABLE, PARTIAL, FAILED = "unreachable", "clean", "vulnerable", "partial", "failed"
NETWORK_WORDS = ("connection", "network", "timed out", "timeout", "name resolution", "unreachable", "ssl")


@dataclass
class Verdict:
    outcome: str
    exit_code: int
    lines: list[str] = field(default_factory=list)


def judge(report: dict[str, Any] | None, stderr: str = "", *, ci: bool = False) -> Verdict:
    """What the pip-audit report (None when pip-audit printed none) means, and the exit code to give."""
    if report is None:
        detail = (stderr.strip().splitlines() or ["pip-audit produced no report"])[-1]
        if any(word in stderr.lower() for word in NETWORK_WORDS):
            return Verdict(UNREACHABLE, 0, _nothing_audited(0, ci) + [f"pip-audit said: {detail}"])
        return Verdict(FAILED, 2, [f"DEPENDENCY AUDIT FAILED: pip-audit did not run properly: {detail}"])
    deps = [d for d in report.get("dependencies", []) if isinstance(d, dict)]
    skipped = [d for d in deps if d.get("skip_reason")]
    audited = [d for d in deps if not d.get("skip_reason")]
    vulnerable = [d for d in audited if d.get("vulns")]
    lines = [f"VULNERABLE {d.get('name')} {d.get('version')}: "
             + ", ".join(str(v.get("id")) for v in d["vulns"]) for d in vulnerable]
    if not audited:
        return Verdict(UNREACHABLE, 0, _nothing_audited(len(deps), ci))
    if skipped:
        names = ", ".join(sorted(str(d.get("name")) for d in skipped))
        lines.append(f"pip-audit: {len(audited)} of {len(deps)} packages audited, {len(vulnerable)} with known "
                     f"vulnerabilities. NOT AUDITED (no vulnerability data reachable): {len(skipped)}: {names}.")
        return Verdict(PARTIAL, 1 if vulnerable else 0, lines)
    if vulnerable:
        lines.append(f"pip-audit: all {len(deps)} packages audited, {len(vulnerable)} with known vulnerabilities.")
        return Verdict(VULNERABLE, 1, lines)
    return Verdict(CLEAN, 0, [f"pip-audit: all {len(deps)} packages audited, no known vulnerabilities."])


def _nothing_audited(total: int, ci: bool) -> list[str]:
    where = "this CI run" if ci else "this machine"
    return [
        f"WARNING: NO DEPENDENCY WAS AUDITED. No vulnerability data was reachable from {where}; "
        f"0 of {total} installed packages were checked for known vulnerabilities.",
        "This is not a pass: run `make audit` where PyPI's JSON API or the OSV service can be reached.",
    ]


def run_pip_audit() -> tuple[dict[str, Any] | None, str]:
    run = subprocess.run(
        [sys.executable, "-m", "pip_audit", "--format", "json", "--progress-spinner", "off", "--skip-editable"],
        capture_output=True, text=True, timeout=600, check=False,
    )
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        return None, run.stderr
    return (report if isinstance(report, dict) else None), run.stderr


def main() -> int:
    report, stderr = run_pip_audit()
    verdict = judge(report, stderr, ci=os.environ.get("CI", "").lower() == "true")
    stream = sys.stdout if verdict.outcome == CLEAN else sys.stderr
    for line in verdict.lines:
        print(line, file=stream)
    return verdict.exit_code


if __name__ == "__main__":
    sys.exit(main())
