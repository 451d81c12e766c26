"""`make audit` says what its audit was worth: nothing audited is never shown as a pass."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "dependency_audit.py"


@pytest.fixture(scope="module")
def audit():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("dependency_audit", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["dependency_audit"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _skip(name: str) -> dict:
    return {"name": name, "skip_reason": f"Dependency not found on PyPI and could not be audited: {name} (1.0)"}


def _ok(name: str, vulns: list | None = None) -> dict:
    return {"name": name, "version": "1.0", "vulns": vulns or [], "fixes": []}


UNREACHABLE = {"dependencies": [_skip("flask"), _skip("jinja2"), _skip("werkzeug")], "fixes": []}
CLEAN = {"dependencies": [_ok("flask"), _ok("jinja2")], "fixes": []}
VULNERABLE = {"dependencies": [_ok("flask"), _ok("jinja2", [{"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.5"],
                                                             "aliases": ["CVE-2024-56201"]}])], "fixes": []}


@pytest.mark.parametrize("ci", [False, True])
def test_nothing_reachable_passes_but_says_plainly_nothing_was_audited(audit, ci):
    verdict = audit.judge(json.loads(json.dumps(UNREACHABLE)), ci=ci)
    assert (verdict.outcome, verdict.exit_code) == ("unreachable", 0)
    text = "\n".join(verdict.lines)
    assert "NO DEPENDENCY WAS AUDITED" in text and "0 of 3" in text and "not a pass" in text
    assert "no known vulnerabilities" not in text.lower()


def test_a_clean_audit_passes_and_says_everything_was_checked(audit):
    verdict = audit.judge(CLEAN)
    assert (verdict.outcome, verdict.exit_code) == ("clean", 0)
    assert verdict.lines == ["pip-audit: all 2 packages audited, no known vulnerabilities."]


@pytest.mark.parametrize("ci", [False, True])
def test_a_known_vulnerability_fails_when_data_was_reachable(audit, ci):
    verdict = audit.judge(VULNERABLE, ci=ci)
    assert (verdict.outcome, verdict.exit_code) == ("vulnerable", 1)
    assert "VULNERABLE jinja2 1.0: GHSA-h5c8-rqwp-cp95" in verdict.lines


def test_a_partial_audit_names_what_was_not_audited(audit):
    verdict = audit.judge({"dependencies": [_ok("flask"), _skip("jinja2")]})
    assert (verdict.outcome, verdict.exit_code) == ("partial", 0)
    assert "NOT AUDITED" in verdict.lines[-1] and "jinja2" in verdict.lines[-1]
    vulnerable = audit.judge({"dependencies": [_ok("flask", [{"id": "PYSEC-1"}]), _skip("jinja2")]})
    assert (vulnerable.outcome, vulnerable.exit_code) == ("partial", 1)


def test_no_report_because_the_network_failed_is_unreachable_not_a_pass(audit):
    verdict = audit.judge(None, "requests.exceptions.ConnectionError: Max retries exceeded")
    assert (verdict.outcome, verdict.exit_code) == ("unreachable", 0)
    assert "NO DEPENDENCY WAS AUDITED" in verdict.lines[0]


def test_pip_audit_broken_for_another_reason_fails(audit):
    verdict = audit.judge(None, "ModuleNotFoundError: No module named pip_audit")
    assert (verdict.outcome, verdict.exit_code) == ("failed", 2)


def test_main_prints_the_warning_and_exits_0_in_ci_when_nothing_is_reachable(audit, monkeypatch, capsys):
    monkeypatch.setenv("CI", "true")
    monkeypatch.setattr(audit, "run_pip_audit", lambda: (UNREACHABLE, "No known vulnerabilities found"))
    assert audit.main() == 0
    assert "NO DEPENDENCY WAS AUDITED" in capsys.readouterr().err
    monkeypatch.setattr(audit, "run_pip_audit", lambda: (VULNERABLE, ""))
    assert audit.main() == 1
