"""The stages of a posting cycle, in order: entity, validate, post, settle, schedule.

Each is a thin adapter from the uniform stage shape to one set-based step of
:mod:`idrs.store.posting` (entity changes are per row, being few). Every stage is
idempotent given the database state, which is what makes a killed cycle safe to run again:
a stage either committed (and its inputs are no longer 'PN') or left nothing behind.
"""

from __future__ import annotations

from idrs.posting.pipeline import CycleBatch, NamedStage, PostingError, StageContext
from idrs.store.posting import entity, readers, schedule, settle, validate
from idrs.store.posting import post as post_sql


def _errors(ctx: StageContext, batch: CycleBatch, stage: str, source: str) -> list[PostingError]:
    return [
        PostingError(stage, u.dln, u.tc, u.code, u.reason)
        for u in readers.unpostables_in_cycle(ctx.conn, batch.cycle, source)
    ]


def entity_stage(batch: CycleBatch, ctx: StageContext) -> tuple[CycleBatch, list[PostingError]]:
    got = entity.post_entity_changes(ctx.conn, ctx.vault, batch.cycle, batch.posting_date, ctx.now)
    posted = sum(got.posted.values())
    out = batch.with_counts(got.taxpayers, posted, entity_posted=posted)
    return out, _errors(ctx, batch, "entity", "entity")


def validate_stage(batch: CycleBatch, ctx: StageContext) -> tuple[CycleBatch, list[PostingError]]:
    counts = validate.validate(ctx.conn, batch.cycle, batch.posting_date, ctx.now)
    refused = sum(counts.values())
    taxpayers = readers.taxpayers_with_unpostables(ctx.conn, batch.cycle)
    out = batch.with_counts(taxpayers, refused, unpostable=refused)
    return out, _errors(ctx, batch, "validate", "txn")


def post_stage(batch: CycleBatch, ctx: StageContext) -> tuple[CycleBatch, list[PostingError]]:
    posted = post_sql.post(ctx.conn, batch.cycle, batch.posting_date, ctx.now)
    taxpayers = readers.taxpayers_posted(ctx.conn, batch.cycle)
    return batch.with_counts(taxpayers, posted, posted=posted), []


def settle_stage(batch: CycleBatch, ctx: StageContext) -> tuple[CycleBatch, list[PostingError]]:
    modules = settle.settle(ctx.conn, batch.cycle, batch.posting_date, ctx.now)
    taxpayers = readers.taxpayers_posted(ctx.conn, batch.cycle)
    return batch.with_counts(taxpayers, modules, modules=modules), []


def schedule_stage(batch: CycleBatch, ctx: StageContext) -> tuple[CycleBatch, list[PostingError]]:
    queued = schedule.schedule(ctx.conn, batch.cycle, batch.posting_date, ctx.now)
    taxpayers = readers.taxpayers_posted(ctx.conn, batch.cycle)
    return batch.with_counts(taxpayers, queued, scheduled=queued), []


STAGES: tuple[NamedStage, ...] = (
    NamedStage("entity", entity_stage),
    NamedStage("validate", validate_stage),
    NamedStage("post", post_stage),
    NamedStage("settle", settle_stage),
    NamedStage("schedule", schedule_stage),
)
