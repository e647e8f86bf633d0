"""Run the real ``idrs`` console script in a subprocess, as a person would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

IDRS = str(Path(sys.executable).with_name("idrs"))


def run_idrs(
    *args: str, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, **env, "COLUMNS": "120", "NO_COLOR": "1"}
    return subprocess.run(
        [IDRS, *args], env=full, capture_output=True, text=True, timeout=timeout, check=False
    )
