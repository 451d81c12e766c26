"""Audit installed dependencies with pip-audit: fail on any known vulnerability; say plainly what was
not auditable (e.g. a package index mirror without vulnerability data)."""

from __future__ import annotations

import json
import subprocess
import sys


def main() -> int:
    run = subprocess.run(
        [sys.executable, "-m", "pip_audit", "--format", "json", "--progress-spinner", "off", "--skip-editable"],
        capture_output=True, text=True, timeout=600,
    )
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        print(run.stderr.strip() or "pip-audit produced no report", file=sys.stderr)
        return 1
    deps = report.get("dependencies", [])
    vulnerable = [d for d in deps if d.get("vulns")]
    skipped = [d for d in deps if d.get("skip_reason")]
    for dep in vulnerable:
        ids = ", ".join(v["id"] for v in dep["vulns"])
        print(f"VULNERABLE {dep['name']} {dep['version']}: {ids}")
    audited = len(deps) - len(skipped)
    print(f"pip-audit: {audited} of {len(deps)} packages audited, {len(vulnerable)} with known vulnerabilities.")
    if skipped and not audited:
        print("pip-audit: no vulnerability data was reachable from this machine (index without the JSON API); "
              "nothing could be audited here.")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
