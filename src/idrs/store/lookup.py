"""Resolve what a person typed (a TIN, an MFT and period) to surrogate ids, by blind index.

The statements are built once with bind parameters: these run on every gated request, and
building and cache-keying a statement per call cost more than the index probe itself.
"""

from __future__ import annotations

from sqlalchemy import and_, bindparam, select, union_all
from sqlalchemy.engine import Connection

from idrs.store.crypto import blind_index, norm_tin
from idrs.store.keyring import Keyring
from idrs.store.tables.modules import tax_modules
from idrs.store.tables.taxpayers import taxpayers

_BY_TIN = select(taxpayers.c.id).where(
    taxpayers.c.tin_index == bindparam("index", type_=taxpayers.c.tin_index.type)
)
_TID = bindparam("tid", type_=tax_modules.c.taxpayer_id.type)
_MFT = bindparam("mft", type_=tax_modules.c.mft.type)
_PERIOD = bindparam("period", type_=tax_modules.c.tax_period.type)
# two index probes joined by UNION ALL rather than one OR: with statistics (ANALYZE), SQLite
# plans an OR over the mostly-NULL secondary column as a scan of the whole table
_MODULES = union_all(
    *(
        select(tax_modules.c.id, tax_modules.c.taxpayer_id).where(
            tax_modules.c.mft == _MFT, tax_modules.c.tax_period == _PERIOD, column == _TID
        )
        for column in (tax_modules.c.taxpayer_id, tax_modules.c.secondary_taxpayer_id)
    )
)


_m = tax_modules.alias("m")
_INDEX = bindparam("index", type_=taxpayers.c.tin_index.type)
_SUBJECT = union_all(
    select(taxpayers.c.id, _m.c.id, _m.c.taxpayer_id)
    .select_from(
        taxpayers.outerjoin(
            _m,
            and_(_m.c.mft == _MFT, _m.c.tax_period == _PERIOD, _m.c.taxpayer_id == taxpayers.c.id),
        )
    )
    .where(taxpayers.c.tin_index == _INDEX),
    select(taxpayers.c.id, _m.c.id, _m.c.taxpayer_id)
    .select_from(
        taxpayers.join(
            _m,
            and_(
                _m.c.mft == _MFT,
                _m.c.tax_period == _PERIOD,
                _m.c.secondary_taxpayer_id == taxpayers.c.id,
            ),
        )
    )
    .where(taxpayers.c.tin_index == _INDEX),
)


def resolve_subject(
    conn: Connection, keyring: Keyring, tin_digits: str, mft: int | None, tax_period: int | None
) -> tuple[int | None, int | None]:
    """:func:`taxpayer_id_for_tin` and then :func:`module_id_for` (when both MFT and period
    are given), in one round trip: the taxpayer, and their own module or else a joint one."""
    index = blind_index(keyring.blind_index_keys, "tin", norm_tin(tin_digits))
    found = conn.execute(_SUBJECT, {"index": index, "mft": mft, "period": tax_period}).all()
    rows = sorted(found, key=lambda r: (r[1] is None, r[1] or 0))
    if not rows:
        return None, None
    taxpayer_id = rows[0][0]
    modules = [(mid, owner) for _, mid, owner in rows if mid is not None]
    own = [mid for mid, owner in modules if owner == taxpayer_id]
    return taxpayer_id, own[0] if own else (modules[0][0] if modules else None)


def taxpayer_id_for_tin(conn: Connection, keyring: Keyring, tin_digits: str) -> int | None:
    index = blind_index(keyring.blind_index_keys, "tin", norm_tin(tin_digits))
    return conn.execute(_BY_TIN, {"index": index}).scalar_one_or_none()


def module_id_for(conn: Connection, taxpayer_id: int, mft: int, tax_period: int) -> int | None:
    """The module of this TIN for (MFT, period): its own, or a joint one where it is secondary."""
    found = conn.execute(_MODULES, {"mft": mft, "period": tax_period, "tid": taxpayer_id}).all()
    rows = sorted(found, key=lambda r: r.id)
    own = [r.id for r in rows if r.taxpayer_id == taxpayer_id]
    return own[0] if own else (rows[0].id if rows else None)
