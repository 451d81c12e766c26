"""Layers you can see: the domain knows nothing of Flask, the SMS gateway knows nothing of the domain, and no
module changes another module's state when it is imported (issue 8, item 6)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PORTAL = Path(__file__).resolve().parent.parent / "portal"
GROUPS = ("her", "casework", "programme", "messaging", "admin")


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules(folder: str) -> list[Path]:
    return sorted((PORTAL / folder).rglob("*.py"))


@pytest.mark.parametrize("path", modules("services"), ids=lambda p: str(p.relative_to(PORTAL)))
def test_the_domain_imports_no_flask_and_no_audience(path: Path) -> None:
    bad = {name for name in imports_of(path)
           if name.split(".")[0] in {"flask", "flask_babel", "flask_wtf", "werkzeug"}
           or name.startswith(("portal.public", "portal.console", "portal.api", "portal.webhooks", "portal.worker",
                               "portal.runtime", "portal.extensions"))}
    assert not bad, f"{path.name} imports {sorted(bad)}"


@pytest.mark.parametrize("path", modules("sms"), ids=lambda p: str(p.relative_to(PORTAL)))
def test_the_sms_gateway_does_not_import_the_domain(path: Path) -> None:
    bad = {name for name in imports_of(path) if name.startswith("portal.services")}
    assert not bad, f"{path.name} imports {sorted(bad)}: the domain uses the gateway, never the reverse"


def test_services_are_grouped_by_domain() -> None:
    loose = sorted(p.stem for p in (PORTAL / "services").glob("*.py") if p.stem != "__init__")
    assert loose == ["audit", "context"], f"modules outside a domain group: {loose}"
    for group in GROUPS:
        assert (PORTAL / "services" / group / "__init__.py").exists()


def test_no_module_mutates_another_modules_list_at_import_time() -> None:
    offenders = []
    for path in PORTAL.rglob("*.py"):
        body = ast.parse(path.read_text()).body  # module level only
        own = {target.id for node in body if isinstance(node, ast.Assign | ast.AnnAssign)
               for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
               if isinstance(target, ast.Name)}
        for node in body:
            call = node.value if isinstance(node, ast.Expr) else None
            if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                    and call.func.attr in {"append", "insert", "extend", "update", "setdefault", "add"}
                    and isinstance(call.func.value, ast.Name) and call.func.value.id not in own):
                offenders.append(f"{path.relative_to(PORTAL)}:{node.lineno} {call.func.value.id}")
    assert not offenders, offenders
