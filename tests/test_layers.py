"""Layers you can see: the domain knows nothing of Flask, the SMS gateway knows nothing of the domain, and no
module changes another module's state when it is imported (issue 8, item 6)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PORTAL = Path(__file__).resolve().parent.parent / "portal"
GROUPS = ("her", "casework", "programme", "messaging", "admin", "evaluation")


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


# -- one request context (issue 8, item 3) ---------------------------------------------------------------

SESSION_NAMES = {"db", "session"}
CLOCK_NAMES = {"now", "clock", "at", "when", "moment"}
WALL_CLOCK_CALLS = {"utcnow", "now", "today", "time"}  # datetime.now(), utcnow(), date.today(), time.time()


def service_functions() -> list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    found = []
    for path in modules("services"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                found.append((f"{path.relative_to(PORTAL)}:{node.lineno} {node.name}", node))
    return found


def parameters(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[tuple[str, ast.expr | None]]:
    """Every parameter with its default (None when it has none)."""
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    return [(a.arg, d) for a, d in zip(positional, defaults, strict=True)] + \
        [(a.arg, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)]


def test_no_service_takes_a_session_and_the_audit_key_side_by_side() -> None:
    """A function that audits takes `ctx: DomainContext`, not the session, the audit key and the rest loose."""
    loose = [where for where, node in service_functions()
             if {name for name, _ in parameters(node)} & SESSION_NAMES and "audit_key" in dict(parameters(node))]
    assert not loose, f"loose session + audit_key (take ctx: DomainContext): {loose}"


def test_no_service_has_an_optional_clock() -> None:
    """Where a timestamp is written the time is always given (ctx.now, or a required `now`): never a default
    that falls back to the wall clock."""
    optional = [f"{where} ({name})" for where, node in service_functions()
                for name, default in parameters(node) if name in CLOCK_NAMES and default is not None]
    assert not optional, f"optional clocks: {optional}"


def test_no_service_reads_the_wall_clock() -> None:
    """The domain never asks the wall clock the time: it uses the context's (or the dispatcher's injected) clock."""
    reads = []
    for path in modules("services"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
                owner = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""
                if name == "utcnow" or (name in WALL_CLOCK_CALLS and owner in {"datetime", "date", "time"}):
                    reads.append(f"{path.relative_to(PORTAL)}:{node.lineno} {owner + '.' if owner else ''}{name}()")
    assert not reads, f"wall-clock reads in the domain: {reads}"


def test_the_layering_checks_see_the_loose_pattern() -> None:
    """The checks above would catch the old shape (so a green run means something)."""
    old = ast.parse("def stop_contact(db, audit_key, partner, *, now=None): ...").body[0]
    assert isinstance(old, ast.FunctionDef)
    names = dict(parameters(old))
    assert {"db", "audit_key"} <= names.keys() and names["now"] is not None
