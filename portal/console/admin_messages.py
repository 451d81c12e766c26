"""Words for the admin pages' problem codes: kept in the console's one map, portal/console/refusals.py."""

from __future__ import annotations

from portal.console.refusals import admin_problem as problem

__all__ = ["problem"]
