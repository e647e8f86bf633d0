"""Imports every table module so ``metadata`` is complete (Alembic, tests, create checks)."""

from __future__ import annotations

from idrs.store.base import metadata
from idrs.store.tables import meta, modules, returns, staff, taxpayers  # noqa: F401

__all__ = ["metadata"]
