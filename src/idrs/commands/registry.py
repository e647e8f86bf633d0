"""The command codes this system runs, each declared once by its family module.

A :class:`Spec` says what a code takes (a TIN, a whole module key, or nothing but search
operands), which definers it accepts, how it runs under a permit (``run``: store reads and
writes inside the gate's transaction, returning JSON-able data) and how that data is drawn on
the screen (``render``, after the commit). Access rules (read/write, grant kinds, data
categories) stay in the access catalogue; a test checks every code here is in it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy.engine import Connection

from idrs.clock import Clock
from idrs.commands.line import Line
from idrs.gate import Output, Resolved
from idrs.settings import Settings
from idrs.store.crypto import Vault
from idrs.store.keyring import Keyring

FAMILIES = (
    "idrs.commands.entity",
    "idrs.commands.module",
    "idrs.commands.adjust",
    "idrs.commands.collect",
    "idrs.commands.control",
    "idrs.commands.masterfile",
    "idrs.commands.returns",
    "idrs.commands.unpostable",
)


@dataclass(frozen=True)
class Request:
    """A parsed command line: code, definer, the module key typed, the rest."""

    line: Line
    code: str
    definer: str
    tin: str | None
    mft: int | None
    period: int | None
    args: tuple[str, ...]
    fields: Mapping[str, str]


@dataclass(frozen=True)
class Work:
    """What a command sees while it runs under a permit."""

    conn: Connection
    vault: Vault
    clock: Clock
    settings: Settings
    staff_id: int
    resolved: Resolved
    request: Request
    keyring: Keyring

    @property
    def today(self) -> date:
        return self.clock.today()


@dataclass(frozen=True)
class Rendered:
    body: list[str]
    message: str = ""
    fields: dict[str, str] = field(default_factory=dict)  # an input screen's pre-filled fields


@dataclass(frozen=True)
class Spec:
    code: str
    takes: str  # "tin" | "module" | "tin+module?" | "search"
    run: Callable[[Work], Output]
    render: Callable[[Request, Mapping[str, Any]], Rendered]
    definers: str = ""  # accepted definers; "" = none; the first is the default
    summary: str = ""


_SPECS: dict[str, Spec] = {}


def register(spec: Spec) -> Spec:
    if spec.code in _SPECS:
        raise ValueError(f"command {spec.code} registered twice")
    _SPECS[spec.code] = spec
    return spec


@cache
def _load() -> None:
    for name in FAMILIES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise


def specs() -> dict[str, Spec]:
    _load()
    return dict(_SPECS)


def spec_for(code: str) -> Spec | None:
    _load()
    return _SPECS.get(code)
