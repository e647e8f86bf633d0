"""Imports every table module so ``metadata`` is complete (Alembic, tests, create checks)."""

from __future__ import annotations

from idrs.access import tables as _access_tables  # noqa: F401
from idrs.audit import tables as _audit_tables  # noqa: F401
from idrs.auth import tables as _auth_tables  # noqa: F401
from idrs.store.base import metadata
from idrs.store.tables import (  # noqa: F401
    meta,
    modules,
    posting,
    returns,
    staff,
    taxpayers,
    work,
)

__all__ = ["metadata"]
