"""Test-only crash points: ``IDRS_TEST_CRASH`` kills the process with SIGKILL on purpose.

Why in the product: the crash-safety test must kill a real cycle at exact places (before or
after a stage commits, or after the N-th SQL statement), which no timer can hit reliably.
Unset (always, outside tests) it costs one environment look-up per cycle. Values:
``before:STAGE``, ``after:STAGE``, ``statement:N``.
"""

from __future__ import annotations

import os
import signal

from sqlalchemy import Engine, event

VARIABLE = "IDRS_TEST_CRASH"


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class CrashPoints:
    def __init__(self, engine: Engine) -> None:
        self.spec = os.environ.get(VARIABLE, "")
        if self.spec.startswith("statement:"):
            limit = int(self.spec.split(":", 1)[1])
            seen = [0]

            def count(*_: object) -> None:
                seen[0] += 1
                if seen[0] >= limit:
                    _die()

            event.listen(engine, "before_cursor_execute", count)

    def at(self, when: str, stage: str) -> None:
        if self.spec == f"{when}:{stage}":
            _die()
