"""Resolve what a person typed (a TIN, an MFT and period) to surrogate ids, by blind index."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.engine import Connection

from idrs.store.crypto import blind_index, norm_tin
from idrs.store.keyring import Keyring
from idrs.store.tables.modules import tax_modules
from idrs.store.tables.taxpayers import taxpayers


def taxpayer_id_for_tin(conn: Connection, keyring: Keyring, tin_digits: str) -> int | None:
    index = blind_index(keyring.blind_index_keys, "tin", norm_tin(tin_digits))
    return conn.execute(
        select(taxpayers.c.id).where(taxpayers.c.tin_index == index)
    ).scalar_one_or_none()


def module_id_for(conn: Connection, taxpayer_id: int, mft: int, tax_period: int) -> int | None:
    """The module of this TIN for (MFT, period): its own, or a joint one where it is secondary."""
    rows = conn.execute(
        select(tax_modules.c.id, tax_modules.c.taxpayer_id)
        .where(
            tax_modules.c.mft == mft,
            tax_modules.c.tax_period == tax_period,
            or_(
                tax_modules.c.taxpayer_id == taxpayer_id,
                tax_modules.c.secondary_taxpayer_id == taxpayer_id,
            ),
        )
        .order_by(tax_modules.c.id)
    ).all()
    own = [r.id for r in rows if r.taxpayer_id == taxpayer_id]
    return own[0] if own else (rows[0].id if rows else None)
