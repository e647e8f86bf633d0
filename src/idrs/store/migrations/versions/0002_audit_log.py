"""Audit log: entries, sealed reviewer detail, full-subtree hashes, signed checkpoints.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from idrs.store.append_only import install as install_append_only

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

AUDIT_TABLES = ("audit_entries", "audit_sealed", "audit_nodes", "audit_checkpoints")
# BIGINT; INTEGER on SQLite so the key is the rowid (see idrs.audit.tables)
ROW_KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "audit_entries",
        sa.Column("idx", ROW_KEY, autoincrement=False, nullable=False),
        sa.Column("leaf", sa.LargeBinary(), nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("tag", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.LargeBinary(length=32), nullable=False),
        sa.Column("taxpayer", sa.LargeBinary(length=32), nullable=True),
        sa.PrimaryKeyConstraint("idx", name=op.f("pk_audit_entries")),
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index("ix_audit_entries_actor", ["actor"], unique=False)
        batch_op.create_index("ix_audit_entries_taxpayer", ["taxpayer"], unique=False)

    op.create_table(
        "audit_sealed",
        sa.Column("idx", ROW_KEY, autoincrement=False, nullable=False),
        sa.Column("blob", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["idx"], ["audit_entries.idx"], name=op.f("fk_audit_sealed_idx_audit_entries")
        ),
        sa.PrimaryKeyConstraint("idx", name=op.f("pk_audit_sealed")),
    )
    op.create_table(
        "audit_nodes",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx", name=op.f("pk_audit_nodes")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "audit_checkpoints",
        sa.Column("size", ROW_KEY, autoincrement=False, nullable=False),
        sa.Column("root", sa.LargeBinary(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("size", name=op.f("pk_audit_checkpoints")),
    )
    for table in AUDIT_TABLES:
        install_append_only(op.get_bind(), table)


def downgrade() -> None:
    op.drop_table("audit_checkpoints")
    op.drop_table("audit_nodes")
    op.drop_table("audit_sealed")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entries_taxpayer")
        batch_op.drop_index("ix_audit_entries_actor")
    op.drop_table("audit_entries")
