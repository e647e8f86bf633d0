"""Tables of sign-on: credentials, sessions, and pending staff proposals.

Why separate from ``staff``: a staff row says who someone is and what they may do; these rows
say how they prove it. Nothing secret is stored in a usable form: the password only as an
Argon2id hash, the TOTP secret encrypted with the store's ``Vault`` (purpose
``staff_credentials.totp_secret``, row = staff id), a session token only as its SHA-256.
A proposal to create a security officer waits here until a second security officer approves it.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
)

from idrs.store.base import BigId, UtcDateTime, metadata

TOTP_PURPOSE = "staff_credentials.totp_secret"

staff_credentials = Table(
    "staff_credentials",
    metadata,
    Column("staff_id", BigInteger, ForeignKey("staff.id"), primary_key=True),
    Column("password_hash", String(255), nullable=False),
    Column("totp_secret_enc", LargeBinary, nullable=False),
    # the last TOTP time step accepted: a code is good once (RFC 6238 §5.2)
    Column("totp_last_step", BigInteger),
    # an issued (one-time) password must be changed at the next sign-on
    Column("must_change", Boolean, nullable=False),
    Column("failed_attempts", Integer, nullable=False, default=0),
    Column("locked_at", UtcDateTime),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("issued_by", BigInteger, ForeignKey("staff.id")),
    Column("changed_at", UtcDateTime),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("session_id", String(32), nullable=False, unique=True),
    Column("token_hash", LargeBinary(32), nullable=False, unique=True),
    Column("staff_id", BigInteger, ForeignKey("staff.id"), nullable=False),
    Column("terminal", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),  # absolute end, whatever the activity
    Column("ended_at", UtcDateTime),
    Column("end_reason", String(12)),
    CheckConstraint(
        "end_reason IS NULL OR end_reason IN ('signoff','idle','lifetime','revoked')",
        name="end_reason",
    ),
    Index("ix_sessions_staff_open", "staff_id", "ended_at"),
)

staff_proposals = Table(
    "staff_proposals",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("username", String(32), nullable=False),
    Column("employee_number", String(10), nullable=False),
    Column("employment_type", String(12), nullable=False),
    Column("unit_id", Integer, ForeignKey("units.id"), nullable=False),
    Column("manager_id", BigInteger, ForeignKey("staff.id")),
    Column("taxpayer_id", BigInteger, ForeignKey("taxpayers.id")),
    Column("roles", String(255), nullable=False),  # comma-separated, sorted
    Column("proposed_by", BigInteger, ForeignKey("staff.id"), nullable=False),
    Column("proposed_at", UtcDateTime, nullable=False),
    Column("status", String(10), nullable=False),
    Column("decided_by", BigInteger, ForeignKey("staff.id")),
    Column("decided_at", UtcDateTime),
    Column("staff_id", BigInteger, ForeignKey("staff.id")),
    CheckConstraint("status IN ('pending','approved')", name="proposal_status"),
)
