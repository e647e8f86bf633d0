"""The shape every stage of a cycle has: ``(batch, context) -> (batch, errors)``.

Why this shape (Beancount's loader and plugins): stages compose without knowing each other,
each one's rejected inputs come back as data naming their source and DLN instead of
exceptions, and the runner can wrap every stage the same way (one transaction, one audit
entry, a progress tick, a crash-test hook). The batch itself is small: the work is in the
database, selected by cycle, so a stage hands on counts and the taxpayers it touched (which
the job runner commits to in the audit log), never millions of rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from types import MappingProxyType

from sqlalchemy.engine import Connection

from idrs.store.crypto import Vault


@dataclass(frozen=True)
class CycleBatch:
    """What flows from stage to stage."""

    cycle: int
    posting_date: date
    taxpayers: tuple[int, ...] = ()  # touched by the stage that returned this batch
    rows: int = 0  # rows that stage wrote
    counts: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))

    def with_counts(self, taxpayers: tuple[int, ...], rows: int, **counts: int) -> CycleBatch:
        merged = {**self.counts, **counts}
        return replace(self, taxpayers=taxpayers, rows=rows, counts=MappingProxyType(merged))


@dataclass(frozen=True)
class StageContext:
    conn: Connection  # the stage's own transaction
    vault: Vault
    now: datetime


@dataclass(frozen=True)
class PostingError:
    """A rejected input, as data: which stage refused it, its DLN, TC, code and reason."""

    stage: str
    dln: str
    tc: int
    code: int
    reason: str


Stage = Callable[[CycleBatch, StageContext], tuple[CycleBatch, list[PostingError]]]


@dataclass(frozen=True)
class NamedStage:
    name: str
    run: Stage
