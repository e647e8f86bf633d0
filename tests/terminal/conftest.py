"""The terminal's test world: the auth world (staff with credentials, cheap Argon2), alice's
module with enough postings for a second page, and a Host on the world's fixed clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from idrs.settings import Settings
from idrs.store.crypto import Vault
from idrs.store.keyring import Keyring
from idrs.store.population import write_batch
from idrs.store.records import Batch, PostingRec
from idrs.terminal.host import Host
from idrs.terminal.state import Machine
from tests.access.world import T0
from tests.auth.helpers import AuthWorld, auth_world
from tests.conftest import TestDb

ALICE_MODULE = 2001
PASSWORD = "a long enough passphrase"


@dataclass
class TermWorld:
    aw: AuthWorld
    tmp: Path

    def host(self) -> Host:
        return Host(self.aw.engine, self.aw.keyring, self.aw.clock, Settings(), self.aw.cfg, "T01")

    def tin(self, name: str) -> str:
        return self.aw.world.tin(name)

    def code(self, secret: str) -> str:
        """A fresh TOTP code: the clock moves to the next step first (a code is good once)."""
        self.aw.clock.advance(seconds=31)
        return self.aw.code(secret)

    def give_case(self, name: str, taxpayer: str) -> None:
        w = self.aw.world
        w.gov.assign_case(w.staff("mgr1"), w.staff(name), w.tin(taxpayer), "EXAM")

    def signed_on(self, name: str) -> Machine:
        """A machine after a SINON typed on its sign-on screen."""
        password, secret = self.aw.ready(name)
        m = Machine(self.host())
        m.type(name)
        m.tab()
        m.type(password)
        m.tab()
        m.type(self.code(secret))
        m.transmit()
        assert m.lines()[23].startswith("SIGN ON COMPLETED"), m.lines()[23]
        return m


@pytest.fixture
def tw(db: TestDb, keyring: Keyring, tmp_path: Path) -> TermWorld:
    aw = auth_world(db.engine, keyring, tmp_path)
    batch = Batch()
    for i in range(30):  # 30 payments: TXMOD runs past one 22-line page
        day = date(2025, 4, 15) + timedelta(days=i)
        batch.postings.append(
            PostingRec(
                id=91_000 + i, module_id=ALICE_MODULE, tc=670, amount_cents=1_000 + i,
                dln=f"282701{i:07d}5", cycle=202520, transaction_date=day, posted_on=day,
                created_at=T0,
            )
        )  # fmt: skip
    with db.engine.begin() as conn:
        write_batch(conn, Vault(keyring), batch)
    return TermWorld(aw, tmp_path)
