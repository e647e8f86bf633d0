"""What every CLI command needs: settings, an engine, the keyring, the business clock.

Built lazily from the environment so ``idrs --help`` works on a machine with nothing set up.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import Engine

from idrs.clock import Clock, clock_for
from idrs.settings import Settings
from idrs.store.engine import make_engine
from idrs.store.keyring import Keyring, load_keyring


@dataclass
class Context:
    settings: Settings

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.database_url)

    @cached_property
    def keyring(self) -> Keyring:
        return load_keyring(self.settings.keyring_path)

    @cached_property
    def clock(self) -> Clock:
        return clock_for(self.settings.zone, self.settings.as_of)


def context() -> Context:
    return Context(Settings.from_env())


@contextmanager
def closing_context() -> Iterator[Context]:
    """The command's context; its engine (if one was made) is disposed when the command ends."""
    ctx = context()
    try:
        yield ctx
    finally:
        if "engine" in ctx.__dict__:  # a cached_property that was used
            ctx.engine.dispose()
