"""Run one posting cycle in this process (the crash test kills it): URL, keyring file."""

from __future__ import annotations

import sys
from pathlib import Path

from idrs.clock import FixedClock
from idrs.posting.runner import CycleRunner
from idrs.store.engine import make_engine
from idrs.store.keyring import load_keyring
from tests.access.world import NY, T0
from tests.posting.helpers import CYCLE

if __name__ == "__main__":
    url, keyring_path, starter = sys.argv[1], sys.argv[2], int(sys.argv[3])
    engine = make_engine(url)
    CycleRunner(engine, load_keyring(Path(keyring_path)), FixedClock(NY, T0)).run(
        started_by=starter, cycle=CYCLE
    )
