"""Entity tables: taxpayers, address history, cross-references, authorisations, bank accounts.

Direct identifiers are stored only as AES-GCM ciphertext (``*_enc``); the few look-ups the
system needs go through keyed blind indexes (``*_index``). Name control stays in the clear
because posting validates TIN/name-control pairs set-based.
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
    LargeBinary,
    SmallInteger,
    String,
    Table,
)

from idrs.store.base import UtcDateTime, metadata

ENTITY_KINDS = ("individual", "business", "exempt_org", "estate", "trust")

taxpayers = Table(
    "taxpayers",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("entity_kind", String(16), nullable=False),
    Column("tin_kind", String(8), nullable=False),
    Column("tin_enc", LargeBinary, nullable=False),
    Column("tin_index", LargeBinary(16), nullable=False, unique=True),
    Column("name_control", String(4), nullable=False),
    Column("name_line1_enc", LargeBinary, nullable=False),
    Column("name_line2_enc", LargeBinary),
    Column("surname_index", LargeBinary(16)),
    Column("birth_date_enc", LargeBinary),
    Column("death_date_enc", LargeBinary),
    Column("filing_requirements", String(64), nullable=False, default=""),
    Column("fiscal_year_month", SmallInteger, nullable=False, default=12),
    Column("established_on", Date, nullable=False),
    Column("sensitivity", String(16), nullable=False, default="none"),
    Column("employee_flag", Boolean, nullable=False, default=False),
    Column("created_at", UtcDateTime, nullable=False),
    CheckConstraint(
        "entity_kind IN ('individual','business','exempt_org','estate','trust')",
        name="entity_kind",
    ),
    CheckConstraint("tin_kind IN ('SSN','ITIN','EIN')", name="tin_kind"),
    CheckConstraint("sensitivity IN ('none','high_profile')", name="sensitivity"),
)
Index("ix_taxpayers_surname_index", taxpayers.c.surname_index)

addresses = Table(
    "addresses",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("taxpayer_id", BigInteger, ForeignKey("taxpayers.id"), nullable=False, index=True),
    Column("street_enc", LargeBinary, nullable=False),
    Column("city_enc", LargeBinary, nullable=False),
    Column("zip_enc", LargeBinary, nullable=False),
    # state stays in the clear: not an identifier alone, and the unit of private statistics
    Column("state", String(2), nullable=False),
    Column("street_index", LargeBinary(16), nullable=False),
    Column("surname_zip_index", LargeBinary(16)),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),
)
Index("ix_addresses_street_index", addresses.c.street_index)
Index("ix_addresses_surname_zip_index", addresses.c.surname_zip_index)

# spouse, former_spouse (a past joint return), dependent, merged_tin
taxpayer_links = Table(
    "taxpayer_links",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("taxpayer_id", BigInteger, ForeignKey("taxpayers.id"), nullable=False, index=True),
    Column("related_id", BigInteger, ForeignKey("taxpayers.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),
    CheckConstraint(
        "kind IN ('spouse','former_spouse','dependent','merged_tin')", name="link_kind"
    ),
)

# Third-party authorisations on file (Form 2848 power of attorney, Form 8821), the CAF.
authorizations = Table(
    "authorizations",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("taxpayer_id", BigInteger, ForeignKey("taxpayers.id"), nullable=False, index=True),
    Column("form", String(4), nullable=False),
    Column("caf_number", String(12), nullable=False),
    Column("representative_name_enc", LargeBinary, nullable=False),
    Column("mft", SmallInteger, nullable=False),
    Column("period_from", BigInteger, nullable=False),
    Column("period_to", BigInteger, nullable=False),
    Column("received_on", Date, nullable=False),
    Column("revoked_on", Date),
    CheckConstraint("form IN ('2848','8821')", name="caf_form"),
)

bank_accounts = Table(
    "bank_accounts",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("taxpayer_id", BigInteger, ForeignKey("taxpayers.id"), nullable=False, index=True),
    Column("routing_enc", LargeBinary, nullable=False),
    Column("account_enc", LargeBinary, nullable=False),
    Column("account_type", String(8), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),
    CheckConstraint("account_type IN ('checking','savings')", name="account_type"),
)
