"""Access governance tables: profiles, acknowledgements, cases, agreements, grants, oversight.

Grants carry their whole life (start, end, revocation) so a decision can be replayed from the
rows as they stood; every change to them is also an audit entry. Acknowledgements and agreement
renewals are facts that never change, so they are append-only.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from idrs.store.base import BigId, UtcDateTime, metadata

command_profiles = Table(
    "command_profiles",
    metadata,
    Column("staff_id", BigInteger, ForeignKey("staff.id"), primary_key=True),
    Column("code", String(8), primary_key=True),
)

unit_max_profiles = Table(
    "unit_max_profiles",
    metadata,
    Column("unit_id", Integer, ForeignKey("units.id"), primary_key=True),
    Column("code", String(8), primary_key=True),
)

acknowledgements = Table(
    "acknowledgements",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("staff_id", BigInteger, ForeignKey("staff.id"), nullable=False, index=True),
    # confidentiality | 6103n | agreement
    Column("kind", String(16), nullable=False),
    Column("agreement_id", BigInteger, ForeignKey("agreements.id")),
    Column("signed_at", UtcDateTime, nullable=False),
    CheckConstraint("kind IN ('confidentiality','6103n','agreement')", name="ack_kind"),
)

covered_relationships = Table(
    "covered_relationships",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("staff_id", BigInteger, ForeignKey("staff.id"), nullable=False, index=True),
    Column("taxpayer_id", BigInteger, ForeignKey("taxpayers.id"), nullable=False),
    Column("declared_at", UtcDateTime, nullable=False),
)

cases = Table(
    "cases",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("taxpayer_id", BigInteger, ForeignKey("taxpayers.id"), nullable=False, index=True),
    Column("module_id", BigInteger, ForeignKey("tax_modules.id")),
    Column("category", String(16), nullable=False),
    Column("assignee_id", BigInteger, ForeignKey("staff.id"), nullable=False, index=True),
    Column("opened_by", BigInteger, ForeignKey("staff.id"), nullable=False),
    Column("opened_at", UtcDateTime, nullable=False),
    Column("closed_at", UtcDateTime),
    # the control-base view of a case (ACTON): A assigned, B background, M monitored, S suspense;
    # a closed case shows C (closed_at is set)
    Column("status", String(1), nullable=False, server_default="A"),
    Column("activity", String(10)),
    Column("received_on", Date),
    Column("control_dln", String(14)),
    CheckConstraint("status IN ('A','B','M','S','C')", name="control_status"),
)

agreements = Table(
    "agreements",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("name", String(120), nullable=False),
    Column("parties", Text, nullable=False),
    Column("legal_authority", Text, nullable=False),
    Column("purpose", Text, nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),  # the last day in force, inclusive
    Column("commands", Text, nullable=False),  # space-separated command codes
    Column("categories", Text, nullable=False),  # space-separated data categories
    Column("case_types", Text, nullable=False, default=""),
    Column("created_by", BigInteger, ForeignKey("staff.id"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

agreement_taxpayers = Table(
    "agreement_taxpayers",
    metadata,
    Column("agreement_id", BigInteger, ForeignKey("agreements.id"), primary_key=True),
    Column("taxpayer_id", BigInteger, ForeignKey("taxpayers.id"), primary_key=True),
)

agreement_members = Table(
    "agreement_members",
    metadata,
    Column("agreement_id", BigInteger, ForeignKey("agreements.id"), primary_key=True),
    Column("staff_id", BigInteger, ForeignKey("staff.id"), primary_key=True),
)

agreement_renewals = Table(
    "agreement_renewals",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("agreement_id", BigInteger, ForeignKey("agreements.id"), nullable=False, index=True),
    Column("ends_on", Date, nullable=False),
    Column("renewed_by", BigInteger, ForeignKey("staff.id"), nullable=False),
    Column("renewed_at", UtcDateTime, nullable=False),
)

grants = Table(
    "grants",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("kind", String(12), nullable=False),
    Column("holder_id", BigInteger, ForeignKey("staff.id"), nullable=False),
    Column("taxpayer_id", BigInteger, ForeignKey("taxpayers.id")),
    Column("module_id", BigInteger, ForeignKey("tax_modules.id")),
    Column("starts_at", UtcDateTime, nullable=False),
    Column("ends_at", UtcDateTime, nullable=False),
    Column("granted_by", BigInteger, ForeignKey("staff.id")),
    Column("reason", Text, nullable=False),
    Column("second_level_approved_by", BigInteger, ForeignKey("staff.id")),
    Column("agreement_id", BigInteger, ForeignKey("agreements.id")),
    Column("case_id", BigInteger, ForeignKey("cases.id")),
    Column("case_type", String(16)),
    Column("job", String(32)),
    Column("contact_authentication", String(64)),
    Column("recertified_at", UtcDateTime),
    Column("revoked_at", UtcDateTime),
    Column("revoked_by", BigInteger, ForeignKey("staff.id")),
    Column("revoke_reason", Text),
    Column("created_at", UtcDateTime, nullable=False),
    CheckConstraint(
        "kind IN ('case','contact','detail','break_glass','service')", name="grant_kind"
    ),
    CheckConstraint("ends_at > starts_at", name="grant_term"),
)
Index("ix_grants_holder_taxpayer", grants.c.holder_id, grants.c.taxpayer_id)
Index("ix_grants_taxpayer", grants.c.taxpayer_id)

oversight_queue = Table(
    "oversight_queue",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("kind", String(24), nullable=False),
    Column("staff_id", BigInteger, ForeignKey("staff.id"), nullable=False),
    Column("taxpayer_id", BigInteger, ForeignKey("taxpayers.id")),
    Column("grant_id", BigInteger, ForeignKey("grants.id")),
    Column("audit_index", BigInteger),
    Column("summary", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("reviewed_by", BigInteger, ForeignKey("staff.id")),
    Column("reviewed_at", UtcDateTime),
    Column("outcome", Text),
    Column("open", Boolean, nullable=False, default=True),
)

APPEND_ONLY = ("acknowledgements", "agreement_renewals")

# Maker-checker: a refund, a penalty abatement or a write above the threshold waits here until
# a different user with the approver role and their own grant on the taxpayer approves it.
approval_requests = Table(
    "approval_requests",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("command", String(8), nullable=False),
    Column("taxpayer_id", BigInteger, ForeignKey("taxpayers.id"), nullable=False, index=True),
    Column("module_id", BigInteger, ForeignKey("tax_modules.id")),
    Column("maker_id", BigInteger, ForeignKey("staff.id"), nullable=False),
    Column("request_audit_index", BigInteger, nullable=False),
    Column("status", String(10), nullable=False, default="pending"),
    Column("approver_id", BigInteger, ForeignKey("staff.id")),
    Column("decided_at", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
    CheckConstraint("status IN ('pending','approved','rejected')", name="approval_status"),
)
