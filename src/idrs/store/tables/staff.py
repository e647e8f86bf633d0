"""Staff: employees, contractors and detailees, each also a person in the population.

Roles live in their own table so a person can hold several; access governance (grants,
profiles, agreements) builds on these rows.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
)

from idrs.store.base import UtcDateTime, metadata

ROLES = (
    "customer_service",
    "revenue_agent",
    "revenue_officer",
    "manager",
    "approver",
    "security_officer",
    "oversight_reviewer",
    "analyst",
    "executive",
    "operator",
    "service",
)

units = Table(
    "units",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(16), nullable=False, unique=True),
    Column("name", String(80), nullable=False),
)

staff = Table(
    "staff",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("taxpayer_id", BigInteger, ForeignKey("taxpayers.id"), unique=True),
    Column("username", String(32), nullable=False, unique=True),
    Column("employee_number", String(10), nullable=False, unique=True),
    Column("employment_type", String(12), nullable=False),
    Column("unit_id", Integer, ForeignKey("units.id"), nullable=False),
    Column("manager_id", BigInteger, ForeignKey("staff.id")),
    Column("clearance", String(16), nullable=False, default="none"),
    Column("status", String(12), nullable=False, default="active"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("separated_at", UtcDateTime),
    CheckConstraint(
        "employment_type IN ('employee','contractor','detailee','service')",
        name="employment_type",
    ),
    CheckConstraint("status IN ('active','suspended','separated')", name="staff_status"),
)

staff_roles = Table(
    "staff_roles",
    metadata,
    Column("staff_id", BigInteger, ForeignKey("staff.id"), primary_key=True),
    Column("role", String(24), primary_key=True),
)
