"""Small facts about a taxpayer that governance checks need (no identifiers leave here)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Connection

from idrs.store.crypto import Vault
from idrs.store.tables.taxpayers import authorizations


def has_authorization(conn: Connection, taxpayer_id: int) -> bool:
    """A Form 2848 or 8821 on file and not revoked."""
    return (
        conn.execute(
            select(authorizations.c.id).where(
                authorizations.c.taxpayer_id == taxpayer_id,
                authorizations.c.revoked_on.is_(None),
            )
        ).first()
        is not None
    )


def masked_tin(conn: Connection, vault: Vault, taxpayer_id: int) -> str:
    """The taxpayer's TIN with only the last four digits shown (for oversight listings)."""
    from idrs.domain.tin import parse_tin
    from idrs.store.tables.taxpayers import taxpayers

    row = conn.execute(
        select(taxpayers.c.tin_enc, taxpayers.c.tin_kind).where(taxpayers.c.id == taxpayer_id)
    ).first()
    if row is None:
        return "NOT ON FILE"
    digits = vault.decrypt_text(conn, "taxpayers.tin", row.tin_enc, taxpayer_id)
    return parse_tin(digits, "ein" if row.tin_kind == "EIN" else "individual").masked


def tin_of(conn: Connection, vault: Vault, taxpayer_id: int) -> str:
    """The taxpayer's TIN digits (for set-up that must name a taxpayer, never for display)."""
    from idrs.store.tables.taxpayers import taxpayers

    blob = conn.execute(
        select(taxpayers.c.tin_enc).where(taxpayers.c.id == taxpayer_id)
    ).scalar_one()
    return vault.decrypt_text(conn, "taxpayers.tin", blob, taxpayer_id)
